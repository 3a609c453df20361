import { createCipheriv, createDecipheriv, createHash, randomBytes, randomInt } from 'node:crypto';
import { gridDisk, latLngToCell } from 'h3-js';
import type { Actor } from '../../platform/actor.ts';
import { record } from '../../platform/audit/service.ts';
import type { BlobStore } from '../../platform/blobs/index.ts';
import type { Db } from '../../platform/db/index.ts';
import { PeelError, notFound } from '../../platform/errors.ts';
import { ImageError, sniffImageType, stripImageMetadata } from '../../lib/image-metadata.ts';
import { DEFAULT_THREADING, threadFor } from '../../lib/near-duplicates.ts';
import { feedNotifier } from './notifier.ts';
import * as store from './store.ts';
import type { ReportRow } from './store.ts';

import { MAX_PHOTO_BYTES, MAX_PHOTOS, STATUS_LABELS, type Channel, type Contact, type FeedEvent, type PublicMessageKind, type ReportDetail, type ReportItem, type Status, type StatusView, type StoredPhoto } from './shapes.ts';

export * from './shapes.ts';



export interface NewReport {
  category: string;
  description: string;
  latitude: number | null;
  longitude: number | null;
  occurredAt: string;
  locationPrecisionMetres?: number | undefined;
  placeName?: string | undefined;
  contact?: Contact | undefined;
  /** the honeypot: people leave it empty */
  website?: string | undefined;
}

// ——— references and tokens ———

/** No 0/O, 1/I/L or U: nothing a person can misread or mistype when reading a reference aloud. */
export const REFERENCE_ALPHABET = '23456789ABCDEFGHJKMNPQRSTVWXYZ';
export const REFERENCE_PATTERN = /^R-[2-9A-HJKMNP-TV-Z]{4}-[2-9A-HJKMNP-TV-Z]{2}$/;

