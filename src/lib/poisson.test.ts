import { test } from 'node:test';
import assert from 'node:assert/strict';
import { binomialUpperTail, logGamma, percentChange, poissonChangeExactP, poissonChangeZ, poissonChangeZCorrected, regularizedIncompleteBeta } from './poisson.ts';

const close = (actual: number, expected: number, tol = 1e-10) => assert.ok(Math.abs(actual - expected) <= tol, `${actual} is not ${expected} (±${tol})`);

/** P(X ≥ k), X ~ Binomial(n, ½), summed exactly in integers: the reference the tail function is tested against. */
function exactHalfTail(n: number, k: number): number {
  let coef = 1n;
  let sum = 0n;
  for (let i = 0; i <= n; i++) {
    if (i >= k) sum += coef;
    coef = (coef * BigInt(n - i)) / BigInt(i + 1);
  }
  // sum / 2^n, keeping 40 significant bits
  const shift = BigInt(Math.max(0, n - 60));
  return Number(sum >> shift) / 2 ** (n - Number(shift));
}

test('z = (x1 − x0) / √(x1 + x0) on hand-computed values', () => {
  close(poissonChangeZ(16, 9), -1.4); // (9 − 16) / √25 = −7/5
  close(poissonChangeZ(0, 4), 2); // 4 / √4
  close(poissonChangeZ(10, 20), 10 / Math.sqrt(30)); // 1.825741858…
  close(poissonChangeZ(10, 20), 1.8257418583505538);
  close(poissonChangeZ(50, 50), 0);
  close(poissonChangeZ(0, 0), 0);
  close(poissonChangeZ(36, 64), 2.8); // 28 / 10
});

test('continuity-corrected z shrinks the difference by one', () => {
  close(poissonChangeZCorrected(16, 9), -1.2); // −(7 − 1) / 5
  close(poissonChangeZCorrected(36, 64), 2.7); // 27 / 10
  close(poissonChangeZCorrected(5, 6), 0); // |1| − 1 = 0
  close(poissonChangeZCorrected(0, 0), 0);
});

test('percent change is null from zero', () => {
  assert.equal(percentChange(0, 5), null);
  close(percentChange(20, 25)!, 25);
  close(percentChange(8, 2)!, -75);
});

test('log-gamma matches factorials and Γ(½) = √π', () => {
  close(logGamma(1), 0, 1e-13);
  close(logGamma(5), Math.log(24), 1e-12);
  close(logGamma(11), Math.log(3628800), 1e-12);
  close(logGamma(0.5), Math.log(Math.sqrt(Math.PI)), 1e-12);
  close(logGamma(101), 363.73937555556347, 1e-9); // ln 100!
});

test('incomplete beta on known values', () => {
  close(regularizedIncompleteBeta(0.5, 1, 1), 0.5, 1e-14); // uniform
  close(regularizedIncompleteBeta(0.3, 2, 1), 0.09, 1e-14); // x²
  close(regularizedIncompleteBeta(0.3, 1, 2), 1 - 0.49, 1e-14); // 1 − (1 − x)²
  close(regularizedIncompleteBeta(0.5, 3, 3), 0.5, 1e-14); // symmetric
});

test('binomial tail against exact integer sums', () => {
  // n = 10, P(X ≥ 8) = (45 + 10 + 1) / 1024 by hand
  close(binomialUpperTail(10, 8, 0.5), 56 / 1024, 1e-14);
  close(binomialUpperTail(10, 0, 0.5), 1);
  close(binomialUpperTail(10, 11, 0.5), 0);
  for (const [n, k] of [[30, 20], [25, 16], [100, 60], [400, 230], [1000, 530]] as const) {
    close(binomialUpperTail(n, k, 0.5), exactHalfTail(n, k), 1e-12);
  }
});

test('exact conditional p-value, two-sided', () => {
  close(poissonChangeExactP(2, 8), 2 * (56 / 1024), 1e-14); // 0.109375
  close(poissonChangeExactP(8, 2), 0.109375, 1e-14); // symmetric
  close(poissonChangeExactP(0, 5), 2 / 32, 1e-14); // 2 · (½)^5
  close(poissonChangeExactP(5, 5), 1); // capped at 1
  close(poissonChangeExactP(0, 0), 1);
  close(poissonChangeExactP(10, 20), 2 * exactHalfTail(30, 20), 1e-12); // 0.0987…
});
