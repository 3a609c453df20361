/** The control room's side of the reports API (session cookie and CSRF token, through api()). */
import { api, queryString } from '../api.ts';
import { CHANNEL_LABELS, CHANNELS as CHANNEL_CODES, STATUS_LABELS, STATUSES as STATUS_CODES, type ReportDetail, type ReportItem } from '../../../src/modules/reports/shapes.ts';

export type { FeedEvent, ReportDetail, ReportItem } from '../../../src/modules/reports/shapes.ts';

export const CHANNELS = CHANNEL_CODES.map((value) => ({ value, text: CHANNEL_LABELS[value] }));
export const STATUSES = STATUS_CODES.map((value) => ({ value, text: STATUS_LABELS[value] }));

export const statusText = (status: string) => STATUSES.find((s) => s.value === status)?.text ?? status;
export const channelText = (channel: string) => CHANNELS.find((c) => c.value === channel)?.text ?? channel;

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
