import { CompiledQuery, sql, type Kysely } from 'kysely';
import type { Db } from '../../platform/db/index.ts';
import type { CrimeRecordRow, MergeState, OutcomeRow, StopSearchRow } from './import/rows.ts';
import { LABEL_COLUMNS, LABELS, placeKey, type DictionaryDelta, type RecordChunk } from './import/encode.ts';
import { identityHash, probeSlot } from './import/identity.ts';
import type { Boundary, Geometry } from './import/lsoa.ts';

/**
 * Writing crime data: the import's SQL. Bulk paths (records, outcomes, stop and search)
 * build their statements as text and hand them to Kysely's executor, skipping the query
 * builder, which would build and compile a tree of tens of thousands of values per
 * statement. Placeholders are `?` on SQLite and `$n` on PostgreSQL, learnt from Kysely's own
 * compiler for the handle; everything else here uses the query builder.
 */

interface LsoaBoundaryRow {
  lsoa_code: string;
  lsoa_name: string;
  geometry: string;
  min_longitude: number;
  min_latitude: number;
  max_longitude: number;
  max_latitude: number;
  source_file: string;
  imported_at: string;
  updated_at: string;
}

interface Tables {
  crime_outcomes: OutcomeRow & { id: number };
  stop_searches: StopSearchRow & { id: number };
  crime_data_version: { id: number; version: number; changed_at: string };
  lsoa_boundaries: LsoaBoundaryRow;
}

const t = (db: Db) => db as Kysely<Tables>;

/** Parameters per statement: SQLite allows 32,766, PostgreSQL 65,535. */
const MAX_PARAMS = 30_000;

const dollarCache = new WeakMap<object, boolean>();
function usesDollar(db: Db): boolean {
  let d = dollarCache.get(db);
  if (d === undefined) {
    d = sql`${0}`.compile(db).sql.startsWith('$');
    dollarCache.set(db, d);
  }
  return d;
}

const textCache = new Map<string, string>();
/** `(?, ?), (?, ?)` or `($1, $2), ($3, $4)` for rows × columns. */
function valuesText(dollar: boolean, rows: number, columns: number): string {
  const key = `${dollar ? '$' : '?'}${rows}x${columns}`;
  let text = textCache.get(key);
  if (text === undefined) {
    const parts: string[] = [];
    let n = 1;
    for (let r = 0; r < rows; r++) {
      const cells: string[] = [];
      for (let c = 0; c < columns; c++) cells.push(dollar ? `$${n++}` : '?');
      parts.push(`(${cells.join(',')})`);
    }
    text = parts.join(',');
    if (textCache.size > 200) textCache.clear();
    textCache.set(key, text);
  }
  return text;
}

async function run<R>(db: Db, text: string, params: unknown[]): Promise<R[]> {
  const result = await db.executeQuery(CompiledQuery.raw(text, params));
  return result.rows as R[];
}

/** PostgreSQL types of the non-text columns the import writes (every other column is text). */
const PG_TYPES: Record<string, string> = {
  longitude: 'float8',
  latitude: 'float8',
  easting: 'int4',
  northing: 'int4',
  located: 'int4',
  source_line: 'int4',
  part_of_operation: 'int4',
  outcome_linked_to_object: 'int4',
  removal_of_more_than_outer_clothing: 'int4',
};

/**
 * Bulk INSERTs. On PostgreSQL, one array per column and `unnest`: a statement of a few dozen
 * parameters whatever the row count, where a VALUES list of 30,000 parameters spent most of
 * its time being parsed and planned. On SQLite, multi-row VALUES as `insert or ignore`: a
 * statement that cannot abort needs no statement journal, and journalling every page a
 * 1,000-row statement touched cost about a sixth of an import. Nothing is ignored in practice
 * (callers insert only keys they have just looked up and found absent), and the count is
 * checked: a row refused for any reason fails the import, as a plain INSERT would.
 */
async function insertMany<T extends object>(
  db: Db,
  table: string,
  columns: readonly (keyof T & string)[],
  rows: readonly T[],
  fill?: (params: unknown[], rows: readonly T[]) => void,
): Promise<void> {
  if (!rows.length) return;
  const dollar = usesDollar(db);
  const perStatement = dollar ? 10_000 : Math.max(1, Math.floor(MAX_PARAMS / columns.length));
  for (const [start, size] of dollar ? evenSlices(rows.length, perStatement) : cacheableSlices(rows.length, perStatement)) {
    const slice = rows.slice(start, start + size);
    let text: string;
    let params: unknown[];
    if (dollar) {
      params = columns.map((c) => slice.map((row) => row[c]));
      text = `insert into ${table} (${columns.join(',')}) select * from unnest(${columns.map((c, i) => `$${i + 1}::${PG_TYPES[c] ?? 'text'}[]`).join(',')})`;
    } else {
      params = new Array(slice.length * columns.length);
      if (fill) fill(params, slice);
      else {
        let k = 0;
        for (const row of slice) for (const c of columns) params[k++] = row[c];
      }
      text = `insert or ignore into ${table} (${columns.join(',')}) values ${valuesText(false, slice.length, columns.length)}`;
    }
    const result = await db.executeQuery(CompiledQuery.raw(text, params));
    if (Number(result.numAffectedRows ?? -1) !== slice.length) {
      throw new Error(`${table}: ${slice.length - Number(result.numAffectedRows ?? 0)} of ${slice.length} rows were refused by the database (a duplicate identity or a missing value)`);
    }
  }
}

