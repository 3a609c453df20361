/**
 * The self-exciting point process on a grid behind PredPol (Mohler, Short, Malinowski,
 * Johnson, Tita, Bertozzi & Brantingham 2015, "Randomized controlled field trials of
 * predictive policing", J. Am. Stat. Assoc. 110(512), 1399–1411; the continuous form in
 * Mohler, Short, Brantingham, Schoenberg & Tita 2011, "Self-exciting point process modeling
 * of crime", J. Am. Stat. Assoc. 106(493), 100–108).
 *
 * Each cell c has the conditional intensity
 *   λ_c(t) = μ_c + Σ_{tᵢ in c, tᵢ < t} θ ω e^{−ω (t − tᵢ)}
 * a background rate μ_c plus triggering from the cell's own past events: each event has on
 * average θ direct offspring, arriving after Exp(ω) delays. Time is continuous (days, or
 * periods), observed over [0, T).
 *
 * Fitted by expectation–maximisation (the 2015 paper's algorithm):
 *   E-step  pᵢᵢ = μ_c / λ_c(tᵢ)  (event i is background),
 *           pᵢⱼ = θω e^{−ω(tᵢ−tⱼ)} / λ_c(tᵢ)  (event i was triggered by earlier event j)
 *   M-step  θ = Σ pᵢⱼ / N,   ω = Σ pᵢⱼ / Σ pᵢⱼ (tᵢ − tⱼ),   μ_c = Σ_{i in c} pᵢᵢ / T.
 * That M-step neglects the offspring of events near T that would fall after T, which is
 * harmless when 1/ω ≪ T but not over twelve monthly periods (on short windows it can send
 * θ to 0). By default θ and ω are therefore updated with the edge counted (see
 * `edgeCorrectedStep`), so EM converges to the maximum-likelihood estimate and the
 * log-likelihood never falls; `edgeCorrection: false` gives the paper's M-step.
 * The exponential kernel lets the sums over earlier events run as a recursion, so each
 * iteration costs O(N) rather than O(Σ n_c²): with Δ the gap to the previous distinct time,
 *   A(t) = Σ_{tⱼ<t} e^{−ω(t−tⱼ)}             = e^{−ωΔ} (A(t′) + m′)
 *   B(t) = Σ_{tⱼ<t} (t−tⱼ) e^{−ω(t−tⱼ)}      = e^{−ωΔ} (B(t′) + Δ (A(t′) + m′))
 * where t′ is the previous distinct time and m′ the events at it (events at the same time,
 * as in monthly data, do not trigger one another).
 */
import { exponential, poisson } from './random.ts';

/** Events grouped by study cell, in time order within each cell. */
export interface SeppData {
  /** events of cell c are times[start[c]] … times[start[c + 1] − 1] */
  start: Int32Array;
  times: Float64Array;
  /** T: events lie in [0, T) */
  window: number;
}

export interface SeppParameters {
  /** background rate per cell, events per unit time */
  mu: Float64Array;
  /** mean number of direct offspring per event */
  theta: number;
  /** triggering decay rate per unit time (mean delay 1/ω) */
  omega: number;
}

export interface SeppFit extends SeppParameters {
  iterations: number;
  /** log-likelihood at the start of each iteration, then at the fitted parameters */
  logLikelihood: number[];
  /**
   * Σpᵢⱼ / N at the fitted parameters: the estimated share of events triggered by an earlier
   * one. Read this rather than θ when ω·T is tiny: offspring then arrive too slowly to be
   * told from background, only θω is identified, and θ itself means nothing.
   */
  triggeredShare: number;
  converged: boolean;
}

export interface SeppFitOptions {
  maxIterations?: number;
  /** converged when the log-likelihood changes by less than this fraction of itself */
  tolerance?: number;
  initialTheta?: number;
  initialOmega?: number;
  /**
   * Count only the offspring an event could have had before T (true by default): the
   * paper's M-step treats every event as having had its whole offspring, which biases θ
   * low by about 1/(ωT) — 10% or more for twelve monthly periods. See `edgeCorrectedStep`.
   */
  edgeCorrection?: boolean;
}

/** Groups events (study cell, time) by cell and sorts each cell's times. */
export function seppDataOf(studyCells: number, cell: ArrayLike<number>, time: ArrayLike<number>, window: number): SeppData {
  const start = new Int32Array(studyCells + 1);
  for (let i = 0; i < cell.length; i++) {
    const t = time[i]!;
    if (!(t >= 0 && t < window)) throw new RangeError(`event ${i} at time ${t} lies outside [0, ${window})`);
    start[cell[i]! + 1]! += 1;
  }
  for (let c = 0; c < studyCells; c++) start[c + 1]! += start[c]!;
  const next = start.slice(0, studyCells);
  const times = new Float64Array(cell.length);
  for (let i = 0; i < cell.length; i++) times[next[cell[i]!]!++] = time[i]!;
  for (let c = 0; c < studyCells; c++) times.subarray(start[c]!, start[c + 1]!).sort();
  return { start, times, window };
}

