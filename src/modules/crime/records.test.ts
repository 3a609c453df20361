import { test } from 'node:test';
import assert from 'node:assert/strict';
import { latLngToCell } from 'h3-js';
import { auditMigrations } from '../../platform/audit/migrations.ts';
import { migrate } from '../../platform/db/migrate.ts';
import { openTestDatabase } from '../../platform/db/test-db.ts';
import type { Database } from '../../platform/db/index.ts';
import { RecordEncoder } from './import/encode.ts';
import { identityHash } from './import/identity.ts';
import type { CrimeRecordRow } from './import/rows.ts';
import { crimeMigrations } from './migrations.ts';
import { findRecordStates, insertCrimeRecords, RecordWriter } from './store.ts';

async function withDb(fn: (database: Database) => Promise<void>, migrations = crimeMigrations): Promise<void> {
  const database = await openTestDatabase();
  try {
    await migrate(database.db, database.dialect, [auditMigrations, migrations]);
    await fn(database);
  } finally {
    await database.close();
  }
}

const NOW = '2024-05-01T12:00:00.000Z';

function record(identity: string, month: string, over: Partial<CrimeRecordRow> = {}): CrimeRecordRow {
  const crimeId = /^[0-9a-f]{64}$/.test(identity) ? identity : null;
  return {
    source: 'police.uk',
    record_key: identity,
    crime_id: crimeId,
    month,
    occurred_at: null,
    reported_by: 'Testshire Police',
    falls_within: 'Testshire Police',
    longitude: -1.13,
    latitude: 52.63,
    easting: 458_650,
    northing: 304_520,
    location: 'On or near High Street',
    lsoa_code: 'E01013600',
    lsoa_name: 'Leicester 003A',
    crime_type: 'Burglary',
    last_outcome: 'Under investigation',
    outcome_month: month,
    context: null,
    located: 1,
    h3_10: latLngToCell(52.63, -1.13, 10),
    source_file: `${month}-testshire-street.csv`,
    source_line: 2,
    imported_at: NOW,
    updated_at: NOW,
    ...over,
  };
}

const crimeId = (n: number) => n.toString(16).padStart(64, '0');

/** Every record as the view shows it, in id order, without ids. */
async function viewRows(database: Database): Promise<Array<Record<string, unknown>>> {
  const rows = (await database.db.selectFrom('crime_records').selectAll().orderBy('id').execute()) as Array<Record<string, unknown>>;
  return rows.map(({ id: _id, ...r }) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'bigint' ? Number(v) : v])));
}

test('records whose identities share a hash each get a slot of their own, and are found again by identity', async () => {
  await withDb(async (database) => {
    // Two hash values for eleven identities: nearly every record meets another's slot.
    const poor = (identity: string) => identityHash(identity) % 2;
    const encoder = new RecordEncoder(poor);
    const writer = new RecordWriter();
    const first = Array.from({ length: 8 }, (_, i) => record(crimeId(i), '2022-09'));
    assert.equal((await writer.insertChunk(database.db, encoder.encode(first))).size, 0);
    // Again with three new ones: the eight are answered as stored, each with its own state.
    const second = [...first.map((r) => ({ ...r, month: '2022-10' })), ...[8, 9, 10].map((i) => record(crimeId(i), '2022-10'))];
    const stored = await writer.insertChunk(database.db, encoder.encode(second));
    assert.equal(stored.size, 8);
    for (const [i, state] of stored) assert.deepEqual([state.identity, state.month], [crimeId(i), '2022-09']);
    const rows = await database.db.selectFrom('crime_record_rows').select(['key_hash', 'crime_id', 'month']).execute();
    assert.equal(rows.length, 11);
    assert.equal(new Set(rows.map((r) => r.crime_id)).size, 11);
    assert.deepEqual(
      rows.map((r) => Number(r.key_hash)).sort((a, b) => a - b),
      Array.from({ length: 11 }, (_, i) => i),
      'slots follow on from the hash',
    );
    const found = await findRecordStates(database.db, [...Array.from({ length: 11 }, (_, i) => crimeId(i)), crimeId(99)], poor);
    assert.equal(found.size, 11);
    for (const [identity, state] of found) assert.equal(state.identity, identity);
  });
});

