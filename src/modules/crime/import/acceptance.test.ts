import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { cliActor } from '../../../platform/actor.ts';
import { auditMigrations } from '../../../platform/audit/migrations.ts';
import { migrate } from '../../../platform/db/migrate.ts';
import { openTestDatabase } from '../../../platform/db/test-db.ts';
import type { Database } from '../../../platform/db/index.ts';
import { crimeMigrations } from '../migrations.ts';
import { importPoliceUk } from '../service.ts';
import { readDataVersion } from '../store.ts';
import { sharedData } from '../../../test/shared-data.ts';

/**
 * The acceptance test: all 35 months of real Leicestershire street-level crime, checked
 * against a count made here from the CSV files with none of the importer's code.
 */

const STREET = sharedData('police-uk-leicestershire/street');

/** A deliberately plain CSV reading: lines, then fields by a regular expression. */
function independentCount() {
  const files = readdirSync(STREET).filter((f) => f.endsWith('-street.csv.gz')).sort();
  let rows = 0;
  let unlocated = 0;
  // Crime ID → its earliest month and that month's crime type and LSOA
  const crimes = new Map<string, { month: string; type: string; lsoa: string; rows: number }>();
  const noId: Array<{ month: string; type: string; lsoa: string }> = [];
  for (const f of files) {
    const lines = gunzipSync(readFileSync(join(STREET, f))).toString('utf8').split('\n');
    const header = lines[0]!.split(',');
    assert.equal(header.length, 12);
    for (const line of lines.slice(1)) {
      if (line === '') continue;
      const fields = [...line.matchAll(/("(?:[^"]|"")*"|[^,]*)(?:,|$)/g)].map((m) => m[1]!.replace(/^"|"$/g, '').replace(/""/g, '"')).slice(0, 12);
      const [crimeId, month, , , lon, lat, , lsoa, , type] = fields as string[];
      rows++;
      if (lon === '' && lat === '') unlocated++;
      if (!crimeId) {
        noId.push({ month: month!, type: type!, lsoa: lsoa! });
        continue;
      }
      const seen = crimes.get(crimeId);
      if (!seen) crimes.set(crimeId, { month: month!, type: type!, lsoa: lsoa!, rows: 1 });
      else {
        seen.rows++;
        if (month! < seen.month) Object.assign(seen, { month, type, lsoa });
      }
    }
  }
  const byMonthType = new Map<string, number>();
  const byLsoa = new Map<string, number>();
  for (const r of [...crimes.values(), ...noId]) {
    byMonthType.set(`${r.month}|${r.type}`, (byMonthType.get(`${r.month}|${r.type}`) ?? 0) + 1);
    if (r.lsoa) byLsoa.set(r.lsoa, (byLsoa.get(r.lsoa) ?? 0) + 1);
  }
  const multiMonth = [...crimes.values()].filter((c) => c.rows > 1);
  return {
    files: files.length,
    rows,
    unlocated,
    records: crimes.size + noId.length,
    extraRows: multiMonth.reduce((n, c) => n + c.rows - 1, 0),
    multiMonthIds: multiMonth.length,
    byMonthType,
    byLsoa,
  };
}

async function databaseCounts(database: Database) {
  const byMonthType = new Map<string, number>();
  const rows = await database.db.selectFrom('crime_records').select(['month', 'crime_type']).select((eb) => eb.fn.countAll().as('n')).groupBy(['month', 'crime_type']).execute();
  for (const r of rows) byMonthType.set(`${r.month}|${r.crime_type}`, Number(r.n));
  const byLsoa = new Map<string, number>();
  const lsoaRows = await database.db.selectFrom('crime_records').select('lsoa_code').select((eb) => eb.fn.countAll().as('n')).where('lsoa_code', 'is not', null).groupBy('lsoa_code').execute();
  for (const r of lsoaRows) byLsoa.set(String(r.lsoa_code), Number(r.n));
  const unlocated = Number((await database.db.selectFrom('crime_records').select((eb) => eb.fn.countAll().as('n')).where('located', '=', 0).executeTakeFirstOrThrow()).n);
  return { byMonthType, byLsoa, unlocated };
}

test('the whole Leicestershire set: every row imported or reported, counts equal to an independent count, and a re-import changes nothing', async () => {
  const expected = independentCount();
  // The shared data's README, section 1.
  assert.deepEqual([expected.files, expected.rows, expected.unlocated, expected.multiMonthIds, expected.extraRows], [35, 301_838, 7_463, 8, 10]);

  const database = await openTestDatabase();
  try {
    await migrate(database.db, database.dialect, [auditMigrations, crimeMigrations]);
    const s = await importPoliceUk(database.db, cliActor(), [STREET]);
    assert.equal(s.files, 35);
    assert.equal(s.rows, 301_838);
    assert.equal(s.imported + s.duplicates + s.rejected, s.rows, 'every row imported or reported');
    assert.equal(s.rejected, 0);
    assert.deepEqual(s.errors, []);
    assert.equal(s.duplicates, 10, 'the extra rows of the 8 Crime IDs that appear in more than one month');
    assert.equal(s.imported, expected.records);
    assert.equal(s.unlocated, 7_463);

    if (database.dialect === 'postgres') {
      // A large import leaves fresh planner statistics behind it (store.refreshStatistics).
      const { rows } = await sql<{ analyzed: boolean }>`select last_analyze is not null as analyzed from pg_stat_user_tables where schemaname = current_schema() and relname = 'crime_record_rows'`.execute(database.db);
      assert.deepEqual(rows, [{ analyzed: true }]);
    }

    const stored = await databaseCounts(database);
    assert.deepEqual(stored.byMonthType, expected.byMonthType, 'records per month and crime type');
    assert.deepEqual(stored.byLsoa, expected.byLsoa, 'records per LSOA');
    assert.equal(stored.unlocated, 7_463);
    const version = await readDataVersion(database.db);

    const again = await importPoliceUk(database.db, cliActor(), [STREET]);
    assert.deepEqual(again, { files: 35, rows: 301_838, imported: 0, updated: 0, duplicates: 301_838, rejected: 0, unlocated: 7_463, errors: [], errorsOmitted: 0 });
    assert.deepEqual(await databaseCounts(database), stored);
    assert.equal(await readDataVersion(database.db), version);
  } finally {
    await database.close();
  }
});
