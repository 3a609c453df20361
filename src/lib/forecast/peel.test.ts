import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeGrid, studyAreaOf } from './grid.ts';
import { rankCells, scoreForecast } from './metrics.ts';
import { naiveAll, type CellEvents } from './predictors.ts';
import { chooseWeights, componentSurface, hitRatesAt, peel, peelCovariates, placesSurface, simplexWeights } from './peel.ts';
import { mulberry32, poisson } from './random.ts';

const close = (actual: number, expected: number, tol = 1e-12) => assert.ok(Math.abs(actual - expected) <= tol * Math.max(1, Math.abs(expected)), `${actual} is not ${expected}`);
const events = (cell: number[], period: number[]): CellEvents => ({ cell: Int32Array.from(cell), period: Int32Array.from(period) });
const grid = makeGrid();
// ten cells in a row: ids 28010 … 28019 (row 10 of the default grid), study indexes 0 … 9
const row = studyAreaOf(Array.from({ length: 10 }, (_, i) => 28010 + i));

test('simplexWeights lists every weight vector on the lattice, the first component heaviest first', () => {
  const w = simplexWeights(3, 2);
  assert.deepEqual(w, [[1, 0, 0], [0.5, 0.5, 0], [0.5, 0, 0.5], [0, 1, 0], [0, 0.5, 0.5], [0, 0, 1]]);
  assert.equal(simplexWeights(4, 10).length, 286); // C(13, 3)
  for (const v of simplexWeights(4, 10)) close(v.reduce((a, b) => a + b, 0), 1, 1e-9);
  assert.deepEqual(simplexWeights(1, 10), [[1]]);
});