/** [start, size] of slices of at most `max` rows. */
function* evenSlices(total: number, max: number): Generator<[number, number]> {
  for (let start = 0; start < total; start += max) yield [start, Math.min(max, total - start)];
}

/**
 * [start, size] of slices of `max` rows, then the rest in powers of two (556 = 512 + 32 + 8 + 4):
 * a handful of statement shapes that SQLite's statement cache (src/platform/db/sqlite.ts)
 * keeps prepared, where a chunk's tail of any other size was compiled afresh every time.
 */
function* cacheableSlices(total: number, max: number): Generator<[number, number]> {
  let start = 0;
  for (; total - start >= max; start += max) yield [start, max];
  for (let size = 1 << Math.floor(Math.log2(Math.max(1, total - start))); start < total; size >>= 1) {
    if (total - start >= size) {
      yield [start, size];
      start += size;
    }
  }
}

/** `in` lists on SQLite: at most this many values, padded with nulls to a power of two (at least 16), so their statements are reused. */
const IN_LIST_MAX = 4096;

/** Rows whose `column` is one of `values`: `in (…)` on SQLite, `= any($1)` on PostgreSQL. */
async function selectWhereIn<R>(db: Db, select: string, column: string, values: readonly string[] | readonly number[], suffix = ''): Promise<R[]> {
  if (!values.length) return [];
  if (usesDollar(db)) return run<R>(db, `${select} where ${column} = any($1::${typeof values[0] === 'number' ? 'int8' : 'text'}[])${suffix}`, [values]);
  const out: R[] = [];
  for (let start = 0; start < values.length; start += IN_LIST_MAX) {
    const slice: Array<string | number | null> = values.slice(start, start + IN_LIST_MAX);
    const size = Math.max(16, 2 ** Math.ceil(Math.log2(slice.length)));
    while (slice.length < size) slice.push(null);
    out.push(...(await run<R>(db, `${select} where ${column} in (${valuesText(false, 1, size).slice(1, -1)})${suffix}`, slice)));
  }
  return out;
}

/**
 * On SQLite, a page cache big enough for an import's working set (the default is 2 MB;
 * this allows up to 256 MB, allocated only as used), returning a function that puts it back.
 * Random identity keys touch pages all over their index, and each page that falls out of
 * the cache mid-transaction is written to the WAL and read back. Nothing to do on PostgreSQL.
 */
export async function widenCacheForImport(db: Db): Promise<() => Promise<void>> {
  if (usesDollar(db)) return async () => {};
  const before = Number((await run<{ cache_size: number }>(db, 'pragma cache_size', []))[0]?.cache_size ?? -2000);
  if (before < 0 && before <= -65_536) return async () => {};
  await run(db, 'pragma cache_size = -65536', []);
  return async () => {
    await run(db, `pragma cache_size = ${Math.trunc(before)}`, []);
  };
}

/**
 * On PostgreSQL, inside the import's transaction: look records up through their indexes.
 * The planner's statistics describe the table as it was before the import (often empty),
 * so without this it scans the whole growing table for every chunk's lookup.
 */
export async function preferIndexLookups(db: Db): Promise<void> {
  if (usesDollar(db)) await run(db, 'set local enable_seqscan = off', []);
}

/**
 * On PostgreSQL, after an import that added or changed many rows: fresh planner statistics
 * for the tables it wrote, so the queries that follow (the map's pages, the forecast's months)
 * are planned for the table as it now is, not as it was (often empty), until autovacuum's
 * own ANALYZE comes round. SQLite plans without statistics.
 */
export async function refreshStatistics(db: Db, changed: number): Promise<void> {
  if (usesDollar(db) && changed >= 10_000) await run(db, 'analyze crime_record_rows, crime_labels, crime_places, crime_outcomes, stop_searches', []);
}

/** PostgreSQL, where a savepoint per file is cheap; SQLite, where it copies every page it touches. */
export const isPostgres = (db: Db): boolean => usesDollar(db);

/** The highest ids in the import's tables: on SQLite, the rows a file added are those above. */
export async function highestIds(db: Db): Promise<{ records: number; outcomes: number; stopSearches: number }> {
  const [r] = await run<{ records: number | null; outcomes: number | null; stop_searches: number | null }>(
    db,
    'select (select max(id) from crime_record_rows) as records, (select max(id) from crime_outcomes) as outcomes, (select max(id) from stop_searches) as stop_searches',
    [],
  );
  return { records: Number(r?.records ?? 0), outcomes: Number(r?.outcomes ?? 0), stopSearches: Number(r?.stop_searches ?? 0) };
}

/**
 * Removes the rows added after `ids` were read. Only for SQLite inside the import's own
 * write transaction, where no other writer can have added rows in between. Labels and
 * places the rows used stay: they are shared, and harmless unused.
 */
