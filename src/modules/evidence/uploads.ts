import { randomBytes } from 'node:crypto';
import { IncomingMessage } from 'node:http';
import { link, mkdir, open, rm, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { Config } from '../../platform/config.ts';
import { Writable, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Actor } from '../../platform/actor.ts';
import type { BlobStore } from '../../platform/blobs/index.ts';
import { nowIso, type Db } from '../../platform/db/index.ts';
import { PeelError, notFound } from '../../platform/errors.ts';
import { fileHasher } from './file-hasher.ts';
import { checkClaim, sniffBlob, sniffFile } from './ingest.ts';
import * as store from './store.ts';
import type { UploadRow } from './store.ts';

/**
 * The tus 1.0 resumable-upload protocol (core, creation, checksum, termination), written
 * directly rather than through @tus/server: that package has no checksum extension, and
 * its locker hands an upload to the newest request by aborting the one in progress, where
 * Peel refuses the second request with 409 and keeps the first. See the README.
 */

/** Partial uploads wait beside a blob folder, on the same disk, so finishing one is a rename. */
export function uploadsDir(config: Config): string {
  if (config.PEEL_UPLOADS) return resolve(config.PEEL_UPLOADS);
  if (config.PEEL_BLOBS.startsWith('s3://')) return resolve('./data/uploads');
  return join(dirname(resolve(config.PEEL_BLOBS)), 'uploads');
}

export const TUS_VERSION = '1.0.0';
export const TUS_EXTENSIONS = 'creation,checksum,termination';
export const UPLOAD_ID = /^[0-9a-f]{32}$/;

/** An upload untouched this long is abandoned: the sweep removes its staged bytes. */
export const ABANDONED_AFTER_DAYS = 7;

/** Removes uploads nobody has written to for ABANDONED_AFTER_DAYS, staged bytes and all (the sweep calls this). */
export async function removeAbandonedUploads(db: Db, dir: string, now: Date, dryRun: boolean): Promise<string[]> {
  const before = new Date(now.getTime() - ABANDONED_AFTER_DAYS * 86_400_000).toISOString();
  const stale = await store.unfinishedUploadsBefore(db, before);
  if (!dryRun) {
    for (const row of stale) {
      await rm(join(dir, `${row.id}.part`), { force: true });
      await rm(join(dir, `${row.id}.part.probe`), { force: true });
      await store.deleteUpload(db, row.id);
    }
  }
  return stale.map((r) => r.id);
}

/** How often, in bytes, a long PATCH without a checksum makes its progress durable. */
const PERSIST_EVERY = 64 * 1024 * 1024;
/** How often, in bytes, the hashing thread is told to read on. */
const HASH_EVERY = 4 * 1024 * 1024;

/** `Upload-Metadata`: comma-separated `key base64value` pairs; a key may have no value. */
export function parseMetadata(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!header || !header.trim()) return out;
  for (const part of header.split(',')) {
    const [key, value, ...extra] = part.trim().split(' ');
    if (!key || extra.length || !/^[A-Za-z0-9._-]{1,64}$/.test(key)) throw new PeelError('bad_metadata', `Upload-Metadata: "${part.trim().slice(0, 80)}" is not "key base64value".`, 400);
    if (key in out) throw new PeelError('bad_metadata', `Upload-Metadata: the key "${key}" appears twice.`, 400);
    if (value !== undefined && !/^[A-Za-z0-9+/]*={0,2}$/.test(value)) throw new PeelError('bad_metadata', `Upload-Metadata: the value of "${key}" is not base64.`, 400);
    const text = value === undefined ? '' : Buffer.from(value, 'base64').toString('utf8');
    if (text.length > 2000) throw new PeelError('bad_metadata', `Upload-Metadata: the value of "${key}" is longer than 2000 characters.`, 400);
    out[key] = text;
  }
  return out;
}

export function encodeMetadata(meta: Record<string, string>): string {
  return Object.entries(meta)
    .map(([k, v]) => (v === '' ? k : `${k} ${Buffer.from(v, 'utf8').toString('base64')}`))
    .join(',');
}

