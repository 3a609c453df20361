import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Zip, ZipDeflate, zipSync } from 'fflate';
import type { Actor } from '../../../platform/actor.ts';
import { auditMigrations } from '../../../platform/audit/migrations.ts';
import * as audit from '../../../platform/audit/service.ts';
import { migrate } from '../../../platform/db/migrate.ts';
import { openTestDatabase } from '../../../platform/db/test-db.ts';
import type { Database } from '../../../platform/db/index.ts';
import { crimeMigrations } from '../migrations.ts';
import * as crime from '../service.ts';
import { listLsoaBoundaries, readDataVersion } from '../store.ts';
import { sharedData } from '../../../test/shared-data.ts';

const FIXTURES = join(import.meta.dirname, 'fixtures');
const TESTSHIRE = join(FIXTURES, 'testshire');
const SAMPLE_BOUNDARIES = join(import.meta.dirname, '../../../../sample/boundaries/leicestershire_force_area_lsoa2011.geojson.gz');
const VANCOUVER = sharedData('city-crime-vancouver/crimedata_csv_AllNeighbourhoods_2020.csv.gz');
const VANCOUVER_MAPPING = join(import.meta.dirname, '../../../../sample/mappings/vancouver-pd-2020.json');

const actor: Actor = { userId: null, username: 'cli:tester', role: 'cli', ip: null };

