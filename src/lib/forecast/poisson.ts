/**
 * Poisson regression with a log link, fitted by Newton's method (iteratively reweighted
 * least squares), with an optional ridge penalty on the slopes (never on the intercept):
 *
 *   yᵢ ~ Poisson(μᵢ),  log μᵢ = β₀ + Σₖ βₖ xᵢₖ
 *   maximise ℓ(β) − ½ ρ m Σₖ≥₁ βₖ²   (m = number of rows, so ρ does not depend on the data size)
 *
 * ℓ(β) = Σᵢ [yᵢ log μᵢ − μᵢ − log yᵢ!]. The penalised log-likelihood is concave, so Newton's
 * method with step halving reaches its maximum; it stops when no coefficient moves by more
 * than `tolerance`.
 */

export interface PoissonDesign {
  /** one column per covariate, each of the same length as y (the intercept is added) */
  columns: readonly Float64Array[];
  y: Float64Array;
}

export interface PoissonOptions {
  /** ρ: the ridge penalty per row on each slope; 1e-3 by default */
  ridge?: number;
  maxIterations?: number;
  /** largest coefficient change at which Newton stops; 1e-9 by default */
  tolerance?: number;
}

export interface PoissonFit {
  /** β₀ (intercept) then β₁ … βₚ, one per column */
  coefficients: number[];
  iterations: number;
  converged: boolean;
  /** the Poisson log-likelihood at the fit (with the log yᵢ! terms) */
  logLikelihood: number;
}

function logFactorial(k: number): number {
  let s = 0;
  for (let j = 2; j <= k; j++) s += Math.log(j);
  return s;
}

/** The penalised objective and the linear predictor of the design at β. */
function objective(design: PoissonDesign, beta: readonly number[], ridge: number, eta: Float64Array): number {
  const m = design.y.length;
  eta.fill(beta[0]!);
  design.columns.forEach((x, k) => {
    const b = beta[k + 1]!;
    for (let i = 0; i < m; i++) eta[i]! += b * x[i]!;
  });
  let ll = 0;
  for (let i = 0; i < m; i++) ll += design.y[i]! * eta[i]! - Math.exp(eta[i]!);
  let penalty = 0;
  for (let k = 1; k < beta.length; k++) penalty += beta[k]! * beta[k]!;
  return ll - 0.5 * ridge * m * penalty;
}

/** Solves A x = b (A symmetric positive definite, small) by Gaussian elimination with partial pivoting. */
export function solveLinear(a: number[][], b: number[]): number[] {
  const p = b.length;
  const m = a.map((row, i) => [...row, b[i]!]);
  for (let i = 0; i < p; i++) {
    let pivot = i;
    for (let r = i + 1; r < p; r++) if (Math.abs(m[r]![i]!) > Math.abs(m[pivot]![i]!)) pivot = r;
    [m[i], m[pivot]] = [m[pivot]!, m[i]!];
    const d = m[i]![i]!;
    if (d === 0) throw new RangeError('singular system');
    for (let r = 0; r < p; r++) {
      if (r === i) continue;
      const f = m[r]![i]! / d;
      if (f === 0) continue;
      for (let c = i; c <= p; c++) m[r]![c]! -= f * m[i]![c]!;
    }
  }
  return m.map((row, i) => row[p]! / row[i]!);
}

export function fitPoisson(design: PoissonDesign, options: PoissonOptions = {}): PoissonFit {
  const { y, columns } = design;
  const m = y.length;
  for (const x of columns) if (x.length !== m) throw new RangeError('every column must have one value per row');
  for (let i = 0; i < m; i++) if (!(y[i]! >= 0)) throw new RangeError(`row ${i}: a count must be non-negative, not ${y[i]}`);
  const ridge = options.ridge ?? 1e-3;
  const tolerance = options.tolerance ?? 1e-9;
  const maxIterations = options.maxIterations ?? 50;
  const p = columns.length + 1;
  let total = 0;
  for (let i = 0; i < m; i++) total += y[i]!;
  // start at the intercept-only fit (log of the mean), or a very low rate for all-zero data
  const beta = new Array<number>(p).fill(0);
  beta[0] = Math.log(Math.max(total, 1e-3) / Math.max(m, 1));
  const eta = new Float64Array(m);
  let current = objective(design, beta, ridge, eta);
  let iterations = 0;
  let converged = false;
  const x = (k: number, i: number) => (k === 0 ? 1 : columns[k - 1]![i]!);
  while (iterations < maxIterations) {
    iterations++;
    const gradient = new Array<number>(p).fill(0);
    const hessian = Array.from({ length: p }, () => new Array<number>(p).fill(0));
    for (let i = 0; i < m; i++) {
      const mu = Math.exp(eta[i]!);
      const r = y[i]! - mu;
      for (let a = 0; a < p; a++) {
        const xa = x(a, i);
        gradient[a]! += r * xa;
        for (let c = 0; c <= a; c++) hessian[a]![c]! += mu * xa * x(c, i);
      }
    }
    for (let a = 1; a < p; a++) {
      gradient[a]! -= ridge * m * beta[a]!;
      hessian[a]![a]! += ridge * m;
    }
    for (let a = 0; a < p; a++) for (let c = a + 1; c < p; c++) hessian[a]![c] = hessian[c]![a]!;
    const step = solveLinear(hessian, gradient);
    // step halving keeps every iteration an ascent step
    let scale = 1;
    let next = beta.map((b, k) => b + step[k]!);
    let value = objective(design, next, ridge, eta);
    while (!(value >= current - 1e-12 * Math.abs(current)) && scale > 1e-6) {
      scale /= 2;
      next = beta.map((b, k) => b + scale * step[k]!);
      value = objective(design, next, ridge, eta);
    }
    const moved = Math.max(...next.map((b, k) => Math.abs(b - beta[k]!)));
    for (let k = 0; k < p; k++) beta[k] = next[k]!;
    current = value;
    if (moved < tolerance) {
      converged = true;
      break;
    }
  }
  objective(design, beta, 0, eta);
  let logLikelihood = 0;
  for (let i = 0; i < m; i++) logLikelihood += y[i]! * eta[i]! - Math.exp(eta[i]!) - logFactorial(y[i]!);
  return { coefficients: beta, iterations, converged, logLikelihood };
}