/** λ_c(t) from the cell's events strictly before t. */
export function seppIntensity(parameters: SeppParameters, data: SeppData, cell: number, t: number): number {
  let triggering = 0;
  for (let i = data.start[cell]!; i < data.start[cell + 1]!; i++) {
    const ti = data.times[i]!;
    if (ti < t) triggering += Math.exp(-parameters.omega * (t - ti));
  }
  return parameters.mu[cell]! + parameters.theta * parameters.omega * triggering;
}

/** log L = Σ_c [ Σ_{i in c} log λ_c(tᵢ) − μ_c T − θ Σ_{i in c} (1 − e^{−ω(T − tᵢ)}) ]. */
export function seppLogLikelihood(parameters: SeppParameters, data: SeppData): number {
  return eStep(parameters, data).logLikelihood;
}

interface EStepSums {
  /** Σ_{i in c} pᵢᵢ per cell */
  background: Float64Array;
  /** Σ pᵢⱼ over all pairs */
  triggered: number;
  /** Σ pᵢⱼ (tᵢ − tⱼ) over all pairs */
  triggeredDelay: number;
  logLikelihood: number;
}

function eStep({ mu, theta, omega }: SeppParameters, data: SeppData): EStepSums {
  const cells = data.start.length - 1;
  const T = data.window;
  const background = new Float64Array(cells);
  let triggered = 0;
  let triggeredDelay = 0;
  let logLikelihood = 0;
  for (let c = 0; c < cells; c++) {
    const from = data.start[c]!;
    const to = data.start[c + 1]!;
    if (from === to) continue;
    const m = mu[c]!;
    let a = 0;
    let b = 0;
    let previous = data.times[from]!;
    let atPrevious = 0;
    let bg = 0;
    let compensator = m * T;
    for (let i = from; i < to; i++) {
      const t = data.times[i]!;
      if (t > previous) {
        const gap = t - previous;
        const decay = Math.exp(-omega * gap);
        b = decay * (b + gap * (a + atPrevious));
        a = decay * (a + atPrevious);
        previous = t;
        atPrevious = 0;
      }
      atPrevious++;
      const lambda = m + theta * omega * a;
      logLikelihood += Math.log(lambda);
      bg += m / lambda;
      triggered += (theta * omega * a) / lambda;
      triggeredDelay += (theta * omega * b) / lambda;
      compensator += theta * (1 - Math.exp(-omega * (T - t)));
    }
    background[c] = bg;
    logLikelihood -= compensator;
  }
  return { background, triggered, triggeredDelay, logLikelihood };
}

/** Fits μ, θ, ω by EM; starts from μ_c = n_c / 2T, θ = ½ and ω = 1 unless told otherwise. */
export function fitSepp(data: SeppData, options: SeppFitOptions = {}): SeppFit {
  const maxIterations = options.maxIterations ?? 500;
  const tolerance = options.tolerance ?? 1e-9;
  const cells = data.start.length - 1;
  const events = data.times.length;
  const mu = new Float64Array(cells);
  for (let c = 0; c < cells; c++) mu[c] = (data.start[c + 1]! - data.start[c]!) / (2 * data.window);
  let parameters: SeppParameters = { mu, theta: options.initialTheta ?? 0.5, omega: options.initialOmega ?? 1 };
  const trace: number[] = [];
  if (events === 0) return { ...parameters, theta: 0, iterations: 0, logLikelihood: [0], triggeredShare: 0, converged: true };
  const edgeCorrection = options.edgeCorrection ?? true;
  const remaining = timesLeftInWindow(data);
  let converged = false;
  let iterations = 0;
  let triggeredShare = 0;
  while (iterations < maxIterations) {
    const sums = eStep(parameters, data);
    triggeredShare = sums.triggered / events;
    const previous = trace.at(-1);
    trace.push(sums.logLikelihood);
    if (previous !== undefined && Math.abs(sums.logLikelihood - previous) <= tolerance * Math.abs(sums.logLikelihood)) {
      converged = true;
      break;
    }
    iterations++;
    const nextMu = sums.background.map((p) => p / data.window);
    if (sums.triggered <= 0) {
      // no triggering left: θ is 0 and there is no delay to learn, so keep ω
      parameters = { mu: nextMu, theta: 0, omega: parameters.omega };
    } else if (edgeCorrection) {
      parameters = { mu: nextMu, ...edgeCorrectedStep(sums, parameters, remaining) };
    } else {
      parameters = { mu: nextMu, theta: sums.triggered / events, omega: sums.triggered / sums.triggeredDelay };
    }
  }
  if (!converged) {
    const sums = eStep(parameters, data);
    trace.push(sums.logLikelihood);
    triggeredShare = sums.triggered / events;
  }
  return { ...parameters, iterations, logLikelihood: trace, triggeredShare, converged };
}

/** The distinct times left before T, s = T − tᵢ, with how many events have each (few for monthly or daily data). */
interface TimesLeft {
  left: Float64Array;
  count: Float64Array;
}

