import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { cellToBoundary, cellToLatLng, getResolution, latLngToCell } from 'h3-js';
import { startTestApp, type TestApp } from '../../test/harness.ts';
import { bumpDataVersion, fixtureRecords, insertCrimeRecords, insertStopSearches, type FixtureRecord } from './query-fixtures.ts';
import { hexCollection } from './routes.ts';
import { crimeData } from './query.ts';

let t: TestApp;
let analyst: { token: string; username: string };
let officer: { token: string; username: string };
let auditor: { token: string };

// Hand-made records of a type the random fixtures never use, for known answers.
const HOT = 'Theft from the person';
const X = { longitude: -1.1398, latitude: 52.6369 }; // Leicester clock tower
const Y = { longitude: -1.0987, latitude: 52.6197 };
const Z = { longitude: -1.1802, latitude: 52.6587 };
const WEAPONS = 'Possession of weapons';

const many = <T extends object>(n: number, r: T): T[] => Array.from({ length: n }, () => ({ ...r }));

before(async () => {
  t = await startTestApp({ PEEL_MAP_STYLE_URL: 'https://tiles.example.org/style.json' });
  analyst = await t.user('analyst');
  officer = await t.user('officer');
  auditor = await t.user('auditor');
  const db = t.platform.db;
  await insertCrimeRecords(db, fixtureRecords(800));
  await insertCrimeRecords(db, [
    ...many<FixtureRecord>(16, { month: '2021-05', crimeType: HOT, ...X }),
    ...many(9, { month: '2022-03', crimeType: HOT, ...X, lastOutcome: 'Under investigation' }),
    ...many(4, { month: '2022-07', crimeType: HOT, ...Y }),
    { month: '2021-08', crimeType: HOT, ...Z },
    { month: '2022-08', crimeType: HOT, ...Z },
    { month: '2022-09', crimeType: HOT }, // no location
    ...many(2, { month: '2022-02', crimeType: WEAPONS, ...X }),
    { month: '2022-05', crimeType: WEAPONS, ...Y },
  ]);
  await bumpDataVersion(db);
  // The server built its (empty) cube at start; look at the version now rather than within the second.
  crimeData(db).cubes.invalidate();
  await insertStopSearches(db, [
    ...many(2, { month: '2022-04', outcome: 'Arrest', ethnicitySelfDefined: 'White - English/Welsh/Scottish/Northern Irish/British', gender: 'Male' }),
    ...many(6, { month: '2022-04', outcome: 'A no further action disposal', ethnicitySelfDefined: 'White - English/Welsh/Scottish/Northern Irish/British', gender: 'Male' }),
    ...many(2, { month: '2022-05', outcome: 'Community resolution', ethnicitySelfDefined: 'White - English/Welsh/Scottish/Northern Irish/British', gender: 'Female' }),
    { month: '2022-06', outcome: 'Arrest', ethnicitySelfDefined: 'Asian/Asian British - Indian', gender: 'Male' },
    ...many(3, { month: '2022-06', outcome: 'A no further action disposal', ethnicitySelfDefined: 'Asian/Asian British - Indian', gender: 'Female' }),
    { month: '2022-06', outcome: 'Arrest', ethnicitySelfDefined: null, gender: 'Male' },
    { month: '2020-01', outcome: 'Arrest', ethnicitySelfDefined: 'Asian/Asian British - Indian', gender: 'Male' }, // outside the period
  ]);
});
after(() => t.close());

const get = (url: string, token = analyst.token) => t.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } });
const json = async (url: string, token?: string) => {
  const res = await get(url, token);
  assert.equal(res.statusCode, 200, `${url}: ${res.body.slice(0, 300)}`);
  return res.json();
};
const enc = encodeURIComponent;

