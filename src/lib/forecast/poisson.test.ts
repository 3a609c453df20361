import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fitPoisson, solveLinear } from './poisson.ts';
import { mulberry32, poisson } from './random.ts';

const close = (actual: number, expected: number, tol: number) => assert.ok(Math.abs(actual - expected) <= tol, `${actual} is not within ${tol} of ${expected}`);

test('solveLinear solves a small system worked by hand', () => {
  // 2x + y = 5, x + 3y = 10 → x = 1, y = 3
  const [x, y] = solveLinear([[2, 1], [1, 3]], [5, 10]);
  close(x!, 1, 1e-12);
  close(y!, 3, 1e-12);
});

test('one binary covariate, no ridge: the fit is the log of the two groups\' means (closed form)', () => {
  // x = 0: counts 1, 2, 3 (mean 2); x = 1: counts 5, 7 (mean 6)
  const fit = fitPoisson({ columns: [Float64Array.from([0, 0, 0, 1, 1])], y: Float64Array.from([1, 2, 3, 5, 7]) }, { ridge: 0 });
  assert.ok(fit.converged);
  close(fit.coefficients[0]!, Math.log(2), 1e-9);
  close(fit.coefficients[1]!, Math.log(6 / 2), 1e-9);
  // log L = Σ y log μ − μ − log y!, μ = 2, 2, 2, 6, 6
  const logFact = (k: number) => Math.log([1, 1, 2, 6, 24, 120, 720, 5040][k]!);
  const expected = [1, 2, 3].reduce((s, y) => s + y * Math.log(2) - 2 - logFact(y), 0) + [5, 7].reduce((s, y) => s + y * Math.log(6) - 6 - logFact(y), 0);
  close(fit.logLikelihood, expected, 1e-9);
});

test('the ridge pulls the slope toward zero but leaves the intercept free', () => {
  const design = { columns: [Float64Array.from([0, 0, 0, 1, 1])], y: Float64Array.from([1, 2, 3, 5, 7]) };
  const free = fitPoisson(design, { ridge: 0 }).coefficients[1]!;
  const shrunk = fitPoisson(design, { ridge: 0.5 }).coefficients;
  assert.ok(shrunk[1]! > 0 && shrunk[1]! < free);
  // at the penalised optimum the intercept's score is zero: Σ (y − μ) = 0
  const mu = [0, 0, 0, 1, 1].map((x) => Math.exp(shrunk[0]! + shrunk[1]! * x));
  close(design.y.reduce((s, y, i) => s + y - mu[i]!, 0), 0, 1e-7);
});

test('recovers known coefficients from simulated Poisson counts', () => {
  const random = mulberry32(11);
  const m = 20_000;
  const x1 = Float64Array.from({ length: m }, () => random() * 2 - 1);
  const x2 = Float64Array.from({ length: m }, () => random() * 2 - 1);
  const y = Float64Array.from({ length: m }, (_, i) => poisson(random, Math.exp(0.5 - 0.8 * x1[i]! + 0.3 * x2[i]!)));
  const fit = fitPoisson({ columns: [x1, x2], y }, { ridge: 0 });
  assert.ok(fit.converged && fit.iterations < 20);
  close(fit.coefficients[0]!, 0.5, 0.03);
  close(fit.coefficients[1]!, -0.8, 0.03);
  close(fit.coefficients[2]!, 0.3, 0.03);
});

test('refuses negative counts and ragged columns', () => {
  assert.throws(() => fitPoisson({ columns: [], y: Float64Array.from([1, -1]) }), /non-negative/);
  assert.throws(() => fitPoisson({ columns: [Float64Array.from([1])], y: Float64Array.from([1, 2]) }), /one value per row/);
});
