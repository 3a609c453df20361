/**
 * Comparing two Poisson counts observed over equal exposures (for example the crimes in
 * one map cell this year and the year before).
 *
 * If x0 ~ Poisson(λ0) and x1 ~ Poisson(λ1) are independent, then given their sum
 * n = x0 + x1, x1 is Binomial(n, λ1 / (λ0 + λ1)); under "no change" (λ0 = λ1) that is
 * Binomial(n, ½). Its normal approximation gives z = (x1 − x0) / √(x1 + x0); the exact
 * binomial tail gives the exact conditional test (Przyborowski & Wilenski, Biometrika 31,
 * 1940; Armitage, Berry & Matthews, Statistical Methods in Medical Research, 4th ed.,
 * 2002, comparison of two counts).
 */

/** z = (x1 − x0) / √(x1 + x0): positive when the later count x1 is higher; 0 when both are 0. */
export function poissonChangeZ(previous: number, current: number): number {
  const n = previous + current;
  return n === 0 ? 0 : (current - previous) / Math.sqrt(n);
}

/** The same with Yates's continuity correction: (|x1 − x0| − 1)⁺ / √(x1 + x0), signed like x1 − x0. */
export function poissonChangeZCorrected(previous: number, current: number): number {
  const n = previous + current;
  if (n === 0) return 0;
  const d = Math.max(0, Math.abs(current - previous) - 1);
  return (Math.sign(current - previous) * d) / Math.sqrt(n);
}

/** (x1 − x0) / x0 × 100, or null when x0 is 0 (a change from nothing has no percentage). */
export function percentChange(previous: number, current: number): number | null {
  return previous === 0 ? null : ((current - previous) / previous) * 100;
}

/**
 * Two-sided p-value of the exact conditional test of equal rates: with n = x0 + x1 and
 * X ~ Binomial(n, ½), p = min(1, 2·P(X ≥ max(x0, x1))). 1 when both are 0.
 */
export function poissonChangeExactP(previous: number, current: number): number {
  const n = previous + current;
  if (n === 0) return 1;
  const k = Math.max(previous, current);
  return Math.min(1, 2 * binomialUpperTail(n, k, 0.5));
}

/** P(X ≥ k) for X ~ Binomial(n, p), through the regularised incomplete beta: I_p(k, n − k + 1). */
export function binomialUpperTail(n: number, k: number, p: number): number {
  if (k <= 0) return 1;
  if (k > n) return 0;
  return regularizedIncompleteBeta(p, k, n - k + 1);
}

/** ln Γ(x) for x > 0 (Lanczos, g = 7, n = 9; relative error below 1e-13). */
export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012,
    9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  const z = x - 1;
  let a = c[0]!;
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += c[i]! / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/** I_x(a, b), by the continued fraction (modified Lentz), using the symmetry I_x(a,b) = 1 − I_{1−x}(b,a) for convergence. */
export function regularizedIncompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const lnFront = logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x);
  if (x < (a + 1) / (a + b + 2)) return (Math.exp(lnFront) * betaContinuedFraction(x, a, b)) / a;
  return 1 - (Math.exp(lnFront) * betaContinuedFraction(1 - x, b, a)) / b;
}

function betaContinuedFraction(x: number, a: number, b: number): number {
  const tiny = 1e-300;
  const qab = a + b;
  const qap = a + 1;
  const qam = a - 1;
  let c = 1;
  let d = 1 - (qab * x) / qap;
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 10_000; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((qam + m2) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (qab + m) * x) / ((a + m2) * (qap + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-15) break;
  }
  return h;
}
