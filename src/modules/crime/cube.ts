import { cellToBoundary } from 'h3-js';
import type { Db } from '../../platform/db/index.ts';
import { areaContains, type Bbox, type CompiledArea, type PolygonGeometry } from '../../lib/geometry.ts';
import { countRecords, cubeRowPages, H3_RESOLUTIONS, readDataVersion, type CubeRow, type H3Res } from './read-store.ts';

/**
 * An in-memory, columnar copy of crime_records for the map's aggregations: one typed array
 * per column, strings replaced by indexes into sorted dictionaries, and the rows sorted by
 * (month, crime type) so that a period, or a period and some types, is a handful of
 * contiguous row ranges. A query selects rows by scanning those ranges with the remaining
 * filters, then counts the selected rows' codes into an Int32Array: the way in-memory
 * analytics engines work, and for a few hundred thousand records a fraction of a millisecond.
 */
export interface Cube {
  /** crime_data_version.version when the cube was read */
  version: number;
  size: number;
  ids: Float64Array;
  /** year × 12 + month − 1 */
  month: Int32Array;
  /** index into `types` */
  type: Int32Array;
  /** 0 = no outcome recorded; i + 1 = outcomes[i] */
  outcome: Int32Array;
  /** index into `sources` */
  source: Int32Array;
  /** index into `lsoaCodes`; −1 = none */
  lsoa: Int32Array;
  located: Uint8Array;
  /** NaN where not located */
  lon: Float64Array;
  lat: Float64Array;
  /** per resolution 7–10 (index res − 7): each row's index into that resolution's sorted cells; −1 = none */
  cells: CellColumn[];
  types: string[];
  outcomes: string[];
  sources: string[];
  lsoaCodes: string[];
  lsoaNames: Array<string | null>;
  /** month numbers of the first and last month with records; −1 when empty */
  firstMonth: number;
  lastMonth: number;
  /** rows of (month m, type k) are [blocks[j], blocks[j + 1]) with j = (m − firstMonth) × types.length + k */
  blocks: Int32Array;
  typeIndex: Map<string, number>;
  outcomeIndex: Map<string, number>;
  sourceIndex: Map<string, number>;
  lsoaIndex: Map<string, number>;
  unlocated: number;
}

export interface CellColumn {
  res: H3Res;
  cells: string[];
  index: Int32Array;
  lookup: Map<string, number>;
}

// ——— months ———

/** 'YYYY-MM' → year × 12 + month − 1; NaN if not a month. */
export function monthNumber(text: string): number {
  if (text.length !== 7 || text[4] !== '-') return NaN;
  const y = Number(text.slice(0, 4));
  const m = Number(text.slice(5, 7));
  return Number.isInteger(y) && Number.isInteger(m) && m >= 1 && m <= 12 ? y * 12 + m - 1 : NaN;
}

export function monthText(n: number): string {
  const y = Math.floor(n / 12);
  const m = (n % 12) + 1;
  return `${String(y).padStart(4, '0')}-${m < 10 ? '0' : ''}${m}`;
}

// ——— building ———

function grow<T extends Float64Array | Int32Array | Uint8Array>(a: T, size: number): T {
  const b = new (a.constructor as new (n: number) => T)(size);
  b.set(a);
  return b;
}

class Dictionary {
  readonly codes = new Map<string, number>();
  readonly values: string[] = [];
  code(value: string): number {
    let c = this.codes.get(value);
    if (c === undefined) {
      c = this.values.length;
      this.codes.set(value, c);
      this.values.push(value);
    }
    return c;
  }
  /** the values sorted, and for each old code its new one */
  sorted(): { values: string[]; remap: Int32Array; lookup: Map<string, number> } {
    const order = this.values.map((v, i) => [v, i] as const).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    const remap = new Int32Array(this.values.length);
    order.forEach(([, old], i) => (remap[old] = i));
    const values = order.map(([v]) => v);
    return { values, remap, lookup: new Map(values.map((v, i) => [v, i])) };
  }
}

