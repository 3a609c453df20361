import type { Kysely } from 'kysely';
import type { Db } from '../db/index.ts';

export interface AuditRow {
  seq: number;
  at: string;
  user_id: number | null;
  username: string | null;
  role: string;
  operation: string;
  action: string;
  record_type: string;
  record_ids: string;
  justification: string | null;
  reason_code: string | null;
  client_ip: string | null;
  details: string | null;
  prev_hash: string;
  hash: string;
}

interface Tables {
  audit_log: AuditRow;
  audit_record_refs: { seq: number; record_type: string; record_id: string };
  audit_head: { id: number; seq: number; hash: string };
}

const t = (db: Db) => db as Kysely<Tables>;

/** Claims the next sequence number; the UPDATE locks the head row until the transaction ends. */
export async function claimNextSeq(trx: Db): Promise<{ seq: number; prevHash: string }> {
  const before = await t(trx)
    .updateTable('audit_head')
    .set((eb) => ({ seq: eb('seq', '+', 1) }))
    .where('id', '=', 1)
    .returning(['seq', 'hash'])
    .executeTakeFirstOrThrow();
  return { seq: Number(before.seq), prevHash: before.hash };
}

export async function appendEntry(trx: Db, row: AuditRow, refs: Array<{ record_type: string; record_id: string }>): Promise<void> {
  await t(trx).insertInto('audit_log').values(row).execute();
  if (refs.length) await t(trx).insertInto('audit_record_refs').values(refs.map((r) => ({ seq: row.seq, ...r }))).execute();
  await t(trx).updateTable('audit_head').set({ hash: row.hash }).where('id', '=', 1).execute();
}

export interface AuditFilter {
  userId?: number;
  username?: string;
  action?: string;
  operation?: string;
  recordType?: string;
  recordId?: string;
  from?: string;
  to?: string;
  /** entries with seq below this (for the next page, newest first) */
  before?: number;
  /** entries with seq above this (for export, oldest first) */
  after?: number;
}

export function searchQuery(db: Db, f: AuditFilter) {
  let q = t(db).selectFrom('audit_log').selectAll('audit_log');
  if (f.userId !== undefined) q = q.where('user_id', '=', f.userId);
  if (f.username) q = q.where('username', '=', f.username.toLowerCase());
  if (f.action) q = q.where('action', '=', f.action);
  if (f.operation) q = q.where('operation', '=', f.operation);
  if (f.from) q = q.where('at', '>=', f.from);
  if (f.to) q = q.where('at', '<', f.to);
  if (f.before !== undefined) q = q.where('seq', '<', f.before);
  if (f.after !== undefined) q = q.where('seq', '>', f.after);
  if (f.recordId) {
    const { recordType, recordId } = f;
    q = q.where('seq', 'in', (eb) => {
      let refs = eb.selectFrom('audit_record_refs').select('seq').where('record_id', '=', recordId);
      if (recordType) refs = refs.where('record_type', '=', recordType);
      return refs;
    });
  } else if (f.recordType) {
    q = q.where('record_type', '=', f.recordType);
  }
  return q;
}

export async function searchEntries(db: Db, f: AuditFilter, limit: number, order: 'asc' | 'desc' = 'desc'): Promise<AuditRow[]> {
  return searchQuery(db, f).orderBy('seq', order).limit(limit).execute();
}

/** Entries in chain order, a page at a time, for verification and export. */
export async function* entriesInOrder(db: Db, pageSize = 2000): AsyncGenerator<AuditRow> {
  let after = 0;
  for (;;) {
    const page = await t(db).selectFrom('audit_log').selectAll().where('seq', '>', after).orderBy('seq').limit(pageSize).execute();
    for (const row of page) yield { ...row, seq: Number(row.seq) };
    if (page.length < pageSize) return;
    after = Number(page[page.length - 1]!.seq);
  }
}

export async function readHead(db: Db): Promise<{ seq: number; hash: string }> {
  const h = await t(db).selectFrom('audit_head').select(['seq', 'hash']).where('id', '=', 1).executeTakeFirstOrThrow();
  return { seq: Number(h.seq), hash: h.hash };
}
