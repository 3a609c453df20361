/**
 * peel: our own hotspot predictor (issue 4). A Poisson regression of next period's count in
 * each cell on log-surfaces of the training window (the types forecast at several smoothing
 * widths and a recency weighting, and the other crime types' counts), fitted by rolling
 * validation inside the training window only: each of the last `validationPeriods` periods
 * is a set of rows whose covariates come from the periods before it. See `peel()` below.
 *
 * The first version (`peelEnsemble`): an ensemble of long-term and short-term surfaces whose
 * weights are chosen by rolling validation inside the training window only.
 *
 * Components (each a surface over the study cells, normalised to sum to one):
 *   the training window's counts, optionally age-weighted by a half-life in periods
 *   (w = 2^{−age/halfLife}, age 0 for the last training period) and optionally smoothed on
 *   the grid by a Gaussian of `smoothCells` cell widths (cut off at 3 bandwidths).
 * The forecast is Σₖ wₖ Sₖ with weights on the simplex in steps of 1/`weightSteps`.
 *
 * Weight selection: for each of the last `validationPeriods` periods v of the training window,
 * every component is fitted on the training periods before v only and the candidate
 * ensembles are scored on v's real events by the mean hit rate at `coverages`; the weights
 * with the best mean over those periods win (ties to the earlier candidate, whose weight is
 * most on the first component). Nothing after `lastPeriod` is ever read: the predictor
 * refuses such events, like the baselines.
 */
import { studyNeighbour, type Grid, type StudyArea } from './grid.ts';
import { cellsSelected } from './metrics.ts';
import type { CellEvents } from './predictors.ts';
import { fitPoisson } from './poisson.ts';

export interface PeelComponent {
  /** periods; Infinity (the default) weighs every training period alike */
  halfLife?: number;
  /** cell widths; 0 (the default) means no smoothing */
  smoothCells?: number;
}

export interface PeelOptions {
  components?: readonly PeelComponent[];
  /** the last this-many training periods are each held out in turn; 6 by default */
  validationPeriods?: number;
  /** coverages whose hit rates are averaged in validation; 5% and 10% by default */
  coverages?: readonly number[];
  /** weights are multiples of 1/weightSteps; 10 by default */
  weightSteps?: number;
}

/**
 * The default components: the window's counts; the counts smoothed at ½ and 1½ cells; and
 * counts with a 3-period half-life. Chosen on the earlier test months 2020-12 … 2021-10 (see
 * src/modules/forecast/README.md), never on the backtest's 2021-11 … 2022-10.
 */
export const PEEL_COMPONENTS: readonly PeelComponent[] = [
  { halfLife: Infinity, smoothCells: 0 },
  { halfLife: Infinity, smoothCells: 0.5 },
  { halfLife: Infinity, smoothCells: 1.5 },
  { halfLife: 3, smoothCells: 0 },
];

/** The default number of held-out periods at the end of the training window. */
export const PEEL_VALIDATION_PERIODS = 6;

export interface PeelFit {
  scores: Float64Array;
  /**
   * peelEnsemble: the chosen weight of each component. peel: the regression's coefficients,
   * one per column: each feature used (a places feature is left out when no event carries a
   * place id), then each interaction; the intercept, which does not change the ranking, left out.
   */
  weights: number[];
  /** the chosen ensemble's mean validation hit rate (NaN when no validation period had events) */
  validationHitRate: number;
  /** the training periods held out for validation */
  validationPeriods: number[];
}

function assertNoFutureEvents(events: CellEvents, lastPeriod: number): void {
  for (let i = 0; i < events.period.length; i++) {
    if (events.period[i]! > lastPeriod) throw new RangeError(`event ${i} is in period ${events.period[i]}, after the last training period ${lastPeriod}`);
  }
}

/**
 * One component surface from the events of periods ≤ lastPeriod, normalised to sum to one
 * (all zeros when there are no such events).
 */
/**
 * The Gaussian spread of every study cell onto its study-cell neighbours within 3 bandwidths,
 * as a sparse matrix by source cell (built once per bandwidth and reused: peel smooths the same
 * study area many times per forecast).
 */
export interface SmoothingMatrix {
  /** source i's entries are start[i] … start[i + 1] − 1 */
  start: Int32Array;
  target: Int32Array;
  weight: Float64Array;
}

