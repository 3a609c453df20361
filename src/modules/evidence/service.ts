import type { Readable } from 'node:stream';
import type { Actor } from '../../platform/actor.ts';
import * as audit from '../../platform/audit/service.ts';
import type { ReasonCode } from '../../platform/audit/service.ts';
import { searchEntries } from '../../platform/audit/store.ts';
import { findUserById, findUserByUsername } from '../../platform/auth/store.ts';
import type { BlobStore } from '../../platform/blobs/index.ts';
import { nowIso, type Db } from '../../platform/db/index.ts';
import { PeelError, notFound } from '../../platform/errors.ts';
import { daysLeft, decideRetention, type RetentionRule } from './retention.ts';
import * as store from './store.ts';
import type { CategoryRow, HoldRow, ItemRow } from './store.ts';

export const RECORD_TYPE = 'evidence_item';
export { HOLD_KINDS } from './replies.ts';
// The shapes the routes reply with are declared once, as the schemas in replies.ts.
export type { Category, Hold, HoldKind, Item, MediaFacts as Media } from './replies.ts';
import type { Category, Hold, HoldKind, Item, MediaFacts as Media, TeamFigure, WorkItem } from './replies.ts';

/** Why the caller is looking; when they do not say, the entry says so. */
export interface Reason {
  reasonCode?: ReasonCode | undefined;
  justification?: string | undefined;
}
const stated = (r: Reason): Pick<audit.AuditEvent, 'reasonCode' | 'justification'> & { reasonStated: boolean } =>
  r.reasonCode || r.justification?.trim()
    ? { reasonCode: r.reasonCode ?? null, justification: r.justification ?? null, reasonStated: true }
    : { reasonCode: 'operational_policing', justification: null, reasonStated: false };





const toCategory = (r: CategoryRow): Category => ({
  code: r.code,
  name: r.name,
  description: r.description,
  action: r.action === 'delete' ? 'delete' : 'review',
  days: r.days,
  mopiGroup: r.mopi_group,
  assignable: !!r.assignable,
  updatedAt: r.updated_at,
});

export async function retentionRules(db: Db): Promise<Map<string, RetentionRule>> {
  return new Map((await store.listCategories(db)).map((r) => [r.code, toCategory(r)]));
}

const toHold = (h: HoldRow): Hold => ({ id: h.id, kind: h.kind as HoldKind, reference: h.reference, reason: h.reason, placedBy: h.placed_by, placedAt: h.placed_at });

/** Rows to the API's shape, with categories, standing holds and the retention decision. */
export async function describeItems(db: Db, rows: ItemRow[], rules?: Map<string, RetentionRule>): Promise<Item[]> {
  const ids = rows.map((r) => r.id);
  const [cats, holds, ruleMap] = await Promise.all([store.categoriesOf(db, ids), store.holdsOf(db, ids, true), rules ? Promise.resolve(rules) : retentionRules(db)]);
  return rows.map((r) => {
    const categories = cats.get(r.id) ?? [];
    const itemHolds = holds.filter((h) => h.item_id === r.id).map(toHold);
    return {
      id: r.id,
      sha256: r.sha256,
      size: r.size,
      filename: r.filename,
      title: r.title,
      mimeType: r.mime_type,
      source: r.source,
      uploadedBy: r.uploaded_by_username,
      officer: r.officer_username,
      deviceSerial: r.device_serial,
      recordedStart: r.recorded_start,
      recordedEnd: r.recorded_end,
      latitude: r.latitude,
      longitude: r.longitude,
      location: r.location,
      incidentRef: r.incident_ref,
      crimeRef: r.crime_ref,
      media: r.media ? (JSON.parse(r.media) as Media) : null,
      posterSha256: r.poster_sha256,
      derivedFrom: r.derived_from,
      derivation: r.derivation,
      createdAt: r.created_at,
      status: r.status === 'deleted' ? 'deleted' : 'stored',
      deletedAt: r.deleted_at,
      deletedRule: r.deleted_rule,
      categories,
      holds: itemHolds,
      retention: decideRetention({ recordedStart: r.recorded_start, createdAt: r.created_at, categories, activeHolds: itemHolds.length }, ruleMap),
    };
  });
}

async function describeOne(db: Db, row: ItemRow): Promise<Item> {
  return (await describeItems(db, [row]))[0]!;
}

// ——— who may see what ———

