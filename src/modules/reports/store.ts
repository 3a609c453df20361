import { sql, type Generated, type Kysely } from 'kysely';
import type { Db } from '../../platform/db/index.ts';

/** Data access for reports: the module's only SQL. */

export interface ReportRow {
  id: number;
  reference: string;
  channel: string;
  source_id: number | null;
  external_id: string | null;
  author_handle: string | null;
  category: string;
  description: string;
  latitude: number | null;
  longitude: number | null;
  location_precision_m: number | null;
  location_inferred: number;
  place_name: string | null;
  occurred_at: string;
  received_at: string;
  updated_at: string;
  contact: string | null;
  status: string;
  held: number;
  flag_reason: string | null;
  assigned_team: string | null;
  assigned_officer: string | null;
  merged_into: number | null;
  thread_id: number | null;
  closed_reason: string | null;
  idempotency_hash: string | null;
  sealed_token: string | null;
  status_token_hash: string;
  /** the H3 cell (resolution 8) of a located report */
  h3_8: string | null;
}

export interface CategoryRow {
  code: string;
  label: string;
  active: number;
  sort_order: number;
  created_at: string;
  updated_at: string;
}

export interface SourceRow {
  id: number;
  name: string;
  kind: string;
  url: string | null;
  poll_seconds: number;
  default_category: string;
  secret: string | null;
  active: number;
  last_polled_at: string | null;
  last_error: string | null;
  created_at: string;
  updated_at: string;
}

export interface MessageRow {
  id: number;
  report_id: number;
  at: string;
  kind: string;
  text: string;
  public: number;
  username: string | null;
}

export interface PhotoRow {
  id: number;
  report_id: number;
  sha256: string;
  media_type: string;
  size: number;
  location_shared: number;
  at: string;
}

export interface LinkRow {
  id: number;
  report_id: number;
  kind: string;
  linked_reference: string;
  at: string;
}

export interface EventRow {
  id: number;
  report_id: number;
  kind: string;
  at: string;
}

type Auto<T extends { id: number }> = Omit<T, 'id'> & { id: Generated<number> };

interface Tables {
  reports: Auto<ReportRow>;
  report_categories: CategoryRow;
  report_sources: Auto<SourceRow>;
  report_messages: Auto<MessageRow>;
  report_photos: Auto<PhotoRow>;
  report_links: Auto<LinkRow>;
  report_events: Auto<EventRow>;
}

const t = (db: Db) => db as Kysely<Tables>;

const dollarCache = new WeakMap<object, boolean>();
function isPostgres(db: Db): boolean {
  let d = dollarCache.get(db);
  if (d === undefined) {
    d = sql`${0}`.compile(db).sql.startsWith('$');
    dollarCache.set(db, d);
  }
  return d;
}

/**
 * Serialises writers of feed events until their transaction ends, so event ids become
 * visible in the order they were given and a reader resuming "after N" never skips one
 * that committed late. SQLite has one writer already; PostgreSQL takes an advisory lock.
 */
export async function lockFeed(trx: Db): Promise<void> {
  if (isPostgres(trx)) await sql`select pg_advisory_xact_lock(7306110)`.execute(trx);
}

/** A unique-constraint violation, in either database. */
export function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  return e?.code === '23505' || /UNIQUE constraint failed/i.test(e?.message ?? '');
}

// ——— categories ———

export const listCategories = (db: Db, activeOnly: boolean): Promise<CategoryRow[]> => {
  let q = t(db).selectFrom('report_categories').selectAll();
  if (activeOnly) q = q.where('active', '=', 1);
  return q.orderBy('sort_order').orderBy('code').execute();
};

export const findCategory = (db: Db, code: string): Promise<CategoryRow | undefined> =>
  t(db).selectFrom('report_categories').selectAll().where('code', '=', code).executeTakeFirst();

export async function insertCategory(db: Db, row: CategoryRow): Promise<void> {
  await t(db).insertInto('report_categories').values(row).execute();
}

export async function updateCategory(db: Db, code: string, patch: Partial<CategoryRow>): Promise<void> {
  await t(db).updateTable('report_categories').set(patch).where('code', '=', code).execute();
}

// ——— sources ———

export const listSources = (db: Db): Promise<SourceRow[]> => t(db).selectFrom('report_sources').selectAll().orderBy('id').execute();

export const findSource = (db: Db, id: number): Promise<SourceRow | undefined> => t(db).selectFrom('report_sources').selectAll().where('id', '=', id).executeTakeFirst();

export async function insertSource(db: Db, row: Omit<SourceRow, 'id'>): Promise<number> {
  const r = await t(db).insertInto('report_sources').values(row).returning('id').executeTakeFirstOrThrow();
  return Number(r.id);
}

export async function updateSource(db: Db, id: number, patch: Partial<Omit<SourceRow, 'id'>>): Promise<void> {
  await t(db).updateTable('report_sources').set(patch).where('id', '=', id).execute();
}

// ——— reports ———

