import { CompiledQuery, sql, type Kysely } from 'kysely';
import type { Db } from '../../platform/db/index.ts';
import type { CrimeRecordRow, OutcomeRow, StopSearchRow } from './import/rows.ts';
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
  crime_records: CrimeRecordRow & { id: number };
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
async function selectWhereIn<R>(db: Db, select: string, column: string, values: readonly string[], suffix = ''): Promise<R[]> {
  if (!values.length) return [];
  if (usesDollar(db)) return run<R>(db, `${select} where ${column} = any($1::text[])${suffix}`, [values]);
  const out: R[] = [];
  for (let start = 0; start < values.length; start += IN_LIST_MAX) {
    const slice: Array<string | null> = values.slice(start, start + IN_LIST_MAX);
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

/** PostgreSQL, where a savepoint per file is cheap; SQLite, where it copies every page it touches. */
export const isPostgres = (db: Db): boolean => usesDollar(db);

/** The highest ids in the import's tables: on SQLite, the rows a file added are those above. */
export async function highestIds(db: Db): Promise<{ records: number; outcomes: number; stopSearches: number }> {
  const [r] = await run<{ records: number | null; outcomes: number | null; stop_searches: number | null }>(
    db,
    'select (select max(id) from crime_records) as records, (select max(id) from crime_outcomes) as outcomes, (select max(id) from stop_searches) as stop_searches',
    [],
  );
  return { records: Number(r?.records ?? 0), outcomes: Number(r?.outcomes ?? 0), stopSearches: Number(r?.stop_searches ?? 0) };
}

/**
 * Removes the rows added after `ids` were read. Only for SQLite inside the import's own
 * write transaction, where no other writer can have added rows in between.
 */
export async function deleteRowsAbove(db: Db, ids: { records: number; outcomes: number; stopSearches: number }): Promise<void> {
  await t(db).deleteFrom('crime_records').where('id', '>', ids.records).execute();
  await t(db).deleteFrom('crime_outcomes').where('id', '>', ids.outcomes).execute();
  await t(db).deleteFrom('stop_searches').where('id', '>', ids.stopSearches).execute();
}

// ---------------------------------------------------------------------------------------
// Crime records

export const RECORD_COLUMNS = [
  'source',
  'record_key',
  'crime_id',
  'month',
  'occurred_at',
  'reported_by',
  'falls_within',
  'longitude',
  'latitude',
  'easting',
  'northing',
  'location',
  'lsoa_code',
  'lsoa_name',
  'crime_type',
  'last_outcome',
  'outcome_month',
  'context',
  'located',
  'h3_10',
  'source_file',
  'source_line',
  'imported_at',
  'updated_at',
] as const satisfies readonly (keyof CrimeRecordRow)[];

/** What merging needs to know about a stored record. */
export interface RecordState {
  record_key: string;
  crime_id: string | null;
  month: string;
  occurred_at: string | null;
  outcome_month: string | null;
  last_outcome: string | null;
  updated_at: string;
}

const STATE_SELECT = 'select record_key, crime_id, month, occurred_at, outcome_month, last_outcome, updated_at from crime_records';

export async function findRecordStates(db: Db, recordKeys: readonly string[]): Promise<Map<string, RecordState>> {
  const rows = await selectWhereIn<RecordState>(db, STATE_SELECT, 'record_key', recordKeys);
  return new Map(rows.map((r) => [r.record_key, r]));
}

/** By Crime ID: a record with one has it as its record_key (a check constraint holds it so). */
export async function findRecordStatesByCrimeId(db: Db, crimeIds: readonly string[]): Promise<Map<string, RecordState>> {
  const rows = await selectWhereIn<RecordState>(db, STATE_SELECT, 'record_key', crimeIds);
  return new Map(rows.flatMap((r) => (r.crime_id === null ? [] : [[r.crime_id, r] as const])));
}

/**
 * A record's parameters in RECORD_COLUMNS order, property by property: reading them by
 * column name in a loop (a keyed load per cell, 8 million for the Leicestershire set) took
 * about 0.2 s of CPU, this about 0.06 s.
 */
export function fillRecordParams(p: unknown[], rows: readonly CrimeRecordRow[]): void {
  let k = 0;
  for (const r of rows) {
    p[k] = r.source;
    p[k + 1] = r.record_key;
    p[k + 2] = r.crime_id;
    p[k + 3] = r.month;
    p[k + 4] = r.occurred_at;
    p[k + 5] = r.reported_by;
    p[k + 6] = r.falls_within;
    p[k + 7] = r.longitude;
    p[k + 8] = r.latitude;
    p[k + 9] = r.easting;
    p[k + 10] = r.northing;
    p[k + 11] = r.location;
    p[k + 12] = r.lsoa_code;
    p[k + 13] = r.lsoa_name;
    p[k + 14] = r.crime_type;
    p[k + 15] = r.last_outcome;
    p[k + 16] = r.outcome_month;
    p[k + 17] = r.context;
    p[k + 18] = r.located;
    p[k + 19] = r.h3_10;
    p[k + 20] = r.source_file;
    p[k + 21] = r.source_line;
    p[k + 22] = r.imported_at;
    p[k + 23] = r.updated_at;
    k += 24;
  }
}

/** What the rows of one file share, in the order insertNewRecords binds them. */
export const SHARED_RECORD_COLUMNS = ['source', 'source_file', 'imported_at', 'updated_at'] as const;
export const VARYING_RECORD_COLUMNS = RECORD_COLUMNS.filter((c) => !(SHARED_RECORD_COLUMNS as readonly string[]).includes(c));

/** The other columns' parameters, in VARYING_RECORD_COLUMNS order, from `p[start]` on. */
export function fillVaryingRecordParams(p: unknown[], rows: readonly CrimeRecordRow[], start: number): void {
  let k = start;
  for (const r of rows) {
    p[k] = r.record_key;
    p[k + 1] = r.crime_id;
    p[k + 2] = r.month;
    p[k + 3] = r.occurred_at;
    p[k + 4] = r.reported_by;
    p[k + 5] = r.falls_within;
    p[k + 6] = r.longitude;
    p[k + 7] = r.latitude;
    p[k + 8] = r.easting;
    p[k + 9] = r.northing;
    p[k + 10] = r.location;
    p[k + 11] = r.lsoa_code;
    p[k + 12] = r.lsoa_name;
    p[k + 13] = r.crime_type;
    p[k + 14] = r.last_outcome;
    p[k + 15] = r.outcome_month;
    p[k + 16] = r.context;
    p[k + 17] = r.located;
    p[k + 18] = r.h3_10;
    p[k + 19] = r.source_line;
    k += 20;
  }
}

export async function insertCrimeRecords(db: Db, rows: readonly CrimeRecordRow[]): Promise<void> {
  await insertMany(db, 'crime_records', RECORD_COLUMNS, rows, fillRecordParams);
}

/**
 * SQLite only, inside the import's write transaction: inserts the records whose identity is
 * not stored yet (`insert or ignore`) and answers the stored state of those whose identity
 * was, which are left as they were for the caller to merge. The rows must have distinct
 * identities. Looking every identity up before inserting was about a tenth of an import's
 * profile (an `in` list of thousands of keys per chunk, each found missing in the index the
 * INSERT then searches again); now a statement that inserted every row needs no lookup, and one
 * that did not looks up its own keys among the rows stored before it (ids up to the
 * highest before it: no other writer can add rows while the import holds the lock).
 */
export async function insertNewRecords(db: Db, rows: readonly CrimeRecordRow[]): Promise<Map<string, RecordState>> {
  const stored = new Map<string, RecordState>();
  const shared = rows.length > 0 && rows.every((r) => r.source === rows[0]!.source && r.source_file === rows[0]!.source_file && r.imported_at === rows[0]!.imported_at && r.updated_at === rows[0]!.updated_at);
  const width = shared ? VARYING_RECORD_COLUMNS.length : RECORD_COLUMNS.length;
  for (const [start, size] of cacheableSlices(rows.length, Math.floor(MAX_PARAMS / width))) {
    const slice = rows.slice(start, start + size);
    const [{ highest } = { highest: null }] = await run<{ highest: number | null }>(db, 'select max(id) as highest from crime_records', []);
    let params: unknown[];
    let text: string;
    if (shared) {
      // The file's source, name and import time bound once for the statement, not once a row.
      const first = slice[0]!;
      params = new Array<unknown>(SHARED_RECORD_COLUMNS.length + slice.length * width);
      params[0] = first.source;
      params[1] = first.source_file;
      params[2] = first.imported_at;
      params[3] = first.updated_at;
      fillVaryingRecordParams(params, slice, SHARED_RECORD_COLUMNS.length);
      text = `insert or ignore into crime_records (${SHARED_RECORD_COLUMNS.join(',')},${VARYING_RECORD_COLUMNS.join(',')}) select ?,?,?,?,* from (values ${valuesText(false, slice.length, width)})`;
    } else {
      params = new Array<unknown>(slice.length * width);
      fillRecordParams(params, slice);
      text = `insert or ignore into crime_records (${RECORD_COLUMNS.join(',')}) values ${valuesText(false, slice.length, width)}`;
    }
    const inserted = Number((await db.executeQuery(CompiledQuery.raw(text, params))).numAffectedRows ?? -1);
    if (inserted === slice.length) continue;
    const before = await selectWhereIn<RecordState & { id: number }>(
      db,
      STATE_SELECT.replace('select ', 'select id, '),
      'record_key',
      slice.map((r) => r.record_key),
    );
    let found = 0;
    for (const { id, ...state } of before) {
      if (highest !== null && Number(id) <= Number(highest)) {
        stored.set(state.record_key, state);
        found++;
      }
    }
    if (inserted + found !== slice.length) {
      throw new Error(`crime_records: ${slice.length - inserted - found} of ${slice.length} rows were refused by the database (a missing value or a broken rule)`);
    }
  }
  return stored;
}

/** Writes merged months (with their time), outcomes and the time of the change back. */
export async function updateRecordStates(db: Db, states: Iterable<RecordState>): Promise<void> {
  for (const s of states) {
    await t(db)
      .updateTable('crime_records')
      .set({ month: s.month, occurred_at: s.occurred_at, outcome_month: s.outcome_month, last_outcome: s.last_outcome, updated_at: s.updated_at })
      .where('record_key', '=', s.record_key)
      .execute();
  }
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
