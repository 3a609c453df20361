import { createHash } from 'node:crypto';
import type { Actor } from '../../platform/actor.ts';
import * as audit from '../../platform/audit/service.ts';
import type { BlobStore } from '../../platform/blobs/index.ts';
import type { Db } from '../../platform/db/index.ts';
import { RECORD_TYPE, describeItems, retentionRules } from './service.ts';
import { isDue } from './retention.ts';
import * as store from './store.ts';
import { removeAbandonedUploads } from './uploads.ts';
import type { ItemRow } from './store.ts';

export interface SweepResult {
  dryRun: boolean;
  now: string;
  /** ids deleted (or, in a dry run, that would be), originals and their derived copies */
  deleted: number[];
  details: Array<{ id: number; sha256: string; rule: string; derivedFrom: number | null }>;
  /** blobs of earlier deletions removed again, where a crash had left them */
  leftoversRemoved: number;
  /** uploads untouched for a week, removed with their staged bytes (or that would be) */
  abandonedUploads: string[];
}

const PAGE = 500;

/**
 * Deletes what the rules say is due at `now`: an original whose deletion date has come and
 * that no hold protects, with its derived copies (clips, redactions, posters) unless a copy
 * is itself held or kept for review. Each deletion is a tombstone (metadata and hash kept)
 * and an erasure entry in the audit log naming the rule, the hash and the approver; the
 * hold is checked again inside the transaction, so a hold placed meanwhile wins.
 */
export async function sweep(db: Db, blobs: BlobStore, actor: Actor, now: Date, dryRun: boolean, uploadsDir?: string): Promise<SweepResult> {
  const rules = await retentionRules(db);
  const result: SweepResult = { dryRun, now: now.toISOString(), deleted: [], details: [], leftoversRemoved: 0, abandonedUploads: [] };
  let after = 0;
  for (;;) {
    const page = await store.storedItemsAfter(db, after, PAGE);
    if (!page.length) break;
    after = page[page.length - 1]!.id;
    const items = await describeItems(db, page.filter((r) => r.derived_from === null), rules);
    for (const item of items) {
      if (!isDue(item.retention, now)) continue;
      const row = page.find((r) => r.id === item.id)!;
      const copies = (await describeItems(db, (await store.derivedOf(db, item.id)).filter((d) => d.status === 'stored'), rules)).filter((d) => !d.retention.held && d.retention.action !== 'review');
      const targets: Array<{ row: ItemRow; rule: string }> = [{ row, rule: item.retention.rule }];
      for (const c of copies) targets.push({ row: (await store.getItem(db, c.id))!, rule: `derived from item ${item.id}, deleted under ${item.retention.rule}` });
      for (const target of targets) {
        if (!dryRun && !(await deleteOne(db, blobs, actor, target.row, target.rule, now))) continue;
        result.deleted.push(target.row.id);
        result.details.push({ id: target.row.id, sha256: target.row.sha256, rule: target.rule, derivedFrom: target.row.derived_from });
      }
    }
  }
  if (!dryRun) result.leftoversRemoved = await removeLeftovers(db, blobs);
  if (uploadsDir) result.abandonedUploads = await removeAbandonedUploads(db, uploadsDir, now, dryRun);
  return result;
}

async function deleteOne(db: Db, blobs: BlobStore, actor: Actor, row: ItemRow, rule: string, now: Date): Promise<boolean> {
  const done = await db.transaction().execute(async (trx) => {
    if ((await store.holdsOf(trx, [row.id], true)).length) return false;
    const current = await store.getItem(trx, row.id);
    if (!current || current.status !== 'stored') return false;
    await store.markDeleted(trx, row.id, now.toISOString(), rule);
    await audit.record(trx, actor, {
      operation: 'erasure',
      action: 'evidence.delete',
      recordType: RECORD_TYPE,
      recordIds: [row.id],
      details: { sha256: row.sha256, size: row.size, rule, approver: actor.username ?? actor.role, derivedFrom: row.derived_from },
    });
    return true;
  });
  // After the tombstone is committed: a crash here leaves a blob that the next sweep removes.
  if (done) await removeBlobs(db, blobs, row);
  return done;
}

async function removeBlobs(db: Db, blobs: BlobStore, row: ItemRow): Promise<void> {
  if (!(await store.otherStoredWithSha(db, row.sha256, row.id))) await blobs.delete(row.sha256);
  if (row.poster_sha256) await blobs.delete(row.poster_sha256);
}

async function removeLeftovers(db: Db, blobs: BlobStore): Promise<number> {
  let removed = 0;
  for (const row of await store.deletedItems(db)) {
    if ((await blobs.stat(row.sha256)) && !(await store.otherStoredWithSha(db, row.sha256, row.id))) {
      await removeBlobs(db, blobs, row);
      removed++;
    }
  }
  return removed;
}

export interface VerifyResult {
  ok: boolean;
  items: number;
  problems: Array<{ itemId: number | null; problem: string }>;
  audit: { ok: boolean; entries: number; problem: string | null };
}

/** Re-hashes every stored blob against its item's record, and walks the audit chain. */
export async function verify(db: Db, blobs: BlobStore, onProgress?: (checked: number) => void): Promise<VerifyResult> {
  const problems: VerifyResult['problems'] = [];
  let count = 0;
  let after = 0;
  for (;;) {
    const page = await store.storedItemsAfter(db, after, PAGE);
    if (!page.length) break;
    after = page[page.length - 1]!.id;
    for (const row of page) {
      count++;
      const found = await blobs.stat(row.sha256);
      if (!found) {
        problems.push({ itemId: row.id, problem: `missing: no blob ${row.sha256} in the store` });
        continue;
      }
      const hash = createHash('sha256');
      let size = 0;
      for await (const chunk of await blobs.get(row.sha256)) {
        hash.update(chunk as Buffer);
        size += (chunk as Buffer).length;
      }
      const actual = hash.digest('hex');
      if (actual !== row.sha256) problems.push({ itemId: row.id, problem: `altered: the stored bytes hash to ${actual}, not the recorded ${row.sha256}` });
      else if (size !== row.size) problems.push({ itemId: row.id, problem: `altered: ${size} bytes stored, ${row.size} recorded` });
      onProgress?.(count);
    }
  }
  const chain = await audit.verify(db);
  if (!chain.ok) problems.push({ itemId: null, problem: `audit log: ${chain.problem}` });
  return { ok: problems.length === 0, items: count, problems, audit: { ok: chain.ok, entries: chain.entries, problem: chain.problem } };
}