export class SmoothingCache {
  private readonly grid: Grid;
  private readonly study: StudyArea;
  private readonly byBandwidth = new Map<number, SmoothingMatrix>();
  constructor(grid: Grid, study: StudyArea) {
    this.grid = grid;
    this.study = study;
  }

  /** The matrix for a bandwidth of h cell widths (weights e^{−d²/2h²}, d in cell widths, d ≤ 3h). */
  matrix(h: number): SmoothingMatrix {
    const known = this.byBandwidth.get(h);
    if (known) return known;
    const { grid, study } = this;
    const n = study.cells.length;
    const reach = Math.ceil(3 * h);
    const offsets: { dRow: number; dColumn: number; weight: number }[] = [];
    for (let dRow = -reach; dRow <= reach; dRow++) {
      for (let dColumn = -reach; dColumn <= reach; dColumn++) {
        const d2 = dRow * dRow + dColumn * dColumn;
        if (d2 <= 9 * h * h) offsets.push({ dRow, dColumn, weight: Math.exp(-d2 / (2 * h * h)) });
      }
    }
    const start = new Int32Array(n + 1);
    const target: number[] = [];
    const weight: number[] = [];
    for (let source = 0; source < n; source++) {
      for (const o of offsets) {
        const t = studyNeighbour(grid, study, source, o.dRow, o.dColumn);
        if (t !== undefined) {
          target.push(t);
          weight.push(o.weight);
        }
      }
      start[source + 1] = target.length;
    }
    const m = { start, target: Int32Array.from(target), weight: Float64Array.from(weight) };
    this.byBandwidth.set(h, m);
    return m;
  }
}

export function componentSurface(grid: Grid, study: StudyArea, events: CellEvents, lastPeriod: number, component: PeelComponent, smoothers?: SmoothingCache): Float64Array {
  const n = study.cells.length;
  const halfLife = component.halfLife ?? Infinity;
  const h = component.smoothCells ?? 0;
  const weighted = new Float64Array(n);
  for (let i = 0; i < events.cell.length; i++) {
    const age = lastPeriod - events.period[i]!;
    if (age < 0) continue;
    weighted[events.cell[i]!]! += Number.isFinite(halfLife) ? Math.pow(2, -age / halfLife) : 1;
  }
  let surface = weighted;
  if (h > 0) {
    surface = new Float64Array(n);
    const m = (smoothers ?? new SmoothingCache(grid, study)).matrix(h);
    for (let source = 0; source < n; source++) {
      const w = weighted[source]!;
      if (w === 0) continue;
      for (let j = m.start[source]!; j < m.start[source + 1]!; j++) surface[m.target[j]!]! += w * m.weight[j]!;
    }
  }
  let total = 0;
  for (const x of surface) total += x;
  if (total > 0) for (let i = 0; i < n; i++) surface[i]! /= total;
  return surface;
}

/** Every weight vector of `parts` components with entries in multiples of 1/steps summing to one, first component heaviest first. */
export function simplexWeights(parts: number, steps: number): number[][] {
  const out: number[][] = [];
  const current: number[] = [];
  const recurse = (left: number, slot: number) => {
    if (slot === parts - 1) {
      out.push([...current, left / steps]);
      return;
    }
    for (let u = left; u >= 0; u--) {
      current.push(u / steps);
      recurse(left - u, slot + 1);
      current.pop();
    }
  };
  if (parts === 1) return [[1]];
  recurse(steps, 0);
  return out;
}

function combine(surfaces: readonly Float64Array[], weights: readonly number[], out: Float64Array): Float64Array {
  out.fill(0);
  for (let k = 0; k < surfaces.length; k++) {
    const w = weights[k]!;
    if (w === 0) continue;
    const s = surfaces[k]!;
    for (let i = 0; i < out.length; i++) out[i]! += w * s[i]!;
  }
  return out;
}

/**
 * Hit rates of `scores` against `counts` at each k (top k by score, ties by index ascending,
 * exactly as metrics.ts ranks), using a native sort of the scores for the thresholds.
 */
