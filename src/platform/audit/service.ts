import { createHash } from 'node:crypto';
import type { Actor } from '../actor.ts';
import type { Db } from '../db/index.ts';
import { PeelError } from '../errors.ts';
import { GENESIS_HASH } from './migrations.ts';
import type { Operation, ReasonCode } from './operations.ts';
import * as store from './store.ts';
import type { AuditFilter, AuditRow } from './store.ts';

export * from './operations.ts';

export interface AuditEvent {
  operation: Operation;
  /** what happened, e.g. `users.create`, `crime.records.view` */
  action: string;
  recordType: string;
  recordIds: Array<string | number>;
  justification?: string | null;
  reasonCode?: ReasonCode | null;
  /** extra facts about the event; never personal data beyond the record ids */
  details?: Record<string, unknown> | null;
}

export interface AuditEntry {
  seq: number;
  at: string;
  userId: number | null;
  username: string | null;
  role: string;
  operation: string;
  action: string;
  recordType: string;
  recordIds: string[];
  justification: string | null;
  reasonCode: string | null;
  clientIp: string | null;
  details: Record<string, unknown> | null;
  prevHash: string;
  hash: string;
}

/** The fields a hash covers, in a fixed order, so any change to any of them changes the hash. */
export function entryHash(row: Omit<AuditRow, 'hash'>): string {
  const content = JSON.stringify([
    Number(row.seq),
    row.at,
    row.user_id === null ? null : Number(row.user_id),
    row.username,
    row.role,
    row.operation,
    row.action,
    row.record_type,
    row.record_ids,
    row.justification,
    row.reason_code,
    row.client_ip,
    row.details,
    row.prev_hash,
  ]);
  return createHash('sha256').update(row.prev_hash).update('\n').update(content).digest('hex');
}

/**
 * Appends one entry. Pass the transaction that makes the change it records, so the
 * change and its entry are written together or not at all.
 */
export async function record(db: Db, actor: Actor, event: AuditEvent): Promise<AuditEntry> {
  if (!db.isTransaction) return db.transaction().execute((trx) => record(trx, actor, event));
  const justification = event.justification?.trim() || null;
  if ((event.operation === 'consultation' || event.operation === 'disclosure') && !justification && !event.reasonCode) {
    throw new PeelError('justification_required', `Say why you need to ${event.operation === 'disclosure' ? 'disclose' : 'see'} this: give a justification or a reason code.`, 400);
  }
  const { seq, prevHash } = await store.claimNextSeq(db);
  const recordIds = event.recordIds.map(String);
  const row: Omit<AuditRow, 'hash'> = {
    seq,
    at: new Date().toISOString(),
    user_id: actor.userId,
    username: actor.username,
    role: actor.role,
    operation: event.operation,
    action: event.action,
    record_type: event.recordType,
    record_ids: JSON.stringify(recordIds),
    justification,
    reason_code: event.reasonCode ?? null,
    client_ip: actor.ip,
    details: event.details ? JSON.stringify(event.details) : null,
    prev_hash: prevHash,
  };
  const full: AuditRow = { ...row, hash: entryHash(row) };
  await store.appendEntry(
    db,
    full,
    recordIds.map((id) => ({ record_type: event.recordType, record_id: id })),
  );
  return toEntry(full);
}