export async function deleteRowsAbove(db: Db, ids: { records: number; outcomes: number; stopSearches: number }): Promise<void> {
  await run(db, `delete from crime_record_rows where id > ${usesDollar(db) ? '$1' : '?'}`, [ids.records]);
  await t(db).deleteFrom('crime_outcomes').where('id', '>', ids.outcomes).execute();
  await t(db).deleteFrom('stop_searches').where('id', '>', ids.stopSearches).execute();
}

// ---------------------------------------------------------------------------------------
// Crime records
//
// Stored in `crime_record_rows` (migration 005): each repeated text as the id of a
// `crime_labels` row, the point with its grid reference and cell as the id of a
// `crime_places` row, and the identity's hash (import/identity.ts) as the unique key. The
// view `crime_records` shows them with their texts, as the table of that name used to.

/** A point as records share it. */
export interface PlaceValues {
  /** its identity: import/encode.ts placeKey */
  key: string;
  longitude: number;
  latitude: number;
  easting: number | null;
  northing: number | null;
  h3_10: string | null;
}

/** The ids of these texts in `crime_labels`, adding those not there yet. */
export async function internLabels(db: Db, texts: readonly string[]): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  if (!texts.length) return out;
  const unique = [...new Set(texts)];
  // The rows added come back with their ids; only texts stored before are looked up.
  if (usesDollar(db)) {
    for (const r of await run<{ id: number; label: string }>(db, 'insert into crime_labels (label) select * from unnest($1::text[]) on conflict (label) do nothing returning id, label', [unique])) out.set(r.label, Number(r.id));
  } else {
    for (let i = 0; i < unique.length; i += IN_LIST_MAX) {
      const slice = unique.slice(i, i + IN_LIST_MAX);
      for (const r of await run<{ id: number; label: string }>(db, `insert or ignore into crime_labels (label) values ${valuesText(false, slice.length, 1)} returning id, label`, slice)) out.set(r.label, Number(r.id));
    }
  }
  if (out.size < unique.length) {
    const stored = unique.filter((text) => !out.has(text));
    for (const r of await selectWhereIn<{ id: number; label: string }>(db, 'select id, label from crime_labels', 'label', stored)) out.set(r.label, Number(r.id));
  }
  return out;
}

/** The ids of these places in `crime_places`, adding those not there yet. */
export async function internPlaces(db: Db, places: readonly PlaceValues[]): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  if (!places.length) return out;
  const unique = [...new Map(places.map((p) => [p.key, p])).values()];
  const columns = ['place_key', 'longitude', 'latitude', 'easting', 'northing', 'h3_10'] as const;
  const values = (p: PlaceValues) => [p.key, p.longitude, p.latitude, p.easting, p.northing, p.h3_10];
  if (usesDollar(db)) {
    const added = await run<{ id: number; place_key: string }>(
      db,
      `insert into crime_places (${columns.join(',')}) select * from unnest($1::text[], $2::float8[], $3::float8[], $4::int4[], $5::int4[], $6::text[]) on conflict (place_key) do nothing returning id, place_key`,
      columns.map((_, c) => unique.map((p) => values(p)[c])),
    );
    for (const r of added) out.set(r.place_key, Number(r.id));
  } else {
    const per = Math.floor(MAX_PARAMS / columns.length);
    for (let i = 0; i < unique.length; i += per) {
      const slice = unique.slice(i, i + per);
      const added = await run<{ id: number; place_key: string }>(db, `insert or ignore into crime_places (${columns.join(',')}) values ${valuesText(false, slice.length, columns.length)} returning id, place_key`, slice.flatMap(values));
      for (const r of added) out.set(r.place_key, Number(r.id));
    }
  }
  if (out.size < unique.length) {
    const stored = unique.filter((p) => !out.has(p.key)).map((p) => p.key);
    for (const r of await selectWhereIn<{ id: number; place_key: string }>(db, 'select id, place_key from crime_places', 'place_key', stored)) out.set(r.place_key, Number(r.id));
  }
  return out;
}

/** What merging needs to know about a stored record. */
export interface RecordState extends MergeState {
  id: number;
  /** the Crime ID, or the content key of a record without one */
  identity: string;
  crime_id: string | null;
  key_hash: number;
  updated_at: string;
}

interface StateRow {
  id: number;
  key_hash: number;
  crime_id: string | null;
  row_key: string | null;
  month: string;
  occurred_at: string | null;
  outcome_month: string | null;
  last_outcome: string | null;
  updated_at: string;
}

const STATE_SELECT =
  'select r.id, r.key_hash, r.crime_id, r.row_key, r.month, r.occurred_at, r.outcome_month, o.label as last_outcome, u.label as updated_at ' +
  'from crime_record_rows r left join crime_labels o on o.id = r.last_outcome join crime_labels u on u.id = r.updated_at';