/** `Upload-Checksum: sha256 BASE64` → the expected digest; other algorithms are refused as tus says (400). */
export function parseChecksum(header: string | undefined): Buffer | null {
  if (header === undefined) return null;
  const m = /^(\S+) ([A-Za-z0-9+/]+={0,2})$/.exec(header.trim());
  if (!m) throw new PeelError('bad_checksum_header', 'Upload-Checksum must be "sha256 BASE64DIGEST".', 400);
  if (m[1]!.toLowerCase() !== 'sha256') throw new PeelError('unsupported_checksum', `Upload-Checksum: the algorithm "${m[1]}" is not supported; use sha256.`, 400);
  const digest = Buffer.from(m[2]!, 'base64');
  if (digest.length !== 32) throw new PeelError('bad_checksum_header', 'Upload-Checksum: a SHA-256 digest is 32 bytes (44 base64 characters).', 400);
  return digest;
}

/** What a finished upload becomes: the caller turns the stored blob into an item and says its id. */
export type Ingest = (
  actor: Actor,
  upload: UploadRow,
  meta: Record<string, string>,
  stored: { sha256: string; size: number },
  found: { mimeType: string | null; probePath: string | null },
) => Promise<number>;

export interface UploadsOptions {
  db: Db;
  blobs: BlobStore;
  dir: string;
  maxSize: number;
  ingest: Ingest;
}

/**
 * Who is uploading: the actor for the audit log, and the owner the upload belongs to — a
 * user's id, or for a public upload request the request's id negated, so the two never meet.
 */
export interface Uploader {
  actor: Actor;
  owner: number;
}

export const staffUploader = (actor: Actor): Uploader => {
  if (actor.userId === null) throw new PeelError('unauthenticated', 'Sign in first.', 401);
  return { actor, owner: actor.userId };
};

/**
 * Frees a body chunk's memory as soon as it is written, instead of when the garbage
 * collector next runs: otherwise a fast upload keeps tens of megabytes of received chunks
 * waiting (V8 collects them only once about 64 MB has piled up) and the collections
 * themselves cost more than the writing. Only for chunks of a real HTTP request (Node's
 * parser copies each into a buffer of its own that nothing else holds); never for other
 * streams (tests' injected requests), whose buffers may belong to the caller.
 */
function releaser(body: Readable): (buffers: Buffer[]) => void {
  if (!(body instanceof IncomingMessage)) return () => undefined;
  return (buffers) => {
    for (const b of buffers) if (b.byteOffset === 0 && b.byteLength === b.buffer.byteLength && b.buffer instanceof ArrayBuffer) b.buffer.transfer(0);
  };
}

const ignore = () => undefined;

export class Uploads {
  readonly dir: string;
  readonly maxSize: number;
  readonly db: Db;
  private readonly blobs: BlobStore;
  private readonly ingest: Ingest;
  /** uploads with a PATCH in progress in this process: a second one is refused, not queued */
  private readonly busy = new Set<string>();

  constructor(o: UploadsOptions) {
    this.db = o.db;
    this.blobs = o.blobs;
    this.dir = o.dir;
    this.maxSize = o.maxSize;
    this.ingest = o.ingest;
  }

  private path(id: string): string {
    if (!UPLOAD_ID.test(id)) throw notFound('The upload');
    return join(this.dir, `${id}.part`);
  }

  async create(who: Uploader, length: number, meta: Record<string, string>, maxSize = this.maxSize): Promise<UploadRow> {
    if (length > maxSize) throw new PeelError('too_large', `Upload-Length ${length} is over the ${maxSize} bytes allowed (Tus-Max-Size).`, 413);
    if (meta.sha256 !== undefined && !/^[0-9a-fA-F]{64}$/.test(meta.sha256)) throw new PeelError('bad_metadata', 'Upload-Metadata: sha256 must be 64 hexadecimal digits.', 400);
    const id = randomBytes(16).toString('hex');
    await mkdir(this.dir, { recursive: true });
    await (await open(this.path(id), 'wx')).close();
    const at = nowIso();
    const row: UploadRow = { id, user_id: who.owner, length, upload_offset: 0, metadata: JSON.stringify(meta), sha256: null, created_at: at, updated_at: at, item_id: null };
    await store.insertUpload(this.db, row);
    if (length === 0) return this.finish(who.actor, row);
    return row;
  }