test('hexes: a GeoJSON FeatureCollection of closed [lon, lat] hexagons with cell and count', async () => {
  const res = await get('/api/crime/hexes?from=2021-01&to=2022-12');
  assert.match(String(res.headers['content-type']), /^application\/json/);
  const fc = res.json();
  assert.deepEqual(hexCollection.parse(fc), fc, 'the reply matches its documented schema');
  assert.deepEqual(Object.keys(fc), ['type', 'features', 'res', 'period', 'total', 'unlocated']);
  assert.equal(fc.type, 'FeatureCollection');
  assert.equal(fc.res, 8);
  assert.ok(fc.features.length > 10);
  let sum = 0;
  for (const f of fc.features) {
    assert.equal(f.type, 'Feature');
    assert.equal(f.geometry.type, 'Polygon');
    assert.deepEqual(Object.keys(f.properties).sort(), ['cell', 'count']);
    assert.equal(getResolution(f.properties.cell), 8);
    assert.ok(Number.isInteger(f.properties.count) && f.properties.count >= 1);
    const ring = f.geometry.coordinates[0];
    assert.equal(ring.length, 7, 'six corners and the closing position');
    assert.deepEqual(ring[0], ring[ring.length - 1], 'closed ring');
    for (const [lon, lat] of ring) {
      assert.ok(lon > -1.3 && lon < -1.0, `longitude first: ${lon}`);
      assert.ok(lat > 52.5 && lat < 52.8, `latitude second: ${lat}`);
    }
    assert.deepEqual(ring, cellToBoundary(f.properties.cell, true));
    sum += f.properties.count;
  }
  assert.equal(fc.total, 800 + 35);
  assert.ok(fc.unlocated > 0);
  assert.equal(sum + fc.unlocated, fc.total);
});

test('hexes at another resolution, filtered by type, place records in their cells', async () => {
  const fc = await json(`/api/crime/hexes?res=10&type=${enc(HOT)}&from=2022-01&to=2022-12`);
  const counts = Object.fromEntries(fc.features.map((f: { properties: { cell: string; count: number } }) => [f.properties.cell, f.properties.count]));
  assert.deepEqual(counts, {
    [latLngToCell(X.latitude, X.longitude, 10)]: 9,
    [latLngToCell(Y.latitude, Y.longitude, 10)]: 4,
    [latLngToCell(Z.latitude, Z.longitude, 10)]: 1,
  });
  assert.equal(fc.total, 15);
  assert.equal(fc.unlocated, 1);
  // a box around X alone; unlocated records are never inside a box
  const box = await json(`/api/crime/hexes?res=10&type=${enc(HOT)}&from=2022-01&to=2022-12&bbox=${X.longitude - 0.001},${X.latitude - 0.001},${X.longitude + 0.001},${X.latitude + 0.001}`);
  assert.deepEqual(box.features.map((f: { properties: { count: number } }) => f.properties.count), [9]);
  assert.equal(box.unlocated, 0);
  // a polygon (a triangle round Y)
  const tri = { type: 'Polygon', coordinates: [[[Y.longitude - 0.01, Y.latitude - 0.01], [Y.longitude + 0.01, Y.latitude - 0.01], [Y.longitude, Y.latitude + 0.01], [Y.longitude - 0.01, Y.latitude - 0.01]]] };
  const poly = await json(`/api/crime/hexes?res=9&type=${enc(HOT)}&from=2022-01&to=2022-12&polygon=${enc(JSON.stringify(tri))}`);
  assert.deepEqual(poly.features.map((f: { properties: { cell: string; count: number } }) => f.properties), [{ cell: latLngToCell(Y.latitude, Y.longitude, 9), count: 4 }]);
});

test('timeseries: every month of the range, zero-filled', async () => {
  const r = await json(`/api/crime/timeseries?type=${enc(WEAPONS)}&from=2021-12&to=2022-06`);
  assert.deepEqual(r.series, [
    { month: '2021-12', count: 0 },
    { month: '2022-01', count: 0 },
    { month: '2022-02', count: 2 },
    { month: '2022-03', count: 0 },
    { month: '2022-04', count: 0 },
    { month: '2022-05', count: 1 },
    { month: '2022-06', count: 0 },
  ]);
  // default: the last 12 months that have data
  const d = await json('/api/crime/timeseries');
  assert.deepEqual(d.series.map((s: { month: string }) => s.month), ['2022-01', '2022-02', '2022-03', '2022-04', '2022-05', '2022-06', '2022-07', '2022-08', '2022-09', '2022-10', '2022-11', '2022-12']);
});