const toState = (r: StateRow): RecordState => ({
  id: Number(r.id),
  identity: (r.crime_id ?? r.row_key)!,
  crime_id: r.crime_id,
  key_hash: Number(r.key_hash),
  month: r.month,
  occurred_at: r.occurred_at,
  outcome_month: r.outcome_month,
  last_outcome: r.last_outcome,
  updated_at: r.updated_at,
});

/** The records in these slots, by slot. */
async function statesAt(db: Db, slots: readonly number[]): Promise<Map<number, RecordState>> {
  const out = new Map<number, RecordState>();
  for (const r of await selectWhereIn<StateRow>(db, STATE_SELECT, 'r.key_hash', slots)) out.set(Number(r.key_hash), toState(r));
  return out;
}

/**
 * Follows an identity's slots from its hash (identity.ts): the record with that identity,
 * or null at the first empty slot. `first` is what the first slot holds, when known.
 */
async function probe(db: Db, identity: string, hash: number, first?: RecordState | null): Promise<{ state: RecordState | null; slot: number }> {
  for (let k = 0; ; k++) {
    const slot = probeSlot(hash, k);
    const state = k === 0 && first !== undefined ? first : ((await statesAt(db, [slot])).get(slot) ?? null);
    if (state === null || state.identity === identity) return { state, slot };
  }
}

/** The stored records with these identities (Crime IDs, or content keys), by identity. `hash` only for tests. */
export async function findRecordStates(db: Db, identities: readonly string[], hash: (identity: string) => number = identityHash): Promise<Map<string, RecordState>> {
  const out = new Map<string, RecordState>();
  const unique = [...new Set(identities)];
  const hashes = unique.map(hash);
  const home = await statesAt(db, hashes);
  for (let i = 0; i < unique.length; i++) {
    const first = home.get(hashes[i]!) ?? null;
    const { state } = first === null || first.identity === unique[i] ? { state: first } : await probe(db, unique[i]!, hashes[i]!, first);
    if (state) out.set(unique[i]!, state);
  }
  return out;
}

/** Writes merged months (with their time), outcomes and the time of the change back. */
export async function updateRecordStates(db: Db, states: Iterable<RecordState>): Promise<void> {
  const list = [...states];
  if (!list.length) return;
  const labels = await internLabels(db, list.flatMap((s) => (s.last_outcome === null ? [s.updated_at] : [s.updated_at, s.last_outcome])));
  const p = (n: number) => (usesDollar(db) ? `$${n}` : '?');
  const text = `update crime_record_rows set month = ${p(1)}, occurred_at = ${p(2)}, outcome_month = ${p(3)}, last_outcome = ${p(4)}, updated_at = ${p(5)} where id = ${p(6)}`;
  for (const s of list) {
    await run(db, text, [s.month, s.occurred_at, s.outcome_month, s.last_outcome === null ? null : labels.get(s.last_outcome)!, labels.get(s.updated_at)!, s.id]);
  }
}

/** The columns an INSERT writes, in the order the parameters are filled. */
/** What the rows of one file share (label ids), bound once per statement on SQLite when a slice's rows all do. */
const SHARED_COLUMNS = ['source', 'source_file', 'imported_at', 'updated_at'] as const;
const SHARED_LABELS = SHARED_COLUMNS.map((c) => LABEL_COLUMNS.indexOf(c));
const VARYING_LABELS = LABEL_COLUMNS.flatMap((c, i) => ((SHARED_COLUMNS as readonly string[]).includes(c) ? [] : [i]));
/** The columns an INSERT writes, in the order the parameters are filled: the shared ones first. */
export const INSERT_COLUMNS = [
  ...SHARED_COLUMNS,
  ...(['key_hash', 'crime_id', 'row_key', 'month', 'occurred_at', 'outcome_month', 'context', 'located', 'place', 'source_line'] as const),
  ...VARYING_LABELS.map((i) => LABEL_COLUMNS[i]!),
];
const VARYING_WIDTH = INSERT_COLUMNS.length - SHARED_COLUMNS.length;
const PG_INSERT_TYPES = INSERT_COLUMNS.map((c) => ({ key_hash: 'int8', crime_id: 'text', row_key: 'text', month: 'text', occurred_at: 'text', outcome_month: 'text', context: 'text' })[c as string] ?? 'int4');
const OUTCOME_PARAM = INSERT_COLUMNS.indexOf('last_outcome') - SHARED_COLUMNS.length;

const insertTexts = new Map<string, string>();
/**
 * SQLite's INSERT of `rows` records, with the shared values bound once or on every row: the
 * same string each time, so the statement cache finds it without comparing 60 kB of text.
 */
function recordInsertText(rows: number, shared: boolean): string {
  const key = `${rows}${shared ? 's' : ''}`;
  let text = insertTexts.get(key);
  if (text === undefined) {
    text = shared
      ? `insert or ignore into crime_record_rows (${INSERT_COLUMNS.join(',')}) select ${SHARED_COLUMNS.map(() => '?').join(',')},* from (values ${valuesText(false, rows, VARYING_WIDTH)})`
      : `insert or ignore into crime_record_rows (${INSERT_COLUMNS.join(',')}) values ${valuesText(false, rows, INSERT_COLUMNS.length)}`;
    insertTexts.set(key, text);
  }
  return text;
}

