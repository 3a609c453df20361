import { cellToParent } from 'h3-js';
import { sql, type Expression, type ExpressionBuilder, type Kysely, type RawBuilder, type SqlBool } from 'kysely';
import type { Db } from '../../platform/db/index.ts';
import type { AreaGeometry, Bbox } from '../../lib/geometry.ts';
import { countLsoaBoundaries as countImportedBoundaries, listLsoaBoundaries as listImportedBoundaries } from './store.ts';

/**
 * Read access to crime records for the query API: the pages the in-memory cube is built
 * from, SQL GROUP BY versions of the cube's aggregations (used to cross-check it and in the
 * benchmark), records by id, and stop-and-search counts. The only SQL of the query half.
 */

export const H3_RESOLUTIONS = [7, 8, 9, 10] as const;
export type H3Res = (typeof H3_RESOLUTIONS)[number];

interface CrimeRecordsTable {
  id: number;
  record_key: string;
  source: string;
  crime_id: string | null;
  month: string;
  occurred_at: string | null;
  location: string | null;
  lsoa_code: string | null;
  lsoa_name: string | null;
  crime_type: string;
  last_outcome: string | null;
  outcome_month: string | null;
  context: string | null;
  located: number;
  longitude: number | null;
  latitude: number | null;
  easting: number | null;
  northing: number | null;
  h3_10: string | null;
}

interface StopSearchesTable {
  id: number;
  month: string;
  gender: string | null;
  age_range: string | null;
  ethnicity_self_defined: string | null;
  ethnicity_officer_defined: string | null;
  object_of_search: string | null;
  outcome: string | null;
}

interface Tables {
  crime_records: CrimeRecordsTable;
  stop_searches: StopSearchesTable;
  crime_data_version: { id: number; version: number; changed_at: string };
}

const t = (db: Db) => db as Kysely<Tables>;

type RecordColumn = Exclude<keyof CrimeRecordsTable, never>;

const LABELLED = new Set<RecordColumn>(['source', 'lsoa_code', 'lsoa_name', 'crime_type', 'last_outcome', 'location']);
const PLACED = new Set<RecordColumn>(['longitude', 'latitude', 'easting', 'northing', 'h3_10']);

/**
 * The records with only these columns, as a table named crime_records. They are stored
 * compactly (migration 005: texts as ids of crime_labels, the point as an id of
 * crime_places) and shown whole by the view crime_records, but SQLite keeps up every join of
 * a view in an aggregate query, used or not: counting one year by month through the view
 * took 160 ms, through the one column it needs 7 ms. So each query here joins what it reads.
 */
function records(columns: readonly RecordColumn[], rows: RawBuilder<unknown> = sql`crime_record_rows`) {
  const select: string[] = [];
  const joins: string[] = [];
  let place = false;
  for (const c of new Set(columns)) {
    if (LABELLED.has(c)) {
      select.push(`l_${c}.label as ${c}`);
      joins.push(`left join crime_labels l_${c} on l_${c}.id = r.${c}`);
    } else if (PLACED.has(c)) {
      select.push(`p.${c}`);
      place = true;
    } else if (c === 'record_key') select.push('coalesce(r.crime_id, r.row_key) as record_key');
    else select.push(`r.${c}`);
  }
  if (place) joins.unshift('left join crime_places p on p.id = r.place');
  return sql<CrimeRecordsTable>`(select ${sql.raw(select.join(', '))} from ${rows} r ${sql.raw(joins.join(' '))})`.as('crime_records');
}

/** The columns a filter reads. */
function filterColumns(f: SqlFilter): RecordColumn[] {
  const c: RecordColumn[] = ['month'];
  if (f.types) c.push('crime_type');
  if (f.sources) c.push('source');
  if (f.outcomes) c.push('last_outcome');
  if (f.bbox) c.push('located', 'longitude', 'latitude');
  return c;
}

/** The data version every import bumps; caches compare it to know they are stale. */
export async function readDataVersion(db: Db): Promise<number> {
  const row = await t(db).selectFrom('crime_data_version').select('version').where('id', '=', 1).executeTakeFirst();
  return row ? Number(row.version) : 0;
}

