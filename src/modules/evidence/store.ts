import type { Generated, Kysely } from 'kysely';
import type { Db } from '../../platform/db/index.ts';

export interface ItemRow {
  id: number;
  sha256: string;
  size: number;
  filename: string | null;
  title: string | null;
  mime_type: string | null;
  source: string;
  uploaded_by: number | null;
  uploaded_by_username: string | null;
  officer_user_id: number | null;
  officer_username: string | null;
  device_serial: string | null;
  recorded_start: string | null;
  recorded_end: string | null;
  latitude: number | null;
  longitude: number | null;
  location: string | null;
  incident_ref: string | null;
  crime_ref: string | null;
  media: string | null;
  poster_sha256: string | null;
  derived_from: number | null;
  derivation: string | null;
  created_at: string;
  status: string;
  deleted_at: string | null;
  deleted_rule: string | null;
}

export interface CategoryRow {
  code: string;
  name: string;
  description: string;
  action: string;
  days: number;
  mopi_group: number | null;
  assignable: number;
  updated_at: string;
}

export interface HoldRow {
  id: number;
  item_id: number;
  kind: string;
  reference: string;
  reason: string | null;
  placed_by: string | null;
  placed_at: string;
  released_by: string | null;
  released_at: string | null;
}

export interface UploadRow {
  id: string;
  user_id: number;
  length: number;
  upload_offset: number;
  metadata: string;
  sha256: string | null;
  created_at: string;
  updated_at: string;
  item_id: number | null;
}

export interface ShareRow {
  id: number;
  token_hash: string;
  recipient: string;
  expires_at: string;
  allow_download: number;
  max_accesses: number | null;
  access_count: number;
  pin_hash: string | null;
  pin_failures: number;
  created_by: string | null;
  created_at: string;
  revoked_at: string | null;
  revoked_by: string | null;
}

type WithId<T extends { id: number }> = Omit<T, 'id'> & { id: Generated<number> };

export interface UploadRequestRow {
  id: number;
  token_hash: string;
  incident_ref: string;
  description: string | null;
  max_bytes: number;
  max_files: number;
  files_received: number;
  expires_at: string;
  created_by_user_id: number | null;
  created_by: string | null;
  created_at: string;
  revoked_at: string | null;
}

interface Tables {
  evidence_upload_requests: WithId<UploadRequestRow>;
  evidence_items: WithId<ItemRow>;
  evidence_categories: CategoryRow;
  evidence_item_categories: { item_id: number; category_code: string; assigned_by: string | null; assigned_at: string };
  evidence_holds: WithId<HoldRow>;
  evidence_uploads: UploadRow;
  evidence_shares: WithId<ShareRow>;
  evidence_share_items: { share_id: number; item_id: number };
  evidence_user_teams: { user_id: number; team: string };
  users: { id: number; username: string; role: string };
}

const t = (db: Db) => db as Kysely<Tables>;
/** PostgreSQL gives bigint columns back as numbers already (see db/index.ts); SQLite may not for every column type. */
const num = <T,>(row: T, ...keys: Array<keyof T>): T => {
  const r = row as Record<string, unknown>;
  for (const k of keys) if (r[k as string] !== null && r[k as string] !== undefined) r[k as string] = Number(r[k as string]);
  return row;
};
const item = (r: ItemRow): ItemRow => num(r, 'id', 'size', 'uploaded_by', 'officer_user_id', 'derived_from');

// ——— items ———

export async function insertItem(db: Db, row: Omit<ItemRow, 'id'>): Promise<number> {
  const r = await t(db).insertInto('evidence_items').values(row).returning('id').executeTakeFirstOrThrow();
  return Number(r.id);
}

export async function getItem(db: Db, id: number): Promise<ItemRow | null> {
  const r = await t(db).selectFrom('evidence_items').selectAll().where('id', '=', id).executeTakeFirst();
  return r ? item(r) : null;
}

export async function itemsByIds(db: Db, ids: number[]): Promise<ItemRow[]> {
  if (!ids.length) return [];
  return (await t(db).selectFrom('evidence_items').selectAll().where('id', 'in', ids).orderBy('id').execute()).map(item);
}

/** The stored (not deleted) item holding these bytes, if any: one live item per content. */
export async function findStoredBySha(db: Db, sha256: string): Promise<ItemRow | null> {
  const r = await t(db).selectFrom('evidence_items').selectAll().where('sha256', '=', sha256).where('status', '=', 'stored').orderBy('id').executeTakeFirst();
  return r ? item(r) : null;
}

/** Whether any stored item other than `exceptId` still needs these bytes. */
export async function otherStoredWithSha(db: Db, sha256: string, exceptId: number): Promise<boolean> {
  const r = await t(db).selectFrom('evidence_items').select('id').where('sha256', '=', sha256).where('status', '=', 'stored').where('id', '!=', exceptId).executeTakeFirst();
  return !!r;
}

