/**
 * Patrol plans: N compact, contiguous patrol areas of at most M grid cells each that
 * together cover as much forecast risk as possible.
 *
 * Areas are 4-connected: every cell of an area shares an edge (not only a corner) with
 * another cell of it, so an officer can walk the whole area without leaving it, and its
 * outline is one ring (plus any holes). Areas are compact by rule: each fits in a square of
 * ⌈√M⌉ + 1 cells a side (`box`), so no area snakes along a road across the town.
 *
 * The exact problem (a maximum-weight packing of connected sets) is NP-hard, so:
 *  1. Seed and grow, one area at a time. For each of the `seeds` highest-risk free cells,
 *     grow an area from it one neighbouring free cell at a time, keeping the `beam` best
 *     partial areas at each size (beam search). Partial areas are ranked by risk, looking
 *     one cell further (a cell is worth max(its risk, the mean of its risk and its best
 *     free neighbour's), so a low cell that bridges to a high one is not passed over), ties
 *     going to the area with more shared edges between its cells (compactness). Keep the
 *     best-scoring area grown from any seed.
 *  2. Local improvement, until nothing improves: (a) swap — drop a cell whose removal keeps
 *     the area connected and add a free neighbouring cell with more risk; (b) regrow — take
 *     an area out and grow the best area again among the cells the others leave free;
 *     (c) pair — take two areas within a box's width of each other out and re-plan them
 *     together (the first from the 3 best areas grown from each of the 3 highest free seeds,
 *     the second the best grown from the 4 highest seeds the first leaves), so one area
 *     spanning two hotspots can become two areas taking one each. Pairs are tried once the
 *     cheaper moves (a, b) have settled.
 * src/lib/forecast/patrols.test.ts measures it against the optimum found by enumerating
 * every solution on small grids.
 */

export interface PatrolCell {
  column: number;
  row: number;
  /** forecast risk, ≥ 0 */
  score: number;
}

export interface PatrolOptions {
  /** how many areas (N) */
  areas: number;
  /** at most this many cells per area (M) */
  maxCells: number;
  /** the highest-risk free cells tried as seeds for each area; 8 by default */
  seeds?: number;
  /** partial areas kept at each size while growing one; 6 by default */
  beam?: number;
  /** compactness: every area fits in a square of this many cells a side; ⌈√M⌉ + 1 by default */
  box?: number;
}

export interface PatrolArea {
  /** indexes into the cells given, in the order they were added */
  cells: number[];
  /** the sum of its cells' scores */
  score: number;
}

export interface PatrolPlan {
  areas: PatrolArea[];
  /** the sum of the areas' scores */
  covered: number;
  /** the sum of every cell's score */
  total: number;
}

const key = (column: number, row: number) => `${column},${row}`;

/** Each cell's 4-neighbours among the cells given (indexes). */
export function neighboursOf(cells: readonly PatrolCell[]): number[][] {
  const at = new Map<string, number>();
  cells.forEach((c, i) => at.set(key(c.column, c.row), i));
  return cells.map((c) => {
    const out: number[] = [];
    for (const [dc, dr] of [[1, 0], [-1, 0], [0, 1], [0, -1]] as const) {
      const j = at.get(key(c.column + dc, c.row + dr));
      if (j !== undefined) out.push(j);
    }
    return out;
  });
}

interface Ctx {
  cells: readonly PatrolCell[];
  neighbours: number[][];
  maxCells: number;
  seeds: number;
  beam: number;
  box: number;
}

/** Whether these cells, with `add` and without `drop`, fit in a box × box square of cells. */
function fitsBox(ctx: Ctx, members: readonly number[], add = -1, drop = -1): boolean {
  let minC = Infinity;
  let maxC = -Infinity;
  let minR = Infinity;
  let maxR = -Infinity;
  for (const i of add >= 0 ? [...members, add] : members) {
    if (i === drop) continue;
    const c = ctx.cells[i]!;
    if (c.column < minC) minC = c.column;
    if (c.column > maxC) maxC = c.column;
    if (c.row < minR) minR = c.row;
    if (c.row > maxR) maxR = c.row;
  }
  return maxC - minC < ctx.box && maxR - minR < ctx.box;
}

interface Partial {
  cells: number[];
  score: number;
  /** edges shared between the area's cells: more is more compact */
  shared: number;
  /** score plus the look-ahead value of its last step, for ranking partial areas */
  rank: number;
  /** an order-free hash of its cells, to drop the same set reached in another order */
  hash: number;
  /** its bounding box in columns and rows */
  box: [number, number, number, number];
}