export function hitRatesAt(scores: Float64Array, counts: Float64Array, ks: readonly number[], events: number, sorted: Float64Array): number[] {
  sorted.set(scores);
  sorted.sort();
  const n = scores.length;
  return ks.map((k) => {
    const threshold = sorted[n - k]!;
    let above = 0;
    let hits = 0;
    for (let i = 0; i < n; i++) {
      if (scores[i]! > threshold) {
        above++;
        hits += counts[i]!;
      }
    }
    let room = k - above;
    for (let i = 0; i < n && room > 0; i++) {
      if (scores[i] === threshold) {
        hits += counts[i]!;
        room--;
      }
    }
    return hits / events;
  });
}

/**
 * Chooses the component weights by rolling validation over the last periods of the
 * training window (events of periods ≤ lastPeriod only).
 */
export function chooseWeights(grid: Grid, study: StudyArea, events: CellEvents, lastPeriod: number, options: PeelOptions = {}): { weights: number[]; validationHitRate: number; validationPeriods: number[] } {
  assertNoFutureEvents(events, lastPeriod);
  const components = options.components ?? PEEL_COMPONENTS;
  const candidates = simplexWeights(components.length, options.weightSteps ?? 10);
  const n = study.cells.length;
  const ks = (options.coverages ?? [0.05, 0.1]).map((c) => cellsSelected(c, n));
  const wanted = options.validationPeriods ?? PEEL_VALIDATION_PERIODS;
  let firstPeriod = Infinity;
  for (const p of events.period) firstPeriod = Math.min(firstPeriod, p);
  const held: number[] = [];
  // each held-out period needs at least one earlier period to fit on
  for (let v = lastPeriod; v > lastPeriod - wanted && v > firstPeriod; v--) held.unshift(v);
  const totals = new Float64Array(candidates.length);
  const smoothers = new SmoothingCache(grid, study);
  let used = 0;
  const combined = new Float64Array(n);
  const sorted = new Float64Array(n);
  for (const v of held) {
    const counts = new Float64Array(n);
    let eventsInV = 0;
    for (let i = 0; i < events.period.length; i++) {
      if (events.period[i] === v) {
        counts[events.cell[i]!]! += 1;
        eventsInV++;
      }
    }
    if (eventsInV === 0) continue;
    // fit on the periods before v only
    const before = filterEvents(events, (p) => p < v);
    const surfaces = components.map((c) => componentSurface(grid, study, before, v - 1, c, smoothers));
    candidates.forEach((w, j) => {
      const rates = hitRatesAt(combine(surfaces, w, combined), counts, ks, eventsInV, sorted);
      totals[j]! += rates.reduce((a, b) => a + b, 0) / rates.length;
    });
    used++;
  }
  if (used === 0) return { weights: candidates[0]!, validationHitRate: NaN, validationPeriods: held };
  let best = 0;
  for (let j = 1; j < candidates.length; j++) if (totals[j]! > totals[best]! + 1e-12) best = j;
  return { weights: candidates[best]!, validationHitRate: totals[best]! / used, validationPeriods: held };
}

function filterEvents(events: CellEvents, keep: (period: number) => boolean): CellEvents {
  const picked: number[] = [];
  for (let i = 0; i < events.period.length; i++) if (keep(events.period[i]!)) picked.push(i);
  const out: CellEvents = { cell: Int32Array.from(picked, (i) => events.cell[i]!), period: Int32Array.from(picked, (i) => events.period[i]!) };
  if (events.place) out.place = Int32Array.from(picked, (i) => events.place![i]!);
  return out;
}

/**
 * The first version of peel (kept for comparison and its tests): the simplex ensemble of
 * `components` with weights chosen inside the training window, fitted on the whole window.
 */
export function peelEnsemble(grid: Grid, study: StudyArea, events: CellEvents, lastPeriod: number, options: PeelOptions = {}): PeelFit {
  const chosen = chooseWeights(grid, study, events, lastPeriod, options);
  const components = options.components ?? PEEL_COMPONENTS;
  const surfaces = components.map((c) => componentSurface(grid, study, events, lastPeriod, c));
  const scores = combine(surfaces, chosen.weights, new Float64Array(study.cells.length));
  return { scores, ...chosen };
}

/** One covariate of peel's regression: a surface of some events, as in PeelComponent. */
export interface PeelFeature extends PeelComponent {
  /**
   * the events of the types forecast, those of every other type (`PeelRegressionOptions.other`),
   * or `places`: the distinct places (CellEvents.place) at which any of them, of either kind,
   * was located in the periods up to the last (half-life and smoothing do not apply)
   */
  of: 'target' | 'other' | 'places';
}

