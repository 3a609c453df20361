import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cliSandbox } from '../../test/harness.ts';
import { seedForecastFixture } from './test-fixtures.ts';

// `peel forecast patrols` on the twenty-cell fixture force (see product.test.ts for the figures).

const { peel } = cliSandbox('forecast-patrols', (box) => seedForecastFixture(box.env.PEEL_DB_URL!));

const PLAN = ['forecast', 'patrols', '--type', 'Burglary', '--areas', '2', '--max-cells', '3', '--method', 'naive-all'];

test('peel forecast patrols: a table of areas with their shares and the backtest beside them', async () => {
  const r = await peel(PLAN);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /Burglary, 2022-05: 2 patrol areas of at most 3 cells of 250 m \(4-connected\), method naive-all, trained on 2022-03 to 2022-04/);
  assert.match(r.stdout, /^all\s+6\s+50\.0%\s+50\.0%$/m);
  assert.match(r.stdout, /Backtest over 3 months \(2022-02 to 2022-04, 2 training months each\)/);
  assert.match(r.stdout, /naive-last/);
});

test('peel forecast patrols --json: the API’s FeatureCollection', async () => {
  const r = await peel([...PLAN, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { type: string; features: Array<{ geometry: { type: string }; properties: { share: number; cells: number[] } }>; share: number; connectivity: string; accuracy: { methods: Array<{ method: string }> } };
  assert.equal(out.type, 'FeatureCollection');
  assert.equal(out.features.length, 2);
  assert.ok(out.features.every((f) => f.geometry.type === 'Polygon' && f.properties.cells.length <= 3));
  assert.equal(out.share, 0.5);
  assert.match(out.connectivity, /4-connected/);
  assert.deepEqual(out.accuracy.methods.map((m) => m.method), ['naive-all', 'naive-last']);
});

test('peel forecast patrols: bad options are named, with exit 2; no data for the type exits 1', async () => {
  const bad = await peel(['forecast', 'patrols', '--type', 'Burglary', '--areas', 'x', '--max-cells', '3']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--areas: must be a number/);
  const missing = await peel(['forecast', 'patrols', '--type', 'Burglary', '--areas', '2']);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /--max-cells/);
  const none = await peel(['forecast', 'patrols', '--type', 'Burglery', '--areas', '2', '--max-cells', '3']);
  assert.equal(none.code, 1);
  assert.match(none.stderr, /no located records of "Burglery"/);
});