test('component surfaces worked by hand: shares of counts, half-life weights, grid smoothing', () => {
  const e = events([0, 0, 3, 3], [0, 1, 1, 2]);
  // plain counts: cell 0 has 2, cell 3 has 2 → shares ½, ½
  const plain = componentSurface(grid, row, e, 2, {});
  assert.deepEqual(Array.from(plain), [0.5, 0, 0, 0.5, 0, 0, 0, 0, 0, 0]);
  // half-life 1 period, last period 2: cell 0 gets 2^-2 + 2^-1 = 0.75, cell 3 gets 2^-1 + 1 = 1.5
  const recent = componentSurface(grid, row, e, 2, { halfLife: 1 });
  close(recent[0]!, 0.75 / 2.25);
  close(recent[3]!, 1.5 / 2.25);
  // smoothed at 1 cell (reach 3 cells): cell 0's two events spread 2·e^{-d²/2} to cells 0 … 3;
  // cell 3's spread to cells 0 … 6. Cell 1 gets 2e^{-1/2} + 2e^{-2}; cell 9 gets nothing.
  const smooth = componentSurface(grid, row, e, 2, { smoothCells: 1 });
  const g = (d: number) => Math.exp(-(d * d) / 2);
  const raw = [2 * g(0) + 2 * g(3), 2 * g(1) + 2 * g(2), 2 * g(2) + 2 * g(1), 2 * g(3) + 2 * g(0), 2 * g(1), 2 * g(2), 2 * g(3), 0, 0, 0];
  const total = raw.reduce((a, b) => a + b, 0);
  raw.forEach((x, i) => close(smooth[i]!, x / total));
  // events after the last period are not counted by a surface
  assert.deepEqual(Array.from(componentSurface(grid, row, e, 0, {})), [1, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
});

test('the fast hit rates match metrics.ts, ties by cell index included', () => {
  const random = mulberry32(7);
  for (let trial = 0; trial < 50; trial++) {
    const n = 40;
    const scores = Float64Array.from({ length: n }, () => Math.floor(random() * 5)); // many ties
    const counts = Float64Array.from({ length: n }, () => Math.floor(random() * 3));
    const events = counts.reduce((a, b) => a + b, 0);
    if (events === 0) continue;
    const expected = scoreForecast(scores, counts, [0.05, 0.1, 0.2, 0.5]);
    const got = hitRatesAt(scores, counts, expected.map((s) => s.k), events, new Float64Array(n));
    got.forEach((h, j) => close(h, expected[j]!.hitRate));
  }
});

test('with one component peel is that component', () => {
  const random = mulberry32(3);
  const cell = Array.from({ length: 60 }, () => Math.floor(random() * 10));
  const period = Array.from({ length: 60 }, () => Math.floor(random() * 6));
  const e = events(cell, period);
  const fit = peel(grid, row, e, 5, { components: [{}] });
  assert.deepEqual(fit.weights, [1]);
  const counts = naiveAll(10, e, 5);
  counts.forEach((c, i) => close(fit.scores[i]!, c / 60));
});

// Cell 0 holds two crimes every period 0 … 5 (a long-term hotspot); cell 9 three in period 5
// only. The test period 6 has its three crimes in cell 9 again.
const training = events([...Array(12).fill(0), 9, 9, 9], [0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 5, 5, 5]);
const withTestMonth = events([...training.cell, 9, 9, 9], [...training.period, 6, 6, 6]);
const components = [{}, { halfLife: 0.25 }]; // all counts; last period almost only
const options = { components, coverages: [0.1], weightSteps: 2, validationPeriods: 3 }; // k = 1 cell

test('weight selection uses only the training periods: the test period would change it if it leaked', () => {
  // Held out 3, 4, 5 (each fitted on the periods before it): both components pick cell 0
  // every time, a tie, so the first candidate (all weight on the counts) stands.
  const honest = chooseWeights(grid, row, training, 5, options);
  assert.deepEqual(honest.validationPeriods, [3, 4, 5]);
  assert.deepEqual(honest.weights, [1, 0]);
  close(honest.validationHitRate, (1 + 1 + 2 / 5) / 3);
  assert.deepEqual(peel(grid, row, training, 5, options).weights, [1, 0]);
  // Had period 6 been seen (held out 4, 5, 6), the recency component would have found cell 9
  // in period 6 and won: so the choice above did not see it.
  const leaked = chooseWeights(grid, row, withTestMonth, 6, options);
  assert.deepEqual(leaked.validationPeriods, [4, 5, 6]);
  assert.deepEqual(leaked.weights, [0, 1]);
  // and peel refuses a future event outright
  assert.throws(() => peel(grid, row, withTestMonth, 5, options), RangeError);
});

test('validation needs earlier periods: a window of one period falls back to the first candidate', () => {
  const fit = peel(grid, row, events([2, 2, 5], [0, 0, 0]), 0, options);
  assert.deepEqual(fit.validationPeriods, []);
  assert.deepEqual(fit.weights, [1, 0]);
  assert.ok(Number.isNaN(fit.validationHitRate));
  assert.deepEqual(Array.from(fit.scores), [0, 0, 2 / 3, 0, 0, 1 / 3, 0, 0, 0, 0]);
});

test('peel (the regression): covariates worked by hand, and the other types steer the forecast', () => {
  // covariate x = log(n · share + c): cell 0 and 3 each hold half of four events, n = 10, c = ½
  const e = events([0, 0, 3, 3], [0, 1, 1, 2]);
  const [x] = peelCovariates(grid, row, e, events([], []), 2, [{ of: 'target' }], 0.5);
  close(x![0]!, Math.log(10 * 0.5 + 0.5));
  close(x![1]!, Math.log(0.5));
  // Burglaries fall, one a period, in cells 5 … 9 in turn (never twice in a cell), always in a
  // cell where the other types have been busy (cells 5 … 9), never in the quiet cells 0 … 4
  // which did hold burglaries long ago (period 0). The other-type covariate explains the
  // held-out periods; the target's own counts cannot, so peel must rank cells 5 … 9 first.
  const cell = [0, 1, 2, 3, 4];
  const period = [0, 0, 0, 0, 0];
  for (let p = 1; p <= 11; p++) {
    cell.push(5 + (p % 5), 5 + ((p + 2) % 5));
    period.push(p, p);
  }
  const otherCell: number[] = [];
  const otherPeriod: number[] = [];
  for (let p = 0; p <= 11; p++) {
    for (const c of [5, 6, 7, 8, 9]) {
      for (let j = 0; j < 3; j++) {
        otherCell.push(c);
        otherPeriod.push(p);
      }
    }
  }
  const fit = peel(grid, row, events(cell, period), 11, { other: events(otherCell, otherPeriod), features: [{ of: 'target' }, { of: 'other' }] });
  assert.deepEqual(fit.validationPeriods, [6, 7, 8, 9, 10, 11]);
  assert.ok(fit.weights[1]! > 0.5, `other-type weight ${fit.weights[1]}`);
  const top5 = Array.from(fit.scores).map((s, i) => [s, i] as const).sort((a, b) => b[0] - a[0]).slice(0, 5).map(([, i]) => i).sort();
  assert.deepEqual(top5, [5, 6, 7, 8, 9]);
  // a future event among the other types is refused, like one of the types forecast
  assert.throws(() => peel(grid, row, events(cell, period), 11, { other: events([5], [12]) }), RangeError);
});

test('peel (the regression) with no history to learn from is naive-all', () => {
  const e = events([2, 2, 5], [0, 0, 0]);
  const fit = peel(grid, row, e, 0);
  assert.deepEqual(fit.validationPeriods, []);
  const order = (s: ArrayLike<number>) => Array.from(s).map((v, i) => [v, i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]).map(([, i]) => i);
  assert.deepEqual(order(fit.scores), order(naiveAll(10, e, 0)));
});

const placed = (cell: number[], period: number[], place: number[]): CellEvents => ({ ...events(cell, period), place: Int32Array.from(place) });

test('places: each distinct place counted once in its cell, across both event sets, up to the last period', () => {
  // cell 0: places 7, 7, 8 (target) and 8 (other) → 2 places; cell 4: place 9 (other) → 1;
  // cell 2: place 10 in period 3 only, after the last period 2 → none
  const target = placed([0, 0, 0, 2], [0, 1, 2, 3], [7, 7, 8, 10]);
  const other = placed([0, 4], [1, 2], [8, 9]);
  assert.deepEqual(Array.from(placesSurface(10, [target, other], 2)), [2 / 3, 0, 0, 0, 1 / 3, 0, 0, 0, 0, 0]);
  assert.deepEqual(Array.from(placesSurface(10, [target, other], 3)), [2 / 4, 0, 1 / 4, 0, 1 / 4, 0, 0, 0, 0, 0]);
  // events without place ids add nothing
  assert.deepEqual(Array.from(placesSurface(10, [events([0, 1], [0, 0])], 2)), new Array(10).fill(0));
  // as a covariate, log(n · share + ½), and the product of two covariates as an interaction
  const [t, p, tp] = peelCovariates(grid, row, target, other, 2, [{ of: 'target' }, { of: 'places' }], 0.5, undefined, [[0, 1]]);
  close(p![0]!, Math.log(10 * (2 / 3) + 0.5));
  close(p![1]!, Math.log(0.5));
  close(t![0]!, Math.log(10 * 1 + 0.5)); // all three target events up to period 2 are in cell 0
  for (let i = 0; i < 10; i++) close(tp![i]!, t![i]! * p![i]!);
});

test('peel (the regression): where burglary follows the number of places, the places covariate finds it', () => {
  // 200 cells in a row, cell c with k_c = 1 … 10 places (seeded at random). Other-type crimes:
  // three a period in every cell, each at one of its places, so their counts say nothing but
  // their places reveal k_c. Burglaries: Poisson(0.03 · k_c) a period, at one of the places.
  const random = mulberry32(11);
  const cells = 200;
  const study = studyAreaOf(Array.from({ length: cells }, (_, i) => 28000 + i));
  const k = Array.from({ length: cells }, () => 1 + Math.floor(random() * 10));
  const target = { cell: [] as number[], period: [] as number[], place: [] as number[] };
  const other = { cell: [] as number[], period: [] as number[], place: [] as number[] };
  const at = (c: number) => 100 * c + Math.floor(random() * k[c]!);
  for (let p = 0; p < 12; p++) {
    for (let c = 0; c < cells; c++) {
      for (let j = 0; j < 3; j++) [other.cell, other.period, other.place].forEach((a, m) => a.push([c, p, at(c)][m]!));
      for (let b = poisson(random, 0.03 * k[c]!); b > 0; b--) [target.cell, target.period, target.place].forEach((a, m) => a.push([c, p, at(c)][m]!));
    }
  }
  const withPlaces = peel(grid, study, placed(target.cell, target.period, target.place), 11, { other: placed(other.cell, other.period, other.place) });
  const without = peel(grid, study, events(target.cell, target.period), 11, { other: events(other.cell, other.period) });
  assert.equal(withPlaces.weights.length, 8); // seven features and the one interaction
  assert.equal(without.weights.length, 6); // no place ids: the places covariate and its product left out
  // the mean k of the 40 cells ranked first: the places find the cells with many (ranking by
  // k itself gives 9.18 with this seed; the burglary counts alone, 7.5)
  const meanKOfTop = (scores: ArrayLike<number>) => Array.from(rankCells(scores).slice(0, 40)).reduce((sum, c) => sum + k[c]!, 0) / 40;
  assert.ok(meanKOfTop(Float64Array.from(k)) > 9);
  assert.ok(meanKOfTop(withPlaces.scores) > 8.8, `with places: mean k ${meanKOfTop(withPlaces.scores)}`);
  assert.ok(meanKOfTop(without.scores) < 8, `without: mean k ${meanKOfTop(without.scores)}`);
  assert.ok(withPlaces.weights[6]! > 0.3, `places coefficient ${withPlaces.weights[6]}`);
});