/** A newer outcome for a record about to be inserted (an outcome stored before its crime). */
export interface OutcomeOverride {
  last_outcome: string;
  outcome_month: string;
}

/**
 * Writes chunks of records (import/encode.ts) and answers which were stored already.
 * The chunks' label and place numbers are turned into database ids as they are first met.
 */
export class RecordWriter {
  private epoch = -1;
  private labelTexts: string[] = [''];
  private labelIds: number[] = [0];
  private places: Array<PlaceValues | null> = [null];
  private placeIds: number[] = [0];

  /** After a file is undone: ids of labels and places added meanwhile may be gone with it. */
  forgetIds(): void {
    this.labelIds.fill(0);
    this.placeIds.fill(0);
  }

  private received: RecordChunk | null = null;

  /** Takes in the chunk's new dictionary entries (once; insertChunk does it too). */
  receive(chunk: RecordChunk): void {
    if (this.received === chunk) return;
    this.received = chunk;
    this.learn(chunk.dictionary);
  }

  private learn(d: DictionaryDelta): void {
    if (d.epoch !== this.epoch) {
      this.epoch = d.epoch;
      this.labelTexts = [''];
      this.labelIds = [0];
      this.places = [null];
      this.placeIds = [0];
    }
    if (d.labelsFrom !== this.labelTexts.length || d.placesFrom !== this.places.length) throw new Error('crime import: a chunk arrived out of order');
    for (const text of d.labels) {
      this.labelTexts.push(text);
      this.labelIds.push(0);
    }
    d.placeKeys.forEach((key, i) => {
      const n = d.placeNumbers;
      const orNull = (v: number) => (Number.isNaN(v) ? null : v);
      this.places.push({ key, longitude: n[4 * i]!, latitude: n[4 * i + 1]!, easting: orNull(n[4 * i + 2]!), northing: orNull(n[4 * i + 3]!), h3_10: d.placeCells[i]! });
      this.placeIds.push(0);
    });
  }

  /** Database ids for every label and place the chunk uses (the ids array marks those asked for with -1). */
  private async resolve(db: Db, chunk: RecordChunk): Promise<void> {
    const wanted = (numbers: Int32Array, ids: number[]): number[] => {
      const out: number[] = [];
      for (let i = 0; i < numbers.length; i++) {
        const n = numbers[i]!;
        if (n !== 0 && ids[n] === 0) {
          ids[n] = -1;
          out.push(n);
        }
      }
      return out;
    };
    const labels = wanted(chunk.labels, this.labelIds);
    if (labels.length) {
      const ids = await internLabels(db, labels.map((n) => this.labelTexts[n]!));
      for (const n of labels) this.labelIds[n] = ids.get(this.labelTexts[n]!)!;
    }
    const places = wanted(chunk.place, this.placeIds);
    if (places.length) {
      const ids = await internPlaces(db, places.map((n) => this.places[n]!));
      for (const n of places) this.placeIds[n] = ids.get(this.places[n]!.key)!;
    }
  }

  labelText(n: number): string | null {
    return n === 0 ? null : this.labelTexts[n]!;
  }

  /**
   * Inserts the chunk's records whose identity is not stored yet, and answers the stored
   * state of those whose identity was (by row), which are left as they were for the caller
   * to merge. A first import thus costs no lookups: the unique key_hash refuses a stored
   * identity, and only then is its slot looked at (the identity there, or another's that
   * took the slot first: then the record goes on to the next free slot).
   */
  async insertChunk(db: Db, chunk: RecordChunk, overrides: ReadonlyMap<number, OutcomeOverride> | null = null): Promise<Map<number, RecordState>> {
    this.receive(chunk);
    await this.resolve(db, chunk);
    const overrideIds = overrides?.size ? await internLabels(db, [...overrides.values()].map((o) => o.last_outcome)) : null;
    const stored = new Map<number, RecordState>();
    // Rows of one hash but different identities go one at a time (the bulk needs distinct keys to tell rows apart).
    let bulk: number[] = [];
    const alone: number[] = [];
    if (chunk.sharedHashes) {
      const seen = new Set<number>();
      for (let i = 0; i < chunk.size; i++) {
        const h = chunk.keyHash[i]!;
        if (seen.has(h)) alone.push(i);
        else {
          seen.add(h);
          bulk.push(i);
        }
      }
    } else {
      bulk = Array.from({ length: chunk.size }, (_, i) => i);
    }
    const refused = usesDollar(db) ? await this.insertPg(db, chunk, bulk, overrides, overrideIds) : await this.insertSqlite(db, chunk, bulk, overrides, overrideIds);
    for (const [i, state] of refused) {
      if (state.identity === chunk.identity[i]) stored.set(i, state);
      else alone.push(i);
    }
    for (const i of alone) {
      // Another identity holds this hash: follow the slots to this identity or a free one.
      const { state, slot } = await probe(db, chunk.identity[i]!, chunk.keyHash[i]!);
      if (state) {
        stored.set(i, state);
        continue;
      }
      const one = await (usesDollar(db) ? this.insertPg(db, chunk, [i], overrides, overrideIds, slot) : this.insertSqlite(db, chunk, [i], overrides, overrideIds, slot));
      if (one.size) throw new Error(`crime_records: slot ${slot} was free and is not`);
    }
    return stored;
  }