async function withDb(fn: (database: Database, dir: string) => Promise<void>): Promise<void> {
  const database = await openTestDatabase();
  const dir = mkdtempSync(join(tmpdir(), 'peel-import-'));
  try {
    await migrate(database.db, database.dialect, [auditMigrations, crimeMigrations]);
    await fn(database, dir);
  } finally {
    await database.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

type Rec = { record_key: string; month: string; last_outcome: string | null; outcome_month: string | null; located: number; crime_type: string; occurred_at: string | null };
async function record(database: Database, key: string): Promise<Rec> {
  return database.db.selectFrom('crime_records').selectAll().where('record_key', '=', key).executeTakeFirstOrThrow() as Promise<Rec>;
}
const count = async (database: Database, table: string) => Number((await database.db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

const id = (suffix: string) => `c${'0'.repeat(63 - suffix.length)}${suffix}`;
const HEADER = 'Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Crime type,Last outcome category,Context';

test('rejected rows are named with file and line; the good rows of the same file are kept', async () => {
  await withDb(async (database, dir) => {
    const file = join(dir, '2022-10-testshire-street.csv');
    writeFileSync(
      file,
      [
        HEADER, // 1
        `${id('1')},2022-10,Testshire Police,Testshire Police,-1.13,52.63,"On or near\nHigh Street",E01013600,Leicester 003A,Burglary,Under investigation,`, // 2-3
        `${id('2')},2022-13,Testshire Police,Testshire Police,-1.13,52.63,On or near X,E01013600,Leicester 003A,Burglary,,`, // 4: bad month
        `${id('3')},2022-10,Testshire Police,Testshire Police,12.5,52.63,On or near X,E01013600,Leicester 003A,Burglary,,`, // 5: out of range
        `${id('4')},2022-10,Testshire Police,Testshire Police,-1.13,52.63,On or near X,E01013600,Leicester 003A,Burglary`, // 6: 10 columns
        `${id('5')},2022-10,Testshire Police,Testshire Police,-1.13,52.63,On or near X,E01013600,Leicester 003A,,,`, // 7: no crime type
        `${id('6')},2022-10,Testshire Police,Testshire Police,west,52.63,On or near X,E01013600,Leicester 003A,Burglary,,`, // 8: not a number
        `${id('7')},2022-10,Testshire Police,Testshire Police,,52.63,On or near X,E01013600,Leicester 003A,Burglary,,`, // 9: half a location
        `${id('8')},2022-10,Testshire Police,Testshire Police,,,No location,,,Drugs,,`, // 10: unlocated, kept
        `${id('9')},2022-10,Testshire Police,Testshire Police,-1.14,52.64,On or near Y,E01013600,Leicester 003A,Robbery,Under investigation,`, // 11
      ].join('\r\n') + '\r\n',
    );
    const s = await crime.importPoliceUk(database.db, actor, [file]);
    assert.deepEqual(
      { rows: s.rows, imported: s.imported, rejected: s.rejected, duplicates: s.duplicates, unlocated: s.unlocated },
      { rows: 9, imported: 3, rejected: 6, duplicates: 0, unlocated: 1 },
    );
    assert.deepEqual(
      s.errors.map((e) => [e.file, e.line]),
      [4, 5, 6, 7, 8, 9].map((line) => [file, line]),
    );
    const reasons = s.errors.map((e) => e.reason);
    assert.match(reasons[0]!, /bad month "2022-13"/);
    assert.match(reasons[1]!, /coordinates out of range: longitude 12\.5, latitude 52\.63 is outside Great Britain/);
    assert.match(reasons[2]!, /wrong column count: expected 12, found 10/);
    assert.match(reasons[3]!, /missing crime type/);
    assert.match(reasons[4]!, /coordinates not numbers/);
    assert.match(reasons[5]!, /coordinates incomplete/);
    assert.equal((await record(database, id('1'))).located, 1);
    assert.equal((await record(database, id('8'))).located, 0);
    assert.equal(await count(database, 'crime_records'), 3);
  });
});

test('whole files are refused with a reason: an unknown name, an unknown column layout, an empty file', async () => {
  await withDb(async (database, dir) => {
    writeFileSync(join(dir, 'crimes.csv'), `${HEADER}\n`);
    writeFileSync(join(dir, '2022-10-testshire-street.csv'), 'Crime ID,Month,Outcome type\nx,2022-10,Charged\n');
    writeFileSync(join(dir, '2022-11-testshire-street.csv'), '');
    writeFileSync(join(dir, 'notes.txt'), 'ignored: not a CSV');
    writeFileSync(join(dir, 'download.zip'), 'not really an archive');
    const s = await crime.importPoliceUk(database.db, actor, [dir]);
    assert.equal(s.files, 4);
    assert.equal(s.rows, 0);
    const byFile = Object.fromEntries(s.errors.map((e) => [e.file.split('/').pop(), e]));
    assert.equal(byFile['crimes.csv']!.line, 0);
    assert.match(byFile['crimes.csv']!.reason, /not a data\.police\.uk file: expected .*YYYY-MM-<force>-street\.csv/);
    assert.equal(byFile['2022-10-testshire-street.csv']!.line, 1);
    assert.match(byFile['2022-10-testshire-street.csv']!.reason, /unknown column layout for a street-level crime file: missing "Reported by".*unexpected "Outcome type"/);
    assert.match(byFile['2022-11-testshire-street.csv']!.reason, /empty/);
    assert.match(byFile['download.zip']!.reason, /holds no CSV files/);
  });
});

test('outcomes join by Crime ID and the latest month wins; a Crime ID in two months is one crime, in its earliest month; stop and search keeps every field', async () => {
  await withDb(async (database, dir) => {
    // Folders are searched recursively: put the fixtures one level down.
    cpSync(TESTSHIRE, join(dir, 'download', 'testshire'), { recursive: true });
    const v0 = await readDataVersion(database.db);
    const s = await crime.importPoliceUk(database.db, actor, [join(dir, 'download')]);
    assert.deepEqual(s, { files: 4, rows: 17, imported: 16, updated: 2, duplicates: 1, rejected: 0, unlocated: 2, errors: [], errorsOmitted: 0 });

    // In two months: counted in the earlier, with the later month's outcome.
    const a1 = await record(database, id('a1'));
    assert.deepEqual([a1.month, a1.last_outcome, a1.outcome_month], ['2022-09', 'Awaiting court outcome', '2022-10']);
    // An outcome from a later month replaces the street file's snapshot...
    const a2 = await record(database, id('a2'));
    assert.deepEqual([a2.last_outcome, a2.outcome_month], ['Offender given a caution', '2022-10']);
    // ...one from an earlier month does not.
    const a3 = await record(database, id('a3'));
    assert.deepEqual([a3.last_outcome, a3.outcome_month, a3.located], ['Under investigation', '2022-09', 0]);
    // Outcomes read before their crime's street file: the latest (the last of two in the same month) is applied when the crime arrives.
    const a4 = await record(database, id('a4'));
    assert.deepEqual([a4.last_outcome, a4.outcome_month], ['Offender given penalty notice', '2022-10']);
    assert.equal(await count(database, 'crime_outcomes'), 5);
    // Identical anti-social behaviour rows are separate incidents.
    const asb = await database.db.selectFrom('crime_records').select(['record_key', 'month']).where('crime_type', '=', 'Anti-social behaviour').orderBy('record_key').execute();
    assert.equal(asb.length, 3);
    assert.equal(new Set(asb.map((r) => r.record_key)).size, 3);

    // Stop and search: every field, the instant in UTC, booleans as 1/0/null.
    const searches = await database.db.selectFrom('stop_searches').selectAll().orderBy('occurred_at').execute();
    assert.equal(searches.length, 3);
    const [first, second, third] = searches as Array<Record<string, unknown>>;
    assert.deepEqual(
      {
        force: second!.force,
        search_type: second!.search_type,
        occurred_at: second!.occurred_at,
        month: second!.month,
        part_of_operation: Number(second!.part_of_operation),
        operation_name: second!.operation_name,
        gender: second!.gender,
        age_range: second!.age_range,
        ethnicity_self_defined: second!.ethnicity_self_defined,
        ethnicity_officer_defined: second!.ethnicity_officer_defined,
        legislation: second!.legislation,
        object_of_search: second!.object_of_search,
        outcome: second!.outcome,
        outcome_linked_to_object: Number(second!.outcome_linked_to_object),
        removal_of_more_than_outer_clothing: second!.removal_of_more_than_outer_clothing,
        located: Number(second!.located),
      },
      {
        force: 'testshire',
        search_type: 'Person and Vehicle search',
        occurred_at: '2022-10-02T13:05:00.000Z',
        month: '2022-10',
        part_of_operation: 1,
        operation_name: 'Operation Tamar',
        gender: 'Female',
        age_range: '25-34',
        ethnicity_self_defined: 'Asian/Asian British - Indian',
        ethnicity_officer_defined: 'Asian',
        legislation: 'Police and Criminal Evidence Act 1984 (section 1)',
        object_of_search: 'Stolen goods',
        outcome: 'Arrest',
        outcome_linked_to_object: 1,
        removal_of_more_than_outer_clothing: null,
        located: 1,
      },
    );
    assert.equal(Number(first!.part_of_operation), 0);
    assert.equal(Number(first!.removal_of_more_than_outer_clothing), 0);
    assert.ok(second!.h3_8 && second!.easting && second!.northing);
    assert.deepEqual([Number(third!.located), third!.h3_8, third!.month], [0, null, '2022-10']);

    const v1 = await readDataVersion(database.db);
    assert.ok(v1 > v0);

    // The crime of an outcome stored earlier arrives in a later import and takes that outcome.
    const later = await crime.importPoliceUk(database.db, actor, [join(FIXTURES, 'later')]);
    assert.equal(later.imported, 1);
    const f = await record(database, id('f'));
    assert.deepEqual([f.month, f.last_outcome, f.outcome_month], ['2022-09', 'Unable to prosecute suspect', '2022-10']);

    // Importing the same files again changes nothing, not even the data version.
    const v2 = await readDataVersion(database.db);
    const again = await crime.importPoliceUk(database.db, actor, [join(dir, 'download'), join(FIXTURES, 'later')]);
    assert.deepEqual(again, { files: 5, rows: 18, imported: 0, updated: 0, duplicates: 18, rejected: 0, unlocated: 2, errors: [], errorsOmitted: 0 });
    assert.equal(await readDataVersion(database.db), v2);
    assert.equal(await count(database, 'crime_records'), 9);
  });
});

test('the .zip from the download page (YYYY-MM/ folders, streamed or not) and .csv.gz files hold the same records', async () => {
  await withDb(async (database, dir) => {
    const files = readdirSync(TESTSHIRE).sort();
    const entries = Object.fromEntries(files.map((f) => [`${f.slice(0, 7)}/${f}`, new Uint8Array(readFileSync(join(TESTSHIRE, f)))]));
    writeFileSync(join(dir, 'download.zip'), zipSync(entries));
    const first = await crime.importPoliceUk(database.db, actor, [join(dir, 'download.zip')]);
    assert.deepEqual({ ...first, errors: first.errors.length }, { files: 4, rows: 17, imported: 16, updated: 2, duplicates: 1, rejected: 0, unlocated: 2, errors: 0, errorsOmitted: 0 });
    const stored = await database.db.selectFrom('crime_records').select(['source_file', 'source_line']).where('record_key', '=', id('a2')).executeTakeFirstOrThrow();
    assert.deepEqual(stored, { source_file: 'download.zip/2022-09/2022-09-testshire-street.csv', source_line: 3 });

    // An archive written as a stream (sizes in data descriptors after each entry).
    const parts: Uint8Array[] = [];
    await new Promise<void>((resolve, reject) => {
      const zip = new Zip((err, chunk, final) => {
        if (err) return reject(err);
        parts.push(chunk);
        if (final) resolve();
      });
      for (const [name, data] of Object.entries(entries)) {
        const entry = new ZipDeflate(name, { level: 6 });
        zip.add(entry);
        entry.push(data, true);
      }
      zip.end();
    });
    writeFileSync(join(dir, 'streamed.zip'), Buffer.concat(parts));
    mkdirSync(join(dir, 'gz'));
    for (const f of files) writeFileSync(join(dir, 'gz', `${f}.gz`), gzipSync(readFileSync(join(TESTSHIRE, f))));
    const again = await crime.importPoliceUk(database.db, actor, [join(dir, 'streamed.zip'), join(dir, 'gz')]);
    assert.deepEqual({ ...again, errors: again.errors.length }, { files: 8, rows: 34, imported: 0, updated: 0, duplicates: 34, rejected: 0, unlocated: 4, errors: 0, errorsOmitted: 0 });
  });
});

test('a file that cannot be read to its end (a truncated download) is undone and named; the other files are kept', async () => {
  await withDb(async (database, dir) => {
    await crime.importPoliceUk(database.db, actor, [join(TESTSHIRE, '2022-09-testshire-street.csv')]);
    // 12,000 rows, so that some are written before the damage is found; the first changes a stored crime.
    const lines = [HEADER, `${id('a1')},2022-11,Testshire Police,Testshire Police,-1.133,52.634,On or near High Street,E01013600,Leicester 003A,Burglary,Offender sent to prison,`];
    for (let i = 0; i < 12_000; i++) lines.push(`${id(`b${i}`)},2022-11,Testshire Police,Testshire Police,-1.13${i % 10},52.63,On or near Z,E01013600,Leicester 003A,Vehicle crime,Under investigation,`);
    const gz = gzipSync(lines.join('\n') + '\n');
    writeFileSync(join(dir, '2022-11-testshire-street.csv.gz'), gz.subarray(0, gz.length - 200));
    const before = await record(database, id('a1'));
    const versionBefore = await readDataVersion(database.db);
    // A readable file first, so that the damaged one is undone after another in the same
    // transaction; and one after, whose crime type and place the damaged file met first.
    const later = join(dir, '2022-12-testshire-street.csv');
    writeFileSync(later, `${HEADER}\n${id('z1')},2022-12,Testshire Police,Testshire Police,-1.139,52.63,On or near Z,E01013600,Leicester 003A,Vehicle crime,Under investigation,\n`);
    const s = await crime.importPoliceUk(database.db, actor, [join(TESTSHIRE, '2022-10-testshire-street.csv'), join(dir, '2022-11-testshire-street.csv.gz'), later]);
    assert.equal(s.errors.length, 1);
    assert.equal(s.errors[0]!.file, join(dir, '2022-11-testshire-street.csv.gz'));
    assert.match(s.errors[0]!.reason, /could not be read .*nothing from this file was imported/);
    // Only the readable files count; nothing of the damaged one is left behind.
    assert.deepEqual([s.rows, s.imported, s.duplicates], [4, 3, 1]);
    assert.equal(await count(database, 'crime_records'), 9);
    const z1 = (await database.db.selectFrom('crime_records').selectAll().where('record_key', '=', id('z1')).executeTakeFirstOrThrow()) as Record<string, unknown>;
    assert.deepEqual([z1.crime_type, z1.location, z1.last_outcome, z1.longitude], ['Vehicle crime', 'On or near Z', 'Under investigation', -1.139]);
    const after = await record(database, id('a1'));
    assert.deepEqual([after.last_outcome, after.outcome_month], ['Awaiting court outcome', '2022-10']);
    assert.notEqual(before.last_outcome, after.last_outcome);
    assert.ok((await readDataVersion(database.db)) > versionBefore);
  });
});

test('generic CSV through a mapping: British National Grid, UK dates, a reference, LSOA by point in polygon', async () => {
  await withDb(async (database) => {
    const b = await crime.importLsoaBoundaries(database.db, actor, SAMPLE_BOUNDARIES);
    assert.deepEqual({ ...b, errors: b.errors.length }, { files: 1, rows: 611, imported: 611, updated: 0, duplicates: 0, rejected: 0, unlocated: 0, errors: 0, errorsOmitted: 0 });
    const mapping = crime.readMappingFile(join(FIXTURES, 'bng-force-extract.mapping.json'));
    const file = join(FIXTURES, 'bng-force-extract.csv');
    const s = await crime.importCsv(database.db, actor, [file], mapping);
    assert.deepEqual(
      { rows: s.rows, imported: s.imported, duplicates: s.duplicates, updated: s.updated, rejected: s.rejected, unlocated: s.unlocated },
      { rows: 7, imported: 4, duplicates: 1, updated: 1, rejected: 2, unlocated: 1 },
    );
    assert.deepEqual(s.errors.map((e) => [e.line, e.reason.split(' (')[0]]), [
      [6, 'bad date "31/13/2022"'],
      [7, 'coordinates out of range: easting 958650, northing 304520 is not on the British National Grid'],
    ]);
    const r = (await database.db.selectFrom('crime_records').selectAll().where('record_key', '=', 'testshire-rms:TS/22/0001').executeTakeFirstOrThrow()) as Record<string, unknown>;
    // Seen again with an earlier date: counted in the earlier month, at that time (14:30 BST = 13:30 UTC).
    assert.deepEqual(
      [r.source, r.month, r.occurred_at, r.crime_type, r.easting, r.northing, r.location, r.reported_by, r.source_line],
      ['testshire-rms', '2022-09', '2022-09-03T13:30:00.000Z', 'Burglary', 458650, 304520, 'Beat L1', 'Testshire Police', 2],
    );
    assert.match(String(r.lsoa_code), /^E01/);
    assert.match(String(r.lsoa_name), /^Leicester /);
    assert.ok(Math.abs(Number(r.longitude) + 1.1309) < 0.01 && Math.abs(Number(r.latitude) - 52.633) < 0.01);
    const dateOnly = (await database.db.selectFrom('crime_records').select(['occurred_at', 'crime_type']).where('record_key', '=', 'testshire-rms:TS/22/0003').executeTakeFirstOrThrow()) as Record<string, unknown>;
    assert.deepEqual(dateOnly, { occurred_at: '2022-10-05', crime_type: 'Criminal damage and arson' });
    const again = await crime.importCsv(database.db, actor, [file], mapping);
    assert.deepEqual([again.imported, again.updated, again.duplicates, again.rejected], [0, 0, 5, 2]);
  });
});

test('generic CSV: Vancouver’s real 2020 file (UTM 10N, separate date and time columns) with the sample mapping', async () => {
  await withDb(async (database) => {
    const mapping = crime.readMappingFile(VANCOUVER_MAPPING);
    const s = await crime.importCsv(database.db, actor, [VANCOUVER], mapping);
    // Every row kept: the 1,739 exact repeats are separate incidents; the privacy-offset rows have no location.
    assert.deepEqual({ rows: s.rows, imported: s.imported, duplicates: s.duplicates, rejected: s.rejected, unlocated: s.unlocated }, { rows: 37_512, imported: 37_512, duplicates: 0, rejected: 0, unlocated: 3_751 });
    const byType = Object.fromEntries(
      (await database.db.selectFrom('crime_records').select(['crime_type']).select((eb) => eb.fn.countAll().as('n')).groupBy('crime_type').execute()).map((r) => [r.crime_type, Number(r.n)]),
    );
    // The README's counts by source type, through the mapping's translation.
    assert.equal(byType['Vehicle crime'], 10_428 + 853);
    assert.equal(byType['Other theft'], 8_650);
    assert.equal(byType['Criminal damage and arson'], 6_113);
    assert.equal(byType['Violence and sexual offences'], 3_731 + 19);
    assert.equal(byType['Burglary'], 2_787 + 2_083);
    assert.equal(byType['Bicycle theft'], 1_987);
    assert.equal(byType['Vehicle Collision or Pedestrian Struck (with Injury)'], 853);
    // The first row: Break and Enter Commercial, 2020-06-19 03:40 local (PDT), 10XX ALBERNI ST, West End.
    const first = (await database.db.selectFrom('crime_records').selectAll().where('source_line', '=', 2).executeTakeFirstOrThrow()) as Record<string, unknown>;
    assert.deepEqual([first.crime_type, first.month, first.occurred_at, first.location, first.easting], ['Burglary', '2020-06', '2020-06-19T10:40:00.000Z', '10XX ALBERNI ST, West End', null]);
    assert.ok(Math.abs(Number(first.latitude) - 49.2855) < 0.003 && Math.abs(Number(first.longitude) + 123.1243) < 0.003, `${first.latitude}, ${first.longitude}`);
    const again = await crime.importCsv(database.db, actor, [VANCOUVER], mapping);
    assert.deepEqual([again.imported, again.duplicates, again.updated], [0, 37_512, 0]);
  });
});

test('LSOA boundaries load once; a re-load changes nothing; they are listed as GeoJSON', async () => {
  await withDb(async (database, dir) => {
    await crime.importLsoaBoundaries(database.db, actor, SAMPLE_BOUNDARIES);
    const v = await readDataVersion(database.db);
    const again = await crime.importLsoaBoundaries(database.db, actor, SAMPLE_BOUNDARIES);
    assert.deepEqual([again.rows, again.imported, again.updated, again.duplicates], [611, 0, 0, 611]);
    assert.equal(await readDataVersion(database.db), v);
    const list = await listLsoaBoundaries(database.db);
    assert.equal(list.length, 611);
    const leicester = list.find((b) => b.lsoaCode === 'E01013600')!;
    assert.equal(leicester.lsoaName, 'Leicester 003A');
    assert.ok(leicester.geometry.type === 'Polygon' || leicester.geometry.type === 'MultiPolygon');
    writeFileSync(join(dir, 'bad.geojson'), '{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":null}');
    await assert.rejects(crime.importLsoaBoundaries(database.db, actor, join(dir, 'bad.geojson')), /bad\.geojson: not readable GeoJSON/);
    writeFileSync(join(dir, 'points.geojson'), JSON.stringify({ type: 'FeatureCollection', features: [{ type: 'Feature', properties: { LSOA11CD: 'E01099999', LSOA11NM: 'X' }, geometry: { type: 'Point', coordinates: [0, 52] } }] }));
    const refused = await crime.importLsoaBoundaries(database.db, actor, join(dir, 'points.geojson'));
    assert.deepEqual([refused.rejected, refused.errors[0]!.line], [1, 1]);
    assert.match(refused.errors[0]!.reason, /feature 1: LSOA E01099999: geometry must be a Polygon or MultiPolygon/);
  });
});

test('each imported file is in the audit log: a collection by the CLI user, with its counts; the chain holds', async () => {
  await withDb(async (database) => {
    await crime.importPoliceUk(database.db, actor, [TESTSHIRE]);
    const { entries } = await audit.search(database.db, { ...actor, username: 'auditor', role: 'auditor' }, { action: 'crime.import' }, 50);
    assert.equal(entries.length, 4);
    const street = entries.find((e) => (e.details as { file: string }).file === '2022-09-testshire-street.csv')!;
    assert.deepEqual([street.operation, street.recordType, street.username, street.role], ['collection', 'crime_import', 'cli:tester', 'cli']);
    assert.deepEqual(street.details, { via: 'police-uk', file: '2022-09-testshire-street.csv', kind: 'police.uk street', rows: 6, imported: 6, updated: 0, duplicates: 0, rejected: 0, unlocated: 1 });
    assert.equal(new Set(entries.map((e) => e.recordIds[0])).size, 1, 'one import id ties the files together');
    assert.equal((await audit.verify(database.db)).ok, true);
  });
});

test('a new system’s sample data: the boundaries and twelve months of Leicestershire, once', async () => {
  await withDb(async (database) => {
    const line = await crime.loadSampleData(database.db);
    assert.match(line, /^Sample data: 113,662 Leicestershire street-level crimes from 12 monthly files and 611 LSOA boundaries, loaded in [\d.]+ s\.$/);
    const months = await database.db.selectFrom('crime_records').select('month').distinct().orderBy('month').execute();
    assert.deepEqual([months.length, months[0]!.month, months.at(-1)!.month], [12, '2021-11', '2022-10']);
    assert.equal(await count(database, 'lsoa_boundaries'), 611);
    assert.match(await crime.loadSampleData(database.db, '/nonexistent'), /not found/);
  });
});

test('a record is known by its Crime ID or, without one, by its content key: the database refuses both or neither', async () => {
  await withDb(async (database) => {
    const row = (keyHash: number, crimeId: string | null, rowKey: string | null) => ({
      key_hash: keyHash,
      crime_id: crimeId,
      row_key: rowKey,
      month: '2022-10',
      located: 0,
      source_line: 2,
      source: 1,
      crime_type: 1,
      source_file: 1,
      imported_at: 1,
      updated_at: 1,
    });
    const db = database.db.withTables<{ crime_record_rows: ReturnType<typeof row> }>();
    await db.insertInto('crime_record_rows').values([row(1, id('a'), null), row(2, null, 'police.uk:h.1')]).execute();
    await assert.rejects(db.insertInto('crime_record_rows').values(row(3, id('b'), 'police.uk:h.2')).execute());
    await assert.rejects(db.insertInto('crime_record_rows').values(row(4, null, null)).execute());
    await assert.rejects(db.insertInto('crime_record_rows').values(row(1, id('c'), null)).execute(), 'one record per slot');
    assert.equal(await count(database, 'crime_record_rows'), 2);
  });
});

test('a Crime ID repeated in one file merges the same whether it is new or already stored', async () => {
  await withDb(async (database, dir) => {
    const row = (suffix: string, month: string, outcome: string) =>
      `${id(suffix)},${month},Testshire Police,Testshire Police,-1.13,52.63,On or near X,E01013600,Leicester 003A,Burglary,${outcome},`;
    const first = join(dir, 'first');
    mkdirSync(first);
    writeFileSync(join(first, '2022-10-testshire-street.csv'), [HEADER, row('r1', '2022-10', 'Under investigation')].join('\n') + '\n');
    // r1 is stored; r2 is new. Each appears three times in a later file.
    const s1 = await crime.importPoliceUk(database.db, actor, [first]);
    assert.deepEqual([s1.imported, s1.duplicates], [1, 0]);
    const second = join(dir, 'second');
    mkdirSync(second);
    const repeated = (suffix: string) => [row(suffix, '2022-09', ''), row(suffix, '2022-11', 'Offender given a caution'), row(suffix, '2022-11', 'Court result unavailable')];
    writeFileSync(join(second, '2022-11-testshire-street.csv'), [HEADER, ...repeated('r1'), ...repeated('r2')].join('\n') + '\n');
    const s2 = await crime.importPoliceUk(database.db, actor, [second]);
    assert.deepEqual({ imported: s2.imported, duplicates: s2.duplicates, updated: s2.updated }, { imported: 1, duplicates: 5, updated: 2 });
    for (const key of [id('r1'), id('r2')]) {
      const r = await record(database, key);
      // The earliest month; the outcome of the latest month, the first of two given in it.
      assert.deepEqual([r.month, r.last_outcome, r.outcome_month], ['2022-09', 'Offender given a caution', '2022-11']);
    }
    const again = await crime.importPoliceUk(database.db, actor, [first, second]);
    assert.deepEqual({ imported: again.imported, duplicates: again.duplicates, updated: again.updated }, { imported: 0, duplicates: 7, updated: 0 });
  });
});
