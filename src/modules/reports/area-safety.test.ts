import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { latLngToCell } from 'h3-js';
import { startTestApp, type TestApp } from '../../test/harness.ts';
import { bumpDataVersion, insertCrimeRecords, type FixtureRecord } from '../crime/query-fixtures.ts';
import { crimeData } from '../crime/query.ts';

let t: TestApp;
let analyst: { token: string };

const HOT = { latitude: 52.6369, longitude: -1.1398 }; // Leicester clock tower
const WARM = { latitude: 52.6197, longitude: -1.0987 };
const QUIET = { latitude: 52.6587, longitude: -1.1802 };
const TINY = { latitude: 52.7, longitude: -1.2 };

const many = (n: number, r: FixtureRecord): FixtureRecord[] => Array.from({ length: n }, () => ({ ...r }));

before(async () => {
  t = await startTestApp({ PEEL_RATE_LIMIT_PUBLIC_PER_MINUTE: '10000' });
  analyst = await t.user('analyst');
  const db = t.platform.db;
  await insertCrimeRecords(db, [
    ...many(30, { month: '2022-10', crimeType: 'Burglary', ...HOT, lsoaCode: 'E01025001', lsoaName: 'Leicester 001A' }),
    ...many(30, { month: '2022-09', crimeType: 'Burglary', ...HOT, lsoaCode: 'E01025001', lsoaName: 'Leicester 001A' }),
    ...many(12, { month: '2022-10', crimeType: 'Burglary', ...WARM }),
    ...many(10, { month: '2022-08', crimeType: 'Burglary', ...QUIET }),
    ...many(3, { month: '2022-10', crimeType: 'Burglary', ...TINY }),
    // outside the three months
    ...many(50, { month: '2022-01', crimeType: 'Burglary', ...QUIET }),
  ]);
  await bumpDataVersion(db);
  crimeData(db).cubes.invalidate();
  for (let i = 0; i < 6; i++) {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/reports',
      payload: { category: 'other', description: `report ${i}`, ...WARM, occurredAt: new Date().toISOString() },
    });
    assert.equal(res.statusCode, 201);
  }
});
after(() => t.close());

test('the public map: aggregates only, no cell under the minimum, levels against the average', async () => {
  const res = await t.app.inject({ method: 'GET', url: '/api/public/area-safety?res=8' });
  assert.equal(res.statusCode, 200, res.body);
  const fc = res.json();
  assert.equal(fc.type, 'FeatureCollection');
  assert.equal(fc.suppressBelow, 10);
  assert.deepEqual(fc.crimePeriod, { from: '2022-08', to: '2022-10' });
  type Props = { cell: string; count: number; level: string };
  const byCell = new Map<string, Props>(fc.features.map((f: { properties: Props }) => [f.properties.cell, f.properties]));
  assert.ok(fc.features.every((f: { properties: { count: number } }) => f.properties.count >= fc.suppressBelow));
  assert.equal(byCell.get(latLngToCell(HOT.latitude, HOT.longitude, 8))?.count, 60);
  // 12 crimes and 6 reports
  assert.equal(byCell.get(latLngToCell(WARM.latitude, WARM.longitude, 8))?.count, 18);
  assert.equal(byCell.get(latLngToCell(QUIET.latitude, QUIET.longitude, 8))?.count, 10);
  assert.equal(byCell.has(latLngToCell(TINY.latitude, TINY.longitude, 8)), false);
  assert.equal(byCell.get(latLngToCell(HOT.latitude, HOT.longitude, 8))?.level, 'higher');
  assert.equal(byCell.get(latLngToCell(QUIET.latitude, QUIET.longitude, 8))?.level, 'lower');
  // Nothing about any one report leaves.
  assert.ok(!res.body.includes('report 1'));
  assert.ok(!/R-[2-9A-Z]{4}-/.test(res.body));
  for (const f of fc.features) assert.deepEqual(Object.keys(f.properties).sort(), ['cell', 'count', 'level']);
  assert.match(fc.method, /log2/);
});