/** null: everything; otherwise the user ids whose items (as officer or uploader) the caller may see. */
export async function visibleUserIds(db: Db, actor: Actor): Promise<number[] | null> {
  if (actor.role === 'evidence_officer' || actor.role === 'cli' || actor.role === 'system' || actor.role === 'auditor') return null;
  if (actor.userId === null) return [];
  if (actor.role === 'supervisor') {
    const team = await store.teamOf(db, actor.userId);
    return team ? [...new Set([actor.userId, ...(await store.teamMemberIds(db, team))])] : [actor.userId];
  }
  return [actor.userId];
}

async function mustSee(db: Db, actor: Actor, id: number): Promise<ItemRow> {
  const row = await store.getItem(db, id);
  if (!row) throw notFound(`Evidence item ${id}`);
  const users = await visibleUserIds(db, actor);
  if (users && !users.some((u) => u === row.officer_user_id || u === row.uploaded_by)) {
    // Not the caller's to see: answer as if it did not exist, so ids cannot be probed.
    throw notFound(`Evidence item ${id}`);
  }
  return row;
}

// ——— ingest ———

export interface NewItem {
  sha256: string;
  size: number;
  source: 'upload' | 'dock' | 'public';
  filename?: string | null;
  title?: string | null;
  mimeType?: string | null;
  /** username of the officer the footage belongs to; default the uploader */
  officer?: string | null;
  deviceSerial?: string | null;
  recordedStart?: string | null;
  recordedEnd?: string | null;
  latitude?: number | null;
  longitude?: number | null;
  location?: string | null;
  incidentRef?: string | null;
  crimeRef?: string | null;
  derivedFrom?: number | null;
  derivation?: string | null;
  media?: Media | null;
  posterSha256?: string | null;
}

/** What can be checked before any bytes arrive: the officer and the original exist. */
export async function checkNewItem(db: Db, input: { officer?: string | null; derivedFrom?: number | null }): Promise<void> {
  if (input.officer && !(await findUserByUsername(db, input.officer))) throw new PeelError('unknown_officer', `No user is called "${input.officer}"; give the officer's username.`, 400);
  if (input.derivedFrom !== undefined && input.derivedFrom !== null && !(await store.getItem(db, input.derivedFrom))) {
    throw new PeelError('unknown_original', `derivedFrom: evidence item ${input.derivedFrom} does not exist.`, 400);
  }
}

/**
 * Records a stored blob as an item, with its audit entry in the same transaction. Content
 * already held by a stored item gives that item back (created: false): one live item per
 * content, which is also what makes dock ingest idempotent.
 */
export async function createItem(db: Db, actor: Actor, input: NewItem): Promise<{ item: Item; created: boolean }> {
  await checkNewItem(db, input);
  const officer = input.officer ? await findUserByUsername(db, input.officer) : actor.userId !== null ? await findUserById(db, actor.userId) : undefined;
  const result = await db.transaction().execute(async (trx) => {
    const existing = await store.findStoredBySha(trx, input.sha256);
    if (existing) {
      await audit.record(trx, actor, {
        operation: 'collection',
        action: 'evidence.ingest.duplicate',
        recordType: RECORD_TYPE,
        recordIds: [existing.id],
        details: { sha256: input.sha256, source: input.source },
      });
      return { row: existing, created: false };
    }
    const at = nowIso();
    const row: Omit<ItemRow, 'id'> = {
      sha256: input.sha256,
      size: input.size,
      filename: input.filename ?? null,
      title: input.title ?? null,
      mime_type: input.mimeType ?? null,
      source: input.source,
      uploaded_by: actor.userId,
      uploaded_by_username: actor.username,
      officer_user_id: officer ? officer.id : null,
      officer_username: officer ? officer.username : null,
      device_serial: input.deviceSerial ?? null,
      recorded_start: input.recordedStart ?? null,
      recorded_end: input.recordedEnd ?? null,
      latitude: input.latitude ?? null,
      longitude: input.longitude ?? null,
      location: input.location ?? null,
      incident_ref: input.incidentRef ?? null,
      crime_ref: input.crimeRef ?? null,
      media: input.media ? JSON.stringify(input.media) : null,
      poster_sha256: input.posterSha256 ?? null,
      derived_from: input.derivedFrom ?? null,
      derivation: input.derivation ?? null,
      created_at: at,
      status: 'stored',
      deleted_at: null,
      deleted_rule: null,
    };
    const id = await store.insertItem(trx, row);
    await audit.record(trx, actor, {
      operation: 'collection',
      action: 'evidence.ingest',
      recordType: RECORD_TYPE,
      recordIds: [id, ...(row.derived_from ? [row.derived_from] : [])],
      details: { sha256: row.sha256, size: row.size, source: row.source, derivedFrom: row.derived_from },
    });
    return { row: { ...row, id }, created: true };
  });
  return { item: await describeOne(db, result.row), created: result.created };
}