test('hotspots: counts, shares, the previous period and the Poisson z, against hand-computed values', async () => {
  const r = await json(`/api/crime/hotspots?type=${enc(HOT)}&from=2022-01&to=2022-12&res=9&n=2`);
  assert.deepEqual(r.period, { from: '2022-01', to: '2022-12' });
  assert.deepEqual(r.previousPeriod, { from: '2021-01', to: '2021-12' });
  assert.equal(r.total, 14); // 9 + 4 + 1 located records this period
  assert.equal(r.previousTotal, 17); // 16 + 1
  assert.equal(r.cells.length, 2);
  const [x, y] = r.cells;
  assert.equal(x.cell, latLngToCell(X.latitude, X.longitude, 9));
  assert.equal(x.count, 9);
  assert.equal(x.previousCount, 16);
  assert.equal(x.change, -7);
  assert.ok(Math.abs(x.share - 9 / 14) < 1e-12);
  assert.ok(Math.abs(x.z - -1.4) < 1e-12, `z = (9 − 16)/√25 = −1.4, got ${x.z}`);
  assert.ok(Math.abs(x.percentChange - -43.75) < 1e-12);
  // exact: 2·P(X ≥ 16), X ~ Bin(25, ½) = 2 · 3,850,756 / 2^25
  assert.ok(Math.abs(x.pValue - (2 * 3850756) / 33554432) < 1e-12, `p ${x.pValue}`);
  assert.equal(y.cell, latLngToCell(Y.latitude, Y.longitude, 9));
  assert.equal(y.count, 4);
  assert.equal(y.previousCount, 0);
  assert.equal(y.z, 2); // 4/√4
  assert.equal(y.percentChange, null);
  assert.ok(Math.abs(y.pValue - 0.125) < 1e-12); // 2·(½)^4

  const geo = await json(`/api/crime/hotspots?type=${enc(HOT)}&from=2022-01&to=2022-12&res=9&n=2&format=geojson`);
  assert.equal(geo.type, 'FeatureCollection');
  assert.deepEqual(geo.features.map((f: { properties: { rank: number; cell: string } }) => [f.properties.rank, f.properties.cell]), [[1, x.cell], [2, y.cell]]);
});

test('compare: two periods by type, cell or LSOA, largest |z| first', async () => {
  const r = await json(`/api/crime/compare?by=cell&res=9&type=${enc(HOT)}&aFrom=2021-01&aTo=2021-12&bFrom=2022-01&bTo=2022-12`);
  assert.deepEqual(r.a, { from: '2021-01', to: '2021-12' });
  assert.equal(r.totalA, 17);
  assert.equal(r.totalB, 14);
  assert.deepEqual(
    r.rows.map((x: { key: string; a: number; b: number; change: number; z: number }) => [x.key, x.a, x.b, x.change, x.z]),
    [
      [latLngToCell(Y.latitude, Y.longitude, 9), 0, 4, 4, 2],
      [latLngToCell(X.latitude, X.longitude, 9), 16, 9, -7, -1.4],
      [latLngToCell(Z.latitude, Z.longitude, 9), 1, 1, 0, 0],
    ],
  );
  const byType = await json('/api/crime/compare?by=type&aFrom=2021-01&aTo=2021-12&bFrom=2022-01&bTo=2022-12');
  const hot = byType.rows.find((x: { key: string }) => x.key === HOT);
  assert.deepEqual([hot.a, hot.b], [17, 15]);
  const zs = byType.rows.map((x: { z: number }) => Math.abs(x.z));
  assert.deepEqual(zs, [...zs].sort((p, q) => q - p));
  const byLsoa = await json('/api/crime/compare?by=lsoa');
  assert.deepEqual(byLsoa.b, { from: '2022-01', to: '2022-12' });
  assert.deepEqual(byLsoa.a, { from: '2021-01', to: '2021-12' });
  assert.match(byLsoa.rows[0].label, /^Leicester /);
});