  /** Whether rows `indices[from, from + count)` share the values of SHARED_COLUMNS. */
  private shareFileValues(chunk: RecordChunk, indices: readonly number[], from: number, count: number): boolean {
    const labels = chunk.labels;
    const first = indices[from]! * LABELS;
    for (let t = from + 1; t < from + count; t++) {
      const b = indices[t]! * LABELS;
      for (const j of SHARED_LABELS) if (labels[b + j] !== labels[first + j]) return false;
    }
    return true;
  }

  /**
   * Parameters of rows `indices[from, from + count)` in INSERT_COLUMNS order from p[0]; with
   * `shared`, the SHARED_COLUMNS of the first row once, then the other columns of each row.
   */
  private fill(p: unknown[], chunk: RecordChunk, indices: readonly number[], from: number, count: number, shared: boolean, overrides: ReadonlyMap<number, OutcomeOverride> | null, overrideIds: Map<string, number> | null, slot?: number): void {
    const labelIds = this.labelIds;
    const texts = this.labelTexts;
    const labels = chunk.labels;
    const labelId = (n: number) => (n === 0 ? null : labelIds[n]!);
    let k = 0;
    for (let t = from; t < from + count; t++) {
      const i = indices[t]!;
      const b = i * LABELS;
      if (!shared || t === from) {
        for (const j of SHARED_LABELS) p[k++] = labelId(labels[b + j]!);
      }
      const crime = chunk.hasCrimeId[i] === 1;
      const identity = chunk.identity[i]!;
      const place = chunk.place[i]!;
      const outcomeMonth = chunk.outcomeMonth[i]!;
      p[k] = slot ?? chunk.keyHash[i]!;
      p[k + 1] = crime ? identity : null;
      p[k + 2] = crime ? null : identity;
      p[k + 3] = texts[chunk.month[i]!]!;
      p[k + 4] = chunk.occurredAt[i]!;
      p[k + 5] = outcomeMonth === 0 ? null : texts[outcomeMonth]!;
      p[k + 6] = chunk.context[i]!;
      p[k + 7] = chunk.located[i]!;
      p[k + 8] = place === 0 ? null : this.placeIds[place]!;
      p[k + 9] = chunk.sourceLine[i]!;
      let c = k + 10;
      for (const j of VARYING_LABELS) p[c++] = labelId(labels[b + j]!);
      const o = overrides?.get(i);
      if (o) {
        p[k + 5] = o.outcome_month;
        p[k + OUTCOME_PARAM] = overrideIds!.get(o.last_outcome)!;
      }
      k += VARYING_WIDTH;
    }
  }

  /**
   * SQLite: multi-row `insert or ignore` (a statement that cannot abort needs no statement
   * journal), in slices of statement shapes the statement cache keeps. A slice that inserted
   * fewer rows than it was given looks its keys up: those stored before it are the refused
   * ones, the rows at or below the highest id before it (nobody else can write while the
   * import holds the lock, and each statement reports the last id it gave).
   */
  private async insertSqlite(db: Db, chunk: RecordChunk, indices: readonly number[], overrides: ReadonlyMap<number, OutcomeOverride> | null, overrideIds: Map<string, number> | null, slot?: number): Promise<Map<number, RecordState>> {
    const refused = new Map<number, RecordState>();
    const width = INSERT_COLUMNS.length;
    const [{ highest: before = null } = {}] = await run<{ highest: number | null }>(db, 'select max(id) as highest from crime_record_rows', []);
    let highest = Number(before ?? 0);
    // A chunk is of one file, so its rows share those values, unless they come from a source that varies them.
    const shared = indices.length > 0 && this.shareFileValues(chunk, indices, 0, indices.length);
    const perStatement = shared ? Math.floor((MAX_PARAMS - SHARED_COLUMNS.length) / VARYING_WIDTH) : Math.floor(MAX_PARAMS / width);
    for (const [start, size] of cacheableSlices(indices.length, perStatement)) {
      const params = new Array<unknown>(shared ? SHARED_COLUMNS.length + size * VARYING_WIDTH : size * width);
      this.fill(params, chunk, indices, start, size, shared, overrides, overrideIds, slot);
      const result = await db.executeQuery(CompiledQuery.raw(recordInsertText(size, shared), params));
      const inserted = Number(result.numAffectedRows ?? -1);
      const stored = highest;
      // (With nothing inserted, the last id reported is another statement's.)
      if (inserted > 0) highest = Number(result.insertId);
      if (inserted === size) continue;
      const keys: number[] = [];
      for (let t = start; t < start + size; t++) keys.push(slot ?? chunk.keyHash[indices[t]!]!);
      const states = await statesAt(db, keys);
      let found = 0;
      for (let t = start; t < start + size; t++) {
        const i = indices[t]!;
        const state = states.get(slot ?? chunk.keyHash[i]!);
        if (state && state.id <= stored) {
          refused.set(i, state);
          found++;
        }
      }
      if (inserted + found !== size) throw new Error(`crime_records: ${size - inserted - found} of ${size} rows were refused by the database (a missing value or a broken rule)`);
    }
    return refused;
  }

