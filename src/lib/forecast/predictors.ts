/**
 * The baseline hotspot predictors. Each returns one score per study cell (index i ↔
 * study.cells[i]); a higher score means more expected crime next period. Only ranks matter
 * to the hit rate and PAI, so scores need not be on a common scale across methods.
 *
 * Periods are integers (0 = first training period); `lastPeriod` is the last training
 * period, and the forecast is for the period after it.
 */
import { cellCentre, studyNeighbour, type Grid, type StudyArea } from './grid.ts';

/** Training events located to study cells: event i fell in study cell cell[i] during period period[i]. */
export interface CellEvents {
  cell: Int32Array;
  period: Int32Array;
  /**
   * optional: event i was located at place place[i] (events at the very same point share an
   * id; see `pointIds` in grid.ts). police.uk snaps every crime to one of a fixed set of
   * points, so the distinct places in a cell measure its streets and landmarks (peel's
   * covariate); the baselines ignore it.
   */
  place?: Int32Array;
}

/** Refuses events after the last training period: a forecast must never see its test period. */
function assertNoFutureEvents(events: CellEvents, lastPeriod: number): void {
  for (let i = 0; i < events.period.length; i++) {
    if (events.period[i]! > lastPeriod) throw new RangeError(`event ${i} is in period ${events.period[i]}, after the last training period ${lastPeriod}`);
  }
}

/** naive-last: each cell's count in the last training period. */
export function naiveLast(studyCells: number, events: CellEvents, lastPeriod: number): Float64Array {
  assertNoFutureEvents(events, lastPeriod);
  const scores = new Float64Array(studyCells);
  for (let i = 0; i < events.cell.length; i++) {
    if (events.period[i] === lastPeriod) scores[events.cell[i]!]! += 1;
  }
  return scores;
}

/** naive-all: each cell's count over the whole training window. */
export function naiveAll(studyCells: number, events: CellEvents, lastPeriod: number): Float64Array {
  assertNoFutureEvents(events, lastPeriod);
  const scores = new Float64Array(studyCells);
  for (let i = 0; i < events.cell.length; i++) scores[events.cell[i]!]! += 1;
  return scores;
}

export type Kernel = 'gaussian' | 'quartic';

export interface KdeOptions {
  kernel?: Kernel;
  /** metres: the Gaussian's standard deviation, or the quartic kernel's radius */
  bandwidth: number;
  /**
   * The Gaussian is cut off at this many bandwidths (4 by default: the tail beyond holds
   * e^{−8} ≈ 0.03% of a point's weight), so each cell only looks at nearby events.
   */
  gaussianCutoff?: number;
}

/**
 * The kernel K_h(d) at distance d, per square metre, integrating to 1 over the plane:
 *   Gaussian  K_h(d) = exp(−d² / 2h²) / (2πh²)
 *   quartic   K_h(d) = 3 / (πh²) · (1 − d²/h²)²  for d < h, else 0
 * (Silverman 1986, Density Estimation for Statistics and Data Analysis, §4.2).
 */
export function kernelValue(kernel: Kernel, bandwidth: number, distanceSquared: number): number {
  const h2 = bandwidth * bandwidth;
  if (kernel === 'gaussian') return Math.exp(-distanceSquared / (2 * h2)) / (2 * Math.PI * h2);
  if (distanceSquared >= h2) return 0;
  const u = 1 - distanceSquared / h2;
  return (3 / (Math.PI * h2)) * u * u;
}

/**
 * kde: the retrospective kernel density f̂(x) = (1/N) Σᵢ K_h(x − xᵢ) of the training events
 * (at their own coordinates, not their cells), evaluated at each study cell's centre.
 */
