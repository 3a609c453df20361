import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp, type TestApp } from '../../test/harness.ts';
import { crimeDataVersion, fromBng } from '../crime/events.ts';
import { backtest } from './service.ts';
import { countResults } from './store.ts';
import { forecastWindow } from './surface.ts';
import { FIXTURE_EASTING, FIXTURE_NORTHING, insertForecastFixture } from './test-fixtures.ts';

// The forecast in the product on the twenty-cell fixture force (test-fixtures.ts): located
// burglaries 2021-12 … 2022-04, so the next month is 2022-05, with 2 training months (half
// of the 5 months there are) and test months 2022-02 … 2022-04.

let t: TestApp;
let token: string;
before(async () => {
  t = await startTestApp();
  await insertForecastFixture(t.platform.db);
  token = (await t.user('analyst')).token;
});
after(() => t.close());

const get = async (url: string) => {
  const res = await t.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } });
  return { status: res.statusCode, body: res.json() as Record<string, unknown> & { error?: { code: string; message: string } } };
};

interface Feature {
  geometry: { type: string; coordinates: number[][][] | number[][][][] };
  properties: { cell: number; rank: number; score: number; share: number; recent: number; top5: boolean; top10: boolean };
}
interface Reply {
  features: Feature[];
  window: { by: string; period: string; trainPeriods: number; trainFrom: string; trainTo: string; testFrom: string; testTo: string };
  studyCells: number;
  computedAt: string;
  accuracy: { computedAt: string; testPeriods: number; methods: Array<{ method: string; coverage: Array<{ coverage: number; meanHitRate: number; meanPai: number }> }> };
}

test('forecast window: twelve training months when there are enough, else half; up to twelve test months before the period', () => {
  assert.deepEqual(forecastWindow('2019-12', '2022-10', undefined), { by: 'month', period: '2022-11', trainPeriods: 12, trainFrom: '2021-11', trainTo: '2022-10', testFrom: '2021-11', testTo: '2022-10' });
  assert.deepEqual(forecastWindow('2021-11', '2022-10', undefined), { by: 'month', period: '2022-11', trainPeriods: 6, trainFrom: '2022-05', trainTo: '2022-10', testFrom: '2022-05', testTo: '2022-10' });
  assert.deepEqual(forecastWindow('2019-12', '2022-10', '2021-06'), { by: 'month', period: '2021-06', trainPeriods: 9, trainFrom: '2020-09', trainTo: '2021-05', testFrom: '2020-09', testTo: '2021-05' });
  assert.throws(() => forecastWindow('2021-11', '2022-10', '2022-12'), /latest month that can be forecast is 2022-11/);
  assert.throws(() => forecastWindow('2021-11', '2022-10', '2021-12'), /needs at least two months/);
});

test('GET /api/forecast: every study cell with its score and rank, the top 5% and 10% flagged, each cell a 250 m square in WGS84', async () => {
  const { status, body } = await get('/api/forecast?type=Burglary&method=naive-all');
  assert.equal(status, 200, JSON.stringify(body));
  const r = body as unknown as Reply;
  assert.deepEqual(r.window, { by: 'month', period: '2022-05', trainPeriods: 2, trainFrom: '2022-03', trainTo: '2022-04', testFrom: '2022-02', testTo: '2022-04' });
  assert.equal(r.studyCells, 20);
  assert.equal(r.features.length, 20);
  // naive-all over 2022-03 … 04: cells 3, 12 and 15 have 2 burglaries, 0 and 7 have 1; ties by cell id
  const cellOfColumn = (j: number) => Math.floor(FIXTURE_NORTHING / 250) * 2800 + Math.floor((FIXTURE_EASTING + 250 * j) / 250);
  assert.deepEqual(r.features.slice(0, 5).map((f) => [f.properties.cell, f.properties.score, f.properties.rank]), [
    [cellOfColumn(3), 2, 1],
    [cellOfColumn(12), 2, 2],
    [cellOfColumn(15), 2, 3],
    [cellOfColumn(0), 1, 4],
    [cellOfColumn(7), 1, 5],
  ]);
  assert.deepEqual(r.features.map((f) => f.properties.rank), Array.from({ length: 20 }, (_, i) => i + 1));
  assert.deepEqual(r.features.filter((f) => f.properties.top5).length, 1);
  assert.deepEqual(r.features.filter((f) => f.properties.top10).length, 2);
  assert.equal(r.features[0]!.properties.share, 2 / 8);
  assert.equal(r.features[0]!.properties.recent, 2);
  // cell 3's square holds the fixture's point for cell 3, and is about 250 m across
  const ring = r.features[0]!.geometry.coordinates[0] as number[][];
  assert.equal(ring.length, 5);
  const p = fromBng(FIXTURE_EASTING + 250 * 3, FIXTURE_NORTHING);
  const lons = ring.map((q) => q[0]!);
  const lats = ring.map((q) => q[1]!);
  assert.ok(Math.min(...lons) < p.longitude && p.longitude < Math.max(...lons), 'longitude inside');
  assert.ok(Math.min(...lats) < p.latitude && p.latitude < Math.max(...lats), 'latitude inside');
  const metresNorth = (Math.max(...lats) - Math.min(...lats)) * 111_200;
  assert.ok(Math.abs(metresNorth - 250) < 10, `${metresNorth} m`);

  // top=0.1: only the top 10% of the cells
  const top = (await get('/api/forecast?type=Burglary&method=naive-all&top=0.1')).body as unknown as Reply;
  assert.equal(top.features.length, 2);
});