/** Accumulates rows into growing typed arrays, then sorts them into a Cube. */
export class CubeBuilder {
  size = 0;
  private capacity: number;
  private ids: Float64Array;
  private month: Int32Array;
  private type: Int32Array;
  private outcome: Int32Array;
  private source: Int32Array;
  private lsoa: Int32Array;
  private located: Uint8Array;
  private lon: Float64Array;
  private lat: Float64Array;
  private cells: Int32Array[];
  private typeDict = new Dictionary();
  private outcomeDict = new Dictionary();
  private sourceDict = new Dictionary();
  private lsoaDict = new Dictionary();
  private lsoaNames: Array<string | null> = [];
  private cellDicts = H3_RESOLUTIONS.map(() => new Dictionary());
  /** rows whose month was not YYYY-MM, left out */
  skipped = 0;

  constructor(capacity = 1024) {
    this.capacity = Math.max(16, capacity);
    const n = this.capacity;
    this.ids = new Float64Array(n);
    this.month = new Int32Array(n);
    this.type = new Int32Array(n);
    this.outcome = new Int32Array(n);
    this.source = new Int32Array(n);
    this.lsoa = new Int32Array(n);
    this.located = new Uint8Array(n);
    this.lon = new Float64Array(n);
    this.lat = new Float64Array(n);
    this.cells = H3_RESOLUTIONS.map(() => new Int32Array(n));
  }

  private ensure(): void {
    if (this.size < this.capacity) return;
    const n = (this.capacity *= 2);
    this.ids = grow(this.ids, n);
    this.month = grow(this.month, n);
    this.type = grow(this.type, n);
    this.outcome = grow(this.outcome, n);
    this.source = grow(this.source, n);
    this.lsoa = grow(this.lsoa, n);
    this.located = grow(this.located, n);
    this.lon = grow(this.lon, n);
    this.lat = grow(this.lat, n);
    this.cells = this.cells.map((c) => grow(c, n));
  }

  add(row: CubeRow): void {
    const m = monthNumber(row.month);
    if (Number.isNaN(m)) {
      this.skipped++;
      return;
    }
    this.ensure();
    const i = this.size++;
    this.ids[i] = Number(row.id);
    this.month[i] = m;
    this.type[i] = this.typeDict.code(row.crime_type);
    this.outcome[i] = row.last_outcome === null ? -1 : this.outcomeDict.code(row.last_outcome);
    this.source[i] = this.sourceDict.code(row.source);
    if (row.lsoa_code === null) this.lsoa[i] = -1;
    else {
      const before = this.lsoaDict.values.length;
      const c = this.lsoaDict.code(row.lsoa_code);
      if (c === before) this.lsoaNames.push(row.lsoa_name);
      this.lsoa[i] = c;
    }
    const located = Number(row.located) === 1 && row.longitude !== null && row.latitude !== null;
    this.located[i] = located ? 1 : 0;
    this.lon[i] = located ? Number(row.longitude) : NaN;
    this.lat[i] = located ? Number(row.latitude) : NaN;
    const cellValues = [row.h3_7, row.h3_8, row.h3_9, row.h3_10];
    for (let r = 0; r < 4; r++) {
      const v = cellValues[r];
      this.cells[r]![i] = v === null || v === undefined ? -1 : this.cellDicts[r]!.code(v);
    }
  }

  finish(version: number): Cube {
    const steps = this.steps(version);
    for (;;) {
      const step = steps.next();
      if (step.done) return step.value;
    }
  }