test('types, outcomes and LSOAs, with outcome=none for records with none', async () => {
  const ty = await json('/api/crime/types?from=2021-01&to=2022-12');
  assert.equal(ty.types.reduce((s: number, x: { count: number }) => s + x.count, 0), ty.total);
  assert.deepEqual(ty.types.find((x: { crimeType: string }) => x.crimeType === HOT), { crimeType: HOT, count: 32 });
  const none = await json('/api/crime/outcomes?outcome=none&from=2021-01&to=2022-12');
  assert.equal(none.outcomes.length, 1);
  assert.equal(none.outcomes[0].outcome, null);
  const two = await json(`/api/crime/outcomes?outcome=none&outcome=${enc('Under investigation')}&type=${enc(HOT)}&from=2021-01&to=2022-12`);
  assert.deepEqual(two.outcomes, [
    { outcome: null, count: 23 },
    { outcome: 'Under investigation', count: 9 },
  ]);
  const ls = await json('/api/crime/lsoas?from=2021-01&to=2022-12');
  assert.ok(ls.lsoas.length > 5);
  assert.equal(ls.lsoas.reduce((s: number, x: { count: number }) => s + x.count, 0) + ls.withoutLsoa, ls.total);
  const geo = await json('/api/crime/lsoas?format=geojson');
  assert.equal(geo.type, 'FeatureCollection');
  assert.equal(geo.hasBoundaries, geo.features.length > 0);
});

test('a cell: counts by type, outcome and month', async () => {
  const cell = latLngToCell(X.latitude, X.longitude, 10);
  const r = await json(`/api/crime/cells/${cell}?type=${enc(HOT)}&from=2021-01&to=2022-12`);
  assert.equal(r.res, 10);
  assert.equal(r.count, 25);
  assert.deepEqual(r.byType, [{ crimeType: HOT, count: 25 }]);
  assert.deepEqual(r.byOutcome, [
    { outcome: null, count: 16 },
    { outcome: 'Under investigation', count: 9 },
  ]);
  assert.equal(r.byMonth.length, 24);
  assert.equal(r.byMonth.find((m: { month: string }) => m.month === '2021-05').count, 16);
  assert.equal(r.records, undefined, 'aggregates only');
});

