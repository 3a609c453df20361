import { test } from 'node:test';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { PeelError } from '../../../platform/errors.ts';
import { PlaceCache } from './geo.ts';
import { compilePattern, mappedConverter, parseMapping, ZoneClock } from './mapping.ts';
import { Rejection, type CrimeRecordRow } from './rows.ts';

const minimal = { source: 'example-rms', date: { column: 'Date', format: 'DD/MM/YYYY' }, crimeType: { fixed: 'Burglary' } };

test('a bad mapping file is refused, naming the file and each problem', () => {
  const bad = JSON.stringify({ source: 'Bad Name!', date: { column: 'Date' }, coordinates: { system: 'osgb', x: 'X' }, crimeType: {}, extra: 1 });
  assert.throws(
    () => parseMapping(bad, 'mappings/bad.json'),
    (err: unknown) => {
      assert.ok(err instanceof PeelError);
      assert.equal(err.code, 'bad_mapping');
      assert.match(err.message, /^mappings\/bad\.json: not a valid mapping file:/);
      assert.match(err.message, /source: must be lower-case/);
      assert.match(err.message, /date\.format/);
      assert.match(err.message, /coordinates/);
      assert.match(err.message, /crimeType/);
      assert.match(err.message, /extra/);
      return true;
    },
  );
  assert.throws(() => parseMapping('{ not json', 'm.json'), /m\.json: not valid JSON/);
  assert.throws(() => parseMapping(JSON.stringify({ ...minimal, date: { column: 'Date', format: 'dd/xx/yyyy' } }), 'm.json'), /date\.format: "dd\/xx\/yyyy" has none of/);
  assert.throws(() => parseMapping(JSON.stringify({ ...minimal, timeZone: 'Mars/Olympus' }), 'm.json'), /timeZone: is not an IANA time zone/);
  assert.throws(() => parseMapping(JSON.stringify({ ...minimal, source: 'police.uk' }), 'm.json'), /reserved/);
});

test('date patterns', () => {
  assert.deepEqual(compilePattern('DD/MM/YYYY')('03/10/2022'), { d: 3, mo: 10, y: 2022 });
  assert.deepEqual(compilePattern('D-MMM-YYYY HH:mm')('3-Oct-2022 14:05'), { d: 3, mo: 10, y: 2022, h: 14, mi: 5 });
  assert.deepEqual(compilePattern('YYYY-M-D')('2020-6-19'), { y: 2020, mo: 6, d: 19 });
  assert.equal(compilePattern('DD/MM/YYYY')('2022-10-03'), null);
});

test('local times become UTC through the zone’s rules, across daylight saving changes', () => {
  const london = new ZoneClock('Europe/London');
  const iso = (ms: number) => new Date(ms).toISOString();
  assert.equal(iso(london.toUtc(2022, 1, 15, 12, 0, 0, 0)), '2022-01-15T12:00:00.000Z'); // GMT
  assert.equal(iso(london.toUtc(2022, 7, 15, 12, 0, 0, 0)), '2022-07-15T11:00:00.000Z'); // BST
  // 30 October 2022: clocks went back at 02:00 BST; 00:30 was still BST, 03:00 GMT.
  assert.equal(iso(london.toUtc(2022, 10, 30, 0, 30, 0, 0)), '2022-10-29T23:30:00.000Z');
  assert.equal(iso(london.toUtc(2022, 10, 30, 3, 0, 0, 0)), '2022-10-30T03:00:00.000Z');
  const vancouver = new ZoneClock('America/Vancouver');
  assert.equal(iso(vancouver.toUtc(2020, 6, 19, 3, 40, 0, 0)), '2020-06-19T10:40:00.000Z'); // PDT, UTC−7
  assert.equal(iso(vancouver.toUtc(2020, 1, 3, 6, 43, 0, 0)), '2020-01-03T14:43:00.000Z'); // PST, UTC−8
});

function convert(mapping: object, header: string[], rows: string[][]): Array<CrimeRecordRow | string> {
  const m = parseMapping(JSON.stringify(mapping), 'test.json');
  const c = mappedConverter(m, header, { label: 'x.csv', now: '2024-01-01T00:00:00.000Z', places: new PlaceCache() });
  if (typeof c === 'string') throw new Error(c);
  return rows.map((r, i) => {
    const out = c(r, i + 2);
    return out instanceof Rejection ? out.reason : out;
  });
}

test('a mapped row: ISO instants with an offset, WGS84, a category column and a reference', () => {
  const mapping = {
    source: 'city',
    date: { column: 'when', format: 'ISO' },
    coordinates: { system: 'wgs84', longitude: 'lon', latitude: 'lat' },
    crimeType: { column: 'cat', map: { 'BURG': 'Burglary' } },
    reference: 'id',
  };
  const [a, b, c] = convert(mapping, ['id', 'when', 'lon', 'lat', 'cat'], [
    ['A1', '2022-10-01T14:30:00+01:00', '-1.133', '52.634', 'BURG'],
    ['A2', '2022-10-02', '', '', 'Other'],
    ['A3', 'yesterday', '-1.1', '52.6', 'BURG'],
  ]) as [CrimeRecordRow, CrimeRecordRow, string];
  assert.equal(a.record_key, 'city:A1');
  assert.equal(a.occurred_at, '2022-10-01T13:30:00.000Z');
  assert.equal(a.month, '2022-10');
  assert.equal(a.crime_type, 'Burglary');
  assert.equal(a.located, 1);
  assert.ok(a.h3_10 && a.easting);
  assert.equal(b.occurred_at, '2022-10-02', 'a date with no time is kept as the date');
  assert.equal(b.located, 0);
  assert.equal(b.crime_type, 'Other', 'values not in the map are kept by default');
  assert.match(c, /bad date "yesterday"/);
});

test('a header that lacks the mapping’s columns is refused, naming them', () => {
  const m = parseMapping(JSON.stringify({ ...minimal, reference: 'Ref', location: '{Street}, {Town}' }), 'm.json');
  const c = mappedConverter(m, ['Date', 'Ref', 'Street'], { label: 'x.csv', now: '', places: new PlaceCache() });
  assert.equal(typeof c, 'string');
  assert.match(c as string, /no column "Town"/);
});

test('the sample mappings are valid', () => {
  const dir = join(import.meta.dirname, '../../../../sample/mappings');
  const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
  assert.ok(files.length >= 2);
  for (const f of files) parseMapping(readFileSync(join(dir, f), 'utf8'), f);
});
