import { test } from 'node:test';
import assert from 'node:assert/strict';
import { exponential, mulberry32, poisson } from './random.ts';

test('the same seed gives the same numbers, in [0, 1)', () => {
  const a = mulberry32(42);
  const b = mulberry32(42);
  const c = mulberry32(43);
  const xs = Array.from({ length: 5 }, a);
  assert.deepEqual(xs, Array.from({ length: 5 }, b));
  assert.notDeepEqual(xs, Array.from({ length: 5 }, c));
  assert.ok(xs.every((x) => x >= 0 && x < 1));
});

test('sample means match the uniform, exponential and Poisson means', () => {
  const random = mulberry32(7);
  const n = 200_000;
  let u = 0;
  let e = 0;
  let p = 0;
  for (let i = 0; i < n; i++) {
    u += random();
    e += exponential(random, 4);
    p += poisson(random, 2.5);
  }
  // tolerances are about five standard errors: √(1/12n), √(1/16n), √(2.5/n)
  assert.ok(Math.abs(u / n - 0.5) < 0.0033, `uniform mean ${u / n}`);
  assert.ok(Math.abs(e / n - 0.25) < 0.0028, `exponential mean ${e / n}`);
  assert.ok(Math.abs(p / n - 2.5) < 0.018, `Poisson mean ${p / n}`);
});