export function newReference(): string {
  const pick = () => REFERENCE_ALPHABET[randomInt(REFERENCE_ALPHABET.length)];
  return `R-${pick()}${pick()}${pick()}${pick()}-${pick()}${pick()}`;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
export const tokenHash = (token: string) => sha256(`peel-report-status\n${token}`);
const idempotencyHash = (key: string) => sha256(`peel-report-idempotency\n${key}`);
const sealKey = (key: string) => createHash('sha256').update(`peel-report-seal\n${key}`).digest();

/** The status token encrypted under the client's idempotency key: only a retry holding that key can read it back. */
function seal(token: string, key: string): string {
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', sealKey(key), iv);
  const body = Buffer.concat([c.update(token, 'utf8'), c.final()]);
  return Buffer.concat([iv, c.getAuthTag(), body]).toString('base64');
}

function unseal(sealed: string, key: string): string {
  const b = Buffer.from(sealed, 'base64');
  const d = createDecipheriv('aes-256-gcm', sealKey(key), b.subarray(0, 12));
  d.setAuthTag(b.subarray(12, 28));
  return Buffer.concat([d.update(b.subarray(28)), d.final()]).toString('utf8');
}

// ——— items ———

/** Report rows as the control room sees them, with labels, links, photo counts and thread sizes. */
export async function toItems(db: Db, rows: ReportRow[]): Promise<ReportItem[]> {
  const ids = rows.map((r) => r.id);
  const threads = [...new Set(rows.map((r) => r.thread_id ?? r.id))];
  const mergedIds = [...new Set(rows.flatMap((r) => (r.merged_into ? [r.merged_into] : [])))];
  const [labels, links, photos, sizes, merged, sources] = await Promise.all([
    cachedCategories(db).then((m) => new Map([...m].map(([code, c]) => [code, c.label]))),
    store.linksFor(db, ids),
    store.photoCounts(db, ids),
    store.threadSizes(db, threads),
    store.reportsByIds(db, mergedIds),
    rows.some((r) => r.source_id) ? store.listSources(db) : Promise.resolve([]),
  ]);
  const sourceNames = new Map(sources.map((s) => [s.id, s.name]));
  const mergedRefs = new Map(merged.map((m) => [m.id, m.reference]));
  return rows.map((r) => ({
    reference: r.reference,
    channel: r.channel,
    source: r.source_id ? (sourceNames.get(Number(r.source_id)) ?? null) : null,
    authorHandle: r.author_handle,
    category: r.category,
    categoryLabel: labels.get(r.category) ?? r.category,
    description: r.description,
    latitude: r.latitude,
    longitude: r.longitude,
    locationPrecisionMetres: r.location_precision_m,
    locationInferred: r.location_inferred === 1,
    placeName: r.place_name,
    occurredAt: r.occurred_at,
    receivedAt: r.received_at,
    updatedAt: r.updated_at,
    status: r.status,
    flagged: r.held === 1,
    flagReason: r.flag_reason,
    assignedTeam: r.assigned_team,
    assignedOfficer: r.assigned_officer,
    links: links.filter((l) => l.report_id === r.id).map((l) => ({ kind: l.kind, linkedReference: l.linked_reference })),
    mergedInto: r.merged_into ? (mergedRefs.get(r.merged_into) ?? null) : null,
    threadId: Number(r.thread_id ?? r.id),
    threadSize: sizes.get(Number(r.thread_id ?? r.id)) ?? 1,
    photos: photos.get(r.id) ?? 0,
    closedReason: r.closed_reason,
  }));
}

const toItem = async (db: Db, row: ReportRow) => (await toItems(db, [row]))[0]!;

// ——— taking a report in ———

/** What a new report needs besides its content: where it came from and how to find a retry. */
export interface Intake {
  channel: Channel;
  sourceId?: number | null;
  externalId?: string | null;
  authorHandle?: string | null;
  locationInferred?: boolean;
  idempotencyKey?: string | undefined;
  /** held for moderation, and why */
  hold?: string | null;
}

export interface Submitted {
  reference: string;
  statusToken: string;
  /** false when a retry found the first attempt */
  created: boolean;
  held: boolean;
}

const FUTURE_SLACK_MS = 10 * 60_000;

/**
 * Stores a report, its first status message and its feed event, and audits the
 * collection, all committed before the caller replies. A retry with the same idempotency
 * key (also one racing the first) gets the first attempt's reference and link.
 */
export async function submitReport(db: Db, actor: Actor, input: NewReport, intake: Intake): Promise<Submitted> {
  const occurred = Date.parse(input.occurredAt);
  if (!Number.isFinite(occurred)) throw new PeelError('invalid_request', 'body.occurredAt: must be a date and time.', 400);
  if (occurred > Date.now() + FUTURE_SLACK_MS) throw new PeelError('invalid_request', 'body.occurredAt: is in the future; say when it happened.', 400);
  const category = (await cachedCategories(db)).get(input.category);
  if (!category || (category.active !== 1 && intake.channel === 'web')) {
    throw new PeelError('invalid_request', `body.category: "${input.category.slice(0, 80)}" is not one of the report categories.`, 400);
  }
  const job: Job = { actor, input: { ...input, category: category.code, occurredAt: new Date(occurred).toISOString() }, intake, hold: input.website?.trim() ? 'honeypot' : (intake.hold ?? null) };
  return batcher(db).add(job);
}

interface Job {
  actor: Actor;
  input: NewReport;
  intake: Intake;
  hold: string | null;
}

/**
 * Group commit: reports that arrive while a transaction is being written wait for the
 * next one and share its commit. Each transaction must take its turn at the feed's order
 * and the audit chain, and a commit waits for the disk; sharing one commit among many
 * reports is what lets a burst of hundreds a second through. Nobody is answered before
 * the transaction holding their report has committed.
 */
function batcher(db: Db) {
  let b = batchers.get(db);
  if (!b) {
    const queue: Array<{ job: Job; done: (r: Submitted) => void; fail: (e: unknown) => void }> = [];
    let running = false;
    const drain = async () => {
      running = true;
      while (queue.length) {
        const batch = queue.splice(0, MAX_BATCH);
        try {
          const results = await writeBatch(db, batch.map((x) => x.job));
          batch.forEach((x, i) => x.done(results[i]!));
        } catch {
          // One bad apple (a reference that happened to be taken, a retry racing on
          // another server): write them one by one, so only that one is tried again.
          for (const x of batch) await writeAlone(db, x.job).then(x.done, x.fail);
        }
        if (batch.some((x) => !x.job.hold)) feedNotifier(db).notify();
      }
      running = false;
    };
    b = {
      add: (job: Job) =>
        new Promise<Submitted>((done, fail) => {
          queue.push({ job, done, fail });
          if (!running) void drain();
        }),
    };
    batchers.set(db, b);
  }
  return b;
}
const batchers = new WeakMap<object, { add(job: Job): Promise<Submitted> }>();
const MAX_BATCH = 200;

async function writeAlone(db: Db, job: Job): Promise<Submitted> {
  for (let tries = 0; ; tries++) {
    try {
      return (await writeBatch(db, [job]))[0]!;
    } catch (err) {
      // A reference already taken, or the same idempotency key committed meanwhile by
      // another server: the next try picks another reference, or finds that first attempt.
      if (store.isUniqueViolation(err) && tries < 3) continue;
      throw err;
    }
  }
}

/** Statements per batch, not per report: one SQL round trip per step, whatever the batch size. */
async function writeBatch(db: Db, jobs: Job[]): Promise<Submitted[]> {
  return db.transaction().execute(async (trx) => {
    const hashes = jobs.map((j) => (j.intake.idempotencyKey ? idempotencyHash(j.intake.idempotencyKey) : null));
    const existing = new Map((await store.findByIdempotencyHashes(trx, hashes.filter((h): h is string => h !== null))).map((r) => [r.idempotency_hash!, r]));
    const results: Submitted[] = [];
    const fresh: Array<{ row: Omit<ReportRow, 'id'>; job: Job }> = [];
    const byHash = new Map<string, Submitted>();
    const now = new Date().toISOString();
    jobs.forEach((job, i) => {
      const { input, intake } = job;
      const key = intake.idempotencyKey;
      const idemHash = hashes[i]!;
      if (key && idemHash) {
        const twin = byHash.get(idemHash);
        if (twin) return void results.push({ ...twin, created: false });
        const first = existing.get(idemHash);
        if (first) return void results.push({ reference: first.reference, statusToken: unseal(first.sealed_token!, key), created: false, held: first.held === 1 });
      }
      const statusToken = randomBytes(32).toString('base64url');
      const row: Omit<ReportRow, 'id'> = {
        reference: newReference(),
        channel: intake.channel,
        source_id: intake.sourceId ?? null,
        external_id: intake.externalId ?? null,
        author_handle: intake.authorHandle ?? null,
        category: input.category,
        description: input.description,
        latitude: input.latitude,
        longitude: input.longitude,
        location_precision_m: input.locationPrecisionMetres ?? null,
        location_inferred: intake.locationInferred ? 1 : 0,
        place_name: input.placeName ?? null,
        occurred_at: input.occurredAt,
        received_at: now,
        updated_at: now,
        contact: input.contact && Object.values(input.contact).some((v) => v) ? JSON.stringify(input.contact) : null,
        status: 'received',
        held: job.hold ? 1 : 0,
        flag_reason: job.hold,
        assigned_team: null,
        assigned_officer: null,
        merged_into: null,
        thread_id: null,
        closed_reason: null,
        idempotency_hash: idemHash,
        sealed_token: key ? seal(statusToken, key) : null,
        status_token_hash: tokenHash(statusToken),
        h3_8: input.latitude !== null && input.longitude !== null ? latLngToCell(input.latitude, input.longitude, 8) : null,
      };
      const result = { reference: row.reference, statusToken, created: true, held: Boolean(job.hold) };
      if (idemHash) byHash.set(idemHash, result);
      results.push(result);
      fresh.push({ row, job });
    });
    if (!fresh.length) return results;

    const ids = await store.insertReports(trx, fresh.map((f) => f.row));
    const rows: ReportRow[] = fresh.map((f) => ({ id: ids.get(f.row.reference)!, ...f.row }));
    await assignThreads(trx, rows.filter((r) => r.held === 0));
    await store.startOwnThreads(trx, rows.map((r) => r.id));
    await store.insertMessages(trx, rows.map((r) => ({ report_id: r.id, at: now, kind: 'received', text: 'We have received your report.', public: 1, username: null })));
    // Last, so that the part writers take in turn (the feed's order, the audit chain) is short.
    await store.lockFeed(trx);
    await store.insertEvents(trx, rows.filter((r) => r.held === 0).map((r) => ({ report_id: r.id, kind: 'created', at: now })));
    // One audit entry per caller and kind of report in the batch, naming every report it took.
    const groups = new Map<string, { job: Job; references: string[]; held: boolean }>();
    fresh.forEach((f, i) => {
      const a = f.job.actor;
      const k = JSON.stringify([a.userId, a.username, a.role, a.ip, f.job.intake.channel, f.job.intake.sourceId ?? null, Boolean(f.job.hold)]);
      const g = groups.get(k) ?? { job: f.job, references: [], held: Boolean(f.job.hold) };
      g.references.push(rows[i]!.reference);
      groups.set(k, g);
    });
    for (const g of groups.values()) {
      await record(trx, g.job.actor, {
        operation: 'collection',
        action: 'reports.submit',
        recordType: 'report',
        recordIds: g.references,
        details: { channel: g.job.intake.channel, held: g.held, ...(g.job.intake.sourceId ? { sourceId: g.job.intake.sourceId } : {}) },
      });
    }
    return results;
  });
}

const asMessage = (r: store.ThreadCandidate) => ({ id: r.id, threadId: r.thread_id, latitude: r.latitude, longitude: r.longitude, time: Date.parse(r.occurred_at), text: r.description });

/**
 * Puts each new report into the thread of a near-duplicate, if it has one: among reports
 * already stored (in its H3 cell and the ring around it, within the time window) and
 * earlier ones in the same batch. The rest start threads of their own.
 */
async function assignThreads(db: Db, rows: ReportRow[]): Promise<void> {
  if (!rows.length) return;
  const window = DEFAULT_THREADING.maxMillis;
  const times = rows.map((r) => Date.parse(r.occurred_at));
  const from = new Date(Math.min(...times) - window).toISOString();
  const to = new Date(Math.max(...times) + window).toISOString();
  // Resolution 8 cells are about 0.8 km apart: a cell and its ring hold everything within 500 m.
  const disks = new Map(rows.map((r) => [r.id, r.h3_8 ? new Set(gridDisk(r.h3_8, 1)) : null]));
  const cells = [...new Set(rows.flatMap((r) => [...(disks.get(r.id) ?? [])]))];
  const ids = new Set(rows.map((r) => r.id));
  const located = cells.length ? await store.recentNear(db, { cells, from, to }) : [];
  const unlocated = rows.some((r) => !r.h3_8) ? await store.recentNear(db, { cells: null, from, to }) : [];
  const stored = [...located, ...unlocated].filter((r) => !ids.has(r.id));
  const done: store.ThreadCandidate[] = [];
  const updates = new Map<number, number[]>();
  for (const r of rows) {
    const disk = disks.get(r.id);
    const candidates = [...stored, ...done].filter((c) => (disk ? c.h3_8 !== null && disk.has(c.h3_8) : c.h3_8 === null));
    const thread = threadFor(asMessage(r), candidates.map(asMessage));
    if (thread !== null) {
      r.thread_id = thread;
      updates.set(thread, [...(updates.get(thread) ?? []), r.id]);
    }
    done.push(r);
  }
  for (const [thread, members] of updates) await store.setThread(db, members, thread);
}

// ——— the reporter's status page ———


async function byToken(db: Db, token: string): Promise<ReportRow> {
  // A token is 43 base64url characters; anything else cannot be one, and is not looked up.
  const row = /^[A-Za-z0-9_-]{43}$/.test(token) ? await store.findByTokenHash(db, tokenHash(token)) : undefined;
  if (!row) throw new PeelError('not_found', 'No report has this status link. Check it was copied in full.', 404);
  return row;
}

export async function statusView(db: Db, token: string): Promise<StatusView> {
  const row = await byToken(db, token);
  const [messages, photos, category] = await Promise.all([store.messagesFor(db, row.id, true), store.photoCounts(db, [row.id]), store.findCategory(db, row.category)]);
  return {
    reference: row.reference,
    status: row.status as Status,
    statusLabel: STATUS_LABELS[row.status as Status] ?? row.status,
    category: row.category,
    categoryLabel: category?.label ?? row.category,
    receivedAt: row.received_at,
    occurredAt: row.occurred_at,
    photos: photos.get(row.id) ?? 0,
    messages: messages.map((m) => ({ at: m.at, kind: m.kind as PublicMessageKind, text: m.text })),
  };
}

// ——— photos ———


/**
 * Adds a photo to a report, found by its status link. The type comes from the bytes; a
 * JPEG's EXIF (with its GPS position) and the like are removed unless the reporter chose
 * to share where the photo was taken. The same photo twice is stored once.
 */
export async function addPhoto(db: Db, blobs: BlobStore, actor: Actor, token: string, bytes: Uint8Array | null, shareLocation: boolean): Promise<StoredPhoto> {
  const row = await byToken(db, token);
  if (!bytes) throw new PeelError('unsupported_media_type', 'Send the photo itself as the body, with Content-Type image/jpeg, image/png or image/webp.', 415);
  if (bytes.length === 0) throw new PeelError('invalid_request', 'body: the photo is empty.', 400);
  if (bytes.length > MAX_PHOTO_BYTES) throw new PeelError('too_large', `The photo is larger than the ${MAX_PHOTO_BYTES / 1024 / 1024} MiB allowed.`, 413);
  const type = sniffImageType(bytes);
  if (!type) throw new PeelError('unsupported_media_type', 'body: the file is not a JPEG, PNG or WebP image.', 415);
  let kept: Uint8Array;
  try {
    kept = shareLocation ? bytes : stripImageMetadata(bytes, type);
  } catch (err) {
    if (err instanceof ImageError) throw new PeelError('invalid_image', `body: ${err.message}`, 400);
    throw err;
  }
  const { sha256: digest, size } = await blobs.put(kept);
  const stored = await db.transaction().execute(async (trx) => {
    const existing = await store.findPhotoBySha(trx, row.id, digest);
    if (existing) return { row: existing, created: false };
    const count = (await store.photoCounts(trx, [row.id])).get(row.id) ?? 0;
    if (count >= MAX_PHOTOS) throw new PeelError('too_many_photos', `A report may have at most ${MAX_PHOTOS} photos.`, 400);
    const at = new Date().toISOString();
    const photo = { report_id: row.id, sha256: digest, media_type: type, size, location_shared: shareLocation ? 1 : 0, at };
    const id = await store.insertPhoto(trx, photo);
    await store.lockFeed(trx);
    if (row.held === 0) await store.insertEvent(trx, row.id, 'updated', at);
    await record(trx, actor, { operation: 'collection', action: 'reports.photo.add', recordType: 'report', recordIds: [row.reference], details: { sha256: digest, type, size, locationShared: shareLocation } });
    return { row: { id, ...photo }, created: true };
  });
  if (stored.created) feedNotifier(db).notify();
  const p = stored.row;
  return { id: Number(p.id), sha256: p.sha256, type: p.media_type, size: Number(p.size), locationShared: p.location_shared === 1 };
}

// ——— the control room ———

export interface ListResult {
  items: ReportItem[];
  total: number;
  lastEventId: number;
}

export async function listReports(db: Db, filter: store.ReportFilter, limit: number, offset: number): Promise<ListResult> {
  // Read the feed's position first: an event after it may already be in the list, never the other way round.
  const lastEventId = await store.lastEventId(db);
  const { rows, total } = await store.listReports(db, filter, limit, offset);
  return { items: await toItems(db, rows), total, lastEventId };
}


/** The id of the latest feed event: where a stream without Last-Event-ID starts. */
export const feedPosition = (db: Db): Promise<number> => store.lastEventId(db);

/** Feed events after `after`, oldest first, each with its report as it is now. */
export async function feedEvents(db: Db, after: number, limit = 500): Promise<FeedEvent[]> {
  const events = await store.eventsAfter(db, after, limit);
  if (!events.length) return [];
  const rows = await store.reportsByIds(db, [...new Set(events.map((e) => Number(e.report_id)))]);
  const items = await toItems(db, rows);
  const byId = new Map(rows.map((r, i) => [r.id, items[i]!]));
  return events.map((e) => {
    const report = byId.get(Number(e.report_id))!;
    return { seq: Number(e.id), kind: e.kind as FeedEvent['kind'], at: e.at, reference: report.reference, report };
  });
}


async function byReference(db: Db, reference: string): Promise<ReportRow> {
  const row = REFERENCE_PATTERN.test(reference) ? await store.findByReference(db, reference) : undefined;
  if (!row) throw notFound(`Report ${reference.slice(0, 40)}`);
  return row;
}

/** One report in full, with the reporter's contact details: an audited consultation. */
export async function reportDetail(db: Db, actor: Actor, reference: string): Promise<ReportDetail> {
  return db.transaction().execute(async (trx) => {
    const row = await byReference(trx, reference);
    const [item, messages, photos] = await Promise.all([toItem(trx, row), store.messagesFor(trx, row.id, false), store.photosFor(trx, row.id)]);
    await record(trx, actor, { operation: 'consultation', action: 'reports.view', recordType: 'report', recordIds: [row.reference], reasonCode: 'operational_policing' });
    return {
      ...item,
      contact: row.contact ? (JSON.parse(row.contact) as Contact) : null,
      messages: messages.map((m) => ({ at: m.at, kind: m.kind, text: m.text, public: m.public === 1, username: m.username })),
      photoList: photos.map((p) => ({ id: Number(p.id), sha256: p.sha256, type: p.media_type, size: Number(p.size), locationShared: p.location_shared === 1 })),
    };
  });
}

export async function photoFile(db: Db, blobs: BlobStore, actor: Actor, reference: string, photoId: number): Promise<{ type: string; size: number; stream: NodeJS.ReadableStream }> {
  const photo = await db.transaction().execute(async (trx) => {
    const row = await byReference(trx, reference);
    const p = await store.findPhoto(trx, row.id, photoId);
    if (!p) throw notFound(`Photo ${photoId} of ${reference}`);
    await record(trx, actor, { operation: 'consultation', action: 'reports.photo.view', recordType: 'report', recordIds: [row.reference], reasonCode: 'operational_policing', details: { photoId } });
    return p;
  });
  return { type: photo.media_type, size: Number(photo.size), stream: await blobs.get(photo.sha256) };
}

// ——— triage ———

const PUBLIC_TEXT = {
  looking: 'Your report is being looked at.',
  passed: 'Your report has been passed to a team.',
  closed: 'Your report has been closed.',
  merged: 'Your report is being dealt with together with another report about the same thing.',
} as const;

interface Change {
  patch: Partial<Omit<ReportRow, 'id'>>;
  /** what the reporter is told, if anything */
  publicMessage?: { kind: string; text: string };
  note?: string;
  link?: { kind: string; linked_reference: string };
  details: Record<string, unknown>;
  /** `created` puts a report held for moderation into the feed */
  eventKind?: 'created' | 'updated' | null;
}

/** One triage step: the change, the reporter's message, the feed event and the audit entry, together. */
async function triage(db: Db, actor: Actor, reference: string, action: string, decide: (row: ReportRow, trx: Db) => Promise<Change> | Change): Promise<ReportItem> {
  const id = await db.transaction().execute(async (trx) => {
    await store.lockFeed(trx);
    const row = await byReference(trx, reference);
    const change = await decide(row, trx);
    const now = new Date().toISOString();
    await store.updateReport(trx, row.id, { ...change.patch, updated_at: now });
    if (change.publicMessage) await store.insertMessage(trx, { report_id: row.id, at: now, kind: change.publicMessage.kind, text: change.publicMessage.text, public: 1, username: actor.username });
    if (change.note) await store.insertMessage(trx, { report_id: row.id, at: now, kind: 'note', text: change.note, public: 0, username: actor.username });
    if (change.link) await store.insertLink(trx, { report_id: row.id, at: now, ...change.link });
    const held = change.patch.held ?? row.held;
    if (change.eventKind !== null && held === 0) await store.insertEvent(trx, row.id, change.eventKind ?? 'updated', now);
    await record(trx, actor, { operation: 'alteration', action, recordType: 'report', recordIds: [row.reference], details: change.details });
    return row.id;
  });
  feedNotifier(db).notify();
  return toItem(db, (await store.findById(db, id))!);
}

const open = (row: ReportRow) => {
  if (row.status === 'closed') throw new PeelError('report_closed', `Report ${row.reference} is closed.`, 409);
};

export const acknowledge = (db: Db, actor: Actor, reference: string) =>
  triage(db, actor, reference, 'reports.acknowledge', (row) => {
    open(row);
    return { patch: { status: 'looking' }, publicMessage: row.status === 'received' ? { kind: 'looking', text: PUBLIC_TEXT.looking } : undefined, details: { from: row.status } };
  });

export const assign = (db: Db, actor: Actor, reference: string, to: { team?: string | undefined; officer?: string | undefined }) =>
  triage(db, actor, reference, 'reports.assign', (row) => {
    open(row);
    if (!to.team && !to.officer) throw new PeelError('invalid_request', 'body: give a team, an officer or both.', 400);
    return {
      patch: { status: 'passed', assigned_team: to.team ?? row.assigned_team, assigned_officer: to.officer ?? row.assigned_officer },
      publicMessage: row.status !== 'passed' ? { kind: 'passed', text: PUBLIC_TEXT.passed } : undefined,
      details: { team: to.team ?? null, officer: to.officer ?? null },
    };
  });

export const link = (db: Db, actor: Actor, reference: string, kind: 'incident' | 'crime', linkedReference: string) =>
  triage(db, actor, reference, 'reports.link', () => ({ patch: {}, link: { kind, linked_reference: linkedReference }, details: { kind, linkedReference } }));

export const reply = (db: Db, actor: Actor, reference: string, message: string) =>
  triage(db, actor, reference, 'reports.reply', () => ({ patch: {}, publicMessage: { kind: 'reply', text: message }, details: { length: message.length } }));

export const close = (db: Db, actor: Actor, reference: string, reason: string, message?: string) =>
  triage(db, actor, reference, 'reports.close', (row) => {
    open(row);
    return { patch: { status: 'closed', closed_reason: reason }, publicMessage: { kind: 'closed', text: message?.trim() || PUBLIC_TEXT.closed }, note: `Closed: ${reason}`, details: { reason } };
  });

/** Joins a duplicate into the report that carries on; the duplicate's reporter is told. */
export async function merge(db: Db, actor: Actor, reference: string, into: string): Promise<ReportItem> {
  if (reference === into) throw new PeelError('invalid_request', 'body.into: a report cannot be merged into itself.', 400);
  let targetId = 0;
  await triage(db, actor, reference, 'reports.merge', async (row, trx) => {
    const target = await byReference(trx, into);
    if (target.merged_into) throw new PeelError('invalid_request', `body.into: ${into} has itself been merged into another report.`, 400);
    if (row.merged_into) throw new PeelError('invalid_request', `${reference} has already been merged.`, 409);
    targetId = target.id;
    return {
      patch: { merged_into: target.id, thread_id: target.thread_id ?? target.id, status: 'closed', closed_reason: `duplicate of ${target.reference}` },
      publicMessage: { kind: 'closed', text: PUBLIC_TEXT.merged },
      details: { into: target.reference },
    };
  });
  return toItem(db, (await store.findById(db, targetId))!);
}

export async function moderationQueue(db: Db, limit: number, offset: number): Promise<{ items: ReportItem[]; total: number }> {
  const { rows, total } = await store.listReports(db, { held: true, statuses: ['received', 'looking', 'passed'], includeMerged: true }, limit, offset);
  return { items: await toItems(db, rows), total };
}

export const moderate = (db: Db, actor: Actor, reference: string, decision: 'release' | 'reject', note?: string) =>
  triage(db, actor, reference, `reports.moderate.${decision}`, (row) => {
    if (row.held !== 1) throw new PeelError('not_held', `Report ${reference} is not held for moderation.`, 409);
    if (decision === 'release') return { patch: { held: 0, flag_reason: null }, note: note ? `Released: ${note}` : undefined, eventKind: 'created', details: { flagReason: row.flag_reason } };
    return { patch: { status: 'closed', closed_reason: 'rejected in moderation' }, note: note ? `Rejected: ${note}` : undefined, eventKind: null, details: { flagReason: row.flag_reason } };
  });

// ——— categories ———

/**
 * The categories, kept for a few seconds: every report is checked against them, and in a
 * burst a query each would queue behind the writes. This process's own changes clear it at
 * once; another server's show within the five seconds.
 */
const categoryCache = new WeakMap<object, { at: number; list: Promise<Map<string, store.CategoryRow>> }>();
function cachedCategories(db: Db): Promise<Map<string, store.CategoryRow>> {
  const hit = categoryCache.get(db);
  if (hit && Date.now() - hit.at < 5000) return hit.list;
  const list = store.listCategories(db, false).then((rows) => new Map(rows.map((r) => [r.code, r])));
  categoryCache.set(db, { at: Date.now(), list });
  list.catch(() => categoryCache.delete(db));
  return list;
}

export interface Category {
  code: string;
  label: string;
  active: boolean;
  sortOrder: number;
}

const toCategory = (c: store.CategoryRow): Category => ({ code: c.code, label: c.label, active: c.active === 1, sortOrder: Number(c.sort_order) });

export const categories = async (db: Db, activeOnly: boolean): Promise<Category[]> => (await store.listCategories(db, activeOnly)).map(toCategory);

export async function addCategory(db: Db, actor: Actor, input: { code: string; label: string; sortOrder?: number | undefined }): Promise<Category> {
  return db.transaction().execute(async (trx) => {
    if (await store.findCategory(trx, input.code)) throw new PeelError('category_exists', `body.code: a category "${input.code}" exists already.`, 409);
    const now = new Date().toISOString();
    const all = await store.listCategories(trx, false);
    const row = { code: input.code, label: input.label, active: 1, sort_order: input.sortOrder ?? Math.max(0, ...all.map((c) => Number(c.sort_order))) + 10, created_at: now, updated_at: now };
    await store.insertCategory(trx, row);
    await record(trx, actor, { operation: 'alteration', action: 'reports.categories.add', recordType: 'report_category', recordIds: [input.code], details: { label: input.label } });
    return toCategory(row);
  }).finally(() => categoryCache.delete(db));
}

export async function changeCategory(db: Db, actor: Actor, code: string, patch: { label?: string | undefined; active?: boolean | undefined; sortOrder?: number | undefined }): Promise<Category> {
  return db.transaction().execute(async (trx) => {
    if (!(await store.findCategory(trx, code))) throw notFound(`Category ${code.slice(0, 60)}`);
    await store.updateCategory(trx, code, {
      ...(patch.label !== undefined ? { label: patch.label } : {}),
      ...(patch.active !== undefined ? { active: patch.active ? 1 : 0 } : {}),
      ...(patch.sortOrder !== undefined ? { sort_order: patch.sortOrder } : {}),
      updated_at: new Date().toISOString(),
    });
    await record(trx, actor, { operation: 'alteration', action: 'reports.categories.change', recordType: 'report_category', recordIds: [code], details: { ...patch } });
    return toCategory((await store.findCategory(trx, code))!);
  }).finally(() => categoryCache.delete(db));
}