// ——— reading ———

export interface ItemFilter {
  sha256?: string;
  officer?: string;
  category?: string;
  uncategorised?: boolean;
  dueBefore?: string;
  status?: 'stored' | 'deleted';
  limit: number;
  offset: number;
}

export async function listItems(db: Db, actor: Actor, f: ItemFilter, reason: Reason): Promise<Item[]> {
  let officerUserId: number | undefined;
  if (f.officer) {
    const u = await findUserByUsername(db, f.officer);
    if (!u) return [];
    officerUserId = u.id;
  }
  const visibleTo = (await visibleUserIds(db, actor)) ?? undefined;
  // dueBefore filters on the computed retention; read more and filter, keeping the page size.
  const rows = await store.listItems(db, { sha256: f.sha256, officerUserId, category: f.category, uncategorised: f.uncategorised, status: f.status, visibleTo, limit: f.dueBefore ? 5000 : f.limit, offset: f.dueBefore ? 0 : f.offset });
  let items = await describeItems(db, rows);
  if (f.dueBefore) {
    const before = Date.parse(f.dueBefore);
    items = items
      .filter((i) => i.status === 'stored' && !i.retention.held && i.retention.deleteOn !== null && Date.parse(i.retention.deleteOn) < before)
      .slice(f.offset, f.offset + f.limit);
  }
  if (items.length) {
    const s = stated(reason);
    await audit.record(db, actor, {
      operation: 'consultation',
      action: 'evidence.items.list',
      recordType: RECORD_TYPE,
      recordIds: items.map((i) => i.id),
      reasonCode: s.reasonCode,
      justification: s.justification,
      details: { reasonStated: s.reasonStated, filter: { ...f } },
    });
  }
  return items;
}

export async function getItem(db: Db, actor: Actor, id: number, reason: Reason): Promise<Item & { derived: Item[] }> {
  const row = await mustSee(db, actor, id);
  const s = stated(reason);
  await audit.record(db, actor, {
    operation: 'consultation',
    action: 'evidence.view',
    recordType: RECORD_TYPE,
    recordIds: [id],
    reasonCode: s.reasonCode,
    justification: s.justification,
    details: { sha256: row.sha256, reasonStated: s.reasonStated },
  });
  const [item, ...derived] = await describeItems(db, [row, ...(await store.derivedOf(db, id))]);
  return { ...item!, derived };
}

/** Browsers fetch a video in many ranges; one entry per viewer and item per window covers them all. */
const PLAY_WINDOW_MS = 10 * 60_000;
const recentPlays = new Map<string, number>();

export interface Content {
  item: ItemRow;
  size: number;
  range: { start: number; end: number } | null;
  body: Readable;
}

/** Parses a single `bytes=` range against a size; 'unsatisfiable' for a range that cannot be served. */
export function parseRange(header: string | undefined, size: number): { start: number; end: number } | null | 'unsatisfiable' {
  if (!header) return null;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  // Several ranges, or another unit: serve the whole, as RFC 9110 allows.
  if (!m || (m[1] === '' && m[2] === '')) return null;
  let start: number;
  let end: number;
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0) return 'unsatisfiable';
    start = Math.max(0, size - suffix);
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  }
  if (start >= size || start > end) return 'unsatisfiable';
  return { start, end };
}

export async function openContent(db: Db, blobs: BlobStore, actor: Actor, id: number, rangeHeader: string | undefined, download: boolean, reason: Reason): Promise<Content | { unsatisfiable: true; size: number }> {
  const row = await mustSee(db, actor, id);
  if (row.status !== 'stored') throw new PeelError('deleted', `Evidence item ${id} was deleted on ${row.deleted_at} under the rule "${row.deleted_rule}"; its hash and details remain.`, 410);
  const range = parseRange(rangeHeader, row.size);
  if (range === 'unsatisfiable') return { unsatisfiable: true, size: row.size };
  const key = `${actor.userId ?? actor.username}:${id}:${download ? 'd' : 'p'}`;
  const now = Date.now();
  if (download || (recentPlays.get(key) ?? 0) < now - PLAY_WINDOW_MS) {
    const s = stated(reason);
    await audit.record(db, actor, {
      operation: 'consultation',
      action: download ? 'evidence.download' : 'evidence.play',
      recordType: RECORD_TYPE,
      recordIds: [id],
      reasonCode: s.reasonCode,
      justification: s.justification,
      details: { sha256: row.sha256, range: range ? `${range.start}-${range.end}` : null, reasonStated: s.reasonStated },
    });
    recentPlays.set(key, now);
    if (recentPlays.size > 10_000) for (const [k, at] of recentPlays) if (at < now - PLAY_WINDOW_MS) recentPlays.delete(k);
  }
  const body = await blobs.get(row.sha256, range ?? undefined);
  return { item: row, size: row.size, range, body };
}

