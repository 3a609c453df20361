/** The evidence API's shapes: the server's reply schemas (replies.ts) where it has them. */
import type { CreatedShare, Hold, Item, Share as ShareReply } from '../../../src/modules/evidence/replies.ts';

export type { Category, Hold, Item, MediaFacts, Retention, SharedView, TeamFigure, TeamMember, WorkItem as WorklistEntry } from '../../../src/modules/evidence/replies.ts';
export type HoldKind = Hold['kind'];

export interface ItemWithDerived extends Item {
  derived: Item[];
}

/** A share link; the reply that makes one also gives its addresses, shown that once. */
export type Share = ShareReply & Partial<Pick<CreatedShare, 'url' | 'downloadUrl'>>;

export interface CustodyEntry {
  id: number | string;
  at?: string;
  createdAt?: string;
  time?: string;
  username?: string | null;
  role?: string | null;
  action: string;
  operation?: string | null;
  reasonCode?: string | null;
  justification?: string | null;
  details?: unknown;
  hash?: string | null;
}

export interface CustodyReport {
  item: Item;
  entries: CustodyEntry[];
  chain: { ok: boolean; problem: string | null };
}


export const HOLD_KINDS: { value: HoldKind; text: string }[] = [
  { value: 'case', text: 'Case' },
  { value: 'complaint', text: 'Complaint' },
  { value: 'misconduct', text: 'Misconduct matter' },
  { value: 'subject_access', text: 'Subject access request' },
];

/** Roles that may share, hold and see team figures (MANAGE in the API). */
export const MANAGE_ROLES = ['supervisor', 'evidence_officer'];
/** Roles that may read the custody report. */
export const CUSTODY_ROLES = ['supervisor', 'evidence_officer', 'auditor'];

export function itemName(item: { id: number; filename: string | null; title?: string | null }): string {
  return item.title || item.filename || `Item ${item.id}`;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toLocaleString('en-GB', { maximumFractionDigits: value < 10 ? 1 : 0 })} ${units[unit]}`;
}

export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return 'Not known';
  const whole = Math.round(seconds);
  const h = Math.floor(whole / 3600);
  const m = Math.floor((whole % 3600) / 60);
  const s = whole % 60;
  const mmss = `${String(m).padStart(h ? 2 : 1, '0')}:${String(s).padStart(2, '0')}`;
  return h ? `${h}:${mmss}` : mmss;
}
