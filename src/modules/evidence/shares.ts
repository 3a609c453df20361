import { createHash, randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';
import { once } from 'node:events';
import { PassThrough, type Readable } from 'node:stream';
import { Zip, ZipPassThrough } from 'fflate';
import type { Actor } from '../../platform/actor.ts';
import * as audit from '../../platform/audit/service.ts';
import type { BlobStore } from '../../platform/blobs/index.ts';
import { nowIso, type Db } from '../../platform/db/index.ts';
import { PeelError, notFound } from '../../platform/errors.ts';
import { RECORD_TYPE, parseRange, visibleUserIds } from './service.ts';
import * as store from './store.ts';
import type { Share } from './replies.ts';
import type { ItemRow, ShareRow } from './store.ts';

export type { Share };

const DAY_MS = 86_400_000;
/** Wrong PINs before a link is revoked: a 4-digit PIN must not be guessable by trying them all. */
export const MAX_PIN_FAILURES = 5;

export interface ShareInput {
  itemIds: number[];
  expiresInDays?: number;
  allowDownload?: boolean;
  maxAccesses?: number | null;
  recipient?: string;
  pin?: string;
}

export const tokenHash = (token: string) => createHash('sha256').update(token).digest('hex');

function hashPin(pin: string): string {
  const salt = randomBytes(16);
  return `${salt.toString('hex')}:${scryptSync(pin, salt, 32).toString('hex')}`;
}

function pinMatches(pin: string, stored: string): boolean {
  const [salt, hash] = stored.split(':');
  const actual = scryptSync(pin, Buffer.from(salt!, 'hex'), 32);
  return timingSafeEqual(actual, Buffer.from(hash!, 'hex'));
}

const toShare = (r: ShareRow, itemIds: number[]): Share => ({
  id: r.id,
  itemIds,
  recipient: r.recipient,
  expiresAt: r.expires_at,
  allowDownload: !!r.allow_download,
  maxAccesses: r.max_accesses,
  accessCount: r.access_count,
  pinRequired: r.pin_hash !== null,
  revokedAt: r.revoked_at,
  createdBy: r.created_by,
  createdAt: r.created_at,
});

/**
 * A link for a recipient with no account: 256 random bits, of which only the SHA-256 is
 * kept. Creating it is a disclosure in the audit log, naming the recipient, for each item.
 */
export async function createShare(db: Db, actor: Actor, input: ShareInput, now = new Date()): Promise<{ share: Share; token: string }> {
  const ids = [...new Set(input.itemIds)];
  if (!ids.length) throw new PeelError('no_items', 'itemIds: give at least one item to share.', 400);
  const rows = await store.itemsByIds(db, ids);
  const users = await visibleUserIds(db, actor);
  for (const id of ids) {
    const row = rows.find((r) => r.id === id);
    if (!row || (users && !users.some((u) => u === row.officer_user_id || u === row.uploaded_by))) throw notFound(`Evidence item ${id}`);
    if (row.status !== 'stored') throw new PeelError('deleted', `Evidence item ${id} has been deleted; it cannot be shared.`, 410);
  }
  const token = randomBytes(32).toString('base64url');
  const recipient = input.recipient?.trim() || 'unnamed recipient';
  const row: Omit<ShareRow, 'id'> = {
    token_hash: tokenHash(token),
    recipient,
    expires_at: new Date(now.getTime() + (input.expiresInDays ?? 30) * DAY_MS).toISOString(),
    allow_download: input.allowDownload === false ? 0 : 1,
    max_accesses: input.maxAccesses ?? null,
    access_count: 0,
    pin_hash: input.pin ? hashPin(input.pin) : null,
    pin_failures: 0,
    created_by: actor.username,
    created_at: now.toISOString(),
    revoked_at: null,
    revoked_by: null,
  };
  const id = await db.transaction().execute(async (trx) => {
    const shareId = await store.insertShare(trx, row, ids);
    await audit.record(trx, actor, {
      operation: 'disclosure',
      action: 'evidence.share',
      recordType: RECORD_TYPE,
      recordIds: ids,
      justification: `share link ${shareId} for ${recipient}`,
      details: { shareId, recipient, expiresAt: row.expires_at, allowDownload: !!row.allow_download, maxAccesses: row.max_accesses, pin: row.pin_hash !== null, sha256: rows.map((r) => r.sha256) },
    });
    return shareId;
  });
  return { share: toShare({ ...row, id }, ids), token };
}

export async function listShares(db: Db, itemId?: number): Promise<Share[]> {
  const rows = await store.listShares(db, itemId);
  return Promise.all(rows.map(async (r) => toShare(r, await store.shareItemIds(db, r.id))));
}

export async function revokeShare(db: Db, actor: Actor, id: number): Promise<Share> {
  const row = await store.getShare(db, id);
  if (!row) throw notFound(`Share ${id}`);
  const itemIds = await store.shareItemIds(db, id);
  if (!row.revoked_at) {
    await db.transaction().execute(async (trx) => {
      await store.revokeShare(trx, id, actor.username, nowIso());
      await audit.record(trx, actor, { operation: 'alteration', action: 'evidence.share.revoke', recordType: RECORD_TYPE, recordIds: itemIds, details: { shareId: id, recipient: row.recipient } });
    });
  }
  return toShare((await store.getShare(db, id))!, itemIds);
}

/** The share a token opens, if it still may: 404 unknown, 410 revoked/expired/used up, 401 PIN. */
export async function openShare(db: Db, token: string, pin: string | undefined, now = new Date()): Promise<{ share: ShareRow; items: ItemRow[] }> {
  const share = await store.getShareByTokenHash(db, tokenHash(token));
  if (!share) throw notFound('This link');
  if (share.revoked_at) throw new PeelError('revoked', 'This link has been withdrawn; ask the sender for a new one.', 410);
  if (Date.parse(share.expires_at) <= now.getTime()) throw new PeelError('expired', `This link expired on ${share.expires_at}; ask the sender for a new one.`, 410);
  if (share.max_accesses !== null && share.access_count >= share.max_accesses) throw new PeelError('used_up', 'This link has been used as many times as it allows; ask the sender for a new one.', 410);
  if (share.pin_hash) {
    if (!pin) throw new PeelError('pin_required', 'This link needs the PIN sent to you separately.', 401);
    if (!pinMatches(pin, share.pin_hash)) {
      const failures = await store.countPinFailure(db, share.id);
      if (failures >= MAX_PIN_FAILURES) await store.revokeShare(db, share.id, 'system: too many wrong PINs', nowIso());
      throw new PeelError('wrong_pin', failures >= MAX_PIN_FAILURES ? 'Wrong PIN; the link is now withdrawn after too many attempts.' : 'Wrong PIN.', 401);
    }
  }
  return { share, items: await store.itemsByIds(db, await store.shareItemIds(db, share.id)) };
}

/** What the recipient sees before taking anything: not counted as an access. */
export async function describeShare(db: Db, token: string, pin: string | undefined) {
  const { share, items } = await openShare(db, token, pin);
  return {
    items: items.map((i) => ({ id: i.id, filename: i.filename, size: i.size, sha256: i.sha256, mimeType: i.mime_type, status: i.status })),
    recipient: share.recipient,
    // The recipient should know who sent it, to query it or report a link that should not exist.
    sharedBy: share.created_by,
    expiresAt: share.expires_at,
    allowDownload: !!share.allow_download,
    accessesLeft: share.max_accesses === null ? null : Math.max(0, share.max_accesses - share.access_count),
  };
}

/** Counts one access (if the cap allows) and logs it as a disclosure to the recipient. */
async function takeAccess(db: Db, actor: Actor, share: ShareRow, items: ItemRow[], what: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    if (!(await store.takeAccess(trx, share.id))) throw new PeelError('used_up', 'This link has been used as many times as it allows; ask the sender for a new one.', 410);
    await audit.record(trx, actor, {
      operation: 'disclosure',
      action: 'evidence.share.access',
      recordType: RECORD_TYPE,
      recordIds: items.map((i) => i.id),
      justification: `share link ${share.id} for ${share.recipient}`,
      details: { shareId: share.id, recipient: share.recipient, what, sha256: items.map((i) => i.sha256) },
    });
  });
}