export async function countRecords(db: Db): Promise<number> {
  const row = await t(db).selectFrom(records(['id'])).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

/** What the cube keeps of each record. */
export interface CubeRow {
  id: number;
  month: string;
  crime_type: string;
  last_outcome: string | null;
  source: string;
  lsoa_code: string | null;
  lsoa_name: string | null;
  located: number;
  longitude: number | null;
  latitude: number | null;
  h3_7: string | null;
  h3_8: string | null;
  h3_9: string | null;
  h3_10: string | null;
}

/** Distinct cells remembered with their ancestors; police.uk's snap points give some tens of thousands. */
const PARENTS_KEPT = 200_000;
const parentCache = new Map<string, readonly [string, string, string]>();

/**
 * A record's cells at resolutions 7, 8 and 9: h3-js cellToParent of its resolution 10 cell,
 * which is all a record stores (the importer derived the coarser ones the same way).
 */
export function cellParents(h3_10: string): readonly [string, string, string] {
  let parents = parentCache.get(h3_10);
  if (parents === undefined) {
    parents = [cellToParent(h3_10, 7), cellToParent(h3_10, 8), cellToParent(h3_10, 9)];
    if (parentCache.size >= PARENTS_KEPT) parentCache.clear();
    parentCache.set(h3_10, parents);
  }
  return parents;
}

/** The row with its cells at 7–9 beside its resolution 10 cell. */
function withParents<R extends { h3_10: string | null }>(row: R): R & { h3_7: string | null; h3_8: string | null; h3_9: string | null } {
  const p = row.h3_10 === null ? null : cellParents(row.h3_10);
  return Object.assign(row, { h3_7: p ? p[0] : null, h3_8: p ? p[1] : null, h3_9: p ? p[2] : null });
}

/** Every record, a page at a time in id order (keyset pagination), so no caller holds them all as objects. */
export async function* cubeRowPages(db: Db, pageSize = 20_000): AsyncGenerator<CubeRow[]> {
  let after = -1;
  for (;;) {
    const columns = ['id', 'month', 'crime_type', 'last_outcome', 'source', 'lsoa_code', 'lsoa_name', 'located', 'longitude', 'latitude', 'h3_10'] as const;
    // The page is cut from the table before the joins: PostgreSQL, its statistics older than an
    // import, otherwise joined and sorted the whole table for every page (6 s for the cube).
    const rows = sql`(select * from crime_record_rows where id > ${after} order by id limit ${pageSize})`;
    const page = await t(db).selectFrom(records(columns, rows)).select(columns).orderBy('id').execute();
    if (page.length === 0) return;
    yield page.map(withParents) as CubeRow[];
    if (page.length < pageSize) return;
    after = Number(page[page.length - 1]!.id);
  }
}

/** The filters of the query API that SQL can apply (a polygon is applied by the caller to the points). */
export interface SqlFilter {
  /** YYYY-MM, inclusive */
  from: string;
  to: string;
  types?: readonly string[] | null;
  /** null stands for "no outcome recorded" */
  outcomes?: ReadonlyArray<string | null> | null;
  sources?: readonly string[] | null;
  bbox?: Bbox | null;
}

type Eb = ExpressionBuilder<Tables, 'crime_records'>;

function where(eb: Eb, f: SqlFilter): Expression<SqlBool> {
  const parts: Expression<SqlBool>[] = [eb('month', '>=', f.from), eb('month', '<=', f.to)];
  const none = sql<SqlBool>`1 = 0`;
  if (f.types) parts.push(f.types.length ? eb('crime_type', 'in', [...f.types]) : none);
  if (f.sources) parts.push(f.sources.length ? eb('source', 'in', [...f.sources]) : none);
  if (f.outcomes) {
    const named = f.outcomes.filter((o): o is string => o !== null);
    const alts: Expression<SqlBool>[] = [];
    if (named.length) alts.push(eb('last_outcome', 'in', named));
    if (f.outcomes.includes(null)) alts.push(eb('last_outcome', 'is', null));
    parts.push(alts.length ? eb.or(alts) : none);
  }
  if (f.bbox) {
    const [minLon, minLat, maxLon, maxLat] = f.bbox;
    parts.push(eb('located', '=', 1), eb('longitude', '>=', minLon), eb('longitude', '<=', maxLon), eb('latitude', '>=', minLat), eb('latitude', '<=', maxLat));
  }
  return eb.and(parts);
}


const sortByKey = <T extends { key: string | null }>(rows: T[]): T[] =>
  rows.sort((a, b) => (a.key === b.key ? 0 : a.key === null ? -1 : b.key === null ? 1 : a.key < b.key ? -1 : 1));

type Counted = { key: string | null; count: number };

async function groupCount(db: Db, column: 'month' | 'crime_type' | 'last_outcome' | 'source' | 'lsoa_code' | 'h3_10', f: SqlFilter, notNull: boolean): Promise<Counted[]> {
  let q = t(db)
    .selectFrom(records([...filterColumns(f), column]))
    .select([sql<string | null>`${sql.ref(column)}`.as('key'), (eb) => eb.fn.countAll<number>().as('count')])
    .where((eb) => where(eb, f));
  if (notNull) q = q.where(column, 'is not', null);
  const rows = await q.groupBy(column).execute();
  return sortByKey(rows.map((r) => ({ key: r.key, count: Number(r.count) })));
}

/**
 * Records with a cell, by cell at `res`, in cell order: SELECT h3_10, count(*) … GROUP BY h3_10,
 * then each resolution 10 cell's count added to its ancestor's (records store the finest cell only).
 */
export async function countByCellSql(db: Db, res: H3Res, f: SqlFilter): Promise<Counted[]> {
  if (!H3_RESOLUTIONS.includes(res)) throw new Error(`no H3 cells at resolution ${res}`);
  const finest = await groupCount(db, 'h3_10', f, true);
  if (res === 10) return finest;
  const byParent = new Map<string, number>();
  for (const { key, count } of finest) {
    const parent = cellParents(key!)[res - 7]!;
    byParent.set(parent, (byParent.get(parent) ?? 0) + count);
  }
  return sortByKey([...byParent].map(([key, count]) => ({ key, count })));
}
export const countByMonthSql = (db: Db, f: SqlFilter) => groupCount(db, 'month', f, true);
export const countByTypeSql = (db: Db, f: SqlFilter) => groupCount(db, 'crime_type', f, true);
/** key null: no outcome recorded */
export const countByOutcomeSql = (db: Db, f: SqlFilter) => groupCount(db, 'last_outcome', f, false);
export const countByLsoaSql = (db: Db, f: SqlFilter) => groupCount(db, 'lsoa_code', f, true);

/** All records matching, and those among them with no location. */
export async function countTotalsSql(db: Db, f: SqlFilter): Promise<{ total: number; unlocated: number }> {
  const row = await t(db)
    .selectFrom(records([...filterColumns(f), 'located']))
    .select([(eb) => eb.fn.countAll<number>().as('total'), sql<number>`coalesce(sum(case when located = 0 then 1 else 0 end), 0)`.as('unlocated')])
    .where((eb) => where(eb, f))
    .executeTakeFirstOrThrow();
  return { total: Number(row.total), unlocated: Number(row.unlocated) };
}

/** Located records matching the SQL-side filters, with their point and cells: for applying a polygon outside SQL. */
export async function locatedPointsSql(db: Db, f: SqlFilter): Promise<Array<{ id: number; longitude: number; latitude: number; month: string; crime_type: string; last_outcome: string | null; lsoa_code: string | null; h3_7: string; h3_8: string; h3_9: string; h3_10: string }>> {
  const columns = ['id', 'longitude', 'latitude', 'month', 'crime_type', 'last_outcome', 'lsoa_code', 'h3_10'] as const;
  const rows = await t(db)
    .selectFrom(records([...filterColumns(f), ...columns, 'located']))
    .select(columns)
    .where((eb) => where(eb, f))
    .where('located', '=', 1)
    .orderBy('id')
    .execute();
  return rows.map((r) => withParents({ ...r, id: Number(r.id) })) as never;
}

/**
 * Located records of these crime types in the months from…to (inclusive) that have a
 * British National Grid point: easting, northing and month, in id order. Three columns only,
 * so a whole force's years of one crime type come back in one query.
 */
export async function locatedBngRows(db: Db, f: { types: readonly string[]; from: string; to: string }): Promise<Array<{ easting: number; northing: number; month: string }>> {
  if (f.types.length === 0) return [];
  const rows = await t(db)
    .selectFrom(records(['id', 'easting', 'northing', 'month', 'crime_type', 'located']))
    .select(['easting', 'northing', 'month'])
    .where('month', '>=', f.from)
    .where('month', '<=', f.to)
    .where('crime_type', 'in', [...f.types])
    .where('located', '=', 1)
    .where('easting', 'is not', null)
    .where('northing', 'is not', null)
    .orderBy('id')
    .execute();
  return rows.map((r) => ({ easting: Number(r.easting), northing: Number(r.northing), month: r.month }));
}

/** As locatedBngRows, for every type except those given (the forecast's covariate of "crime of other kinds"). */
export async function locatedBngRowsExcept(db: Db, f: { types: readonly string[]; from: string; to: string }): Promise<Array<{ easting: number; northing: number; month: string }>> {
  let q = t(db)
    .selectFrom(records(['id', 'easting', 'northing', 'month', 'crime_type', 'located']))
    .select(['easting', 'northing', 'month'])
    .where('month', '>=', f.from)
    .where('month', '<=', f.to)
    .where('located', '=', 1)
    .where('easting', 'is not', null)
    .where('northing', 'is not', null);
  if (f.types.length) q = q.where('crime_type', 'not in', [...f.types]);
  const rows = await q.orderBy('id').execute();
  return rows.map((r) => ({ easting: Number(r.easting), northing: Number(r.northing), month: r.month }));
}

/** Every located record's WGS84 point, month, instant (when recorded) and type, in the months from…to. */
export async function locatedTimedRows(db: Db, f: { from: string; to: string }): Promise<Array<{ longitude: number; latitude: number; month: string; occurred_at: string | null; crime_type: string }>> {
  const rows = await t(db)
    .selectFrom(records(['id', 'longitude', 'latitude', 'month', 'occurred_at', 'crime_type', 'located']))
    .select(['longitude', 'latitude', 'month', 'occurred_at', 'crime_type'])
    .where('month', '>=', f.from)
    .where('month', '<=', f.to)
    .where('located', '=', 1)
    .where('longitude', 'is not', null)
    .where('latitude', 'is not', null)
    .orderBy('id')
    .execute();
  return rows.map((r) => ({ longitude: Number(r.longitude), latitude: Number(r.latitude), month: r.month, occurred_at: r.occurred_at, crime_type: r.crime_type }));
}

/**
 * The distinct British National Grid points of every located record of any type, over the
 * whole imported period (police.uk snaps points, so there are far fewer than records).
 */
export async function distinctBngPoints(db: Db): Promise<Array<{ easting: number; northing: number }>> {
  const rows = await t(db)
    .selectFrom(records(['easting', 'northing', 'located']))
    .select(['easting', 'northing'])
    .distinct()
    .where('located', '=', 1)
    .where('easting', 'is not', null)
    .where('northing', 'is not', null)
    .orderBy('easting')
    .orderBy('northing')
    .execute();
  return rows.map((r) => ({ easting: Number(r.easting), northing: Number(r.northing) }));
}

/** The first and last month of located records of any type (null on an empty table). */
export async function locatedMonthRange(db: Db): Promise<{ first: string | null; last: string | null }> {
  const row = await t(db)
    .selectFrom(records(['month', 'located']))
    .select([(eb) => eb.fn.min<string>('month').as('first'), (eb) => eb.fn.max<string>('month').as('last')])
    .where('located', '=', 1)
    .executeTakeFirstOrThrow();
  return { first: row.first ?? null, last: row.last ?? null };
}

/** A record as the records endpoint shows it. */
export interface CrimeRecordDetail {
  id: number;
  crimeId: string | null;
  source: string;
  month: string;
  occurredAt: string | null;
  crimeType: string;
  lastOutcome: string | null;
  outcomeMonth: string | null;
  location: string | null;
  lsoaCode: string | null;
  lsoaName: string | null;
  longitude: number | null;
  latitude: number | null;
  context: string | null;
}

/** The records with these ids, in the order of the ids given. */
export async function recordsByIds(db: Db, ids: readonly number[]): Promise<CrimeRecordDetail[]> {
  if (ids.length === 0) return [];
  const byId = new Map<number, CrimeRecordDetail>();
  for (let i = 0; i < ids.length; i += 1000) {
    const columns = ['id', 'crime_id', 'source', 'month', 'occurred_at', 'crime_type', 'last_outcome', 'outcome_month', 'location', 'lsoa_code', 'lsoa_name', 'longitude', 'latitude', 'context'] as const;
    const rows = await t(db)
      .selectFrom(records(columns))
      .select(columns)
      .where('id', 'in', ids.slice(i, i + 1000))
      .execute();
    for (const r of rows) {
      byId.set(Number(r.id), {
        id: Number(r.id),
        crimeId: r.crime_id,
        source: r.source,
        month: r.month,
        occurredAt: r.occurred_at,
        crimeType: r.crime_type,
        lastOutcome: r.last_outcome,
        outcomeMonth: r.outcome_month,
        location: r.location,
        lsoaCode: r.lsoa_code,
        lsoaName: r.lsoa_name,
        longitude: r.longitude === null ? null : Number(r.longitude),
        latitude: r.latitude === null ? null : Number(r.latitude),
        context: r.context,
      });
    }
  }
  return ids.flatMap((id) => byId.get(id) ?? []);
}

// ——— stop and search ———

export const STOP_SEARCH_GROUPINGS = {
  ethnicity: 'ethnicity_self_defined',
  officer_ethnicity: 'ethnicity_officer_defined',
  object: 'object_of_search',
  outcome: 'outcome',
  age: 'age_range',
  gender: 'gender',
} as const;
export type StopSearchGrouping = keyof typeof STOP_SEARCH_GROUPINGS;

/** Outcome values as data.police.uk publishes them (current wording and the older one). */
export const ARREST_OUTCOMES = ['Arrest', 'Suspect arrested'] as const;
export const NO_FURTHER_ACTION_OUTCOMES = ['A no further action disposal', 'Nothing found - no further action'] as const;

export async function stopSearchMonthRange(db: Db): Promise<{ first: string | null; last: string | null }> {
  const row = await t(db)
    .selectFrom('stop_searches')
    .select([(eb) => eb.fn.min<string>('month').as('first'), (eb) => eb.fn.max<string>('month').as('last')])
    .executeTakeFirstOrThrow();
  return { first: row.first ?? null, last: row.last ?? null };
}

/** Searches, arrests and no-further-action outcomes per group, for searches in the months given. */
export async function stopSearchCounts(db: Db, by: StopSearchGrouping, from: string, to: string): Promise<Array<{ group: string | null; searches: number; arrests: number; noFurtherAction: number }>> {
  const column = STOP_SEARCH_GROUPINGS[by];
  const inList = (values: readonly string[]) => sql.join(values.map((v) => sql.lit(v)));
  const rows = await t(db)
    .selectFrom('stop_searches')
    .select([
      sql<string | null>`${sql.ref(column)}`.as('grp'),
      (eb) => eb.fn.countAll<number>().as('searches'),
      sql<number>`coalesce(sum(case when outcome in (${inList(ARREST_OUTCOMES)}) then 1 else 0 end), 0)`.as('arrests'),
      sql<number>`coalesce(sum(case when outcome in (${inList(NO_FURTHER_ACTION_OUTCOMES)}) then 1 else 0 end), 0)`.as('nfa'),
    ])
    .where('month', '>=', from)
    .where('month', '<=', to)
    .groupBy(column)
    .execute();
  return rows.map((r) => ({ group: r.grp, searches: Number(r.searches), arrests: Number(r.arrests), noFurtherAction: Number(r.nfa) }));
}

// ——— LSOA boundaries (loaded by the importer) ———

export interface LsoaBoundary {
  lsoaCode: string;
  lsoaName: string;
  geometry: AreaGeometry;
}

/** The LSOA boundaries the importer loaded (its store's listLsoaBoundaries); empty when none are. */
export async function listLsoaBoundaries(db: Db): Promise<LsoaBoundary[]> {
  return (await listImportedBoundaries(db)) as LsoaBoundary[];
}

export const countLsoaBoundaries = (db: Db): Promise<number> => countImportedBoundaries(db);