/** The poster frame of an item, logged as a viewing (once per viewer and window, as playing is). */
export async function openPoster(db: Db, blobs: BlobStore, actor: Actor, id: number, reason: Reason): Promise<Readable> {
  const row = await mustSee(db, actor, id);
  if (row.status !== 'stored' || !row.poster_sha256) throw notFound(`A still for evidence item ${id}`);
  const key = `${actor.userId ?? actor.username}:${id}:poster`;
  const now = Date.now();
  if ((recentPlays.get(key) ?? 0) < now - PLAY_WINDOW_MS) {
    const s = stated(reason);
    await audit.record(db, actor, { operation: 'consultation', action: 'evidence.poster', recordType: RECORD_TYPE, recordIds: [id], reasonCode: s.reasonCode, justification: s.justification, details: { sha256: row.sha256, reasonStated: s.reasonStated } });
    recentPlays.set(key, now);
  }
  return blobs.get(row.poster_sha256);
}

// ——— categorising ———

export async function setCategories(db: Db, actor: Actor, id: number, codes: string[]): Promise<Item> {
  const row = await mustSee(db, actor, id);
  const unique = [...new Set(codes)];
  const known = new Map((await store.listCategories(db)).map((c) => [c.code, c]));
  for (const code of unique) {
    const c = known.get(code);
    if (!c) throw new PeelError('unknown_category', `categories: "${code}" is not a category; the categories are ${[...known.values()].filter((k) => k.assignable).map((k) => k.code).join(', ')}.`, 400);
    if (!c.assignable) throw new PeelError('unknown_category', `categories: "${code}" cannot be assigned; send [] to leave an item uncategorised.`, 400);
  }
  if (row.status !== 'stored') throw new PeelError('deleted', `Evidence item ${id} has been deleted; its categories can no longer change.`, 410);
  await db.transaction().execute(async (trx) => {
    const before = (await store.categoriesOf(trx, [id])).get(id) ?? [];
    await store.replaceCategories(trx, id, unique, actor.username, nowIso());
    await audit.record(trx, actor, {
      operation: 'alteration',
      action: 'evidence.categorise',
      recordType: RECORD_TYPE,
      recordIds: [id],
      details: { sha256: row.sha256, before, after: unique },
    });
  });
  return describeOne(db, row);
}

export async function listCategories(db: Db): Promise<Category[]> {
  return (await store.listCategories(db)).map(toCategory);
}

export interface CategoryInput {
  code: string;
  name: string;
  description?: string;
  action: 'delete' | 'review';
  days: number;
  mopiGroup?: number | null;
}

export async function createCategory(db: Db, actor: Actor, input: CategoryInput): Promise<Category> {
  return db.transaction().execute(async (trx) => {
    if (await store.getCategory(trx, input.code)) throw new PeelError('exists', `A category "${input.code}" already exists; change it with PUT.`, 409);
    const row: CategoryRow = { code: input.code, name: input.name, description: input.description ?? '', action: input.action, days: input.days, mopi_group: input.mopiGroup ?? null, assignable: 1, updated_at: nowIso() };
    await store.insertCategory(trx, row);
    await audit.record(trx, actor, { operation: 'alteration', action: 'evidence.categories.create', recordType: 'evidence_category', recordIds: [input.code], details: { after: toCategory(row) } });
    return toCategory(row);
  });
}

export async function updateCategory(db: Db, actor: Actor, code: string, patch: Partial<Omit<CategoryInput, 'code'>>): Promise<Category> {
  return db.transaction().execute(async (trx) => {
    const before = await store.getCategory(trx, code);
    if (!before) throw notFound(`Category "${code}"`);
    const changes: Partial<CategoryRow> = { updated_at: nowIso() };
    if (patch.name !== undefined) changes.name = patch.name;
    if (patch.description !== undefined) changes.description = patch.description;
    if (patch.action !== undefined) changes.action = patch.action;
    if (patch.days !== undefined) changes.days = patch.days;
    if (patch.mopiGroup !== undefined) changes.mopi_group = patch.mopiGroup;
    await store.updateCategory(trx, code, changes);
    const after = (await store.getCategory(trx, code))!;
    await audit.record(trx, actor, { operation: 'alteration', action: 'evidence.categories.update', recordType: 'evidence_category', recordIds: [code], details: { before: toCategory(before), after: toCategory(after) } });
    return toCategory(after);
  });
}