export type SharedBytes =
  | { kind: 'item'; item: ItemRow; size: number; range: { start: number; end: number } | null; body: Readable }
  | { kind: 'zip'; shareId: number; body: Readable }
  | { kind: 'unsatisfiable'; size: number };

/**
 * The bytes behind a link: one item inline (`itemId`) or the download (one item, or a zip
 * of a bundle with SHA256SUMS). A request that starts at byte 0 counts as an access; the
 * further range requests a player makes within that viewing do not.
 */
export async function sharedBytes(db: Db, blobs: BlobStore, actor: Actor, token: string, pin: string | undefined, o: { itemId?: number; download: boolean; range?: string }): Promise<SharedBytes> {
  const { share, items } = await openShare(db, token, pin);
  if (o.download && !share.allow_download) throw new PeelError('download_not_allowed', 'This link lets you view the footage but not download it.', 403);
  const chosen = o.itemId !== undefined ? items.filter((i) => i.id === o.itemId) : items;
  if (!chosen.length) throw notFound('That item in this link');
  const gone = chosen.find((i) => i.status !== 'stored');
  if (gone) throw new PeelError('deleted', `Item ${gone.id} has been deleted under its retention rule; its bytes are no longer held.`, 410);
  if (chosen.length === 1) {
    const item = chosen[0]!;
    const range = parseRange(o.range, item.size);
    if (range === 'unsatisfiable') return { kind: 'unsatisfiable', size: item.size };
    if (!range || range.start === 0) await takeAccess(db, actor, share, [item], o.download ? 'download' : 'view');
    return { kind: 'item', item, size: item.size, range, body: await blobs.get(item.sha256, range ?? undefined) };
  }
  await takeAccess(db, actor, share, chosen, 'bundle');
  return { kind: 'zip', shareId: share.id, body: zipBundle(blobs, chosen) };
}