export function toEntry(row: AuditRow): AuditEntry {
  return {
    seq: Number(row.seq),
    at: row.at,
    userId: row.user_id === null ? null : Number(row.user_id),
    username: row.username,
    role: row.role,
    operation: row.operation,
    action: row.action,
    recordType: row.record_type,
    recordIds: JSON.parse(row.record_ids) as string[],
    justification: row.justification,
    reasonCode: row.reason_code,
    clientIp: row.client_ip,
    details: row.details ? (JSON.parse(row.details) as Record<string, unknown>) : null,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

export interface VerifyResult {
  ok: boolean;
  entries: number;
  /** sequence number of the first entry that is missing, altered or out of chain */
  firstBad: number | null;
  problem: string | null;
}

/** Walks the whole chain: every entry present, each hash right, each linked to the one before, the head matching the last. */
export async function verify(db: Db, onProgress?: (checked: number) => void): Promise<VerifyResult> {
  let expectedSeq = 1;
  let prevHash = GENESIS_HASH;
  let count = 0;
  const bad = (seq: number, problem: string): VerifyResult => ({ ok: false, entries: count, firstBad: seq, problem });
  for await (const row of store.entriesInOrder(db)) {
    if (row.seq !== expectedSeq) {
      return bad(expectedSeq, row.seq > expectedSeq ? `entry ${expectedSeq} is missing (next present is ${row.seq})` : `entry ${row.seq} is out of order`);
    }
    if (row.prev_hash !== prevHash) return bad(row.seq, `entry ${row.seq} does not link to entry ${row.seq - 1} (previous hash differs)`);
    const { hash, ...rest } = row;
    if (entryHash(rest) !== hash) return bad(row.seq, `entry ${row.seq} has been altered (its content does not match its hash)`);
    prevHash = hash;
    expectedSeq++;
    count++;
    if (onProgress && count % 10_000 === 0) onProgress(count);
  }
  const head = await store.readHead(db);
  if (head.seq !== count) {
    return head.seq > count
      ? bad(count + 1, `entries ${count + 1} to ${head.seq} are missing from the end of the log`)
      : bad(head.seq + 1, `the log has ${count} entries but its head records ${head.seq}`);
  }
  if (head.hash !== prevHash) return bad(count, `the last entry ${count} does not match the recorded head of the chain`);
  return { ok: true, entries: count, firstBad: null, problem: null };
}

export async function search(db: Db, actor: Actor, filter: AuditFilter, limit: number): Promise<{ entries: AuditEntry[]; nextCursor: number | null }> {
  const rows = await store.searchEntries(db, filter, limit + 1);
  const page = rows.slice(0, limit).map(toEntry);
  await record(db, actor, {
    operation: 'consultation',
    action: 'audit.search',
    recordType: 'audit_log',
    recordIds: [],
    reasonCode: 'audit',
    details: { filter: { ...filter }, returned: page.length },
  });
  return { entries: page, nextCursor: rows.length > limit ? page[page.length - 1]!.seq : null };
}

const CSV_COLUMNS = ['seq', 'at', 'userId', 'username', 'role', 'operation', 'action', 'recordType', 'recordIds', 'justification', 'reasonCode', 'clientIp', 'details', 'prevHash', 'hash'] as const;

function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  // Quote always; neutralise spreadsheet formulas so an exported log cannot run code when opened.
  const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return `"${safe.replace(/"/g, '""')}"`;
}

/**
 * Exports matching entries oldest first, as CSV or JSON Lines. The export is itself a
 * disclosure and is logged, with its justification, before the first line is produced.
 */
export async function exportEntries(
  db: Db,
  actor: Actor,
  filter: AuditFilter,
  format: 'csv' | 'jsonl',
  justification: string | null,
): Promise<AsyncGenerator<string>> {
  await record(db, actor, {
    operation: 'disclosure',
    action: 'audit.export',
    recordType: 'audit_log',
    recordIds: [],
    justification,
    details: { format, filter: { ...filter } },
  });
  return exportLines(db, filter, format);
}

async function* exportLines(db: Db, filter: AuditFilter, format: 'csv' | 'jsonl'): AsyncGenerator<string> {
  if (format === 'csv') yield CSV_COLUMNS.join(',') + '\r\n';
  let after = 0;
  for (;;) {
    const rows = await store.searchEntries(db, { ...filter, after }, 2000, 'asc');
    for (const e of rows.map(toEntry)) {
      yield format === 'csv' ? CSV_COLUMNS.map((c) => csvCell(e[c])).join(',') + '\r\n' : JSON.stringify(e) + '\n';
    }
    if (rows.length < 2000) return;
    after = Number(rows[rows.length - 1]!.seq);
  }
}