// ——— holds ———

export async function placeHold(db: Db, actor: Actor, id: number, input: { kind: HoldKind; reference: string; reason?: string | null }): Promise<Item> {
  const row = await mustSee(db, actor, id);
  if (row.status !== 'stored') throw new PeelError('deleted', `Evidence item ${id} has already been deleted; there is nothing to hold.`, 410);
  await db.transaction().execute(async (trx) => {
    const holdId = await store.insertHold(trx, { item_id: id, kind: input.kind, reference: input.reference, reason: input.reason ?? null, placed_by: actor.username, placed_at: nowIso(), released_by: null, released_at: null });
    await audit.record(trx, actor, { operation: 'alteration', action: 'evidence.hold', recordType: RECORD_TYPE, recordIds: [id], details: { holdId, kind: input.kind, reference: input.reference, sha256: row.sha256 } });
  });
  return describeOne(db, row);
}

export async function releaseHold(db: Db, actor: Actor, holdId: number): Promise<Item> {
  const hold = await store.getHold(db, holdId);
  if (!hold) throw notFound(`Hold ${holdId}`);
  const row = await mustSee(db, actor, hold.item_id);
  if (hold.released_at) throw new PeelError('already_released', `Hold ${holdId} was released on ${hold.released_at}.`, 409);
  await db.transaction().execute(async (trx) => {
    await store.releaseHold(trx, holdId, actor.username, nowIso());
    await audit.record(trx, actor, { operation: 'alteration', action: 'evidence.hold.release', recordType: RECORD_TYPE, recordIds: [hold.item_id], details: { holdId, kind: hold.kind, reference: hold.reference } });
  });
  return describeOne(db, row);
}

// ——— worklist, figures, teams ———

export async function worklist(db: Db, actor: Actor, now = new Date()): Promise<WorkItem[]> {
  const visibleTo = (await visibleUserIds(db, actor)) ?? undefined;
  const rows = await store.listItems(db, { uncategorised: true, status: 'stored', visibleTo, limit: 5000, offset: 0 });
  const items = await describeItems(db, rows);
  return items
    .filter((i) => i.derivedFrom === null)
    .map((i) => ({ id: i.id, filename: i.filename, officer: i.officer, recordedStart: i.recordedStart, deleteOn: i.retention.deleteOn, daysLeft: daysLeft(i.retention, now) }))
    .sort((a, b) => (a.deleteOn ?? '9').localeCompare(b.deleteOn ?? '9') || a.id - b.id);
}

export async function categorisationFigures(db: Db): Promise<TeamFigure[]> {
  return (await store.categorisationByTeam(db)).map((r) => ({ team: r.team, items: r.items, categorised: r.categorised, rate: r.items ? r.categorised / r.items : null }));
}

export const listTeamMembers = (db: Db) => store.listTeamMembers(db);

export async function setTeam(db: Db, actor: Actor, userId: number, team: string | null): Promise<{ userId: number; username: string; team: string | null }> {
  const user = await findUserById(db, userId);
  if (!user) throw notFound(`User ${userId}`);
  await db.transaction().execute(async (trx) => {
    const before = await store.teamOf(trx, userId);
    await store.setTeam(trx, userId, team);
    await audit.record(trx, actor, { operation: 'alteration', action: 'evidence.team.set', recordType: 'user', recordIds: [userId], details: { before, after: team } });
  });
  return { userId, username: user.username, team };
}

// ——— custody ———

export async function custody(db: Db, actor: Actor, id: number, reason: Reason): Promise<{ item: Item; entries: audit.AuditEntry[]; chain: { ok: boolean; problem: string | null } }> {
  const row = await store.getItem(db, id);
  if (!row) throw notFound(`Evidence item ${id}`);
  if (actor.role !== 'auditor') await mustSee(db, actor, id);
  const s = stated(reason);
  await audit.record(db, actor, {
    operation: 'consultation',
    action: 'evidence.custody',
    recordType: RECORD_TYPE,
    recordIds: [id],
    reasonCode: s.reasonCode,
    justification: s.justification,
    details: { sha256: row.sha256, reasonStated: s.reasonStated },
  });
  const entries: audit.AuditEntry[] = [];
  let after = 0;
  for (;;) {
    const page = await searchEntries(db, { recordType: RECORD_TYPE, recordId: String(id), after }, 2000, 'asc');
    entries.push(...page.map(audit.toEntry));
    if (page.length < 2000) break;
    after = Number(page[page.length - 1]!.seq);
  }
  const chain = await audit.verify(db);
  return { item: await describeOne(db, row), entries, chain: { ok: chain.ok, problem: chain.problem } };
}

