import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { systemActor } from '../../platform/actor.ts';
import { startTestApp, type TestApp } from '../../test/harness.ts';
import * as query from './query.ts';
import * as store from './read-store.ts';
import { importLsoaBoundaries, importPoliceUk } from './service.ts';
import { sharedData } from '../../test/shared-data.ts';

// Three months of real Leicestershire street-level crime, imported by the importer, then
// asked of the query API and checked against counts taken straight from the CSV files.
const DATA = sharedData();
const STREET = join(DATA, 'police-uk-leicestershire/street');
const BOUNDARIES = join(DATA, 'boundaries/leicestershire_force_area_lsoa2011.geojson.gz');
const MONTHS = ['2022-08', '2022-09', '2022-10'];
const present = existsSync(STREET) && existsSync(BOUNDARIES);

/** Counts by crime type and the unlocated rows, read from the files themselves. */
function countFiles(): { byType: Map<string, number>; total: number; unlocated: number } {
  const byType = new Map<string, number>();
  let total = 0;
  let unlocated = 0;
  for (const m of MONTHS) {
    const lines = gunzipSync(readFileSync(join(STREET, `${m}-leicestershire-street.csv.gz`))).toString('utf8').split('\n').slice(1);
    for (const line of lines) {
      if (!line.trim()) continue;
      // Crime ID, Month, Reported by, Falls within, Longitude, Latitude, Location, LSOA code, LSOA name, Crime type, …;
      // no field before Crime type holds a comma in these files except Location, which police.uk quotes.
      const fields = line.match(/("([^"]|"")*"|[^,]*)(,|$)/g)!.map((f) => f.replace(/,$/, ''));
      const type = fields[9]!;
      byType.set(type, (byType.get(type) ?? 0) + 1);
      total++;
      if (!fields[4]) unlocated++;
    }
  }
  return { byType, total, unlocated };
}

let t: TestApp;
let token: string;
before(async () => {
  if (!present) return;
  t = await startTestApp();
  token = (await t.user('analyst')).token;
  await importLsoaBoundaries(t.platform.db, systemActor, BOUNDARIES);
  await importPoliceUk(t.platform.db, systemActor, MONTHS.map((m) => join(STREET, `${m}-leicestershire-street.csv.gz`)));
  query.crimeData(t.platform.db).cubes.invalidate();
});
after(() => t?.close());

const get = async (url: string) => {
  const res = await t.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } });
  assert.equal(res.statusCode, 200, `${url}: ${res.body.slice(0, 200)}`);
  return res.json();
};

test('real data: counts by type and the unlocated match the files', { skip: !present && 'shared data not present' }, async () => {
  const want = countFiles();
  const types = await get('/api/crime/types?from=2022-08&to=2022-10');
  assert.equal(types.total, want.total);
  assert.deepEqual(Object.fromEntries(types.types.map((x: { crimeType: string; count: number }) => [x.crimeType, x.count])), Object.fromEntries(want.byType));
  const hex = await get('/api/crime/hexes?from=2022-08&to=2022-10&res=9');
  assert.equal(hex.total, want.total);
  assert.equal(hex.unlocated, want.unlocated);
  assert.equal(hex.features.reduce((s: number, f: { properties: { count: number } }) => s + f.properties.count, 0), want.total - want.unlocated);
  const meta = await get('/api/crime/meta');
  assert.equal(meta.firstMonth, '2022-08');
  assert.equal(meta.lastMonth, '2022-10');
  assert.equal(meta.total, want.total);
  assert.equal(meta.hasLsoaBoundaries, true);
});

test('real data: the cube agrees with SQL on cells, months and LSOAs', { skip: !present && 'shared data not present' }, async () => {
  const data = query.crimeData(t.platform.db);
  for (const [filter, res] of [
    [{ from: '2022-08', to: '2022-10' }, 8],
    [{ from: '2022-09', to: '2022-10', types: ['Burglary', 'Robbery'] }, 10],
    [{ from: '2022-08', to: '2022-10', outcomes: [null], bbox: [-1.2, 52.6, -1.08, 52.67] }, 9],
  ] as Array<[query.CrimeFilter, store.H3Res]>) {
    const fc = await query.hexes(data, filter, res);
    const f = query.sqlFilter(filter, fc.period);
    assert.deepEqual(
      fc.features.map((x) => ({ key: x.properties.cell, count: x.properties.count })),
      await store.countByCellSql(t.platform.db, res, f),
    );
    assert.deepEqual((await store.countTotalsSql(t.platform.db, f)).total, fc.total);
    const ls = await query.lsoas(data, filter);
    assert.deepEqual(
      [...ls.lsoas].sort((a, b) => (a.lsoaCode < b.lsoaCode ? -1 : 1)).map((x) => ({ key: x.lsoaCode, count: x.count })),
      await store.countByLsoaSql(t.platform.db, f),
    );
  }
});

test('real data: LSOA boundaries come back as GeoJSON with counts', { skip: !present && 'shared data not present' }, async () => {
  const geo = await get('/api/crime/lsoas?format=geojson&from=2022-08&to=2022-10');
  assert.equal(geo.hasBoundaries, true);
  assert.equal(geo.features.length, 611);
  const counted = geo.features.reduce((s: number, f: { properties: { count: number } }) => s + f.properties.count, 0);
  assert.equal(counted + geo.withoutBoundary, geo.total);
  assert.ok(geo.withoutBoundary > 0 && geo.withoutBoundary < geo.total * 0.05, `records in no loaded LSOA: ${geo.withoutBoundary}`);
  const f = geo.features[0];
  assert.match(f.properties.lsoaCode, /^E01/);
  assert.ok(['Polygon', 'MultiPolygon'].includes(f.geometry.type));
});