export async function insertReport(db: Db, row: Omit<ReportRow, 'id'>): Promise<number> {
  const r = await t(db).insertInto('reports').values(row).returning('id').executeTakeFirstOrThrow();
  return Number(r.id);
}

/** Several reports in one statement; answers each one's id by its reference. */
export async function insertReports(db: Db, rows: Array<Omit<ReportRow, 'id'>>): Promise<Map<string, number>> {
  if (!rows.length) return new Map();
  const r = await t(db).insertInto('reports').values(rows).returning(['id', 'reference']).execute();
  return new Map(r.map((x) => [x.reference, Number(x.id)]));
}

export async function setThread(db: Db, ids: number[], threadId: number): Promise<void> {
  if (ids.length) await t(db).updateTable('reports').set({ thread_id: threadId }).where('id', 'in', ids).execute();
}

/** A report with no thread of its own yet starts one: its thread is itself. */
export async function startOwnThreads(db: Db, ids: number[]): Promise<void> {
  if (ids.length) await t(db).updateTable('reports').set((eb) => ({ thread_id: eb.ref('id') })).where('id', 'in', ids).where('thread_id', 'is', null).execute();
}

export async function findByIdempotencyHashes(db: Db, hashes: string[]): Promise<ReportRow[]> {
  if (!hashes.length) return [];
  return t(db).selectFrom('reports').selectAll().where('idempotency_hash', 'in', hashes).execute();
}

export async function insertMessages(db: Db, rows: Array<Omit<MessageRow, 'id'>>): Promise<void> {
  if (rows.length) await t(db).insertInto('report_messages').values(rows).execute();
}

/** Feed events in the order given; call lockFeed first in the same transaction. */
export async function insertEvents(db: Db, rows: Array<{ report_id: number; kind: string; at: string }>): Promise<void> {
  if (rows.length) await t(db).insertInto('report_events').values(rows).execute();
}

export async function updateReport(db: Db, id: number, patch: Partial<Omit<ReportRow, 'id'>>): Promise<void> {
  await t(db).updateTable('reports').set(patch).where('id', '=', id).execute();
}

export const findByIdempotency = (db: Db, hash: string): Promise<ReportRow | undefined> =>
  t(db).selectFrom('reports').selectAll().where('idempotency_hash', '=', hash).executeTakeFirst();

export const findByReference = (db: Db, reference: string): Promise<ReportRow | undefined> =>
  t(db).selectFrom('reports').selectAll().where('reference', '=', reference).executeTakeFirst();

export const findByTokenHash = (db: Db, hash: string): Promise<ReportRow | undefined> =>
  t(db).selectFrom('reports').selectAll().where('status_token_hash', '=', hash).executeTakeFirst();

export const findById = (db: Db, id: number): Promise<ReportRow | undefined> => t(db).selectFrom('reports').selectAll().where('id', '=', id).executeTakeFirst();

export const findByExternalId = (db: Db, sourceId: number, externalId: string): Promise<ReportRow | undefined> =>
  t(db).selectFrom('reports').selectAll().where('source_id', '=', sourceId).where('external_id', '=', externalId).executeTakeFirst();