test('records in a cell need a justification, and every look is audited with the ids shown', async () => {
  const cell = latLngToCell(X.latitude, X.longitude, 10);
  const url = `/api/crime/cells/${cell}/records?type=${enc(HOT)}&from=2021-01&to=2022-12`;
  const refused = await get(url, officer.token);
  assert.equal(refused.statusCode, 400);
  assert.equal(refused.json().error.code, 'justification_required');

  const first = await json(`${url}&limit=10&reasonCode=investigation`, officer.token);
  assert.equal(first.total, 25);
  assert.equal(first.records.length, 10);
  assert.equal(first.records[0].month, '2022-03', 'newest first');
  assert.equal(first.records[0].crimeType, HOT);
  assert.ok(Math.abs(first.records[0].longitude - X.longitude) < 1e-9);
  const rest = await json(`${url}&limit=100&offset=10&justification=${enc('Patrol briefing, Operation Clocktower')}`, officer.token);
  assert.equal(rest.records.length, 15);
  const allIds = [...first.records, ...rest.records].map((r: { id: number }) => r.id);
  assert.equal(new Set(allIds).size, 25);

  const log = await json('/api/audit?action=crime.records.view', auditor.token);
  const mine = log.entries.filter((e: { username: string }) => e.username === officer.username);
  assert.equal(mine.length, 2, 'the refused request wrote nothing');
  const [later, earlier] = mine;
  assert.equal(earlier.operation, 'consultation');
  assert.equal(earlier.recordType, 'crime_record');
  assert.equal(earlier.reasonCode, 'investigation');
  assert.deepEqual(earlier.recordIds, first.records.map((r: { id: number }) => String(r.id)));
  assert.equal(later.justification, 'Patrol briefing, Operation Clocktower');
  assert.deepEqual(later.recordIds, rest.records.map((r: { id: number }) => String(r.id)));

  const csv = await get(`${url}&format=csv&reasonCode=investigation&limit=5`, officer.token);
  assert.equal(csv.statusCode, 200);
  assert.match(String(csv.headers['content-disposition']), /^attachment; filename="peel-crime-records-/);
  assert.equal(csv.body.trim().split('\r\n').length, 6);
});

test('CSV: every JSON endpoint answers format=csv as an attachment named for what it holds', async () => {
  const hex = await get(`/api/crime/hexes?format=csv&res=9&type=${enc(HOT)}&from=2022-01&to=2022-12`);
  assert.equal(hex.statusCode, 200);
  assert.match(String(hex.headers['content-type']), /^text\/csv/);
  assert.equal(hex.headers['content-disposition'], 'attachment; filename="peel-crime-hexes-res9-2022-01-to-2022-12.csv"');
  const lines = hex.body.trim().split('\r\n');
  assert.equal(lines[0], 'cell,res,count');
  assert.deepEqual(lines.slice(1).sort(), [`${latLngToCell(X.latitude, X.longitude, 9)},9,9`, `${latLngToCell(Y.latitude, Y.longitude, 9)},9,4`, `${latLngToCell(Z.latitude, Z.longitude, 9)},9,1`].sort());

  const ts = await get(`/api/crime/timeseries?format=csv&type=${enc(WEAPONS)}&from=2022-01&to=2022-03`);
  assert.equal(ts.body, 'month,count\r\n2022-01,0\r\n2022-02,2\r\n2022-03,0\r\n');
  assert.match(String(ts.headers['content-disposition']), /filename="peel-crime-timeseries-2022-01-to-2022-03\.csv"/);

  const out = await get(`/api/crime/outcomes?format=csv&type=${enc(HOT)}&from=2022-01&to=2022-12`);
  assert.equal(out.body, 'outcome,count\r\nUnder investigation,9\r\nnone,6\r\n');

  for (const path of ['types', 'lsoas', 'hotspots', 'compare', 'meta', 'stop-search', `cells/${latLngToCell(X.latitude, X.longitude, 8)}`]) {
    const res = await get(`/api/crime/${path}?format=csv`);
    assert.equal(res.statusCode, 200, path);
    assert.match(String(res.headers['content-type']), /^text\/csv/, path);
    assert.match(String(res.headers['content-disposition']), /^attachment; filename="peel-[a-z0-9._-]+\.csv"$/, path);
  }
});

test('stop and search by ethnicity: arrest and no-further-action rates', async () => {
  const r = await json('/api/crime/stop-search?from=2022-01&to=2022-12');
  assert.equal(r.by, 'ethnicity');
  assert.equal(r.total, 15);
  assert.deepEqual(r.groups, [
    { group: 'White - English/Welsh/Scottish/Northern Irish/British', searches: 10, arrests: 2, noFurtherAction: 6, arrestRate: 0.2, noFurtherActionRate: 0.6 },
    { group: 'Asian/Asian British - Indian', searches: 4, arrests: 1, noFurtherAction: 3, arrestRate: 0.25, noFurtherActionRate: 0.75 },
    { group: null, searches: 1, arrests: 1, noFurtherAction: 0, arrestRate: 1, noFurtherActionRate: 0 },
  ]);
  const g = await json('/api/crime/stop-search?by=gender');
  assert.deepEqual(g.period, { from: '2021-07', to: '2022-06' }, 'default: the last 12 months with searches');
  assert.deepEqual(g.groups.map((x: { group: string; searches: number }) => [x.group, x.searches]), [['Male', 10], ['Female', 5]]);
});

test('bad parameters get a 400 that names the parameter', async () => {
  const cases: Array<[string, RegExp]> = [
    ['/api/crime/hexes?from=2022-13', /querystring\.from/],
    ['/api/crime/hexes?to=last-year', /querystring\.to/],
    ['/api/crime/hexes?res=11', /querystring\.res/],
    ['/api/crime/hexes?res=8.5', /querystring\.res/],
    ['/api/crime/hexes?bbox=1,2,3', /querystring\.bbox/],
    ['/api/crime/hexes?bbox=10,50,-1,52', /querystring\.bbox/],
    ['/api/crime/hexes?polygon=not-json', /querystring\.polygon/],
    [`/api/crime/hexes?polygon=${enc('{"type":"Point","coordinates":[0,0]}')}`, /querystring\.polygon/],
    [`/api/crime/hexes?polygon=${enc('{"type":"Polygon","coordinates":[[[0,0],[1,1]]]}')}`, /querystring\.polygon/],
    ['/api/crime/timeseries?from=2022-06&to=2022-01', /from/],
    ['/api/crime/timeseries?from=0001-01&to=2022-01', /from/],
    ['/api/crime/hotspots?n=0', /querystring\.n/],
    ['/api/crime/compare?by=street', /querystring\.by/],
    ['/api/crime/compare?aFrom=2021-01', /aTo/],
    ['/api/crime/compare?bFrom=2022-05&bTo=2022-01', /bFrom/],
    ['/api/crime/cells/not-a-cell', /cell/],
    [`/api/crime/cells/${latLngToCell(X.latitude, X.longitude, 5)}`, /cell: resolution 5/],
    [`/api/crime/cells/${latLngToCell(X.latitude, X.longitude, 9)}/records?reasonCode=curiosity`, /querystring\.reasonCode/],
    [`/api/crime/cells/${latLngToCell(X.latitude, X.longitude, 9)}/records?limit=5000&reasonCode=audit`, /querystring\.limit/],
    ['/api/crime/stop-search?by=height', /querystring\.by/],
    ['/api/crime/lsoas?format=xml', /querystring\.format/],
  ];
  for (const [url, names] of cases) {
    const res = await get(url);
    assert.equal(res.statusCode, 400, `${url}: ${res.body}`);
    const body = res.json();
    assert.equal(typeof body.error.code, 'string');
    assert.match(body.error.message, names, url);
  }
});

test('only analysts, supervisors and officers may query; the navigation shows them the map', async () => {
  assert.equal((await get('/api/crime/hexes', auditor.token)).statusCode, 403);
  assert.equal((await t.app.inject({ method: 'GET', url: '/api/crime/hexes' })).statusCode, 401);
  const me = await json('/api/auth/me', officer.token);
  assert.ok(me.navigation.some((n: { id: string; path: string }) => n.id === 'crime' && n.path === '/crime'));
  const auditorMe = await json('/api/auth/me', auditor.token);
  assert.ok(!auditorMe.navigation.some((n: { id: string }) => n.id === 'crime'));
});

test('meta, and the cube reloads after an import changes the data version', async () => {
  const before = await json('/api/crime/meta');
  assert.equal(before.firstMonth, '2021-01');
  assert.equal(before.lastMonth, '2022-12');
  assert.equal(before.total, 835);
  assert.ok(before.unlocated > 0);
  assert.ok(before.crimeTypes.includes(HOT));
  assert.equal(before.outcomes[0], null);
  assert.ok(before.outcomes.includes('Under investigation'));
  assert.deepEqual(before.sources, ['force-extract', 'police.uk']);
  assert.equal(before.mapStyleUrl, 'https://tiles.example.org/style.json');
  assert.equal(typeof before.hasLsoaBoundaries, 'boolean');
  assert.deepEqual(before.defaultPeriod, { from: '2022-01', to: '2022-12' });

  await insertCrimeRecords(t.platform.db, many(3, { month: '2023-02', crimeType: 'Robbery', ...Z }));
  await bumpDataVersion(t.platform.db);
  await new Promise((r) => setTimeout(r, 1100)); // the version is checked at most once a second
  const after = await json('/api/crime/meta');
  assert.equal(after.version, before.version + 1);
  assert.equal(after.lastMonth, '2023-02');
  assert.equal(after.total, 838);
  const fc = await json('/api/crime/hexes?type=Robbery&res=7');
  assert.deepEqual(fc.period, { from: '2022-03', to: '2023-02' });
  assert.deepEqual(fc.features.map((f: { properties: { cell: string; count: number } }) => f.properties), [{ cell: latLngToCell(Z.latitude, Z.longitude, 7), count: 3 }]);
  const [lat, lon] = cellToLatLng(fc.features[0].properties.cell);
  assert.ok(Math.abs(lon - Z.longitude) < 0.05 && Math.abs(lat - Z.latitude) < 0.05);
});
