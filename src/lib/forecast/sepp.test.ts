import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mulberry32 } from './random.ts';
import { fitSepp, seppDataOf, seppExpectedCounts, seppIntensity, seppLogLikelihood, simulateSepp, type SeppParameters } from './sepp.ts';

const close = (actual: number, expected: number, tol = 1e-12) => assert.ok(Math.abs(actual - expected) <= tol, `${actual} is not ${expected}`);

// One cell, μ = 0.5, θ = 0.2, ω = 1, events at t = 0 and t = 1, observed over [0, 3).
const tiny: SeppParameters = { mu: Float64Array.of(0.5), theta: 0.2, omega: 1 };
const tinyData = seppDataOf(1, [0, 0], [1, 0], 3);

test('events are grouped by cell and sorted in time', () => {
  const data = seppDataOf(3, [2, 0, 2, 2], [5, 1, 3, 4], 10);
  assert.deepEqual(Array.from(data.start), [0, 1, 1, 4]);
  assert.deepEqual(Array.from(data.times), [1, 3, 4, 5]);
  assert.throws(() => seppDataOf(1, [0], [10], 10), RangeError);
  assert.throws(() => seppDataOf(1, [0], [-1], 10), RangeError);
});

test('the intensity counts only strictly earlier events, by hand', () => {
  close(seppIntensity(tiny, tinyData, 0, 0), 0.5);
  close(seppIntensity(tiny, tinyData, 0, 1), 0.5 + 0.2 * 0.36787944117144233); // θω e^−1
  close(seppIntensity(tiny, tinyData, 0, 2), 0.5 + 0.2 * (0.1353352832366127 + 0.36787944117144233)); // 0.6006429…
  close(seppIntensity(tiny, tinyData, 0, 2), 0.600642944881611, 1e-15);
});

test('the log-likelihood, by hand', () => {
  // log 0.5 + log(0.5 + 0.2e^−1) − μT − θ[(1 − e^−3) + (1 − e^−2)]
  const expected = Math.log(0.5) + Math.log(0.5 + 0.2 * Math.exp(-1)) - 1.5 - 0.2 * (2 - Math.exp(-3) - Math.exp(-2));
  close(seppLogLikelihood(tiny, tinyData), expected);
  // two events at the same time do not trigger each other: both see λ = μ
  const tied = seppDataOf(1, [0, 0], [1, 1], 3);
  close(seppLogLikelihood(tiny, tied), 2 * Math.log(0.5) - 1.5 - 0.4 * (1 - Math.exp(-2)));
  // after a gap the recursion must still count both tied events: λ(2) = μ + 2θω e^−1
  const tiedThenOne = seppDataOf(1, [0, 0, 0], [1, 1, 2], 3);
  close(
    seppLogLikelihood(tiny, tiedThenOne),
    2 * Math.log(0.5) + Math.log(0.5 + 0.4 * Math.exp(-1)) - 1.5 - 0.2 * (2 * (1 - Math.exp(-2)) + (1 - Math.exp(-1))),
  );
});

test('the expected count of the next period, by hand', () => {
  // μ·1 + θ[(e^−3 − e^−4) + (e^−2 − e^−3)] = 0.5 + 0.2(e^−2 − e^−4)
  const [expected] = seppExpectedCounts(tiny, tinyData, 3, 4);
  close(expected!, 0.5 + 0.2 * (Math.exp(-2) - Math.exp(-4)));
});

test('EM recovers the parameters of a simulated process', () => {
  // 100 cells, background 0.02–0.14 a day, θ = 0.4 offspring per event after 2 days on average, 1000 days
  const mu = Float64Array.from({ length: 100 }, (_, c) => 0.02 + 0.03 * (c % 5));
  const truth: SeppParameters = { mu, theta: 0.4, omega: 0.5 };
  const window = 1000;
  const simulated = simulateSepp(truth, window, mulberry32(20150401));
  // expected size Σμ·T / (1 − θ) = 8000 / 0.6 ≈ 13 333, less the offspring cut off at T
  assert.ok(simulated.time.length > 12_500 && simulated.time.length < 14_000, `${simulated.time.length} events`);
  const data = seppDataOf(100, simulated.cell, simulated.time, window);
  const fit = fitSepp(data);
  assert.ok(fit.converged, `not converged after ${fit.iterations} iterations`);
  assert.ok(Math.abs(fit.theta - 0.4) < 0.04, `θ = ${fit.theta}`);
  assert.ok(Math.abs(fit.omega - 0.5) / 0.5 < 0.1, `ω = ${fit.omega}`);
  // in a stationary process the share of events that are offspring is the branching ratio θ
  assert.ok(Math.abs(fit.triggeredShare - 0.4) < 0.04, `triggered share ${fit.triggeredShare}`);
  let total = 0;
  let relativeError = 0;
  for (let c = 0; c < 100; c++) {
    total += fit.mu[c]!;
    relativeError += Math.abs(fit.mu[c]! - mu[c]!) / mu[c]!;
  }
  assert.ok(Math.abs(total - 8) / 8 < 0.05, `Σμ = ${total}`);
  assert.ok(relativeError / 100 < 0.2, `mean relative error of μ ${relativeError / 100}`);
  // ECM never lowers the log-likelihood
  const ll = fit.logLikelihood;
  for (let i = 1; i < ll.length; i++) assert.ok(ll[i]! >= ll[i - 1]! - 1e-9 * Math.abs(ll[i]!), `log-likelihood fell at iteration ${i}`);
  // the fit is the maximum-likelihood estimate: nudging θ, ω or one μ_c by 1% either way only lowers log L
  const best = seppLogLikelihood(fit, data);
  for (const factor of [0.99, 1.01]) {
    assert.ok(seppLogLikelihood({ ...fit, theta: fit.theta * factor }, data) < best);
    assert.ok(seppLogLikelihood({ ...fit, omega: fit.omega * factor }, data) < best);
    const mu7 = fit.mu.slice();
    mu7[7]! *= factor;
    assert.ok(seppLogLikelihood({ ...fit, mu: mu7 }, data) < best);
  }
  assert.ok(best >= seppLogLikelihood(truth, data));
  // the paper's M-step, which ignores the window's edge, lands close by when 1/ω ≪ T
  const paper = fitSepp(data, { edgeCorrection: false });
  assert.ok(paper.converged);
  assert.ok(Math.abs(paper.theta - 0.4) < 0.04, `paper's θ = ${paper.theta}`);
  assert.ok(Math.abs(paper.omega - 0.5) / 0.5 < 0.1, `paper's ω = ${paper.omega}`);
});

test('EM finds little triggering in a plain Poisson process', () => {
  const truth: SeppParameters = { mu: Float64Array.from({ length: 50 }, () => 0.1), theta: 0, omega: 1 };
  const simulated = simulateSepp(truth, 1000, mulberry32(2011));
  const fit = fitSepp(seppDataOf(50, simulated.cell, simulated.time, 1000));
  assert.ok(fit.converged);
  assert.ok(fit.triggeredShare < 0.03, `triggered share ${fit.triggeredShare}`);
});

test('no events: nothing to fit', () => {
  const fit = fitSepp(seppDataOf(3, [], [], 10));
  assert.equal(fit.theta, 0);
  assert.deepEqual(Array.from(fit.mu), [0, 0, 0]);
});
