import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeGrid, studyAreaOf } from './grid.ts';
import { kde, kernelValue, naiveAll, naiveLast, prospective, type CellEvents } from './predictors.ts';

const close = (actual: number, expected: number, tol = 1e-12) => assert.ok(Math.abs(actual - expected) <= tol * Math.max(1, Math.abs(expected)), `${actual} is not ${expected}`);
const events = (cell: number[], period: number[]): CellEvents => ({ cell: Int32Array.from(cell), period: Int32Array.from(period) });

test('naive-last counts the last training period; naive-all the whole window', () => {
  const e = events([0, 1, 1, 2, 1, 0], [3, 3, 2, 1, 3, 0]);
  assert.deepEqual(Array.from(naiveLast(4, e, 3)), [1, 2, 0, 0]);
  assert.deepEqual(Array.from(naiveAll(4, e, 3)), [2, 3, 1, 0]);
});

test('a predictor refuses events after the last training period', () => {
  const e = events([0], [4]);
  assert.throws(() => naiveLast(1, e, 3), RangeError);
  assert.throws(() => naiveAll(1, e, 3), RangeError);
});

test('each kernel integrates to one over the plane', () => {
  // midpoint sum on a 1 m lattice; the quartic's edge is not smooth, so its sum is a little rougher
  for (const [kernel, h, tol] of [['gaussian', 10, 1e-8], ['quartic', 25, 1e-3]] as const) {
    let sum = 0;
    for (let x = -60.5; x <= 60.5; x++) for (let y = -60.5; y <= 60.5; y++) sum += kernelValue(kernel, h, x * x + y * y);
    close(sum, 1, tol);
  }
});

// Cell 28010 of the default grid (row 10, column 10) has its centre at (2625, 2625).
const grid = makeGrid();
const study = studyAreaOf([28010, 28011]);
// events 0, 100, 200 and 500 m from that centre
const eastings = [2625, 2725, 2625, 3125];
const northings = [2625, 2625, 2425, 2625];

test('Gaussian KDE at a cell centre, by hand', () => {
  const [at, next] = kde(grid, study, eastings, northings, { kernel: 'gaussian', bandwidth: 100 });
  // (1/4) · 1/(2π·100²) · (e⁰ + e^−0.5 + e^−2 + 0): the event 500 m away lies past the 4h cut-off
  close(at!, 0.25 * 1.5915494309189534e-5 * (1 + 0.6065306597126334 + 0.1353352832366127), 1e-12);
  close(at!, 6.930663e-6, 1e-6);
  // cell 28011's centre (2875, 2625) lies 250, 150, √(250² + 200²) and 250 m from the events
  close(next!, (0.25 / (2 * Math.PI * 1e4)) * (Math.exp(-3.125) + Math.exp(-1.125) + Math.exp(-(250 ** 2 + 200 ** 2) / 2e4) + Math.exp(-3.125)));
});

test('quartic KDE at a cell centre, by hand', () => {
  const [at] = kde(grid, study, eastings, northings, { kernel: 'quartic', bandwidth: 250 });
  // (1/4) · 3/(π·250²) · ((1 − 0)² + (1 − 0.16)² + (1 − 0.64)² + 0) = (1/4) · 1.5278874536821953e-5 · 1.8352
  close(at!, 0.25 * 1.5278874536821953e-5 * 1.8352);
  close(at!, 7.0099276e-6, 1e-7);
});

test('KDE of no events is zero everywhere', () => {
  assert.deepEqual(Array.from(kde(grid, study, [], [], { bandwidth: 100 })), [0, 0]);
  assert.throws(() => kde(grid, study, [], [], { bandwidth: 0 }), RangeError);
});

test('prospective hotspotting weights by 1/(1 + distance) × 1/(1 + age), by hand', () => {
  // cells a (row 10, col 10), b (10, 11), d (10, 13), c (11, 12); study order by id: a, b, d, c
  const area = studyAreaOf([28010, 28011, 28013, 30812]);
  assert.deepEqual(Array.from(area.cells), [28010, 28011, 28013, 30812]);
  const [a, b, d, c] = [0, 1, 2, 3];
  // last period 5: two events in a (ages 0 and 1), one in c (age 2), one in b (age 3: too old)
  const e = events([a, a, c, b], [5, 4, 3, 2]);
  const scores = prospective(grid, area, e, 5, { spaceBandwidthCells: 2, timeBandwidthPeriods: 2 });
  // a carries 1 + ½ = 1.5, c carries ⅓. Distances in cells: a–b 1, b–c √2, b–d 2, c–d √2, a–c √5 and a–d 3 (both too far).
  const s2 = Math.SQRT2 - 1; // 1 / (1 + √2)
  close(scores[a]!, 1.5);
  close(scores[b]!, 1.5 / 2 + s2 / 3);
  close(scores[d]!, s2 / 3);
  close(scores[c]!, 1 / 3);
  close(scores[b]!, 0.8880711874576984);
});