function timesLeftInWindow(data: SeppData): TimesLeft {
  const sorted = data.times.slice().sort();
  const left: number[] = [];
  const count: number[] = [];
  for (let i = 0; i < sorted.length; i++) {
    const s = data.window - sorted[i]!;
    if (left.length > 0 && left[left.length - 1] === s) count[count.length - 1]! += 1;
    else {
      left.push(s);
      count.push(1);
    }
  }
  return { left: Float64Array.from(left), count: Float64Array.from(count) };
}

/**
 * The M-step for θ and ω with the window's edge counted (an expectation–conditional
 * maximisation step, so the log-likelihood never falls). With P = Σpᵢⱼ, D = Σpᵢⱼ(tᵢ − tⱼ)
 * and sᵢ = T − tᵢ, the expected complete-data log-likelihood in θ and ω is
 *   Q(θ, ω) = P log θ + P log ω − ωD − θ Σᵢ (1 − e^{−ω sᵢ}).
 * First ω maximises Q at the current θ (a root of P/ω − D − θ Σᵢ sᵢ e^{−ω sᵢ}, found by
 * bracketing and bisection, kept only if Q rises), then θ = P / Σᵢ (1 − e^{−ω sᵢ}) exactly.
 */
function edgeCorrectedStep(sums: EStepSums, current: SeppParameters, remaining: TimesLeft): { theta: number; omega: number } {
  const P = sums.triggered;
  const D = sums.triggeredDelay;
  const { left, count } = remaining;
  const offspringSeen = (omega: number) => {
    let f = 0;
    for (let k = 0; k < left.length; k++) f += count[k]! * (1 - Math.exp(-omega * left[k]!));
    return f;
  };
  const q = (omega: number) => P * Math.log(omega) - omega * D - current.theta * offspringSeen(omega);
  // dQ/dω and d²Q/dω² at the current θ
  const slopeAndCurvature = (omega: number): [number, number] => {
    let g = 0;
    let h = 0;
    for (let k = 0; k < left.length; k++) {
      const w = count[k]! * left[k]! * Math.exp(-omega * left[k]!);
      g += w;
      h += w * left[k]!;
    }
    return [P / omega - D - current.theta * g, -P / (omega * omega) + current.theta * h];
  };
  const slope = (omega: number) => slopeAndCurvature(omega)[0];
  let low = current.omega;
  let high = current.omega;
  for (let i = 0; i < 60 && slope(low) < 0; i++) low /= 2;
  for (let i = 0; i < 60 && slope(high) > 0; i++) high *= 2;
  // Newton's method, falling back to bisection whenever a step leaves the bracket
  let candidate = current.omega;
  for (let i = 0; i < 100; i++) {
    const [g, h] = slopeAndCurvature(candidate);
    if (g > 0) low = candidate;
    else high = candidate;
    let next = candidate - g / h;
    if (!(h < 0 && next > low && next < high)) next = (low + high) / 2;
    const done = Math.abs(next - candidate) <= 1e-12 * candidate;
    candidate = next;
    if (done) break;
  }
  const omega = q(candidate) >= q(current.omega) ? candidate : current.omega;
  return { theta: P / offspringSeen(omega), omega };
}

/**
 * The expected events per cell in [from, to) given the events before `from` — the forecast
 * score: μ_c (to − from) + θ Σ_{tᵢ < from} (e^{−ω(from − tᵢ)} − e^{−ω(to − tᵢ)}).
 * Offspring of events inside [from, to) are left out: they change magnitudes, rarely ranks.
 */
export function seppExpectedCounts(parameters: SeppParameters, data: SeppData, from: number, to: number): Float64Array {
  const cells = data.start.length - 1;
  const out = new Float64Array(cells);
  const { theta, omega } = parameters;
  for (let c = 0; c < cells; c++) {
    let triggered = 0;
    for (let i = data.start[c]!; i < data.start[c + 1]!; i++) {
      const t = data.times[i]!;
      if (t < from) triggered += Math.exp(-omega * (from - t)) - Math.exp(-omega * (to - t));
    }
    out[c] = parameters.mu[c]! * (to - from) + theta * triggered;
  }
  return out;
}

/**
 * Simulates the process on [0, T) by its branching (cluster) structure: each cell's
 * background events form a Poisson process of rate μ_c; every event then has Poisson(θ)
 * children, each after an Exp(ω) delay, and so on until the children fall past T.
 */
export function simulateSepp(parameters: SeppParameters, window: number, random: () => number): { cell: Int32Array; time: Float64Array } {
  const cells: number[] = [];
  const times: number[] = [];
  for (let c = 0; c < parameters.mu.length; c++) {
    const rate = parameters.mu[c]!;
    if (rate <= 0) continue;
    const generation: number[] = [];
    for (let t = exponential(random, rate); t < window; t += exponential(random, rate)) generation.push(t);
    while (generation.length > 0) {
      const parent = generation.pop()!;
      cells.push(c);
      times.push(parent);
      const children = poisson(random, parameters.theta);
      for (let k = 0; k < children; k++) {
        const child = parent + exponential(random, parameters.omega);
        if (child < window) generation.push(child);
      }
    }
  }
  return { cell: Int32Array.from(cells), time: Float64Array.from(times) };
}