  /** PostgreSQL: one array per column through `unnest`; the keys of the rows inserted come back. */
  private async insertPg(db: Db, chunk: RecordChunk, indices: readonly number[], overrides: ReadonlyMap<number, OutcomeOverride> | null, overrideIds: Map<string, number> | null, slot?: number): Promise<Map<number, RecordState>> {
    const refused = new Map<number, RecordState>();
    const width = INSERT_COLUMNS.length;
    for (const [start, size] of evenSlices(indices.length, 10_000)) {
      const flat = new Array<unknown>(size * width);
      this.fill(flat, chunk, indices, start, size, false, overrides, overrideIds, slot);
      const columns = INSERT_COLUMNS.map((_, c) => {
        const col = new Array<unknown>(size);
        for (let r = 0; r < size; r++) col[r] = flat[r * width + c];
        return col;
      });
      const text = `insert into crime_record_rows (${INSERT_COLUMNS.join(',')}) select * from unnest(${PG_INSERT_TYPES.map((type, c) => `$${c + 1}::${type}[]`).join(',')}) on conflict (key_hash) do nothing returning key_hash`;
      const inserted = new Set((await run<{ key_hash: number }>(db, text, columns)).map((r) => Number(r.key_hash)));
      if (inserted.size === size) continue;
      const missing: number[] = [];
      for (let t = start; t < start + size; t++) if (!inserted.has(slot ?? chunk.keyHash[indices[t]!]!)) missing.push(indices[t]!);
      const before = await statesAt(db, missing.map((i) => slot ?? chunk.keyHash[i]!));
      for (const i of missing) {
        const state = before.get(slot ?? chunk.keyHash[i]!);
        if (!state) throw new Error('crime_records: a row was refused by the database (a missing value or a broken rule)');
        refused.set(i, state);
      }
    }
    return refused;
  }
}

/**
 * Inserts whole records (test fixtures, for one) and answers their ids in order. Each
 * identity must be new, and must not share its hash with a stored one.
 */
export async function insertCrimeRecords(db: Db, rows: readonly CrimeRecordRow[]): Promise<number[]> {
  const ids: number[] = [];
  for (let start = 0; start < rows.length; start += 1000) {
    const slice = rows.slice(start, start + 1000);
    const labels = await internLabels(
      db,
      slice.flatMap((r) => LABEL_COLUMNS.map((c) => r[c]).filter((v): v is string => v !== null)),
    );
    const located = slice.filter((r) => r.longitude !== null && r.latitude !== null);
    const places = await internPlaces(db, located.map(placeOf));
    const values = slice.map((r) => ({
      key_hash: identityHash(r.record_key),
      crime_id: r.crime_id,
      row_key: r.crime_id === null ? r.record_key : null,
      month: r.month,
      occurred_at: r.occurred_at,
      outcome_month: r.outcome_month,
      context: r.context,
      located: r.located,
      place: r.longitude !== null && r.latitude !== null ? places.get(placeOf(r).key)! : null,
      source_line: r.source_line,
      ...Object.fromEntries(LABEL_COLUMNS.map((c) => [c, r[c] === null ? null : labels.get(r[c])!])),
    }));
    const inserted = await db.insertInto('crime_record_rows').values(values).returning('id').execute();
    ids.push(...inserted.map((r) => Number(r.id)));
  }
  return ids;
}

/** A record's point as a place. */
export function placeOf(r: Pick<CrimeRecordRow, 'longitude' | 'latitude' | 'easting' | 'northing' | 'h3_10'>): PlaceValues {
  return { key: placeKey(r), longitude: r.longitude!, latitude: r.latitude!, easting: r.easting, northing: r.northing, h3_10: r.h3_10 };
}

// ---------------------------------------------------------------------------------------
// Outcomes

export const OUTCOME_COLUMNS = ['record_key', 'crime_id', 'month', 'outcome_type', 'falls_within', 'source_file', 'source_line', 'imported_at'] as const satisfies readonly (keyof OutcomeRow)[];

export async function findOutcomeKeys(db: Db, recordKeys: readonly string[]): Promise<Set<string>> {
  const rows = await selectWhereIn<{ record_key: string }>(db, 'select record_key from crime_outcomes', 'record_key', recordKeys);
  return new Set(rows.map((r) => r.record_key));
}

export async function insertOutcomes(db: Db, rows: readonly OutcomeRow[]): Promise<void> {
  await insertMany(db, 'crime_outcomes', OUTCOME_COLUMNS, rows);
}

export async function anyOutcomes(db: Db): Promise<boolean> {
  return (await t(db).selectFrom('crime_outcomes').select('id').limit(1).execute()).length > 0;
}

