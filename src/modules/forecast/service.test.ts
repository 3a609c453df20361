import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { allParts } from '../../app.ts';
import type { Database } from '../../platform/db/index.ts';
import { migrate } from '../../platform/db/migrate.ts';
import { openTestDatabase } from '../../platform/db/test-db.ts';
import { PeelError } from '../../platform/errors.ts';
import { locatedEvents, allLocatedPoints } from '../crime/events.ts';
import { monthIndex } from '../../lib/months.ts';
import * as forecast from './service.ts';
import { FIXTURE_EASTING, insertForecastFixture } from './test-fixtures.ts';

let database: Database;
before(async () => {
  database = await openTestDatabase();
  await migrate(database.db, database.dialect, allParts().flatMap((m) => (m.migrations ? [m.migrations] : [])));
  await insertForecastFixture(database.db);
});
after(() => database.close());

const request = (over: Partial<forecast.BacktestRequest> = {}): forecast.BacktestRequest => ({
  types: ['Burglary'],
  cellSize: 250,
  trainMonths: 2,
  from: '2022-03',
  to: '2022-04',
  methods: forecast.METHODS,
  ...over,
});

const byMethod = (r: forecast.BacktestReport, m: forecast.Method) => r.results.find((x) => x.method === m)!;
const near = (actual: number, expected: number, what: string) => assert.ok(Math.abs(actual - expected) < 1e-12, `${what}: ${actual} ≠ ${expected}`);

test('crime events: located records of the types and months asked for, with BNG points and month indexes', async () => {
  const e = await locatedEvents(database.db, { types: ['Burglary'], from: '2022-03', to: '2022-03' });
  // 4 located burglaries in 2022-03; the unlocated one is left out
  assert.equal(e.month.length, 4);
  assert.ok(e.month.every((m) => m === monthIndex('2022-03')));
  assert.deepEqual([...e.easting].sort((a, b) => a - b), [FIXTURE_EASTING + 250 * 3, FIXTURE_EASTING + 250 * 7, FIXTURE_EASTING + 250 * 15, FIXTURE_EASTING + 250 * 15]);
  // the Burglary with coordinates but no BNG point (2022-04) is left out too
  assert.equal((await locatedEvents(database.db, { types: ['Burglary'], from: '2022-04', to: '2022-04' })).month.length, 4);
  assert.equal((await locatedEvents(database.db, { types: [], from: '2021-01', to: '2023-01' })).month.length, 0);
  const all = await allLocatedPoints(database.db);
  assert.equal(all.easting.length, 20, 'twenty distinct points, one per cell');
  assert.deepEqual([all.firstMonth, all.lastMonth], ['2021-12', '2022-04']);
});

test('backtest on the synthetic fixture: naive and prospective hit rates and PAI worked by hand', async () => {
  const r = await forecast.backtest(database.db, request());
  assert.equal(r.studyCells, 20);
  assert.equal(r.cellSize, 250);
  assert.deepEqual(r.results.map((x) => x.method), [...forecast.METHODS]);
  // k = ⌈c × 20⌉ = 1, 1, 2, 4 cells. Test 2022-03 (crimes in cells 7, 3, 15, 15), trained on
  // 2022-01…02: naive-last ranks 7 (2), 12 (1), then 0, 1 … by id; naive-all ranks 3 and 7
  // (3 each, 3 first by id), 12; the four burglaries of 2021-12 in cell 15 are outside the window.
  // Test 2022-04 (cells 12, 12, 3, 0), trained on 2022-02…03: naive-last ranks 15 (2), 3, 7;
  // naive-all ranks 7 (3), 15 (2), 3, 12 (1 each).
  const last = byMethod(r, 'naive-last');
  const all = byMethod(r, 'naive-all');
  assert.deepEqual(last.periods, [
    { period: '2022-03', events: 4, hitRate: { '0.01': 0.25, '0.05': 0.25, '0.1': 0.25, '0.2': 0.25 } },
    { period: '2022-04', events: 4, hitRate: { '0.01': 0, '0.05': 0, '0.1': 0.25, '0.2': 0.5 } },
  ]);
  assert.deepEqual(all.periods, [
    { period: '2022-03', events: 4, hitRate: { '0.01': 0.25, '0.05': 0.25, '0.1': 0.5, '0.2': 0.5 } },
    { period: '2022-04', events: 4, hitRate: { '0.01': 0, '0.05': 0, '0.1': 0, '0.2': 0.75 } },
  ]);
  // PAI per period = hit rate ÷ (k / 20); the means are over the two months
  const expected = {
    'naive-last': { hit: [0.125, 0.125, 0.25, 0.375], pai: [2.5, 2.5, 2.5, 1.875] },
    'naive-all': { hit: [0.125, 0.125, 0.25, 0.625], pai: [2.5, 2.5, 2.5, 3.125] },
  };
  for (const [method, want] of Object.entries(expected)) {
    const got = byMethod(r, method as forecast.Method).coverage;
    assert.deepEqual(got.map((c) => c.coverage), [0.01, 0.05, 0.1, 0.2]);
    got.forEach((c, j) => {
      near(c.meanHitRate, want.hit[j]!, `${method} hit rate at ${c.coverage}`);
      near(c.meanPai, want.pai[j]!, `${method} PAI at ${c.coverage}`);
    });
  }
  // prospective for 2022-03 (2 cells, 2 months): cell weights by age 3×½ (cell 3), ½ + 2 (cell 7),
  // 1 (cell 12), spread by 1/(1 + d): 7 → 2.5, 3 → 1.5, 5 → 2.5/3 + 1.5/3, 6 and 8 → 1.25 …
  assert.deepEqual(byMethod(r, 'prospective').periods[0]!.hitRate, { '0.01': 0.25, '0.05': 0.25, '0.1': 0.5, '0.2': 0.5 });
  for (const x of r.results) {
    assert.ok(x.seconds >= 0);
    for (const p of x.periods) for (const h of Object.values(p.hitRate)) assert.ok(h !== null && h >= 0 && h <= 1);
  }
  assert.equal(r.sepp.length, 2);
  assert.ok(r.sepp.every((f) => f.converged));
  assert.equal(r.offsets, undefined);
});