export interface ItemQuery {
  sha256?: string;
  officerUserId?: number;
  category?: string;
  uncategorised?: boolean;
  status?: string;
  /** only items whose officer or uploader is one of these users (access scoping) */
  visibleTo?: number[];
  limit: number;
  offset: number;
}

export async function listItems(db: Db, q: ItemQuery): Promise<ItemRow[]> {
  let s = t(db).selectFrom('evidence_items').selectAll('evidence_items');
  if (q.sha256) s = s.where('sha256', '=', q.sha256);
  if (q.officerUserId !== undefined) s = s.where('officer_user_id', '=', q.officerUserId);
  if (q.status) s = s.where('status', '=', q.status);
  if (q.category) {
    const code = q.category;
    s = s.where('id', 'in', (eb) => eb.selectFrom('evidence_item_categories').select('item_id').where('category_code', '=', code));
  }
  if (q.uncategorised) s = s.where('id', 'not in', (eb) => eb.selectFrom('evidence_item_categories').select('item_id'));
  if (q.visibleTo) {
    const users = q.visibleTo;
    s = s.where((eb) => eb.or([eb('officer_user_id', 'in', users), eb('uploaded_by', 'in', users)]));
  }
  return (await s.orderBy('id', 'desc').limit(q.limit).offset(q.offset).execute()).map(item);
}

/** Stored items in id order, a page at a time: what the sweep and verify walk. */
export async function storedItemsAfter(db: Db, afterId: number, limit: number): Promise<ItemRow[]> {
  return (await t(db).selectFrom('evidence_items').selectAll().where('status', '=', 'stored').where('id', '>', afterId).orderBy('id').limit(limit).execute()).map(item);
}

export async function deletedItems(db: Db): Promise<ItemRow[]> {
  return (await t(db).selectFrom('evidence_items').selectAll().where('status', '=', 'deleted').orderBy('id').execute()).map(item);
}

export async function derivedOf(db: Db, id: number): Promise<ItemRow[]> {
  return (await t(db).selectFrom('evidence_items').selectAll().where('derived_from', '=', id).orderBy('id').execute()).map(item);
}

export async function markDeleted(db: Db, id: number, at: string, rule: string): Promise<void> {
  await t(db).updateTable('evidence_items').set({ status: 'deleted', deleted_at: at, deleted_rule: rule }).where('id', '=', id).execute();
}

export async function setMedia(db: Db, id: number, media: string | null, posterSha256: string | null, mimeType: string | null): Promise<void> {
  await t(db).updateTable('evidence_items').set({ media, poster_sha256: posterSha256, ...(mimeType ? { mime_type: mimeType } : {}) }).where('id', '=', id).execute();
}

// ——— categories ———

export async function listCategories(db: Db): Promise<CategoryRow[]> {
  return (await t(db).selectFrom('evidence_categories').selectAll().orderBy('code').execute()).map((r) => num(r, 'days', 'mopi_group', 'assignable'));
}

export async function getCategory(db: Db, code: string): Promise<CategoryRow | null> {
  const r = await t(db).selectFrom('evidence_categories').selectAll().where('code', '=', code).executeTakeFirst();
  return r ? num(r, 'days', 'mopi_group', 'assignable') : null;
}

export async function insertCategory(db: Db, row: CategoryRow): Promise<void> {
  await t(db).insertInto('evidence_categories').values(row).execute();
}

export async function updateCategory(db: Db, code: string, patch: Partial<CategoryRow>): Promise<void> {
  await t(db).updateTable('evidence_categories').set(patch).where('code', '=', code).execute();
}

export async function categoriesOf(db: Db, ids: number[]): Promise<Map<number, string[]>> {
  const out = new Map<number, string[]>();
  if (!ids.length) return out;
  const rows = await t(db).selectFrom('evidence_item_categories').select(['item_id', 'category_code']).where('item_id', 'in', ids).orderBy('category_code').execute();
  for (const r of rows) {
    const id = Number(r.item_id);
    out.set(id, [...(out.get(id) ?? []), r.category_code]);
  }
  return out;
}

export async function replaceCategories(db: Db, itemId: number, codes: string[], by: string | null, at: string): Promise<void> {
  await t(db).deleteFrom('evidence_item_categories').where('item_id', '=', itemId).execute();
  if (codes.length) await t(db).insertInto('evidence_item_categories').values(codes.map((c) => ({ item_id: itemId, category_code: c, assigned_by: by, assigned_at: at }))).execute();
}

// ——— holds ———

