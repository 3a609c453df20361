import { open, rm } from 'node:fs/promises';
import { extname } from 'node:path';
import type { BlobStore } from '../../platform/blobs/index.ts';
import type { Db } from '../../platform/db/index.ts';
import { PeelError } from '../../platform/errors.ts';
import { posterFrame, probeMedia, SNIFF_BYTES, sniffMediaType, type SniffedType } from '../../platform/media/index.ts';
import type { Media } from './service.ts';
import * as store from './store.ts';

/** The first bytes of a local file, for sniffing its type. */
export async function sniffFile(path: string): Promise<SniffedType | null> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(SNIFF_BYTES);
    const { bytesRead } = await fh.read(buf, 0, SNIFF_BYTES, 0);
    return sniffMediaType(buf.subarray(0, bytesRead));
  } finally {
    await fh.close();
  }
}

export async function sniffBlob(blobs: BlobStore, sha256: string, size: number): Promise<SniffedType | null> {
  if (size === 0) return null;
  const chunks: Buffer[] = [];
  for await (const c of await blobs.get(sha256, { start: 0, end: Math.min(size, SNIFF_BYTES) - 1 })) chunks.push(c as Buffer);
  return sniffMediaType(Buffer.concat(chunks));
}

const MEDIA_EXTENSIONS = new Set(['.mp4', '.m4v', '.3gp', '.mov', '.qt', '.avi', '.mkv', '.webm', '.ts', '.mts', '.m2ts', '.jpg', '.jpeg', '.png']);

/**
 * Bytes that claim to be media (by file name or declared type) but are not: refused with a
 * clear error, before anything is stored. Bytes that claim nothing and are no known media
 * are kept as opaque data (served only as a download).
 */
export function checkClaim(filename: string | null | undefined, filetype: string | null | undefined, sniffed: SniffedType | null): void {
  const ext = filename ? extname(filename).toLowerCase() : '';
  const claimsMedia = MEDIA_EXTENSIONS.has(ext) || /^(video|image)\//i.test(filetype ?? '');
  if (!claimsMedia) return;
  if (!sniffed) {
    throw new PeelError('wrong_magic_bytes', `${filename ? `"${filename}"` : 'The file'} is named or typed as ${ext || filetype} but its bytes are not video or a picture Peel takes (MP4, QuickTime, AVI, Matroska, WebM, MPEG-TS, JPEG, PNG); it was not stored.`, 415);
  }
  if (ext && MEDIA_EXTENSIONS.has(ext) && !sniffed.extensions.includes(ext) && !(sniffed.format === 'mov' && ['.mp4', '.m4v'].includes(ext)) && !(sniffed.format === 'mp4' && ['.mov', '.qt'].includes(ext))) {
    throw new PeelError('wrong_magic_bytes', `"${filename}" is named ${ext} but its bytes are ${sniffed.format.toUpperCase()}; rename it to ${sniffed.extensions[0]} if that is what it is. It was not stored.`, 415);
  }
}

/** Media facts, from ffprobe over a local copy, in the shape items keep; a problem (cut short, unreadable) is kept as text. */
export async function probeFile(path: string): Promise<{ media: Media; createdAt: string | null; poster: Buffer | null }> {
  try {
    const probed = await probeMedia(path);
    if (!probed.facts) return { media: { durationSeconds: null, codec: null, width: null, height: null, container: null, audioCodec: null, problem: probed.reason }, createdAt: null, poster: null };
    const f = probed.facts;
    let poster: Buffer | null = null;
    if (f.videoCodec) {
      const at = f.durationSeconds ? Math.min(1, f.durationSeconds / 2) : 0;
      poster = await posterFrame(path, at).then(
        (p) => p.jpeg,
        () => null,
      );
    }
    return { media: { durationSeconds: f.durationSeconds, codec: f.videoCodec, width: f.width, height: f.height, container: f.container, audioCodec: f.audioCodec, problem: null }, createdAt: f.createdAt, poster };
  } catch (err) {
    return { media: { durationSeconds: null, codec: null, width: null, height: null, container: null, audioCodec: null, problem: (err as Error).message }, createdAt: null, poster: null };
  }
}

/**
 * Probes a stored item's local copy after the item exists (so an upload's reply does not
 * wait for ffprobe to read a large file), records the facts and the poster, and removes
 * the copy. Pending work is tracked so that tests and shutdown can wait for it.
 */
export class MediaProber {
  private readonly pending = new Set<Promise<void>>();
  private readonly db: Db;
  private readonly blobs: BlobStore;
  constructor(db: Db, blobs: BlobStore) {
    this.db = db;
    this.blobs = blobs;
  }

  later(itemId: number, path: string, removeAfter: boolean): void {
    const job = (async () => {
      try {
        const { media, poster } = await probeFile(path);
        const posterSha = poster ? (await this.blobs.put(poster)).sha256 : null;
        await store.setMedia(this.db, itemId, JSON.stringify(media), posterSha, null);
      } finally {
        if (removeAfter) await rm(path, { force: true });
      }
    })().catch(() => undefined);
    this.pending.add(job);
    void job.finally(() => this.pending.delete(job));
  }

  async settled(): Promise<void> {
    while (this.pending.size) await Promise.all([...this.pending]);
  }
}