/**
 * peel's covariates: the types forecast as counts, smoothed at 1 and 2½ cells, and with a
 * 3-period half-life; the other types' counts raw and smoothed at 1 cell (where crime of any
 * kind happens is where burglary can); and the distinct places at which crime of any type was
 * located (police.uk's snap points: a cell's streets and landmarks, where homes and premises
 * are). Chosen on the earlier test months 2020-12 … 2021-10 (src/modules/forecast/README.md),
 * never on the backtest's 2021-11 … 2022-10.
 */
export const PEEL_FEATURES: readonly PeelFeature[] = [
  { of: 'target' },
  { of: 'target', smoothCells: 1 },
  { of: 'target', smoothCells: 2.5 },
  { of: 'target', halfLife: 3 },
  { of: 'other' },
  { of: 'other', smoothCells: 1 },
  { of: 'places' },
];

/**
 * Products of two covariates (indexes into the features) added as further columns. The
 * default, own counts × places, lets the places matter where a cell's own counts are thin
 * and fade where they are many (a busy cell's own history already says how risky it is):
 * without it, places lift burglary but reorder violence's top 1% below the plain counts.
 */
export const PEEL_INTERACTIONS: ReadonlyArray<readonly [number, number]> = [[0, 6]];

/** c in the covariate x = log(n · share + c): a cell's share relative to the average cell, kept off log 0. */
export const PEEL_LOG_OFFSET = 0.5;

export interface PeelRegressionOptions {
  features?: readonly PeelFeature[];
  /** pairs of feature indexes whose covariates' product is a further column; PEEL_INTERACTIONS by default */
  interactions?: ReadonlyArray<readonly [number, number]>;
  /** the training events of every other crime type (same periods and study cells) */
  other?: CellEvents;
  /** the last this-many training periods are the regression's rows; 6 by default */
  validationPeriods?: number;
  logOffset?: number;
  /** the ridge penalty per row (see poisson.ts); 1e-3 by default */
  ridge?: number;
}

const NO_EVENTS: CellEvents = { cell: new Int32Array(0), period: new Int32Array(0) };

/**
 * The distinct places (CellEvents.place) of the events of periods ≤ lastPeriod in each cell,
 * normalised to sum to one. A place lies in one cell, so it is counted once, whichever of the
 * event sets holds it and however many crimes it saw. Events without place ids add nothing.
 */
export function placesSurface(studyCells: number, sets: readonly CellEvents[], lastPeriod: number): Float64Array {
  const seen = new Set<number>();
  const surface = new Float64Array(studyCells);
  let total = 0;
  for (const e of sets) {
    if (!e.place) continue;
    for (let i = 0; i < e.cell.length; i++) {
      if (e.period[i]! > lastPeriod || seen.has(e.place[i]!)) continue;
      seen.add(e.place[i]!);
      surface[e.cell[i]!]! += 1;
      total++;
    }
  }
  if (total > 0) for (let i = 0; i < studyCells; i++) surface[i]! /= total;
  return surface;
}

/**
 * The covariate columns x = log(n · share + c) of every feature from events of periods ≤
 * lastPeriod, then each interaction's product of two of them.
 */
export function peelCovariates(grid: Grid, study: StudyArea, target: CellEvents, other: CellEvents, lastPeriod: number, features: readonly PeelFeature[], logOffset: number, smoothers?: SmoothingCache, interactions: ReadonlyArray<readonly [number, number]> = []): Float64Array[] {
  const n = study.cells.length;
  const columns = features.map((f) => {
    const surface = f.of === 'places' ? placesSurface(n, [target, other], lastPeriod) : componentSurface(grid, study, f.of === 'target' ? target : other, lastPeriod, f, smoothers);
    for (let i = 0; i < n; i++) surface[i] = Math.log(n * surface[i]! + logOffset);
    return surface;
  });
  for (const [a, b] of interactions) columns.push(Float64Array.from(columns[a]!, (x, i) => x * columns[b]![i]!));
  return columns;
}