  private async mine(owner: number, id: string): Promise<UploadRow> {
    this.path(id);
    const row = await store.getUpload(this.db, id);
    // Another user's upload is answered as missing, so upload ids cannot be probed.
    if (!row || row.user_id !== owner) throw notFound('The upload');
    return row;
  }

  /** HEAD: the durable offset. An upload whose bytes are all in but which has no item yet (a crash while finishing) is finished now. */
  async status(who: Uploader, id: string): Promise<UploadRow> {
    const row = await this.mine(who.owner, id);
    if (row.upload_offset === row.length && row.item_id === null && !this.busy.has(id)) return this.withLock(id, () => this.finish(who.actor, row));
    return row;
  }

  private async withLock<T>(id: string, work: () => Promise<T>): Promise<T> {
    if (this.busy.has(id)) throw new PeelError('upload_busy', 'Another request is writing to this upload now; wait for it to finish, then ask for the offset (HEAD) and continue.', 409);
    this.busy.add(id);
    try {
      return await work();
    } finally {
      this.busy.delete(id);
    }
  }

  /**
   * PATCH: appends the body at `offset`. Socket chunks are written in batches
   * (`FileHandle.writev` of whatever arrived while the last write was in flight), and the
   * hashing thread reads each batch back behind the writer. Bytes become durable (synced,
   * then the offset recorded) at the end of the request and every 64 MiB within a long
   * one; with a checksum, only once the whole chunk has matched it. Memory is one batch.
   */
  async append(who: Uploader, id: string, offset: number, body: Readable, o: { contentLength?: number; checksum: Buffer | null }): Promise<UploadRow> {
    await this.mine(who.owner, id);
    return this.withLock(id, async () => {
      const row = await this.mine(who.owner, id);
      if (row.item_id !== null || offset !== row.upload_offset) {
        throw new PeelError('offset_mismatch', `Upload-Offset ${offset} does not match the upload's offset ${row.upload_offset}; ask for it with HEAD and continue from there.`, 409);
      }
      if (o.contentLength !== undefined && offset + o.contentLength > row.length) {
        throw new PeelError('too_large', `This request would take the upload to ${offset + o.contentLength} bytes, past its Upload-Length of ${row.length}.`, 413);
      }
      const path = this.path(id);
      const fh = await open(path, 'r+');
      let position = offset;
      let durable = offset;
      const db = this.db;
      const persist = async () => {
        const at = position;
        await fh.datasync();
        await store.setUploadOffset(db, id, at, nowIso());
        durable = Math.max(durable, at);
      };
      // Within a long request, progress is made durable alongside the writing, not in its way.
      let syncing: Promise<void> | null = null;
      let syncFailure: unknown = null;
      let failure: unknown = null;
      // The hashing thread is told about written bytes every HASH_EVERY (fewer messages), and at the end.
      let announced = offset;
      const release = releaser(body);
      try {
        // Anything past the durable offset is from a request that did not finish; drop it.
        await fh.truncate(offset);
        fileHasher.begin(path, offset, o.checksum !== null).catch(ignore);
        await pipeline(
          body,
          new Writable({
            highWaterMark: 4 * 1024 * 1024,
            writev(chunks, done) {
              const buffers = chunks.map((c) => c.chunk as Buffer);
              const size = buffers.reduce((n, b) => n + b.length, 0);
              if (position + size > row.length) {
                done(new PeelError('too_large', `The body goes past the upload's Upload-Length of ${row.length} bytes.`, 413));
                return;
              }
              fh.writev(buffers, position)
                .then(() => {
                  position += size;
                  release(buffers);
                  if (position - announced >= HASH_EVERY) {
                    fileHasher.advance(path, position);
                    announced = position;
                  }
                  if (syncFailure) throw syncFailure;
                  if (!o.checksum && !syncing && position - durable >= PERSIST_EVERY) {
                    syncing = persist()
                      .catch((err: unknown) => {
                        syncFailure = err;
                      })
                      .finally(() => (syncing = null));
                  }
                })
                .then(() => done(), (err: Error) => done(err));
            },
          }),
        );
      } catch (err) {
        failure = err;
      }
      await syncing;
      try {
        let discard = false;
        if (o.checksum) {
          // A checksummed chunk counts whole or not at all.
          const matches = !failure && (await fileHasher.chunk(path, position)).equals(o.checksum);
          if (!matches) {
            discard = true;
            // Rolled back first, so that the hashing thread has finished reading what is cut off.
            await fileHasher.rollback(path).catch(ignore);
            await fh.truncate(offset);
            position = offset;
            if (!failure) failure = new PeelError('checksum_mismatch', 'The body does not match its Upload-Checksum; it was discarded. Send the chunk again.', 460);
          }
        }
        // The final sync runs while the hashing thread catches up with the last bytes.
        await Promise.all([!discard && position !== durable ? persist() : null, discard ? null : fileHasher.hashed(path, position).catch(ignore)]);
      } finally {
        await fh.close();
      }
      if (failure) throw failure;
      const updated = { ...row, upload_offset: position };
      if (position === row.length) return this.finish(who.actor, updated);
      return updated;
    });
  }

