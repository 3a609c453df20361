/**
 * Hit rate and predictive accuracy index (PAI) of a hotspot forecast (Chainey, Tompson &
 * Uhlig 2008, "The utility of hotspot mapping for predicting spatial patterns of crime",
 * Security Journal 21, 4–28).
 *
 * With n study cells, coverage c selects the top k = ⌈c·n⌉ cells by forecast score (ties
 * broken by cell id ascending, i.e. by study index, since study cells are sorted by id).
 *   hit rate = (events of the period in the k cells) / (events of the period)
 *   PAI      = hit rate / (k / n)
 * A period with no events has no hit rate (NaN); means are taken over periods that have one.
 */

/** The standard coverages of the backtest: 1%, 5%, 10%, 20% of study cells. */
export const STANDARD_COVERAGES = [0.01, 0.05, 0.1, 0.2] as const;

/**
 * k = ⌈coverage × cells⌉, at least 1. The small tolerance keeps floating-point products such
 * as 0.07 × 100 = 7.000000000000001 from rounding up to 8.
 */
export function cellsSelected(coverage: number, studyCells: number): number {
  if (!(coverage > 0 && coverage <= 1)) throw new RangeError(`coverage must be in (0, 1], not ${coverage}`);
  return Math.min(studyCells, Math.max(1, Math.ceil(coverage * studyCells - 1e-9)));
}

/** Study indexes ordered by score descending, ties by index (= cell id) ascending. */
export function rankCells(scores: ArrayLike<number>): Int32Array {
  const order = new Int32Array(scores.length);
  for (let i = 0; i < order.length; i++) order[i] = i;
  return order.sort((a, b) => scores[b]! - scores[a]! || a - b);
}

export interface CoverageScore {
  coverage: number;
  /** cells selected */
  k: number;
  /** events of the period in the selected cells */
  hits: number;
  events: number;
  hitRate: number;
  pai: number;
}

/**
 * Scores one period's forecast: `scores` and `counts` (the period's real events per study
 * cell) are both indexed by study cell.
 */
export function scoreForecast(scores: ArrayLike<number>, counts: ArrayLike<number>, coverages: readonly number[] = STANDARD_COVERAGES): CoverageScore[] {
  if (scores.length !== counts.length) throw new RangeError('scores and counts must cover the same cells');
  const n = scores.length;
  const order = rankCells(scores);
  let events = 0;
  for (let i = 0; i < n; i++) events += counts[i]!;
  // cumulative hits down the ranking, read off at each k
  const cumulative = new Float64Array(n + 1);
  for (let r = 0; r < n; r++) cumulative[r + 1] = cumulative[r]! + counts[order[r]!]!;
  return coverages.map((coverage) => {
    const k = cellsSelected(coverage, n);
    const hits = cumulative[k]!;
    const hitRate = events > 0 ? hits / events : NaN;
    return { coverage, k, hits, events, hitRate, pai: hitRate / (k / n) };
  });
}

export interface CoverageMean {
  coverage: number;
  meanHitRate: number;
  meanPai: number;
  /** periods with at least one event, over which the means are taken */
  periods: number;
}

/** Mean hit rate and PAI per coverage over periods (each period's scores in the same coverage order). */
export function meanOverPeriods(periods: readonly CoverageScore[][]): CoverageMean[] {
  const first = periods[0];
  if (!first) return [];
  return first.map((_, j) => {
    let hit = 0;
    let pai = 0;
    let used = 0;
    for (const period of periods) {
      const s = period[j]!;
      if (Number.isNaN(s.hitRate)) continue;
      hit += s.hitRate;
      pai += s.pai;
      used++;
    }
    return { coverage: first[j]!.coverage, meanHitRate: used ? hit / used : NaN, meanPai: used ? pai / used : NaN, periods: used };
  });
}