export const countReports = async (db: Db): Promise<number> => Number((await t(db).selectFrom('reports').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);

export interface ReportFilter {
  channels?: string[];
  categories?: string[];
  statuses?: string[];
  bbox?: [number, number, number, number];
  /** true: only reports held for moderation; false (default): only those not held */
  held?: boolean;
  threadId?: number;
  /** include reports merged into another */
  includeMerged?: boolean;
}

function filtered(db: Db, f: ReportFilter) {
  let q = t(db).selectFrom('reports');
  q = q.where('held', '=', f.held ? 1 : 0);
  if (f.channels?.length) q = q.where('channel', 'in', f.channels);
  if (f.categories?.length) q = q.where('category', 'in', f.categories);
  if (f.statuses?.length) q = q.where('status', 'in', f.statuses);
  if (!f.includeMerged) q = q.where('merged_into', 'is', null);
  if (f.threadId !== undefined) q = q.where('thread_id', '=', f.threadId);
  if (f.bbox) {
    const [minLon, minLat, maxLon, maxLat] = f.bbox;
    q = q.where('longitude', '>=', minLon).where('longitude', '<=', maxLon).where('latitude', '>=', minLat).where('latitude', '<=', maxLat);
  }
  return q;
}

export async function listReports(db: Db, f: ReportFilter, limit: number, offset: number): Promise<{ rows: ReportRow[]; total: number }> {
  const rows = await filtered(db, f).selectAll().orderBy('received_at', 'desc').orderBy('id', 'desc').limit(limit).offset(offset).execute();
  const { n } = await filtered(db, f).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return { rows, total: Number(n) };
}

/** Reports in these H3 cells (or, for null, without a location) about this time: candidates for near-duplicates. */
export type ThreadCandidate = Pick<ReportRow, 'id' | 'thread_id' | 'latitude' | 'longitude' | 'occurred_at' | 'description' | 'h3_8'>;
export function recentNear(db: Db, around: { cells: string[] | null; from: string; to: string }, limit = 500): Promise<ThreadCandidate[]> {
  let q = t(db).selectFrom('reports').select(['id', 'thread_id', 'latitude', 'longitude', 'occurred_at', 'description', 'h3_8']).where('occurred_at', '>=', around.from).where('occurred_at', '<=', around.to).where('merged_into', 'is', null).where('held', '=', 0);
  q = around.cells ? q.where('h3_8', 'in', around.cells) : q.where('h3_8', 'is', null);
  return q.orderBy('occurred_at', 'desc').limit(limit).execute();
}

/** Located, not held, not merged reports received from…to, for area safety. */
export const locatedReportsBetween = (db: Db, from: string, to: string): Promise<Array<{ latitude: number; longitude: number }>> =>
  t(db)
    .selectFrom('reports')
    .select(['latitude', 'longitude'])
    .where('received_at', '>=', from)
    .where('received_at', '<', to)
    .where('held', '=', 0)
    .where('merged_into', 'is', null)
    .where('latitude', 'is not', null)
    .where('longitude', 'is not', null)
    .execute() as Promise<Array<{ latitude: number; longitude: number }>>;

// ——— what a list item shows beside the report ———

export async function linksFor(db: Db, ids: number[]): Promise<LinkRow[]> {
  if (!ids.length) return [];
  return t(db).selectFrom('report_links').selectAll().where('report_id', 'in', ids).orderBy('id').execute();
}

export async function photoCounts(db: Db, ids: number[]): Promise<Map<number, number>> {
  if (!ids.length) return new Map();
  const rows = await t(db)
    .selectFrom('report_photos')
    .select(['report_id', (eb) => eb.fn.countAll<number>().as('n')])
    .where('report_id', 'in', ids)
    .groupBy('report_id')
    .execute();
  return new Map(rows.map((r) => [Number(r.report_id), Number(r.n)]));
}

export async function threadSizes(db: Db, threadIds: number[]): Promise<Map<number, number>> {
  if (!threadIds.length) return new Map();
  const rows = await t(db)
    .selectFrom('reports')
    .select(['thread_id', (eb) => eb.fn.countAll<number>().as('n')])
    .where('thread_id', 'in', threadIds)
    .where('merged_into', 'is', null)
    .groupBy('thread_id')
    .execute();
  return new Map(rows.map((r) => [Number(r.thread_id), Number(r.n)]));
}

// ——— messages, links, photos, events ———

export async function insertMessage(db: Db, row: Omit<MessageRow, 'id'>): Promise<void> {
  await t(db).insertInto('report_messages').values(row).execute();
}

export const messagesFor = (db: Db, reportId: number, publicOnly: boolean): Promise<MessageRow[]> => {
  let q = t(db).selectFrom('report_messages').selectAll().where('report_id', '=', reportId);
  if (publicOnly) q = q.where('public', '=', 1);
  return q.orderBy('id').execute();
};

export async function insertLink(db: Db, row: Omit<LinkRow, 'id'>): Promise<void> {
  await t(db).insertInto('report_links').values(row).execute();
}

export const photosFor = (db: Db, reportId: number): Promise<PhotoRow[]> => t(db).selectFrom('report_photos').selectAll().where('report_id', '=', reportId).orderBy('id').execute();

export const findPhoto = (db: Db, reportId: number, photoId: number): Promise<PhotoRow | undefined> =>
  t(db).selectFrom('report_photos').selectAll().where('report_id', '=', reportId).where('id', '=', photoId).executeTakeFirst();

export const findPhotoBySha = (db: Db, reportId: number, sha256: string): Promise<PhotoRow | undefined> =>
  t(db).selectFrom('report_photos').selectAll().where('report_id', '=', reportId).where('sha256', '=', sha256).executeTakeFirst();

export async function insertPhoto(db: Db, row: Omit<PhotoRow, 'id'>): Promise<number> {
  const r = await t(db).insertInto('report_photos').values(row).returning('id').executeTakeFirstOrThrow();
  return Number(r.id);
}

/** Adds a feed event; call lockFeed first in the same transaction. */
export async function insertEvent(db: Db, reportId: number, kind: string, at: string): Promise<number> {
  const r = await t(db).insertInto('report_events').values({ report_id: reportId, kind, at }).returning('id').executeTakeFirstOrThrow();
  return Number(r.id);
}

export const eventsAfter = (db: Db, after: number, limit: number): Promise<EventRow[]> =>
  t(db).selectFrom('report_events').selectAll().where('id', '>', after).orderBy('id').limit(limit).execute();

export const lastEventId = async (db: Db): Promise<number> => Number((await t(db).selectFrom('report_events').select((eb) => eb.fn.max('id').as('m')).executeTakeFirst())?.m ?? 0);

export async function reportsByIds(db: Db, ids: number[]): Promise<ReportRow[]> {
  if (!ids.length) return [];
  return t(db).selectFrom('reports').selectAll().where('id', 'in', ids).execute();
}
