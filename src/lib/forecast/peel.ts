/**
 * peel: our own hotspot predictor (issue 4). An ensemble of long-term and short-term
 * surfaces whose weights are chosen by rolling validation inside the training window only.
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
import { cellColumn, cellRow, type Grid, type StudyArea } from './grid.ts';
import { cellsSelected } from './metrics.ts';
import type { CellEvents } from './predictors.ts';

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
  /** the chosen weight of each component */
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
export function componentSurface(grid: Grid, study: StudyArea, events: CellEvents, lastPeriod: number, component: PeelComponent): Float64Array {
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
    const reach = Math.ceil(3 * h);
    const offsets: { dRow: number; dColumn: number; weight: number }[] = [];
    for (let dRow = -reach; dRow <= reach; dRow++) {
      for (let dColumn = -reach; dColumn <= reach; dColumn++) {
        const d2 = dRow * dRow + dColumn * dColumn;
        if (d2 <= 9 * h * h) offsets.push({ dRow, dColumn, weight: Math.exp(-d2 / (2 * h * h)) });
      }
    }
    for (let source = 0; source < n; source++) {
      const w = weighted[source]!;
      if (w === 0) continue;
      const id = study.cells[source]!;
      const row = cellRow(grid, id);
      const column = cellColumn(grid, id);
      for (const o of offsets) {
        const r = row + o.dRow;
        const col = column + o.dColumn;
        if (r < 0 || r >= grid.rows || col < 0 || col >= grid.columns) continue;
        const target = study.indexOfCell.get(r * grid.columns + col);
        if (target !== undefined) surface[target]! += w * o.weight;
      }
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
    const surfaces = components.map((c) => componentSurface(grid, study, before, v - 1, c));
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
  return { cell: Int32Array.from(picked, (i) => events.cell[i]!), period: Int32Array.from(picked, (i) => events.period[i]!) };
}

/** peel: the ensemble with weights chosen inside the training window, fitted on the whole window. */
export function peel(grid: Grid, study: StudyArea, events: CellEvents, lastPeriod: number, options: PeelOptions = {}): PeelFit {
  const chosen = chooseWeights(grid, study, events, lastPeriod, options);
  const components = options.components ?? PEEL_COMPONENTS;
  const surfaces = components.map((c) => componentSurface(grid, study, events, lastPeriod, c));
  const scores = combine(surfaces, chosen.weights, new Float64Array(study.cells.length));
  return { scores, ...chosen };
}