test('GET /api/forecast: the accuracy figures are the backtest’s, for the method and both naive baselines, and are computed once until the data changes', async () => {
  const first = (await get('/api/forecast?type=Burglary&method=kde')).body as unknown as Reply;
  assert.deepEqual(first.accuracy.methods.map((m) => m.method), ['kde', 'naive-last', 'naive-all']);
  assert.equal(first.accuracy.testPeriods, 3);
  const expected = await backtest(t.platform.db, { types: ['Burglary'], cellSize: 250, trainMonths: 2, from: '2022-02', to: '2022-04', methods: ['kde', 'naive-last', 'naive-all'] });
  for (const [i, m] of expected.results.entries()) assert.deepEqual(first.accuracy.methods[i]!.coverage, m.coverage);

  const again = (await get('/api/forecast?type=Burglary&method=kde')).body as unknown as Reply;
  assert.equal(again.computedAt, first.computedAt, 'the surface came from the cache');
  assert.equal(again.accuracy.computedAt, first.accuracy.computedAt, 'the figures came from the cache');
  const stored = await countResults(t.platform.db);

  // New data (any import bumps the crime data version): both are computed again.
  const version = await crimeDataVersion(t.platform.db);
  await t.platform.db.updateTable('crime_data_version').set({ version: version + 1 }).where('id', '=', 1).execute();
  const after = (await get('/api/forecast?type=Burglary&method=kde')).body as unknown as Reply;
  assert.notEqual(after.computedAt, first.computedAt);
  assert.notEqual(after.accuracy.computedAt, first.accuracy.computedAt);
  // results of the old data version are dropped, not kept beside the new
  assert.ok((await countResults(t.platform.db)) <= stored);
});

test('GET /api/forecast/patrols: N 4-connected areas of at most M cells as polygons, each with its expected share', async () => {
  const { status, body } = await get('/api/forecast/patrols?type=Burglary&method=naive-all&areas=2&maxCells=3');
  assert.equal(status, 200, JSON.stringify(body));
  const r = body as unknown as Omit<Reply, 'features'> & { share: number; features: Array<{ geometry: { type: string; coordinates: number[][][] }; properties: { area: number; cells: number[]; share: number; recentCrimes: number } }> };
  assert.equal(r.features.length, 2);
  // one row of cells, so areas are runs of at most three; no run of three holds two of the
  // busy cells 3, 12, 15 (2 each) or one of them with 0 or 7 (1 each): the best is 2 + 2 of 8
  for (const f of r.features) {
    assert.ok(f.properties.cells.length <= 3);
    const sorted = [...f.properties.cells].sort((a, b) => a - b);
    for (let i = 1; i < sorted.length; i++) assert.equal(sorted[i]! - sorted[i - 1]!, 1, 'cells in one row, side by side');
    assert.equal(f.geometry.type, 'Polygon');
    assert.equal(f.geometry.coordinates[0]!.length, 5, 'a run of cells is a rectangle');
  }
  const shares = r.features.map((f) => f.properties.share);
  assert.ok(Math.abs(r.share - shares.reduce((s, x) => s + x, 0)) < 1e-12);
  assert.deepEqual(r.features.map((f) => f.properties.recentCrimes), [2, 2]);
  assert.equal(r.share, 4 / 8);
});

test('bad requests get a clear error naming the parameter', async () => {
  const missing = await get('/api/forecast');
  assert.equal(missing.status, 400);
  assert.match(missing.body.error!.message, /type/);
  const method = await get('/api/forecast?type=Burglary&method=magic');
  assert.equal(method.status, 400);
  assert.match(method.body.error!.message, /method/);
  const late = await get('/api/forecast?type=Burglary&period=2023-01');
  assert.equal(late.status, 400);
  assert.match(late.body.error!.message, /latest month that can be forecast is 2022-05/);
  const unknown = await get('/api/forecast?type=Burglery');
  assert.equal(unknown.status, 400);
  assert.match(unknown.body.error!.message, /no located records of "Burglery"/);
  const areas = await get('/api/forecast/patrols?type=Burglary&areas=0');
  assert.equal(areas.status, 400);
  assert.match(areas.body.error!.message, /areas/);
});

test('many different first requests at once wait their turn for a worker and all succeed', async () => {
  const methods = ['naive-last', 'naive-all', 'kde', 'prospective', 'sepp', 'peel'];
  const replies = await Promise.all(methods.map((m) => get(`/api/forecast?type=Burglary&method=${m}&cell=500&top=0.5`)));
  assert.deepEqual(replies.map((r) => r.status), methods.map(() => 200));
  for (const [i, r] of replies.entries()) assert.equal((r.body as unknown as Reply).accuracy.methods[0]!.method, methods[i]);
});