test('grid offsets: four grids; every point sits at a cell centre, so the naive methods do not move', async () => {
  const r = await forecast.backtest(database.db, request({ offsets: true, methods: ['naive-last', 'naive-all', 'kde'] }));
  assert.ok(r.offsets);
  assert.deepEqual(
    r.offsets.grids.map((g) => [g.originEasting, g.originNorthing, g.studyCells]),
    [
      [0, 0, 20],
      [-125, 0, 20],
      [0, -125, 20],
      [-125, -125, 20],
    ],
  );
  for (const s of r.offsets.spread) {
    assert.deepEqual(s.coverage.map((c) => c.coverage), [0.01, 0.05, 0.1, 0.2]);
    for (const c of s.coverage) {
      assert.ok(c.min <= c.max);
      near(c.range, c.max - c.min, 'range');
      if (s.method !== 'kde') assert.equal(c.range, 0);
    }
  }
  // the unshifted grid's figures are the main results
  assert.deepEqual(r.offsets.grids[0]!.results.map((x) => x.coverage), r.results.map((x) => x.coverage));
});

test('backtest refuses a window the data does not cover and a type with no records', async () => {
  await assert.rejects(forecast.backtest(database.db, request({ from: '2022-01' })), (err: PeelError) => err.code === 'no_data' && /starts in 2021-11.*records start in 2021-12/.test(err.message));
  await assert.rejects(forecast.backtest(database.db, request({ to: '2022-05' })), (err: PeelError) => err.code === 'no_data' && /end in 2022-04/.test(err.message));
  await assert.rejects(forecast.backtest(database.db, request({ types: ['Burglery'] })), (err: PeelError) => err.code === 'no_data' && /"Burglery"/.test(err.message));
  await assert.rejects(forecast.backtest(database.db, request({ from: '2022-04', to: '2022-03' })), (err: PeelError) => err.code === 'bad_request');
});

test('latestForecast: the month after the last imported one, trained on the months up to it, ranked as the backtest ranks', async () => {
  // trained on 2022-03 … 2022-04: burglaries in cells 7, 3, 15, 15 and 12, 12, 3, 0 → counts
  // 3: 2, 12: 2, 15: 2, 0: 1, 7: 1; ranks by count then cell id: 3, 12, 15, 0, 7, then the rest by id
  const f = await forecast.latestForecast(database.db, { types: ['Burglary'], method: 'naive-all', trainMonths: 2 });
  assert.deepEqual([f.period, f.trainFrom, f.trainTo, f.cells.length], ['2022-05', '2022-03', '2022-04', 20]);
  const expected = new Array(20).fill(0);
  for (const [cell, count] of [[3, 2], [12, 2], [15, 2], [0, 1], [7, 1]]) expected[cell!] = count;
  assert.deepEqual(Array.from(f.scores), expected);
  assert.deepEqual([3, 12, 15, 0, 7, 1].map((cell) => f.rank[cell]), [1, 2, 3, 4, 5, 6]);
  // cell ids are those of the grid, ascending along the row
  for (let j = 1; j < 20; j++) assert.equal(f.cells[j]! - f.cells[j - 1]!, 1);
  // every method runs; peel reads the other types too
  for (const method of forecast.METHODS) {
    const g = await forecast.latestForecast(database.db, { types: ['Burglary'], method, trainMonths: 2 });
    assert.equal(g.scores.length, 20);
    assert.deepEqual([...g.rank].sort((a, b) => a - b), Array.from({ length: 20 }, (_, i) => i + 1));
  }
});