  /** All bytes in: store the blob (a rename, hashed already), then the item. Safe to repeat after a crash at any step. */
  private async finish(actor: Actor, row: UploadRow): Promise<UploadRow> {
    const meta = JSON.parse(row.metadata) as Record<string, string>;
    const path = this.path(row.id);
    const staged = await stat(path).then(
      () => true,
      () => false,
    );
    let sha256 = row.sha256;
    if (!sha256) {
      if (!staged) throw new PeelError('upload_lost', 'The staged bytes of this upload are missing; start the upload again.', 410);
      sha256 = await fileHasher.digest(path, row.length);
      if (meta.sha256 && meta.sha256.toLowerCase() !== sha256) {
        await this.remove(row.id);
        throw new PeelError('checksum_mismatch', `The uploaded file's SHA-256 is ${sha256}, not the ${meta.sha256.toLowerCase()} its metadata gave; the upload was discarded.`, 460);
      }
      await store.setUploadHash(this.db, row.id, sha256, nowIso());
    }
    let probePath: string | null = null;
    let sniffed = null;
    if (staged) {
      sniffed = await sniffFile(path);
      try {
        checkClaim(meta.filename, meta.filetype, sniffed);
        // A public upload request takes video and pictures only, not opaque bytes.
        if (row.user_id < 0 && !sniffed) throw new PeelError('wrong_magic_bytes', 'Only video or pictures (MP4, QuickTime, AVI, Matroska, WebM, MPEG-TS, JPEG, PNG) can be sent through this link; the file was not stored.', 415);
      } catch (err) {
        await this.remove(row.id);
        throw err;
      }
      if (sniffed?.kind === 'video') {
        // A second name for the same bytes, for ffprobe after the reply; the store takes the first.
        probePath = `${path}.probe`;
        await rm(probePath, { force: true });
        await link(path, probePath);
      }
      await this.blobs.putFile(path, sha256);
    }
    const blob = await this.blobs.stat(sha256);
    if (!blob) throw new PeelError('upload_lost', 'The bytes of this upload did not reach the store; start the upload again.', 410);
    if (!staged) sniffed = await sniffBlob(this.blobs, sha256, blob.size);
    const itemId = await this.ingest(actor, row, meta, { sha256, size: blob.size }, { mimeType: sniffed?.mime ?? null, probePath });
    await store.finishUpload(this.db, row.id, itemId, nowIso());
    return { ...row, sha256, item_id: itemId, upload_offset: row.length };
  }

  private async remove(id: string): Promise<void> {
    await fileHasher.drop(this.path(id));
    await rm(this.path(id), { force: true });
    await store.deleteUpload(this.db, id);
  }

  /** DELETE: the termination extension. A finished upload's item stays; only the upload record goes. */
  async terminate(who: Uploader, id: string): Promise<void> {
    await this.mine(who.owner, id);
    await this.withLock(id, () => this.remove(id));
  }
}