/** The latest stored outcome of each crime (by month; the last stored wins a tie). */
export async function latestOutcomes(db: Db, crimeIds: readonly string[]): Promise<Map<string, { month: string; outcome_type: string }>> {
  const rows = await selectWhereIn<{ crime_id: string; month: string; outcome_type: string }>(
    db,
    'select crime_id, month, outcome_type from crime_outcomes',
    'crime_id',
    crimeIds,
    ' order by crime_id, month, id',
  );
  const out = new Map<string, { month: string; outcome_type: string }>();
  for (const r of rows) out.set(r.crime_id, { month: r.month, outcome_type: r.outcome_type });
  return out;
}

// ---------------------------------------------------------------------------------------
// Stop and search

export const STOP_SEARCH_COLUMNS = [
  'record_key',
  'force',
  'search_type',
  'occurred_at',
  'month',
  'part_of_operation',
  'operation_name',
  'longitude',
  'latitude',
  'easting',
  'northing',
  'located',
  'h3_8',
  'gender',
  'age_range',
  'ethnicity_self_defined',
  'ethnicity_officer_defined',
  'legislation',
  'object_of_search',
  'outcome',
  'outcome_linked_to_object',
  'removal_of_more_than_outer_clothing',
  'source_file',
  'source_line',
  'imported_at',
] as const satisfies readonly (keyof StopSearchRow)[];

export async function findStopSearchKeys(db: Db, recordKeys: readonly string[]): Promise<Set<string>> {
  const rows = await selectWhereIn<{ record_key: string }>(db, 'select record_key from stop_searches', 'record_key', recordKeys);
  return new Set(rows.map((r) => r.record_key));
}

export async function insertStopSearches(db: Db, rows: readonly StopSearchRow[]): Promise<void> {
  await insertMany(db, 'stop_searches', STOP_SEARCH_COLUMNS, rows);
}

// ---------------------------------------------------------------------------------------
// Data version

/** Bumped in the transaction of every change to crime data, so query caches know to reload. */
export async function bumpDataVersion(db: Db, at: string): Promise<number> {
  const r = await t(db)
    .updateTable('crime_data_version')
    .set((eb) => ({ version: eb('version', '+', 1), changed_at: at }))
    .where('id', '=', 1)
    .returning('version')
    .executeTakeFirstOrThrow();
  return Number(r.version);
}

export async function readDataVersion(db: Db): Promise<number> {
  const r = await t(db).selectFrom('crime_data_version').select('version').where('id', '=', 1).executeTakeFirstOrThrow();
  return Number(r.version);
}

// ---------------------------------------------------------------------------------------
// LSOA boundaries

export async function findLsoaBoundaryTexts(db: Db, codes: readonly string[]): Promise<Map<string, { lsoa_name: string; geometry: string }>> {
  if (!codes.length) return new Map();
  const rows = await t(db).selectFrom('lsoa_boundaries').select(['lsoa_code', 'lsoa_name', 'geometry']).where('lsoa_code', 'in', [...codes]).execute();
  return new Map(rows.map((r) => [r.lsoa_code, { lsoa_name: r.lsoa_name, geometry: r.geometry }]));
}

const boundaryRow = (b: Boundary, geometry: string, sourceFile: string, at: string): LsoaBoundaryRow => ({
  lsoa_code: b.lsoaCode,
  lsoa_name: b.lsoaName,
  geometry,
  min_longitude: b.minLongitude,
  min_latitude: b.minLatitude,
  max_longitude: b.maxLongitude,
  max_latitude: b.maxLatitude,
  source_file: sourceFile,
  imported_at: at,
  updated_at: at,
});

export async function insertLsoaBoundaries(db: Db, rows: ReadonlyArray<{ boundary: Boundary; geometry: string }>, sourceFile: string, at: string): Promise<void> {
  // Polygons are long: a few rows per statement keeps each statement modest.
  for (let i = 0; i < rows.length; i += 50) {
    await t(db)
      .insertInto('lsoa_boundaries')
      .values(rows.slice(i, i + 50).map((r) => boundaryRow(r.boundary, r.geometry, sourceFile, at)))
      .execute();
  }
}

export async function updateLsoaBoundary(db: Db, boundary: Boundary, geometry: string, sourceFile: string, at: string): Promise<void> {
  const { lsoa_code: _code, imported_at: _imported, ...changes } = boundaryRow(boundary, geometry, sourceFile, at);
  await t(db).updateTable('lsoa_boundaries').set(changes).where('lsoa_code', '=', boundary.lsoaCode).execute();
}

export async function countLsoaBoundaries(db: Db): Promise<number> {
  const r = await t(db).selectFrom('lsoa_boundaries').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(r.n);
}

/** Every loaded LSOA boundary, its geometry as a GeoJSON object (WGS84), ordered by code. */
export async function listLsoaBoundaries(db: Db): Promise<Array<{ lsoaCode: string; lsoaName: string; geometry: Geometry }>> {
  const rows = await t(db).selectFrom('lsoa_boundaries').select(['lsoa_code', 'lsoa_name', 'geometry']).orderBy('lsoa_code').execute();
  return rows.map((r) => ({ lsoaCode: r.lsoa_code, lsoaName: r.lsoa_name, geometry: JSON.parse(r.geometry) as Geometry }));
}
