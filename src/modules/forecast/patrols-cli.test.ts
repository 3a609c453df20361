import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { allParts } from '../../app.ts';
import { openDatabase } from '../../platform/db/index.ts';
import { migrate } from '../../platform/db/migrate.ts';
import { testDatabaseUrl } from '../../platform/db/test-db.ts';
import { runPeel } from '../../test/harness.ts';
import { insertForecastFixture } from './test-fixtures.ts';

// `peel forecast patrols` on the twenty-cell fixture force (see product.test.ts for the figures).

let env: Record<string, string>;
let drop: () => Promise<void>;
let dir: string;

before(async () => {
  const db = await testDatabaseUrl();
  drop = db.drop;
  dir = mkdtempSync(join(tmpdir(), 'peel-forecast-patrols-'));
  env = { ...(process.env as Record<string, string>), PEEL_DB_URL: db.url, PEEL_BLOBS: join(dir, 'blobs'), PEEL_LOG_LEVEL: 'warn' };
  const database = openDatabase(db.url);
  try {
    await migrate(database.db, database.dialect, allParts().flatMap((m) => (m.migrations ? [m.migrations] : [])));
    await insertForecastFixture(database.db);
  } finally {
    await database.close();
  }
});
after(async () => {
  await drop();
  rmSync(dir, { recursive: true, force: true });
});

const PLAN = ['forecast', 'patrols', '--type', 'Burglary', '--areas', '2', '--max-cells', '3', '--method', 'naive-all'];

test('peel forecast patrols: a table of areas with their shares and the backtest beside them', async () => {
  const r = await runPeel(PLAN, env);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /Burglary, 2022-05: 2 patrol areas of at most 3 cells of 250 m \(4-connected\), method naive-all, trained on 2022-03 to 2022-04/);
  assert.match(r.stdout, /^all\s+6\s+50\.0%\s+50\.0%$/m);
  assert.match(r.stdout, /Backtest over 3 months \(2022-02 to 2022-04, 2 training months each\)/);
  assert.match(r.stdout, /naive-last/);
});

test('peel forecast patrols --json: the API’s FeatureCollection', async () => {
  const r = await runPeel([...PLAN, '--json'], env);
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
  const bad = await runPeel(['forecast', 'patrols', '--type', 'Burglary', '--areas', 'x', '--max-cells', '3'], env);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--areas: must be a number/);
  const missing = await runPeel(['forecast', 'patrols', '--type', 'Burglary', '--areas', '2'], env);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /--max-cells/);
  const none = await runPeel(['forecast', 'patrols', '--type', 'Burglery', '--areas', '2', '--max-cells', '3'], env);
  assert.equal(none.code, 1);
  assert.match(none.stderr, /no located records of "Burglery"/);
});