  /** finish() in steps of a few tens of milliseconds, yielding to the event loop between them. */
  async finishYielding(version: number): Promise<Cube> {
    const steps = this.steps(version);
    for (;;) {
      const step = steps.next();
      if (step.done) return step.value;
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  /**
   * The sort into a Cube, as a generator that pauses between its parts (each dictionary's
   * sort, then slices of rows): on 300,000 records the whole takes about 0.4 s, which in one
   * piece held up every request to the server meanwhile.
   */
  private *steps(version: number): Generator<void, Cube> {
    const n = this.size;
    const SLICE = 50_000;
    const types = this.typeDict.sorted();
    const outcomes = this.outcomeDict.sorted();
    const sources = this.sourceDict.sorted();
    const lsoas = this.lsoaDict.sorted();
    yield;
    const cellSorts: Array<ReturnType<Dictionary['sorted']>> = [];
    for (const d of this.cellDicts) {
      cellSorts.push(d.sorted());
      yield;
    }
    const nTypes = types.values.length;

    let firstMonth = -1;
    let lastMonth = -1;
    for (let i = 0; i < n; i++) {
      if (i > 0 && i % SLICE === 0) yield;
      const m = this.month[i]!;
      if (firstMonth < 0 || m < firstMonth) firstMonth = m;
      if (m > lastMonth) lastMonth = m;
    }
    const nMonths = n === 0 ? 0 : lastMonth - firstMonth + 1;

    // Counting sort by (month, type); stable, so ids stay ascending within a block.
    const nBlocks = nMonths * nTypes;
    const blocks = new Int32Array(nBlocks + 1);
    const key = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      if (i > 0 && i % SLICE === 0) yield;
      const k = (this.month[i]! - firstMonth) * nTypes + types.remap[this.type[i]!]!;
      key[i] = k;
      blocks[k + 1]!++;
    }
    yield;
    for (let k = 0; k < nBlocks; k++) blocks[k + 1]! += blocks[k]!;
    const next = blocks.slice(0, Math.max(1, nBlocks));
    const to = new Int32Array(n);
    for (let i = 0; i < n; i++) to[i] = next[key[i]!]!++;
    yield;

    const ids = new Float64Array(n);
    const month = new Int32Array(n);
    const type = new Int32Array(n);
    const outcome = new Int32Array(n);
    const source = new Int32Array(n);
    const lsoa = new Int32Array(n);
    const located = new Uint8Array(n);
    const lon = new Float64Array(n);
    const lat = new Float64Array(n);
    const cellIndex = H3_RESOLUTIONS.map(() => new Int32Array(n));
    let unlocated = 0;
    for (let i = 0; i < n; i++) {
      if (i > 0 && i % SLICE === 0) yield;
      const j = to[i]!;
      ids[j] = this.ids[i]!;
      month[j] = this.month[i]!;
      type[j] = types.remap[this.type[i]!]!;
      const o = this.outcome[i]!;
      outcome[j] = o < 0 ? 0 : outcomes.remap[o]! + 1;
      source[j] = sources.remap[this.source[i]!]!;
      const l = this.lsoa[i]!;
      lsoa[j] = l < 0 ? -1 : lsoas.remap[l]!;
      located[j] = this.located[i]!;
      if (!this.located[i]) unlocated++;
      lon[j] = this.lon[i]!;
      lat[j] = this.lat[i]!;
      for (let r = 0; r < 4; r++) {
        const c = this.cells[r]![i]!;
        cellIndex[r]![j] = c < 0 ? -1 : cellSorts[r]!.remap[c]!;
      }
    }
    const lsoaNames = new Array<string | null>(lsoas.values.length);
    for (let old = 0; old < this.lsoaNames.length; old++) lsoaNames[lsoas.remap[old]!] = this.lsoaNames[old] ?? null;

    return {
      version,
      size: n,
      ids,
      month,
      type,
      outcome,
      source,
      lsoa,
      located,
      lon,
      lat,
      cells: H3_RESOLUTIONS.map((res, r) => ({ res, cells: cellSorts[r]!.values, index: cellIndex[r]!, lookup: cellSorts[r]!.lookup })),
      types: types.values,
      outcomes: outcomes.values,
      sources: sources.values,
      lsoaCodes: lsoas.values,
      lsoaNames,
      firstMonth,
      lastMonth,
      blocks,
      typeIndex: types.lookup,
      outcomeIndex: outcomes.lookup,
      sourceIndex: sources.lookup,
      lsoaIndex: lsoas.lookup,
      unlocated,
    };
  }
}

/** Reads every record through read-store, page by page, into a new cube. */
export async function loadCube(db: Db): Promise<Cube> {
  // The version is read first: if an import lands while we read, the next check sees a newer one and reloads.
  const version = await readDataVersion(db);
  const builder = new CubeBuilder((await countRecords(db)) + 1024);
  for await (const page of cubeRowPages(db, 5_000)) {
    for (const row of page) builder.add(row);
    // node:sqlite reads are synchronous and resolve as microtasks, which never let I/O in:
    // yield to the event loop between pages so requests (health checks, sign-ins) are answered.
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return builder.finishYielding(version);
}

/**
 * The current cube for a database, rebuilt when crime_data_version changes. The version is
 * checked at most once per `checkIntervalMs`; a rebuild makes a whole new cube and then
 * swaps it in, so a query sees either the old cube or the new one, never a half-built one.
 * Requests that arrive while a rebuild is running wait for it and share it.
 */
export class CubeCache {
  readonly db: Db;
  readonly checkIntervalMs: number;
  private cube: Cube | null = null;
  private checkedAt = 0;
  private pending: Promise<Cube> | null = null;
  /** how many cubes have been built: for tests and the benchmark */
  loads = 0;

  constructor(db: Db, options: { checkIntervalMs?: number } = {}) {
    this.db = db;
    this.checkIntervalMs = options.checkIntervalMs ?? 1000;
  }

  get(): Promise<Cube> {
    if (this.pending) return this.pending;
    const cube = this.cube;
    if (cube && Date.now() - this.checkedAt < this.checkIntervalMs) return Promise.resolve(cube);
    this.pending = this.refresh(cube).finally(() => (this.pending = null));
    return this.pending;
  }

  /** Forgets the version check, so the next get() looks at the database again. */
  invalidate(): void {
    this.checkedAt = 0;
  }

  private async refresh(cube: Cube | null): Promise<Cube> {
    if (cube) {
      const version = await readDataVersion(this.db);
      this.checkedAt = Date.now();
      if (version === cube.version) return cube;
    }
    const fresh = await loadCube(this.db);
    this.loads++;
    this.cube = fresh;
    this.checkedAt = Date.now();
    return fresh;
  }
}

// ——— querying ———

/** A query's filters in the cube's terms. Null means "no filter on this". */
export interface CubeQuery {
  /** month numbers, inclusive */
  from: number;
  to: number;
  types?: readonly string[] | null;
  /** null in the list stands for "no outcome recorded" */
  outcomes?: ReadonlyArray<string | null> | null;
  sources?: readonly string[] | null;
  bbox?: Bbox | null;
  area?: CompiledArea | null;
  /** only rows in this cell */
  cell?: { res: H3Res; cell: string } | null;
}

/**
 * The rows a query selects: either whole row ranges (`rows` null, when only the period and
 * types filter), or the row numbers themselves.
 */
export interface Selection {
  ranges: number[];
  rows: Int32Array | null;
  count: number;
}

/** The row ranges for a period and, optionally, some crime types. */
function blockRanges(cube: Cube, from: number, to: number, types: readonly string[] | null | undefined): number[] {
  const ranges: number[] = [];
  if (cube.size === 0) return ranges;
  const lo = Math.max(from, cube.firstMonth) - cube.firstMonth;
  const hi = Math.min(to, cube.lastMonth) - cube.firstMonth;
  if (lo > hi) return ranges;
  const nTypes = cube.types.length;
  if (!types) {
    const a = cube.blocks[lo * nTypes]!;
    const b = cube.blocks[(hi + 1) * nTypes]!;
    if (b > a) ranges.push(a, b);
    return ranges;
  }
  const codes = [...new Set(types.flatMap((t) => cube.typeIndex.get(t) ?? []))].sort((a, b) => a - b);
  for (let m = lo; m <= hi; m++) {
    for (const k of codes) {
      const j = m * nTypes + k;
      const a = cube.blocks[j]!;
      const b = cube.blocks[j + 1]!;
      if (b <= a) continue;
      // merge with the previous range when adjacent
      if (ranges.length && ranges[ranges.length - 1] === a) ranges[ranges.length - 1] = b;
      else ranges.push(a, b);
    }
  }
  return ranges;
}

export function select(cube: Cube, q: CubeQuery): Selection {
  const ranges = blockRanges(cube, q.from, q.to, q.types);
  let outcomeMask: Uint8Array | null = null;
  if (q.outcomes) {
    outcomeMask = new Uint8Array(cube.outcomes.length + 1);
    for (const o of q.outcomes) {
      if (o === null) outcomeMask[0] = 1;
      else {
        const c = cube.outcomeIndex.get(o);
        if (c !== undefined) outcomeMask[c + 1] = 1;
      }
    }
  }
  let sourceMask: Uint8Array | null = null;
  if (q.sources) {
    sourceMask = new Uint8Array(cube.sources.length);
    for (const s of q.sources) {
      const c = cube.sourceIndex.get(s);
      if (c !== undefined) sourceMask[c] = 1;
    }
  }
  let cellCodes: Int32Array | null = null;
  let cellCode = -1;
  if (q.cell) {
    const column = cube.cells[q.cell.res - 7]!;
    cellCodes = column.index;
    cellCode = column.lookup.get(q.cell.cell) ?? -2; // −2 matches no row
  }
  const spatial = q.bbox || q.area;
  if (!outcomeMask && !sourceMask && !spatial && !cellCodes) {
    let count = 0;
    for (let r = 0; r < ranges.length; r += 2) count += ranges[r + 1]! - ranges[r]!;
    return { ranges, rows: null, count };
  }

  // The box to test first: the bbox filter, narrowed to the polygon's box.
  let minX = -Infinity;
  let minY = -Infinity;
  let maxX = Infinity;
  let maxY = Infinity;
  for (const b of [q.bbox, q.area?.bbox]) {
    if (!b) continue;
    minX = Math.max(minX, b[0]);
    minY = Math.max(minY, b[1]);
    maxX = Math.min(maxX, b[2]);
    maxY = Math.min(maxY, b[3]);
  }
  const area = q.area ?? null;
  let total = 0;
  for (let r = 0; r < ranges.length; r += 2) total += ranges[r + 1]! - ranges[r]!;
  const rows = new Int32Array(total);
  let count = 0;
  const { outcome, source, lon, lat } = cube;
  for (let r = 0; r < ranges.length; r += 2) {
    const end = ranges[r + 1]!;
    for (let i = ranges[r]!; i < end; i++) {
      if (outcomeMask !== null && outcomeMask[outcome[i]!] === 0) continue;
      if (sourceMask !== null && sourceMask[source[i]!] === 0) continue;
      if (cellCodes !== null && cellCodes[i] !== cellCode) continue;
      if (spatial) {
        const x = lon[i]!;
        const y = lat[i]!;
        // NaN (not located) fails every comparison, so is rejected here.
        if (!(x >= minX && x <= maxX && y >= minY && y <= maxY)) continue;
        if (area !== null && !areaContains(area, x, y)) continue;
      }
      rows[count++] = i;
    }
  }
  return { ranges, rows, count };
}

/** Counts of the selected rows by a code column: out[c] for code c; negative codes (none) are skipped. */
export function countCodes(sel: Selection, codes: Int32Array, size: number, offset = 0): Int32Array {
  const out = new Int32Array(size);
  if (sel.rows) {
    const rows = sel.rows;
    for (let j = 0; j < sel.count; j++) {
      const c = codes[rows[j]!]! - offset;
      if (c >= 0) out[c]!++;
    }
  } else {
    const ranges = sel.ranges;
    for (let r = 0; r < ranges.length; r += 2) {
      const end = ranges[r + 1]!;
      for (let i = ranges[r]!; i < end; i++) {
        const c = codes[i]! - offset;
        if (c >= 0) out[c]!++;
      }
    }
  }
  return out;
}

/** How many selected rows have no location. */
export function countUnlocated(sel: Selection, cube: Cube): number {
  const located = cube.located;
  let n = 0;
  if (sel.rows) {
    for (let j = 0; j < sel.count; j++) if (located[sel.rows[j]!] === 0) n++;
  } else {
    for (let r = 0; r < sel.ranges.length; r += 2) {
      const end = sel.ranges[r + 1]!;
      for (let i = sel.ranges[r]!; i < end; i++) if (located[i] === 0) n++;
    }
  }
  return n;
}

/** The selected row numbers, as one array. */
export function selectedRows(sel: Selection): Int32Array {
  if (sel.rows) return sel.rows.subarray(0, sel.count);
  const out = new Int32Array(sel.count);
  let k = 0;
  for (let r = 0; r < sel.ranges.length; r += 2) for (let i = sel.ranges[r]!; i < sel.ranges[r + 1]!; i++) out[k++] = i;
  return out;
}

/** Non-zero counts by cell at a resolution, in cell order. */
export function countByCell(cube: Cube, sel: Selection, res: H3Res): Array<{ cell: string; count: number }> {
  const column = cube.cells[res - 7]!;
  const counts = countCodes(sel, column.index, column.cells.length);
  const out: Array<{ cell: string; count: number }> = [];
  for (let c = 0; c < counts.length; c++) if (counts[c]! > 0) out.push({ cell: column.cells[c]!, count: counts[c]! });
  return out;
}

/** Counts for every month from..to (zero-filled), in order. */
export function countByMonth(cube: Cube, sel: Selection, from: number, to: number): Array<{ month: string; count: number }> {
  const counts = countCodes(sel, cube.month, to - from + 1, from);
  return Array.from(counts, (count, i) => ({ month: monthText(from + i), count }));
}

/** Non-zero counts by crime type, in type order. */
export function countByType(cube: Cube, sel: Selection): Array<{ crimeType: string; count: number }> {
  const counts = countCodes(sel, cube.type, cube.types.length);
  return cube.types.flatMap((crimeType, c) => (counts[c]! > 0 ? [{ crimeType, count: counts[c]! }] : []));
}

/** Non-zero counts by last outcome (null: none recorded first, then in outcome order). */
export function countByOutcome(cube: Cube, sel: Selection): Array<{ outcome: string | null; count: number }> {
  const counts = countCodes(sel, cube.outcome, cube.outcomes.length + 1);
  const out: Array<{ outcome: string | null; count: number }> = [];
  if (counts[0]! > 0) out.push({ outcome: null, count: counts[0]! });
  cube.outcomes.forEach((outcome, c) => {
    if (counts[c + 1]! > 0) out.push({ outcome, count: counts[c + 1]! });
  });
  return out;
}

/** Non-zero counts by LSOA, in code order. */
export function countByLsoa(cube: Cube, sel: Selection): Array<{ lsoaCode: string; lsoaName: string | null; count: number }> {
  const counts = countCodes(sel, cube.lsoa, cube.lsoaCodes.length);
  return cube.lsoaCodes.flatMap((lsoaCode, c) => (counts[c]! > 0 ? [{ lsoaCode, lsoaName: cube.lsoaNames[c] ?? null, count: counts[c]! }] : []));
}

// ——— cell outlines ———

const boundaries = new Map<string, PolygonGeometry>();

/**
 * A cell's outline as a GeoJSON Polygon: [lon, lat] positions, closed ring, computed once
 * per cell and shared (treat it as read-only).
 */
export function cellPolygon(cell: string): PolygonGeometry {
  let g = boundaries.get(cell);
  if (!g) {
    g = { type: 'Polygon', coordinates: [cellToBoundary(cell, true)] };
    boundaries.set(cell, g);
  }
  return g;
}

const featureHeads = new Map<string, Buffer>();

/**
 * The UTF-8 bytes of a hexagon Feature up to its count,
 * `{"type":"Feature","geometry":{…},"properties":{"cell":"…","count":`, made once per cell:
 * replies with thousands of cells are copied together from these.
 */
export function cellFeatureHead(cell: string): Buffer {
  let head = featureHeads.get(cell);
  if (head === undefined) {
    head = Buffer.from(`{"type":"Feature","geometry":${JSON.stringify(cellPolygon(cell))},"properties":{"cell":${JSON.stringify(cell)},"count":`);
    featureHeads.set(cell, head);
  }
  return head;
}