export async function holdsOf(db: Db, ids: number[], activeOnly: boolean): Promise<HoldRow[]> {
  if (!ids.length) return [];
  let q = t(db).selectFrom('evidence_holds').selectAll().where('item_id', 'in', ids);
  if (activeOnly) q = q.where('released_at', 'is', null);
  return (await q.orderBy('id').execute()).map((r) => num(r, 'id', 'item_id'));
}

export async function insertHold(db: Db, row: Omit<HoldRow, 'id'>): Promise<number> {
  return Number((await t(db).insertInto('evidence_holds').values(row).returning('id').executeTakeFirstOrThrow()).id);
}

export async function getHold(db: Db, id: number): Promise<HoldRow | null> {
  const r = await t(db).selectFrom('evidence_holds').selectAll().where('id', '=', id).executeTakeFirst();
  return r ? num(r, 'id', 'item_id') : null;
}

export async function releaseHold(db: Db, id: number, by: string | null, at: string): Promise<void> {
  await t(db).updateTable('evidence_holds').set({ released_by: by, released_at: at }).where('id', '=', id).execute();
}

// ——— uploads ———

export async function insertUpload(db: Db, row: UploadRow): Promise<void> {
  await t(db).insertInto('evidence_uploads').values(row).execute();
}

export async function getUpload(db: Db, id: string): Promise<UploadRow | null> {
  const r = await t(db).selectFrom('evidence_uploads').selectAll().where('id', '=', id).executeTakeFirst();
  return r ? num(r, 'user_id', 'length', 'upload_offset', 'item_id') : null;
}

export async function setUploadOffset(db: Db, id: string, offset: number, at: string): Promise<void> {
  await t(db).updateTable('evidence_uploads').set({ upload_offset: offset, updated_at: at }).where('id', '=', id).execute();
}

export async function setUploadHash(db: Db, id: string, sha256: string, at: string): Promise<void> {
  await t(db).updateTable('evidence_uploads').set({ sha256, updated_at: at }).where('id', '=', id).execute();
}

export async function finishUpload(db: Db, id: string, itemId: number, at: string): Promise<void> {
  await t(db).updateTable('evidence_uploads').set({ item_id: itemId, updated_at: at }).where('id', '=', id).execute();
}

export async function unfinishedUploadsBefore(db: Db, before: string): Promise<UploadRow[]> {
  return (await t(db).selectFrom('evidence_uploads').selectAll().where('item_id', 'is', null).where('updated_at', '<', before).orderBy('created_at').limit(10_000).execute()).map((r) =>
    num(r, 'user_id', 'length', 'upload_offset', 'item_id'),
  );
}

export async function deleteUpload(db: Db, id: string): Promise<void> {
  await t(db).deleteFrom('evidence_uploads').where('id', '=', id).execute();
}

// ——— shares ———

export async function insertShare(db: Db, row: Omit<ShareRow, 'id'>, itemIds: number[]): Promise<number> {
  const id = Number((await t(db).insertInto('evidence_shares').values(row).returning('id').executeTakeFirstOrThrow()).id);
  await t(db).insertInto('evidence_share_items').values(itemIds.map((item_id) => ({ share_id: id, item_id }))).execute();
  return id;
}

const share = (r: ShareRow): ShareRow => num(r, 'id', 'allow_download', 'max_accesses', 'access_count', 'pin_failures');

export async function getShare(db: Db, id: number): Promise<ShareRow | null> {
  const r = await t(db).selectFrom('evidence_shares').selectAll().where('id', '=', id).executeTakeFirst();
  return r ? share(r) : null;
}

export async function getShareByTokenHash(db: Db, tokenHash: string): Promise<ShareRow | null> {
  const r = await t(db).selectFrom('evidence_shares').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
  return r ? share(r) : null;
}

export async function shareItemIds(db: Db, shareId: number): Promise<number[]> {
  return (await t(db).selectFrom('evidence_share_items').select('item_id').where('share_id', '=', shareId).orderBy('item_id').execute()).map((r) => Number(r.item_id));
}

export async function listShares(db: Db, itemId?: number): Promise<ShareRow[]> {
  let q = t(db).selectFrom('evidence_shares').selectAll();
  if (itemId !== undefined) q = q.where('id', 'in', (eb) => eb.selectFrom('evidence_share_items').select('share_id').where('item_id', '=', itemId));
  return (await q.orderBy('id', 'desc').limit(500).execute()).map(share);
}

export async function revokeShare(db: Db, id: number, by: string | null, at: string): Promise<void> {
  await t(db).updateTable('evidence_shares').set({ revoked_at: at, revoked_by: by }).where('id', '=', id).where('revoked_at', 'is', null).execute();
}

