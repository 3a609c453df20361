/** The control room's side of the reports API (session cookie and CSRF token, through api()). */
import { api, queryString } from '../api.ts';

export const CHANNELS = [
  { value: 'web', text: 'Report form' },
  { value: 'rss', text: 'RSS feed' },
  { value: 'atom', text: 'Atom feed' },
  { value: 'jsonfeed', text: 'JSON Feed' },
  { value: 'webhook', text: 'Partner webhook' },
];

export const STATUSES = [
  { value: 'received', text: 'Received' },
  { value: 'looking', text: 'Being looked at' },
  { value: 'passed', text: 'Passed to a team' },
  { value: 'closed', text: 'Closed' },
];

export const statusText = (status: string) => STATUSES.find((s) => s.value === status)?.text ?? status;
export const channelText = (channel: string) => CHANNELS.find((c) => c.value === channel)?.text ?? channel;

export interface ReportItem {
  reference: string;
  channel: string;
  source: string | null;
  authorHandle: string | null;
  category: string;
  categoryLabel: string;
  description: string;
  latitude: number | null;
  longitude: number | null;
  locationPrecisionMetres: number | null;
  locationInferred: boolean;
  placeName: string | null;
  occurredAt: string;
  receivedAt: string;
  updatedAt: string;
  status: string;
  flagged: boolean;
  flagReason: string | null;
  assignedTeam: string | null;
  assignedOfficer: string | null;
  links: Array<{ kind: string; linkedReference: string }>;
  mergedInto: string | null;
  threadId: number;
  threadSize: number;
  photos: number;
  closedReason: string | null;
}

export interface ReportDetail extends ReportItem {
  contact: { name?: string; email?: string; phone?: string } | null;
  messages: Array<{ at: string; kind: string; text: string; public: boolean; username: string | null }>;
  photoList: Array<{ id: number; sha256: string; type: string; size: number; locationShared: boolean }>;
}

export interface FeedEvent {
  seq: number;
  kind: 'created' | 'updated';
  at: string;
  reference: string;
  report: ReportItem;
}

export interface FeedFilters {
  channel: string;
  category: string;
  status: string;
  /** minLon,minLat,maxLon,maxLat, or empty for anywhere */
  bbox: string;
}

export function listReports(filters: FeedFilters, signal?: AbortSignal) {
  return api<{ items: ReportItem[]; total: number; lastEventId: number }>(`/api/reports${queryString({ limit: 200, ...filters })}`, { signal });
}

export function getReport(reference: string, signal?: AbortSignal) {
  return api<ReportDetail>(`/api/reports/${encodeURIComponent(reference)}`, { signal });
}

export type TriageStep =
  | { step: 'acknowledge' }
  | { step: 'assign'; team?: string; officer?: string }
  | { step: 'link'; kind: 'incident' | 'crime'; linkedReference: string }
  | { step: 'merge'; into: string }
  | { step: 'reply'; message: string }
  | { step: 'close'; reason: string; message?: string };

export function triage(reference: string, { step, ...body }: TriageStep) {
  return api<ReportItem>(`/api/reports/${encodeURIComponent(reference)}/${step}`, { method: 'POST', body });
}

/** Whether an item passes the filters (the stream sends everything; the page filters). */
export function matches(item: ReportItem, filters: FeedFilters): boolean {
  if (filters.channel && item.channel !== filters.channel) return false;
  if (filters.category && item.category !== filters.category) return false;
  if (filters.status) {
    if (filters.status === 'merged' ? !item.mergedInto : item.status !== filters.status || item.mergedInto) return false;
  } else if (item.mergedInto) return false;
  if (item.flagged) return false;
  if (filters.bbox) {
    const [w, s, e, n] = filters.bbox.split(',').map(Number) as [number, number, number, number];
    if (item.latitude === null || item.longitude === null) return false;
    if (item.longitude < w || item.longitude > e || item.latitude < s || item.latitude > n) return false;
  }
  return true;
}

export function listHeld(signal?: AbortSignal) {
  return api<{ items: ReportItem[]; total: number }>('/api/reports/moderation?limit=100', { signal });
}

export function moderate(reference: string, decision: 'release' | 'reject', note?: string) {
  return api<ReportItem>(`/api/reports/${encodeURIComponent(reference)}/moderate`, { method: 'POST', body: { decision, ...(note ? { note } : {}) } });
}

/** The other reports in a thread of near-duplicates (same place, time window and similar words). */
export function listThread(threadId: number, signal?: AbortSignal) {
  return api<{ items: ReportItem[]; total: number }>(`/api/reports${queryString({ thread: threadId, limit: 50 })}`, { signal });
}
