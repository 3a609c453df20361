import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, rename, rm, stat, writeFile, readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Config } from '../config.ts';
import { BlobNotFoundError, BlobRangeError, checkHash, checkRange } from './errors.ts';
import { S3BlobStore, parseS3Location } from './s3.ts';

export { BlobNotFoundError, BlobRangeError, BlobStoreUnavailableError } from './errors.ts';
export { S3BlobStore } from './s3.ts';

/** Content-addressed storage: a blob's name is the SHA-256 of its bytes, so a stored blob can be checked against its name. */
export interface BlobStore {
  readonly describe: string;
  /** Streams bytes in, hashing as they pass; memory stays bounded whatever the size. */
  put(source: Readable | Uint8Array): Promise<{ sha256: string; size: number }>;
  /**
   * Moves a finished local file into the store; the file is gone afterwards. Pass its
   * SHA-256 when the caller hashed the bytes itself as they arrived (a finished upload),
   * which saves reading a large file twice; otherwise the store hashes it.
   */
  putFile(path: string, sha256?: string): Promise<{ sha256: string; size: number }>;
  /**
   * A byte range is inclusive at both ends, as in HTTP Range; an end past the last byte
   * reads to the end. A missing blob is a BlobNotFoundError; a start past the last byte
   * (or after the end) is a BlobRangeError.
   */
  get(sha256: string, range?: { start: number; end: number }): Promise<Readable>;
  stat(sha256: string): Promise<{ size: number } | null>;
  delete(sha256: string): Promise<void>;
  /** Writes, reads back and removes a probe: the health check. */
  check(): Promise<void>;
}

/**
 * Makes a rename into a folder survive a power cut: the blob's bytes are synced before it
 * is renamed into place (an upload syncs its own), and then the folder that names it, so a
 * record committed after a put never points at a blob the disk forgot.
 */
async function syncFolder(file: string): Promise<void> {
  await syncPath(dirname(file));
}

async function syncPath(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } catch (err) {
    // Some file systems cannot sync a folder (as PostgreSQL's fsync_fname allows for): the
    // blob is still written and synced, only the folder's entry is left to the system.
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EINVAL' && code !== 'ENOTSUP' && code !== 'EBADF' && code !== 'EISDIR') throw err;
  } finally {
    await handle.close();
  }
}

/** The folder a blob goes in, made if need be; new folders are synced into their parents, as the blob will be into its. */
async function blobFolder(file: string): Promise<void> {
  const folder = dirname(file);
  const created = await mkdir(folder, { recursive: true });
  if (created === undefined) return;
  for (let path = folder; path !== dirname(created); path = dirname(path)) await syncPath(dirname(path));
}

/** Blobs in a local folder, fanned out by the first two bytes of the hash: `ab/cd/abcd…`. */
export class LocalBlobStore implements BlobStore {
  readonly root: string;
  readonly describe: string;
  constructor(root: string) {
    this.root = resolve(root);
    this.describe = `folder ${this.root}`;
  }

  private path(sha256: string): string {
    const h = checkHash(sha256);
    return join(this.root, h.slice(0, 2), h.slice(2, 4), h);
  }

  async put(source: Readable | Uint8Array): Promise<{ sha256: string; size: number }> {
    const tmpDir = join(this.root, 'tmp');
    await mkdir(tmpDir, { recursive: true });
    const tmp = join(tmpDir, `${Date.now()}-${randomBytes(8).toString('hex')}`);
    const hash = createHash('sha256');
    let size = 0;
    const tap = new Transform({
      transform(chunk: Buffer, _enc, done) {
        hash.update(chunk);
        size += chunk.length;
        done(null, chunk);
      },
    });
    try {
      const input = source instanceof Readable ? source : Readable.from([Buffer.from(source)]);
      await pipeline(input, tap, createWriteStream(tmp, { flags: 'wx', flush: true }));
      const sha256 = hash.digest('hex');
      const final = this.path(sha256);
      await blobFolder(final);
      // Rename is atomic: a reader sees the whole blob or none of it, never a half-written one.
      await rename(tmp, final);
      await syncFolder(final);
      return { sha256, size };
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
  }

  async putFile(path: string, sha256?: string): Promise<{ sha256: string; size: number }> {
    if (!sha256) {
      await stat(path); // a missing file is an error here, not an unhandled stream error later
      const stored = await this.put(createReadStream(path));
      await rm(path, { force: true });
      return stored;
    }
    const final = this.path(sha256);
    const { size } = await stat(path);
    await blobFolder(final);
    try {
      await rename(path, final);
    } catch (err) {
      // Another filesystem: copy beside the blob, then rename, so no reader sees half a blob.
      if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err;
      const tmp = `${final}.${randomBytes(6).toString('hex')}.tmp`;
      await pipeline(createReadStream(path), createWriteStream(tmp, { flags: 'wx', flush: true }));
      await rename(tmp, final);
      await rm(path, { force: true });
    }
    await syncFolder(final);
    return { sha256, size };
  }

  async get(sha256: string, range?: { start: number; end: number }): Promise<Readable> {
    const p = this.path(sha256);
    if (range) checkRange(range);
    const found = await this.stat(sha256);
    if (!found) throw new BlobNotFoundError(sha256);
    if (range && range.start >= found.size) throw new BlobRangeError(range, found.size);
    return createReadStream(p, range ? { start: range.start, end: range.end } : {});
  }

  async stat(sha256: string): Promise<{ size: number } | null> {
    try {
      return { size: (await stat(this.path(sha256))).size };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }

  async delete(sha256: string): Promise<void> {
    await rm(this.path(sha256), { force: true });
  }

  async check(): Promise<void> {
    await mkdir(this.root, { recursive: true });
    const probe = join(this.root, `.health-${randomBytes(6).toString('hex')}`);
    await writeFile(probe, 'ok');
    const back = await readFile(probe, 'utf8');
    await rm(probe, { force: true });
    if (back !== 'ok') throw new Error('blob store read back the wrong bytes');
  }
}

export type S3Settings = Pick<Config, 'PEEL_S3_ENDPOINT' | 'PEEL_S3_REGION' | 'PEEL_S3_ACCESS_KEY_ID' | 'PEEL_S3_SECRET_ACCESS_KEY' | 'PEEL_S3_FORCE_PATH_STYLE'>;

/** `PEEL_BLOBS`: `s3://bucket/prefix` is S3-compatible storage configured by the PEEL_S3_* settings; anything else is a folder. */
export function openBlobStore(location: string, config?: Partial<S3Settings>): BlobStore {
  if (!location.startsWith('s3://')) return new LocalBlobStore(location);
  return new S3BlobStore(parseS3Location(location), {
    endpoint: config?.PEEL_S3_ENDPOINT,
    region: config?.PEEL_S3_REGION ?? 'us-east-1',
    credentials:
      config?.PEEL_S3_ACCESS_KEY_ID && config.PEEL_S3_SECRET_ACCESS_KEY
        ? { accessKeyId: config.PEEL_S3_ACCESS_KEY_ID, secretAccessKey: config.PEEL_S3_SECRET_ACCESS_KEY }
        : undefined,
    forcePathStyle: config?.PEEL_S3_FORCE_PATH_STYLE ?? false,
  });
}
