/** The evidence API's shapes, as src/modules/evidence/README.md gives them. */

export interface MediaFacts {
  durationSeconds: number | null;
  codec: string | null;
  width: number | null;
  height: number | null;
  container?: string | null;
  audioCodec?: string | null;
  /** what ffprobe found wrong, such as a cut-short file */
  problem?: string | null;
}

export type HoldKind = 'case' | 'complaint' | 'misconduct' | 'subject_access';

export interface Hold {
  id: number;
  kind: HoldKind;
  reference: string;
  reason: string;
  placedBy: string;
  placedAt: string;
}

export interface Retention {
  action: 'delete' | 'review' | 'keep';
  rule: string;
  deleteOn: string | null;
  reviewOn: string | null;
  held: boolean;
}

export interface Item {
  id: number;
  sha256: string;
  size: number;
  filename: string | null;
  title: string | null;
  mimeType: string | null;
  source: string;
  uploadedBy: string | null;
  officer: string | null;
  deviceSerial: string | null;
  recordedStart: string | null;
  recordedEnd: string | null;
  latitude: number | null;
  longitude: number | null;
  location: string | null;
  incidentRef: string | null;
  crimeRef: string | null;
  media: MediaFacts | null;
  posterSha256: string | null;
  derivedFrom: number | null;
  derivation: string | null;
  createdAt: string;
  status: 'stored' | 'deleted';
  deletedAt: string | null;
  deletedRule: string | null;
  categories: string[];
  holds: Hold[];
  retention: Retention | null;
}

export interface ItemWithDerived extends Item {
  derived: Item[];
}

export interface Category {
  code: string;
  name: string;
  description: string | null;
  action: 'delete' | 'review';
  days: number;
  mopiGroup: number | null;
  assignable: boolean;
  updatedAt: string | null;
}

export interface Share {
  id: number;
  url?: string;
  downloadUrl?: string;
  itemIds: number[];
  recipient: string | null;
  expiresAt: string;
  allowDownload: boolean;
  maxAccesses: number | null;
  accessCount: number;
  pinRequired: boolean;
  revokedAt: string | null;
  createdBy: string | null;
  createdAt: string;
}

export interface WorklistEntry {
  id: number;
  filename: string | null;
  officer: string | null;
  recordedStart: string | null;
  deleteOn: string | null;
  daysLeft: number | null;
}

export interface TeamFigure {
  team: string | null;
  items: number;
  categorised: number;
  rate: number | null;
}

export interface TeamMember {
  userId: number;
  username: string;
  team: string | null;
}

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

/** What a recipient sees of a share (no account). */
export interface SharedView {
  items: { id: number; filename: string | null; size: number; sha256: string; mimeType: string | null }[];
  recipient: string | null;
  expiresAt: string;
  allowDownload: boolean;
  accessesLeft: number | null;
  downloadUrl: string | null;
  sharedBy?: string | null;
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
