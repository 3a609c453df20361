import { z } from 'zod';
import { PeelError } from '../../platform/errors.ts';
import type { NewItem } from './service.ts';

const text = (max: number) => z.string().trim().min(1).max(max);
const instant = z.iso.datetime({ offset: true }).transform((s) => new Date(s).toISOString());
const number = (min: number, max: number) => z.coerce.number().min(min).max(max);

/** The `Upload-Metadata` keys Peel reads, checked when the upload is created, not at its end. */
const schema = z.object({
  filename: text(255).optional(),
  filetype: text(255).optional(),
  title: text(500).optional(),
  officer: text(64).optional(),
  deviceSerial: text(100).optional(),
  recordedStart: instant.optional(),
  recordedEnd: instant.optional(),
  latitude: number(-90, 90).optional(),
  longitude: number(-180, 180).optional(),
  location: text(500).optional(),
  incidentRef: text(100).optional(),
  crimeRef: text(100).optional(),
  derivedFrom: z.coerce.number().int().positive().optional(),
  derivation: text(100).optional(),
  sha256: z.string().regex(/^[0-9a-fA-F]{64}$/, 'must be 64 hexadecimal digits').optional(),
});

export type UploadMetadata = z.infer<typeof schema>;

/** Names the bad key and why; keys Peel does not know are kept in the upload but not used. */
export function checkUploadMetadata(meta: Record<string, string>): UploadMetadata {
  const parsed = schema.safeParse(meta);
  if (!parsed.success) {
    const i = parsed.error.issues[0]!;
    throw new PeelError('bad_metadata', `Upload-Metadata: ${i.path.join('.')}: ${i.message}.`, 400);
  }
  const m = parsed.data;
  if (m.recordedStart && m.recordedEnd && m.recordedEnd < m.recordedStart) throw new PeelError('bad_metadata', 'Upload-Metadata: recordedEnd is before recordedStart.', 400);
  if ((m.latitude === undefined) !== (m.longitude === undefined)) throw new PeelError('bad_metadata', 'Upload-Metadata: give latitude and longitude together.', 400);
  return m;
}

/**
 * The item fields an upload's metadata gives. The file name is a label only: it never
 * becomes part of a path, so `../../etc/passwd` is stored as text and nothing more.
 */
export function itemFields(m: UploadMetadata): Omit<NewItem, 'sha256' | 'size' | 'source'> {
  return {
    filename: m.filename ?? null,
    title: m.title ?? null,
    officer: m.officer ?? null,
    deviceSerial: m.deviceSerial ?? null,
    recordedStart: m.recordedStart ?? null,
    recordedEnd: m.recordedEnd ?? null,
    latitude: m.latitude ?? null,
    longitude: m.longitude ?? null,
    location: m.location ?? null,
    incidentRef: m.incidentRef ?? null,
    crimeRef: m.crimeRef ?? null,
    derivedFrom: m.derivedFrom ?? null,
    derivation: m.derivation ?? null,
  };
}

/** Served inline only when it is media a browser plays or shows; anything else is a download of opaque bytes. */
export function servedType(mimeType: string | null): { type: string; inline: boolean } {
  if (mimeType && /^(video|audio)\/[\w.+-]+$|^image\/(png|jpeg|gif|webp)$/.test(mimeType)) return { type: mimeType, inline: true };
  return { type: 'application/octet-stream', inline: false };
}

/** A file name safe inside a Content-Disposition header (ASCII fallback plus RFC 5987 UTF-8). */
export function contentDisposition(kind: 'inline' | 'attachment', filename: string | null, fallback: string): string {
  const name = (filename ?? fallback).replace(/[/\\]/g, '_');
  const ascii = name.replace(/[^\x20-\x7e]|["%;]/g, '_');
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}