/** A fixed pseudo-random 32-bit value per cell index, for order-free set hashes. */
const cellHash = (i: number) => {
  let h = Math.imul(i ^ 0x9e3779b9, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
};

/**
 * Grows one area from `seed` over free cells (`taken[i]` false), keeping the `beam` best
 * partial areas at each size (a beam search; beam 1 is plain greedy growth).
 */
function grow(ctx: Ctx, seed: number, taken: Uint8Array): PatrolArea {
  return growCandidates(ctx, seed, taken, 1)[0]!;
}

/** The `k` best areas the beam search finds from `seed`, best first. */
function growCandidates(ctx: Ctx, seed: number, taken: Uint8Array, k: number): PatrolArea[] {
  const { cells, neighbours } = ctx;
  const score0 = cells[seed]!.score;
  const s0 = cells[seed]!;
  let beam: Partial[] = [{ cells: [seed], score: score0, shared: 0, rank: score0, hash: cellHash(seed), box: [s0.column, s0.column, s0.row, s0.row] }];
  let best: Partial = beam[0]!;
  let last: Partial[] = beam;
  for (let size = 2; size <= ctx.maxCells; size++) {
    const next = new Map<number, Partial>();
    const roomForTwo = size + 1 <= ctx.maxCells;
    for (const p of beam) {
      const members = p.cells;
      const seen: number[] = [];
      for (const a of members) {
        for (const f of neighbours[a]!) {
          if (taken[f] || members.includes(f) || seen.includes(f)) continue;
          seen.push(f);
          const c = cells[f]!;
          const box: [number, number, number, number] = [Math.min(p.box[0], c.column), Math.max(p.box[1], c.column), Math.min(p.box[2], c.row), Math.max(p.box[3], c.row)];
          if (box[1] - box[0] >= ctx.box || box[3] - box[2] >= ctx.box) continue;
          const hash = (p.hash + cellHash(f)) >>> 0;
          if (next.has(hash)) continue;
          const own = cells[f]!.score;
          let shared = 0;
          let further = 0;
          for (const g of neighbours[f]!) {
            if (members.includes(g)) shared++;
            else if (!taken[g] && cells[g]!.score > further) further = cells[g]!.score;
          }
          const value = roomForTwo ? Math.max(own, (own + further) / 2) : own;
          const score = p.score + own;
          next.set(hash, { cells: [...members, f], score, shared: p.shared + shared, rank: p.score + value, hash, box });
        }
      }
    }
    if (next.size === 0) break;
    beam = [...next.values()].sort((x, y) => y.rank - x.rank || y.shared - x.shared || y.score - x.score).slice(0, ctx.beam);
    last = beam;
    for (const p of beam) if (p.score > best.score + 1e-12 || (Math.abs(p.score - best.score) <= 1e-12 && p.cells.length > best.cells.length)) best = p;
  }
  const out = [best, ...[...last].sort((x, y) => y.score - x.score).filter((p) => p !== best)].slice(0, k);
  return out.map((p) => ({ cells: p.cells, score: p.score }));
}

/** The best area grown from any of the highest-scoring free cells; null when none is free. */
function bestArea(ctx: Ctx, taken: Uint8Array, ranked: readonly number[], seeds = ctx.seeds): PatrolArea | null {
  let best: PatrolArea | null = null;
  let tried = 0;
  for (const seed of ranked) {
    if (taken[seed]) continue;
    const area = grow(ctx, seed, taken);
    if (!best || area.score > best.score + 1e-12) best = area;
    if (++tried >= seeds) break;
  }
  return best;
}

/** Whether the cells of `area` other than `without` are still 4-connected. */
function connectedWithout(ctx: Ctx, area: readonly number[], without: number): boolean {
  const rest = new Set(area.filter((c) => c !== without));
  if (rest.size <= 1) return true;
  const start = rest.values().next().value as number;
  const stack = [start];
  const seen = new Set([start]);
  while (stack.length) {
    const c = stack.pop()!;
    for (const n of ctx.neighbours[c]!) {
      if (rest.has(n) && !seen.has(n)) {
        seen.add(n);
        stack.push(n);
      }
    }
  }
  return seen.size === rest.size;
}

/** One improving swap in `area` (or adding a cell while there is room); false when there is none. */
function improveBySwap(ctx: Ctx, area: PatrolArea, taken: Uint8Array): boolean {
  const { cells, neighbours } = ctx;
  const members = new Set(area.cells);
  // Room left: add the best free neighbour with any risk.
  if (area.cells.length < ctx.maxCells) {
    let best = -1;
    for (const a of area.cells) {
      for (const f of neighbours[a]!) {
        if (!members.has(f) && !taken[f] && cells[f]!.score > 0 && (best < 0 || cells[f]!.score > cells[best]!.score) && fitsBox(ctx, area.cells, f)) best = f;
      }
    }
    if (best >= 0) {
      area.cells.push(best);
      area.score += cells[best]!.score;
      taken[best] = 1;
      return true;
    }
  }
  if (area.cells.length < 2) return false;
  // Lowest cells first: the likeliest to be worth giving up.
  const removable = [...area.cells].sort((a, b) => cells[a]!.score - cells[b]!.score);
  for (const out of removable) {
    if (!connectedWithout(ctx, area.cells, out)) continue;
    let best = -1;
    for (const a of area.cells) {
      if (a === out) continue;
      for (const f of neighbours[a]!) {
        if (members.has(f) || taken[f] || f === out) continue;
        if (cells[f]!.score > cells[out]!.score + 1e-12 && (best < 0 || cells[f]!.score > cells[best]!.score) && fitsBox(ctx, area.cells, f, out)) best = f;
      }
    }
    if (best >= 0) {
      area.cells[area.cells.indexOf(out)] = best;
      area.score += cells[best]!.score - cells[out]!.score;
      taken[out] = 0;
      taken[best] = 1;
      return true;
    }
  }
  return false;
}

/**
 * Whether two areas are within a box's width of each other: only such pairs can trade the
 * cells of one hotspot (an area cannot reach further than its box), so only they are re-planned together.
 */
function near(ctx: Ctx, a: PatrolArea, b: PatrolArea): boolean {
  const span = (area: PatrolArea, f: (c: PatrolCell) => number) => {
    const v = area.cells.map((i) => f(ctx.cells[i]!));
    return [Math.min(...v), Math.max(...v)] as const;
  };
  const gap = (f: (c: PatrolCell) => number) => {
    const [a0, a1] = span(a, f);
    const [b0, b1] = span(b, f);
    return Math.max(0, b0 - a1, a0 - b1);
  };
  return gap((c) => c.column) <= ctx.box && gap((c) => c.row) <= ctx.box;
}

/**
 * Re-plans two areas together: frees both, then tries each of the best few areas grown from
 * the highest free seeds as the first, with the best area the rest leaves as the second.
 * Catches the case one greedy area spans two hotspots that two areas could each take.
 */
function improvePair(ctx: Ctx, areas: PatrolArea[], i: number, j: number, taken: Uint8Array, ranked: readonly number[]): boolean {
  const a = areas[i]!;
  const b = areas[j]!;
  for (const c of [...a.cells, ...b.cells]) taken[c] = 0;
  let best: [PatrolArea, PatrolArea] | null = null;
  let tried = 0;
  for (const seed of ranked) {
    if (taken[seed]) continue;
    for (const first of growCandidates(ctx, seed, taken, 3)) {
      for (const c of first.cells) taken[c] = 1;
      const second = bestArea(ctx, taken, ranked, 4);
      for (const c of first.cells) taken[c] = 0;
      if (second && (!best || first.score + second.score > best[0].score + best[1].score + 1e-12)) best = [first, second];
    }
    if (++tried >= 3) break;
  }
  const improved = best !== null && best[0].score + best[1].score > a.score + b.score + 1e-9;
  if (improved) [areas[i], areas[j]] = best!;
  for (const c of [...areas[i]!.cells, ...areas[j]!.cells]) taken[c] = 1;
  return improved;
}

/** The side of the square every area must fit in: ⌈√M⌉ + 1 cells (a 12-cell area within 5 × 5). */
export const defaultBox = (maxCells: number) => Math.ceil(Math.sqrt(maxCells)) + 1;

/** Chooses the patrol areas (see the file's comment for how). */
export function planPatrols(cells: readonly PatrolCell[], options: PatrolOptions): PatrolPlan {
  if (!(Number.isInteger(options.areas) && options.areas >= 1)) throw new RangeError(`areas must be a whole number, at least 1, not ${options.areas}`);
  if (!(Number.isInteger(options.maxCells) && options.maxCells >= 1)) throw new RangeError(`cells per area must be a whole number, at least 1, not ${options.maxCells}`);
  for (const [i, c] of cells.entries()) if (!(c.score >= 0)) throw new RangeError(`cell ${i} has score ${c.score}; scores must be ≥ 0`);
  const ctx: Ctx = { cells, neighbours: neighboursOf(cells), maxCells: options.maxCells, seeds: options.seeds ?? 8, beam: options.beam ?? 6, box: options.box ?? defaultBox(options.maxCells) };
  const ranked = cells.map((_, i) => i).sort((a, b) => cells[b]!.score - cells[a]!.score || a - b);
  const taken = new Uint8Array(cells.length);
  const areas: PatrolArea[] = [];
  for (let a = 0; a < options.areas; a++) {
    const area = bestArea(ctx, taken, ranked);
    if (!area) break;
    for (const c of area.cells) taken[c] = 1;
    areas.push(area);
  }

  // Local improvement; each accepted move raises the covered score, so this ends.
  const settle = () => {
    for (let round = 0; round < 100; round++) {
      let improved = false;
      for (const area of areas) while (improveBySwap(ctx, area, taken)) improved = true;
      for (let i = 0; i < areas.length; i++) {
        const area = areas[i]!;
        for (const c of area.cells) taken[c] = 0;
        const again = bestArea(ctx, taken, ranked);
        if (again && again.score > area.score + 1e-9) {
          areas[i] = again;
          improved = true;
        }
        for (const c of areas[i]!.cells) taken[c] = 1;
      }
      if (!improved) break;
    }
  };
  settle();
  // At most three rounds of pairs: on the small cases a third never improved, and each costs seconds on a big plan.
  for (let round = 0; round < 3; round++) {
    let improved = false;
    for (let i = 0; i < areas.length; i++) {
      for (let j = i + 1; j < areas.length; j++) if (near(ctx, areas[i]!, areas[j]!) && improvePair(ctx, areas, i, j, taken, ranked)) improved = true;
    }
    if (!improved) break;
    settle();
  }

  const total = cells.reduce((s, c) => s + c.score, 0);
  areas.sort((a, b) => b.score - a.score);
  return { areas, covered: areas.reduce((s, a) => s + a.score, 0), total };
}

/**
 * The outline of a set of grid cells as rings of [column, row] corner positions (corner
 * (c, r) is the south-west corner of cell (c, r)): outer rings anticlockwise, holes
 * clockwise, as GeoJSON wants, each closed (first position repeated last), with no
 * vertex in the middle of a straight side. Where two cells of the set touch only at a
 * corner the ring turns towards the cell it is walking round, so rings never cross.
 */
export function outlineOf(cells: ReadonlyArray<{ column: number; row: number }>): Array<Array<[number, number]>> {
  const inSet = new Set(cells.map((c) => key(c.column, c.row)));
  const has = (c: number, r: number) => inSet.has(key(c, r));
  // Boundary edges with the set on their left, keyed by start corner.
  const from = new Map<string, Array<{ to: [number, number]; dir: number }>>();
  const add = (a: [number, number], b: [number, number], dir: number) => {
    const k = key(a[0], a[1]);
    const list = from.get(k) ?? [];
    list.push({ to: b, dir });
    from.set(k, list);
  };
  // directions: 0 east, 1 north, 2 west, 3 south
  for (const { column: c, row: r } of cells) {
    if (!has(c, r - 1)) add([c, r], [c + 1, r], 0);
    if (!has(c + 1, r)) add([c + 1, r], [c + 1, r + 1], 1);
    if (!has(c, r + 1)) add([c + 1, r + 1], [c, r + 1], 2);
    if (!has(c - 1, r)) add([c, r + 1], [c, r], 3);
  }
  const rings: Array<Array<[number, number]>> = [];
  const starts = [...from.keys()].sort();
  for (const startKey of starts) {
    while ((from.get(startKey)?.length ?? 0) > 0) {
      const [sc, sr] = startKey.split(',').map(Number) as [number, number];
      const ring: Array<[number, number]> = [[sc, sr]];
      let at = startKey;
      let dir = -1;
      for (;;) {
        const options = from.get(at)!;
        // At a corner with two ways on, turn left (towards the cell being walked round).
        let pick = 0;
        if (options.length > 1 && dir >= 0) {
          const left = (dir + 1) % 4;
          const found = options.findIndex((o) => o.dir === left);
          pick = found >= 0 ? found : 0;
        }
        const edge = options.splice(pick, 1)[0]!;
        if (options.length === 0) from.delete(at);
        const last = ring[ring.length - 1]!;
        // Extend a straight run rather than adding a vertex in the middle of a side.
        if (ring.length >= 2 && edge.dir === dir) {
          last[0] = edge.to[0];
          last[1] = edge.to[1];
        } else ring.push([edge.to[0], edge.to[1]]);
        dir = edge.dir;
        at = key(edge.to[0], edge.to[1]);
        if (at === startKey && !(from.get(at)?.some((o) => o.dir === (dir + 1) % 4) ?? false)) break;
        if (!from.has(at)) break;
      }
      // The start may sit in the middle of a straight side.
      if (ring.length >= 4) {
        const [a, b] = [ring[ring.length - 2]!, ring[1]!];
        const s = ring[0]!;
        if ((a[0] === s[0] && s[0] === b[0]) || (a[1] === s[1] && s[1] === b[1])) {
          ring.shift();
          ring[ring.length - 1] = [ring[0]![0], ring[0]![1]];
        }
      }
      rings.push(ring);
    }
  }
  return rings;
}

/** Twice the signed area of a ring (positive when anticlockwise). */
export function ringArea2(ring: ReadonlyArray<readonly [number, number]>): number {
  let s = 0;
  for (let i = 0; i + 1 < ring.length; i++) s += ring[i]![0] * ring[i + 1]![1] - ring[i + 1]![0] * ring[i]![1];
  return s;
}