/** A name for a file inside the zip: the item id first (unique), then the file name without any path. */
export function zipName(item: ItemRow): string {
  const base = (item.filename ?? 'evidence').split(/[/\\]/).pop()!.replace(/[^\w.\- ]/g, '_').replace(/^\.+/, '') || 'evidence';
  return `${item.id}-${base}`;
}

/** Streams a zip (stored, not compressed: video does not compress) with a SHA256SUMS that `sha256sum -c` checks. */
export function zipBundle(blobs: BlobStore, items: ItemRow[]): Readable {
  const out = new PassThrough();
  const zip = new Zip((err, chunk, final) => {
    if (err) out.destroy(err);
    else {
      out.write(chunk);
      if (final) out.end();
    }
  });
  void (async () => {
    for (const item of items) {
      const file = new ZipPassThrough(zipName(item));
      zip.add(file);
      for await (const chunk of await blobs.get(item.sha256)) {
        if (out.destroyed) return;
        file.push(chunk as Uint8Array);
        // The recipient's pace sets ours: memory holds a chunk or two, whatever the bundle's size.
        if (out.writableNeedDrain) await Promise.race([once(out, 'drain'), once(out, 'close')]);
      }
      file.push(new Uint8Array(0), true);
    }
    const sums = new ZipPassThrough('SHA256SUMS');
    zip.add(sums);
    sums.push(new TextEncoder().encode(items.map((i) => `${i.sha256}  ${zipName(i)}\n`).join('')), true);
    zip.end();
  })().catch((err: Error) => out.destroy(err));
  return out;
}