test('a chunk holds each identity once, its later rows merged in, whatever the hashes', () => {
  // Seven hash values for 1,500 identities met three times each, in 4,500 rows: the encoder's
  // table grows (past 1,024 records) while the rows of one hash but different identities pile up.
  const encoder = new RecordEncoder((identity) => identityHash(identity) % 7);
  const rows: CrimeRecordRow[] = [];
  for (let pass = 0; pass < 3; pass++) for (let i = 0; i < 1500; i++) rows.push(record(crimeId(i), `2022-0${9 - pass}`));
  const chunk = encoder.encode(rows);
  assert.equal(chunk.size, 1500);
  assert.deepEqual([...chunk.identity], Array.from({ length: 1500 }, (_, i) => crimeId(i)));
  assert.ok([...chunk.folded].every((n) => n === 2));
  assert.ok([...chunk.changed].every((n) => n === 1), 'each moved to an earlier month');
  const months = new Set([...chunk.month].map((n) => chunk.dictionary.labels[n - chunk.dictionary.labelsFrom]));
  assert.deepEqual([...months], ['2022-07']);
});

test('migration 005 keeps every record, its id and the id counter', async () => {
  const before = { ...crimeMigrations, migrations: crimeMigrations.migrations.filter((m) => m.name < '005') };
  await withDb(async (database) => {
    const db = database.db;
    const rows = [
      record(crimeId(1), '2022-09'),
      record('police.uk:0123456789abcdef0123456789abcdef.1', '2022-09', { crime_id: null, crime_type: 'Anti-social behaviour', last_outcome: null, outcome_month: null }),
      record(crimeId(2), '2022-10', { longitude: null, latitude: null, easting: null, northing: null, h3_10: null, located: 0, location: 'No location', lsoa_code: null, lsoa_name: null }),
      record('testshire-rms:TS/22/0001', '2022-10', { crime_id: null, source: 'testshire-rms', occurred_at: '2022-10-03T13:30:00.000Z', reported_by: null, context: 'seen twice' }),
      record(crimeId(3), '2022-10'),
    ];
    await db.insertInto('crime_records').values(rows).execute();
    await db.deleteFrom('crime_records').where('record_key', '=', crimeId(3)).execute();
    const old = (await db.selectFrom('crime_records').selectAll().orderBy('id').execute()) as Array<Record<string, unknown>>;
    await migrate(db, database.dialect, [crimeMigrations]);
    const now = (await db.selectFrom('crime_records').selectAll().orderBy('id').execute()) as Array<Record<string, unknown>>;
    assert.deepEqual(
      now.map((r) => ({ ...r, id: Number(r.id), located: Number(r.located), source_line: Number(r.source_line) })),
      old.map((r) => ({ ...r, id: Number(r.id), located: Number(r.located), source_line: Number(r.source_line) })),
    );
    const found = await findRecordStates(db, [crimeId(1), 'testshire-rms:TS/22/0001']);
    assert.deepEqual([...found.values()].map((s) => s.id).sort(), [Number(old[0]!.id), Number(old[3]!.id)].sort());
    // The deleted record's id is not given again.
    const [next] = await insertCrimeRecords(db, [record(crimeId(4), '2022-11')]);
    assert.ok(next! > Number(old.at(-1)!.id) + 1, `new id ${next} after ${old.at(-1)!.id} and a deleted one`);
  }, before);
});

test('the compact rows read back through the view exactly as written', async () => {
  await withDb(async (database) => {
    const rows = [
      record(crimeId(1), '2022-09'),
      record('police.uk:0123456789abcdef0123456789abcdef.1', '2022-09', { crime_id: null, last_outcome: null, outcome_month: null }),
      record(crimeId(2), '2022-10', { longitude: null, latitude: null, easting: null, northing: null, h3_10: null, located: 0, location: 'No location', lsoa_code: null, lsoa_name: null }),
      record('vpd:h:ab.1', '2020-06', { crime_id: null, source: 'vpd', longitude: -123.12, latitude: 49.28, easting: null, northing: null, h3_10: latLngToCell(49.28, -123.12, 10) }),
    ];
    const writer = new RecordWriter();
    await writer.insertChunk(database.db, new RecordEncoder().encode(rows));
    assert.deepEqual(await viewRows(database), rows.map((r) => ({ ...r })));
  });
});