test('the staff map shows the inputs and the score; worked through for the busiest cell', async () => {
  const res = await t.app.inject({ method: 'GET', url: '/api/reports/area-safety?res=8&months=3&days=90', headers: { authorization: `Bearer ${analyst.token}` } });
  assert.equal(res.statusCode, 200, res.body);
  const fc = res.json();
  const hot = fc.features.find((f: { properties: { cell: string } }) => f.properties.cell === latLngToCell(HOT.latitude, HOT.longitude, 8)).properties;
  assert.equal(hot.crimes, 60);
  assert.equal(hot.reports, 0);
  assert.equal(hot.rate, 20);
  // rates: hot 20, warm 4 + 6 ÷ (90 ÷ 30.44) ≈ 6.029, quiet 3.333, tiny 1 (not shown: 3 events)
  // → average = the median of the shown areas' rates = warm's
  const average = 4 + 6 / (90 / 30.44);
  assert.ok(Math.abs(fc.average - average) < 0.001);
  assert.ok(Math.abs(hot.score - Math.log2(20.5 / (average + 0.5))) < 0.001);
  assert.equal(fc.suppressedAreas, 1);
  assert.equal((await t.app.inject({ method: 'GET', url: '/api/reports/area-safety' })).statusCode, 401);
  const bad = await t.app.inject({ method: 'GET', url: '/api/public/area-safety?res=12' });
  assert.equal(bad.statusCode, 400);
  assert.match(bad.json().error.message, /res/);
});

test('by LSOA: the boundaries from the crime module, reports placed by point in polygon', async () => {
  const none = await t.app.inject({ method: 'GET', url: '/api/public/area-safety?by=lsoa' });
  assert.equal(none.statusCode, 409);
  assert.match(none.json().error.message, /boundaries have not been loaded/);
  const d = 0.005;
  const square = (lon: number, lat: number) => [[[lon - d, lat - d], [lon + d, lat - d], [lon + d, lat + d], [lon - d, lat + d], [lon - d, lat - d]]];
  const now = new Date().toISOString();
  for (const [code, name, at] of [['E01025001', 'Leicester 001A', HOT], ['E01025002', 'Leicester 002B', WARM]] as const) {
    await t.platform.db
      .insertInto('lsoa_boundaries')
      .values({ lsoa_code: code, lsoa_name: name, geometry: JSON.stringify({ type: 'Polygon', coordinates: square(at.longitude, at.latitude) }), min_longitude: at.longitude - d, min_latitude: at.latitude - d, max_longitude: at.longitude + d, max_latitude: at.latitude + d, source_file: 'test', imported_at: now, updated_at: now })
      .execute();
  }
  await bumpDataVersion(t.platform.db);
  crimeData(t.platform.db).cubes.invalidate();
  const res = await t.app.inject({ method: 'GET', url: '/api/reports/area-safety?by=lsoa', headers: { authorization: `Bearer ${analyst.token}` } });
  assert.equal(res.statusCode, 200, res.body);
  const fc = res.json();
  assert.equal(fc.by, 'lsoa');
  assert.equal(fc.res, null);
  // Leicester 001A: its 60 crimes. Leicester 002B: no crimes carry its code, 6 reports inside it: under 10, left out.
  assert.deepEqual(
    fc.features.map((f: { properties: { lsoaCode: string; lsoaName: string; crimes: number; reports: number } }) => [f.properties.lsoaCode, f.properties.lsoaName, f.properties.crimes, f.properties.reports]),
    [['E01025001', 'Leicester 001A', 60, 0]],
  );
  assert.equal(fc.features[0].geometry.type, 'Polygon');
  assert.equal(fc.suppressedAreas, 1);
  const pub = (await t.app.inject({ method: 'GET', url: '/api/public/area-safety?by=lsoa' })).json();
  assert.ok(pub.features.every((f: { properties: { count: number } }) => f.properties.count >= pub.suppressBelow));
  assert.deepEqual(Object.keys(pub.features[0].properties).sort(), ['count', 'level', 'lsoaCode', 'lsoaName']);
});

test('analysts, supervisors and the control room find the staff map in the navigation; others do not', async () => {
  const nav = async (token: string) => {
    const res = await t.app.inject({ method: 'GET', url: '/api/auth/me', headers: { authorization: `Bearer ${token}` } });
    assert.equal(res.statusCode, 200, res.body);
    return (res.json().navigation as Array<{ id: string; path: string }>).find((n) => n.id === 'area-safety');
  };
  for (const role of ['analyst', 'supervisor', 'control_room'] as const) assert.equal((await nav((await t.user(role)).token))?.path, '/control-room/area-safety', role);
  for (const role of ['officer', 'admin'] as const) assert.equal(await nav((await t.user(role)).token), undefined, role);
});
