import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { cliSandbox } from '../../test/harness.ts';

const FIXTURES = join(import.meta.dirname, 'import/fixtures');
const box = cliSandbox('crime-cli');
const { peel } = box;

const lastLine = (text: string) => text.trim().split('\n').at(-1)!;

test('peel import police-uk --json: the last line is the summary object', async () => {
  const r = await peel(['import', 'police-uk', join(FIXTURES, 'testshire'), '--json']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, '', 'no progress bar when --json (and not on a terminal)');
  const summary = JSON.parse(lastLine(r.stdout));
  assert.deepEqual(Object.keys(summary), ['files', 'rows', 'imported', 'updated', 'duplicates', 'rejected', 'unlocated', 'errors', 'errorsOmitted']);
  assert.deepEqual(summary, { files: 4, rows: 17, imported: 16, updated: 2, duplicates: 1, rejected: 0, unlocated: 2, errors: [], errorsOmitted: 0 });
});

test('peel import police-uk with a bad row: exit 1, the row named in --json and in the text report', async () => {
  const file = join(box.dir, '2022-11-testshire-street.csv');
  writeFileSync(
    file,
    'Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Crime type,Last outcome category,Context\n' +
      'x1,2022-11,Testshire Police,Testshire Police,-1.13,52.63,On or near A,E01013600,Leicester 003A,Drugs,,\n' +
      'x2,November,Testshire Police,Testshire Police,-1.13,52.63,On or near A,E01013600,Leicester 003A,Drugs,,\n',
  );
  const json = await peel(['import', 'police-uk', file, '--json']);
  assert.equal(json.code, 1);
  const summary = JSON.parse(lastLine(json.stdout));
  assert.deepEqual([summary.rows, summary.imported, summary.rejected], [2, 1, 1]);
  assert.deepEqual(summary.errors, [{ file, line: 3, reason: 'bad month "November" (expected YYYY-MM)' }]);
  const text = await peel(['import', 'police-uk', file]);
  assert.equal(text.code, 1);
  assert.match(text.stdout, /Read 1 file, 2 rows: 0 new records, 1 already stored \(duplicates\), 1 rejected\./);
  assert.ok(text.stdout.includes(`${file}:3  bad month "November"`), text.stdout);
});

test('peel import csv with a bad mapping file names the file and the problem', async () => {
  const mapping = join(box.dir, 'broken-mapping.json');
  writeFileSync(mapping, JSON.stringify({ source: 'x', date: { column: 'Date', format: 'DD/MM/YYYY' } }));
  const r = await peel(['import', 'csv', join(FIXTURES, 'bng-force-extract.csv'), '--mapping', mapping]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /broken-mapping\.json: not a valid mapping file:\n\s+crimeType: /);
  const missing = await peel(['import', 'csv', join(FIXTURES, 'bng-force-extract.csv')]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /--mapping: is required/);
  const good = await peel(['import', 'csv', join(FIXTURES, 'bng-force-extract.csv'), '--mapping', join(FIXTURES, 'bng-force-extract.mapping.json'), '--json']);
  const summary = JSON.parse(lastLine(good.stdout));
  assert.deepEqual([summary.rows, summary.imported, summary.rejected], [7, 4, 2]);
});

test('peel import lsoa-boundaries, and a usage error for an unknown import', async () => {
  const r = await peel(['import', 'lsoa-boundaries', resolve(import.meta.dirname, '../../../sample/boundaries/leicestershire_force_area_lsoa2011.geojson.gz'), '--json']);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(lastLine(r.stdout)), { files: 1, rows: 611, imported: 611, updated: 0, duplicates: 0, rejected: 0, unlocated: 0, errors: [], errorsOmitted: 0 });
  const bad = await peel(['import', 'stats19', 'x.csv']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /unknown import "stats19"/);
});
