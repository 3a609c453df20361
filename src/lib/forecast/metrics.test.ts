import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cellsSelected, meanOverPeriods, rankCells, scoreForecast } from './metrics.ts';

const close = (actual: number, expected: number, tol = 1e-12) => assert.ok(Math.abs(actual - expected) <= tol, `${actual} is not ${expected}`);

test('k = ⌈coverage × cells⌉, at least one, without floating-point round-up', () => {
  assert.equal(cellsSelected(0.07, 100), 7); // 0.07 × 100 = 7.000000000000001 in floating point
  assert.equal(cellsSelected(0.07, 300), 21); // 21.000000000000004
  assert.equal(cellsSelected(0.05, 1234), 62); // ⌈61.7⌉
  assert.equal(cellsSelected(0.01, 250), 3); // ⌈2.5⌉
  assert.equal(cellsSelected(0.2, 4), 1); // ⌈0.8⌉
  assert.equal(cellsSelected(0.01, 10), 1);
  assert.equal(cellsSelected(1, 10), 10);
  assert.throws(() => cellsSelected(0, 10), RangeError);
  assert.throws(() => cellsSelected(1.5, 10), RangeError);
});

// Ten study cells. Ranking by score, ties by index: 3 (8), 0 (5), 1, 2, 5, 9 (all 3), 8 (2), 6 (1), 4, 7 (0).
const scores = [5, 3, 3, 8, 0, 3, 1, 0, 2, 3];
const counts = [2, 0, 4, 1, 0, 1, 0, 3, 0, 1]; // 12 events

test('ranking is by score descending, ties by cell id ascending', () => {
  assert.deepEqual(Array.from(rankCells(scores)), [3, 0, 1, 2, 5, 9, 8, 6, 4, 7]);
});

test('hit rate and PAI on a hand-computed period', () => {
  const s = scoreForecast(scores, counts, [0.1, 0.2, 0.3, 0.35, 0.5, 1]);
  assert.deepEqual(s.map((x) => x.k), [1, 2, 3, 4, 5, 10]);
  assert.deepEqual(s.map((x) => x.hits), [1, 3, 3, 7, 8, 12]); // cumulative 1, +2, +0, +4, +1
  assert.ok(s.every((x) => x.events === 12));
  close(s[0]!.hitRate, 1 / 12);
  close(s[0]!.pai, 1 / 12 / 0.1);
  close(s[1]!.hitRate, 0.25);
  close(s[1]!.pai, 1.25);
  close(s[2]!.pai, 0.25 / 0.3); // had the tie gone to cell 9, hits would be 4
  close(s[3]!.hitRate, 7 / 12);
  close(s[3]!.pai, 7 / 12 / 0.4); // k = ⌈3.5⌉ = 4, so the share selected is 0.4, not 0.35
  close(s[4]!.pai, 8 / 12 / 0.5);
  close(s[5]!.hitRate, 1);
  close(s[5]!.pai, 1);
});

test('a period with no events has no hit rate, and the mean skips it', () => {
  const first = scoreForecast(scores, counts, [0.1, 0.5]);
  const second = scoreForecast(scores, [0, 0, 0, 0, 0, 0, 0, 0, 0, 2], [0.1, 0.5]); // cell 9 is ranked 6th
  const empty = scoreForecast(scores, new Array(10).fill(0), [0.1, 0.5]);
  assert.ok(Number.isNaN(empty[0]!.hitRate));
  assert.equal(second[1]!.hits, 0);
  const mean = meanOverPeriods([first, second, empty]);
  assert.deepEqual(mean.map((m) => [m.coverage, m.periods]), [[0.1, 2], [0.5, 2]]);
  close(mean[0]!.meanHitRate, (1 / 12 + 0) / 2);
  close(mean[0]!.meanPai, (10 / 12 + 0) / 2);
  close(mean[1]!.meanHitRate, (8 / 12 + 0) / 2);
  close(mean[1]!.meanPai, (4 / 3 + 0) / 2);
  assert.deepEqual(meanOverPeriods([]), []);
});

test('scores and counts must describe the same cells', () => {
  assert.throws(() => scoreForecast([1, 2], [1]), RangeError);
});