/** Counts one access if the cap allows; false when the cap is reached. One statement, so two callers cannot both take the last access. */
export async function takeAccess(db: Db, id: number): Promise<boolean> {
  const r = await t(db)
    .updateTable('evidence_shares')
    .set((eb) => ({ access_count: eb('access_count', '+', 1) }))
    .where('id', '=', id)
    .where((eb) => eb.or([eb('max_accesses', 'is', null), eb('access_count', '<', eb.ref('max_accesses'))]))
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export async function countPinFailure(db: Db, id: number): Promise<number> {
  const r = await t(db)
    .updateTable('evidence_shares')
    .set((eb) => ({ pin_failures: eb('pin_failures', '+', 1) }))
    .where('id', '=', id)
    .returning('pin_failures')
    .executeTakeFirstOrThrow();
  return Number(r.pin_failures);
}

// ——— teams ———

export async function teamOf(db: Db, userId: number): Promise<string | null> {
  return (await t(db).selectFrom('evidence_user_teams').select('team').where('user_id', '=', userId).executeTakeFirst())?.team ?? null;
}

export async function teamMemberIds(db: Db, team: string): Promise<number[]> {
  return (await t(db).selectFrom('evidence_user_teams').select('user_id').where('team', '=', team).execute()).map((r) => Number(r.user_id));
}

export async function setTeam(db: Db, userId: number, team: string | null): Promise<void> {
  await t(db).deleteFrom('evidence_user_teams').where('user_id', '=', userId).execute();
  if (team) await t(db).insertInto('evidence_user_teams').values({ user_id: userId, team }).execute();
}

export async function listTeamMembers(db: Db): Promise<Array<{ userId: number; username: string; team: string | null }>> {
  const rows = await t(db)
    .selectFrom('users')
    .leftJoin('evidence_user_teams', 'evidence_user_teams.user_id', 'users.id')
    .select(['users.id', 'users.username', 'evidence_user_teams.team'])
    .orderBy('users.username')
    .execute();
  return rows.map((r) => ({ userId: Number(r.id), username: r.username, team: r.team ?? null }));
}

/** Stored items per team (by officer) with how many have at least one category. */
export async function categorisationByTeam(db: Db): Promise<Array<{ team: string | null; items: number; categorised: number }>> {
  const rows = await t(db)
    .selectFrom('evidence_items')
    .leftJoin('evidence_user_teams', 'evidence_user_teams.user_id', 'evidence_items.officer_user_id')
    .select((eb) => [
      'evidence_user_teams.team',
      eb.fn.countAll<number>().as('items'),
      eb.fn
        .count<number>('evidence_items.id')
        .filterWhere((w) => w.exists(w.selectFrom('evidence_item_categories').select('item_id').whereRef('evidence_item_categories.item_id', '=', 'evidence_items.id')))
        .as('categorised'),
    ])
    .where('evidence_items.derived_from', 'is', null)
    .groupBy('evidence_user_teams.team')
    .orderBy('evidence_user_teams.team')
    .execute();
  return rows.map((r) => ({ team: r.team ?? null, items: Number(r.items), categorised: Number(r.categorised) }));
}

// ——— public upload requests ———

const request = (r: UploadRequestRow): UploadRequestRow => num(r, 'id', 'max_bytes', 'max_files', 'files_received', 'created_by_user_id');

export async function insertUploadRequest(db: Db, row: Omit<UploadRequestRow, 'id'>): Promise<number> {
  return Number((await t(db).insertInto('evidence_upload_requests').values(row).returning('id').executeTakeFirstOrThrow()).id);
}

export async function getUploadRequest(db: Db, id: number): Promise<UploadRequestRow | null> {
  const r = await t(db).selectFrom('evidence_upload_requests').selectAll().where('id', '=', id).executeTakeFirst();
  return r ? request(r) : null;
}

export async function getUploadRequestByTokenHash(db: Db, tokenHash: string): Promise<UploadRequestRow | null> {
  const r = await t(db).selectFrom('evidence_upload_requests').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
  return r ? request(r) : null;
}

export async function listUploadRequests(db: Db): Promise<UploadRequestRow[]> {
  return (await t(db).selectFrom('evidence_upload_requests').selectAll().orderBy('id', 'desc').limit(500).execute()).map(request);
}

export async function revokeUploadRequest(db: Db, id: number, at: string): Promise<void> {
  await t(db).updateTable('evidence_upload_requests').set({ revoked_at: at }).where('id', '=', id).where('revoked_at', 'is', null).execute();
}

/** Counts one file received if the cap allows; one statement, so two finishing uploads cannot both take the last place. */
export async function takeRequestFile(db: Db, id: number): Promise<boolean> {
  const r = await t(db)
    .updateTable('evidence_upload_requests')
    .set((eb) => ({ files_received: eb('files_received', '+', 1) }))
    .where('id', '=', id)
    .where((eb) => eb('files_received', '<', eb.ref('max_files')))
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}
