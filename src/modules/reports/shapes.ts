/**
 * The shapes the reports routes reply with: types and labels only, no imports, so that the
 * web app's pages use these very declarations and cannot drift from the server.
 */

export const STATUSES = ['received', 'looking', 'passed', 'closed'] as const;
export type Status = (typeof STATUSES)[number];
export const STATUS_LABELS: Record<Status, string> = { received: 'Received', looking: 'Being looked at', passed: 'Passed to a team', closed: 'Closed' };
export const CHANNELS = ['web', 'rss', 'atom', 'jsonfeed', 'webhook'] as const;
export type Channel = (typeof CHANNELS)[number];
export const CHANNEL_LABELS: Record<Channel, string> = { web: 'Report form', rss: 'RSS feed', atom: 'Atom feed', jsonfeed: 'JSON Feed', webhook: 'Partner webhook' };

/** A report's photos: each at most this large, at most this many. */
export const MAX_PHOTO_BYTES = 8 * 1024 * 1024;
export const MAX_PHOTOS = 5;

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

export interface Contact {
  name?: string | undefined;
  email?: string | undefined;
  phone?: string | undefined;
}

export interface StoredPhoto {
  id: number;
  sha256: string;
  type: string;
  size: number;
  locationShared: boolean;
}

export interface ReportDetail extends ReportItem {
  contact: Contact | null;
  messages: Array<{ at: string; kind: string; text: string; public: boolean; username: string | null }>;
  photoList: StoredPhoto[];
}

export interface FeedEvent {
  seq: number;
  kind: 'created' | 'updated';
  at: string;
  reference: string;
  report: ReportItem;
}

/** What the reporter is told: the steps of the status page, and replies. */
export type PublicMessageKind = Status | 'reply';

export interface StatusView {
  reference: string;
  status: Status;
  statusLabel: string;
  category: string;
  categoryLabel: string;
  receivedAt: string;
  occurredAt: string;
  photos: number;
  messages: Array<{ at: string; kind: PublicMessageKind; text: string }>;
}