/**
 * peel: each held-out period v of the last `validationPeriods` training periods gives one row
 * per study cell, its covariates computed from the training periods before v only and its
 * response the cell's count of the types forecast in v. A Poisson regression (log link, small
 * ridge) fitted to those rows learns how much each surface says about next period; the
 * forecast is that regression applied to the covariates of the whole window. Nothing after
 * `lastPeriod` is read; events after it are refused.
 */
export function peel(grid: Grid, study: StudyArea, events: CellEvents, lastPeriod: number, options: PeelOptions & PeelRegressionOptions = {}): PeelFit {
  if (options.components) return peelEnsemble(grid, study, events, lastPeriod, options);
  const other = options.other ?? NO_EVENTS;
  assertNoFutureEvents(events, lastPeriod);
  assertNoFutureEvents(other, lastPeriod);
  // without place ids (a source whose points mean nothing as places) the places covariate, and
  // any product with it, is left out
  const hasPlaces = Boolean(events.place ?? other.place);
  const given = options.features ?? PEEL_FEATURES;
  const kept = given.flatMap((f, k) => (f.of !== 'places' || hasPlaces ? [k] : []));
  const features = kept.map((k) => given[k]!);
  const interactions = (options.interactions ?? (options.features ? [] : PEEL_INTERACTIONS)).flatMap(([a, b]) => (kept.includes(a) && kept.includes(b) ? [[kept.indexOf(a), kept.indexOf(b)] as const] : []));
  const logOffset = options.logOffset ?? PEEL_LOG_OFFSET;
  const n = study.cells.length;
  const wanted = options.validationPeriods ?? PEEL_VALIDATION_PERIODS;
  let firstPeriod = Infinity;
  for (const p of events.period) firstPeriod = Math.min(firstPeriod, p);
  const held: number[] = [];
  for (let v = lastPeriod; v > lastPeriod - wanted && v > firstPeriod; v--) held.unshift(v);

  const smoothers = new SmoothingCache(grid, study);
  const rows: Float64Array[][] = [];
  const responses: Float64Array[] = [];
  for (const v of held) {
    const y = new Float64Array(n);
    for (let i = 0; i < events.period.length; i++) if (events.period[i] === v) y[events.cell[i]!]! += 1;
    const keep = (p: number) => p < v;
    rows.push(peelCovariates(grid, study, filterEvents(events, keep), filterEvents(other, keep), v - 1, features, logOffset, smoothers, interactions));
    responses.push(y);
  }
  const final = peelCovariates(grid, study, events, other, lastPeriod, features, logOffset, smoothers, interactions);
  // too little history to learn from: fall back on the window's counts (naive-all)
  let heldEvents = 0;
  for (const y of responses) for (const c of y) heldEvents += c;
  const plainCounts = features.findIndex((f) => f.of === 'target' && !f.smoothCells && !Number.isFinite(f.halfLife ?? Infinity));
  let weights: number[] = final.map((_, k) => (k === plainCounts ? 1 : 0));
  if (heldEvents > 0) {
    const columns = final.map((_, k) => concat(rows.map((r) => r[k]!)));
    const fit = fitPoisson({ columns, y: concat(responses) }, { ridge: options.ridge ?? 1e-3 });
    weights = fit.coefficients.slice(1);
  }
  const scores = new Float64Array(n);
  final.forEach((x, k) => {
    const w = weights[k]!;
    for (let i = 0; i < n; i++) scores[i]! += w * x[i]!;
  });
  let validationHitRate = NaN;
  if (heldEvents > 0) {
    const ks = [0.05, 0.1].map((c) => cellsSelected(c, n));
    const sorted = new Float64Array(n);
    const s = new Float64Array(n);
    let sum = 0;
    let used = 0;
    rows.forEach((r, j) => {
      let total = 0;
      for (const c of responses[j]!) total += c;
      if (total === 0) return;
      s.fill(0);
      r.forEach((x, k) => {
        for (let i = 0; i < n; i++) s[i]! += weights[k]! * x[i]!;
      });
      const rates = hitRatesAt(s, responses[j]!, ks, total, sorted);
      sum += (rates[0]! + rates[1]!) / 2;
      used++;
    });
    validationHitRate = sum / used;
  }
  return { scores, weights, validationHitRate, validationPeriods: held };
}

function concat(parts: readonly Float64Array[]): Float64Array {
  const out = new Float64Array(parts.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