export function kde(grid: Grid, study: StudyArea, eastings: ArrayLike<number>, northings: ArrayLike<number>, options: KdeOptions): Float64Array {
  const kernel = options.kernel ?? 'gaussian';
  const h = options.bandwidth;
  if (!(h > 0)) throw new RangeError(`bandwidth must be positive, not ${h}`);
  const radius = kernel === 'gaussian' ? h * (options.gaussianCutoff ?? 4) : h;
  const buckets = bucketPoints(eastings, northings, radius);
  const scores = new Float64Array(study.cells.length);
  const n = eastings.length;
  if (n === 0) return scores;
  const r2 = radius * radius;
  for (let c = 0; c < study.cells.length; c++) {
    const { easting: x, northing: y } = cellCentre(grid, study.cells[c]!);
    const bx = Math.floor(x / radius);
    const by = Math.floor(y / radius);
    let sum = 0;
    // every event within `radius` lies in this bucket or one of its eight neighbours
    for (let dx = -1; dx <= 1; dx++) {
      for (let dy = -1; dy <= 1; dy++) {
        const members = buckets.get(bucketKey(bx + dx, by + dy));
        if (!members) continue;
        for (const i of members) {
          const ex = eastings[i]! - x;
          const ey = northings[i]! - y;
          const d2 = ex * ex + ey * ey;
          if (d2 <= r2) sum += kernelValue(kernel, h, d2);
        }
      }
    }
    scores[c] = sum / n;
  }
  return scores;
}

function bucketKey(bx: number, by: number): number {
  return bx * 4_194_304 + by; // 2^22 rows: far more than any bucket size allows
}

function bucketPoints(eastings: ArrayLike<number>, northings: ArrayLike<number>, size: number): Map<number, number[]> {
  const buckets = new Map<number, number[]>();
  for (let i = 0; i < eastings.length; i++) {
    const key = bucketKey(Math.floor(eastings[i]! / size), Math.floor(northings[i]! / size));
    const members = buckets.get(key);
    if (members) members.push(i);
    else buckets.set(key, [i]);
  }
  return buckets;
}

export interface ProspectiveOptions {
  /** cells: events farther than this (centre to centre) add nothing; 2 by default */
  spaceBandwidthCells?: number;
  /** periods: events older than this add nothing; 2 by default */
  timeBandwidthPeriods?: number;
}

/**
 * prospective: prospective hotspotting (Bowers, Johnson & Pease 2004, "Prospective
 * hot-spotting: the future of crime mapping?", Br. J. Criminol. 44(5), 641–658). Each past
 * event i adds to cell c
 *   w = 1 / (1 + dᵢ) × 1 / (1 + aᵢ)   when dᵢ ≤ spaceBandwidthCells and aᵢ ≤ timeBandwidthPeriods,
 * where dᵢ is the Euclidean distance between the centres of c and of the event's cell in
 * cell widths, and aᵢ = lastPeriod − periodᵢ is its age in whole periods (0 for the last
 * training period). Bowers et al. used 50 m cells, 400 m and two months, ages in whole
 * weeks and distances in "complete ½ grid widths" without saying exactly how those are
 * measured; here the units are whole cell widths between centres and the data's periods.
 */
export function prospective(grid: Grid, study: StudyArea, events: CellEvents, lastPeriod: number, options: ProspectiveOptions = {}): Float64Array {
  assertNoFutureEvents(events, lastPeriod);
  const spaceBand = options.spaceBandwidthCells ?? 2;
  const timeBand = options.timeBandwidthPeriods ?? 2;
  const n = study.cells.length;
  // Sum each cell's events' age weights first, so the spatial spread runs once per cell.
  const ageWeighted = new Float64Array(n);
  for (let i = 0; i < events.cell.length; i++) {
    const age = lastPeriod - events.period[i]!;
    if (age <= timeBand) ageWeighted[events.cell[i]!]! += 1 / (1 + age);
  }
  const reach = Math.floor(spaceBand);
  const offsets: { dRow: number; dColumn: number; weight: number }[] = [];
  for (let dRow = -reach; dRow <= reach; dRow++) {
    for (let dColumn = -reach; dColumn <= reach; dColumn++) {
      const d = Math.hypot(dRow, dColumn);
      if (d <= spaceBand) offsets.push({ dRow, dColumn, weight: 1 / (1 + d) });
    }
  }
  const scores = new Float64Array(n);
  for (let source = 0; source < n; source++) {
    const w = ageWeighted[source]!;
    if (w === 0) continue;
    for (const o of offsets) {
      const target = studyNeighbour(grid, study, source, o.dRow, o.dColumn);
      if (target !== undefined) scores[target]! += w * o.weight;
    }
  }
  return scores;
}
