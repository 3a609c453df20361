import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import type { CompletedPart, S3Client, S3ClientConfig } from '@aws-sdk/client-s3';
import type { BlobStore } from './index.ts';
import { BlobNotFoundError, BlobRangeError, BlobStoreUnavailableError, checkHash, checkRange } from './errors.ts';
import { PeelError } from '../errors.ts';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
/** S3's limits: parts of 5 MiB to 5 GiB (the last may be smaller), at most 10,000 of them; one CopyObject up to 5 GiB. */
const MIN_PART = 5 * MiB;
const MAX_PART = 5 * GiB;
const MAX_PARTS = 10_000;

export interface S3Location {
  bucket: string;
  /** key prefix without slashes at either end; '' for the bucket's root */
  prefix: string;
}

// Bucket names as S3 allows them: 3–63 lowercase letters, digits, dots and hyphens.
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** `s3://bucket/some/prefix` → { bucket, prefix }. */
export function parseS3Location(url: string): S3Location {
  const m = /^s3:\/\/([^/]*)\/?(.*)$/.exec(url);
  const bucket = m?.[1] ?? '';
  if (!m || !BUCKET.test(bucket)) {
    throw new Error(`PEEL_BLOBS: "${url}" is not s3://BUCKET/PREFIX with a bucket name of 3 to 63 lowercase letters, digits, dots or hyphens.`);
  }
  return { bucket, prefix: (m[2] ?? '').replace(/^\/+|\/+$/g, '') };
}

export interface S3StoreOptions {
  /** e.g. http://127.0.0.1:9000 for a MinIO-like server; AWS's own endpoint when absent */
  endpoint?: string | undefined;
  region: string;
  /** AWS's usual credential sources (environment, profile, instance role) when absent */
  credentials?: { accessKeyId: string; secretAccessKey: string } | undefined;
  /** http://host/bucket/key rather than http://bucket.host/key, as MinIO-like servers need */
  forcePathStyle: boolean;
  /** bytes in each part of a multipart upload (at least 5 MiB); doubles every 1,000 parts so a part count of 10,000 is never reached */
  partSize?: number;
  /** parts sent at once: memory held is about partSize × (queueSize + 1) */
  queueSize?: number;
  /** the largest blob moved by one CopyObject (5 MiB to 5 GiB); larger ones are copied in parts of this size (UploadPartCopy) */
  maxCopyBytes?: number;
}

type Range = { start: number; end: number };

/**
 * Blobs in an S3-compatible bucket under `prefix/ab/cd/<sha256>`. A streamed blob's hash is
 * known only at its end, so it is uploaded (in parts, memory bounded) under a temporary key,
 * then copied inside the store to its content address and the temporary removed; a reader
 * never sees a half-written blob because S3 objects appear whole or not at all.
 */
export class S3BlobStore implements BlobStore {
  readonly describe: string;
  readonly bucket: string;
  readonly prefix: string;
  private readonly clientConfig: S3ClientConfig;
  private sdk: Promise<{ client: S3Client; sdk: typeof import('@aws-sdk/client-s3') }> | null = null;
  private readonly where: string;
  private readonly partSize: number;
  private readonly queueSize: number;
  private readonly maxCopyBytes: number;

  constructor(location: S3Location, options: S3StoreOptions) {
    this.bucket = location.bucket;
    this.prefix = location.prefix;
    this.partSize = Math.max(MIN_PART, options.partSize ?? 8 * MiB);
    this.queueSize = Math.max(1, options.queueSize ?? 4);
    this.maxCopyBytes = Math.min(MAX_PART, Math.max(MIN_PART, options.maxCopyBytes ?? MAX_PART));
    const endpoint = options.endpoint ?? `AWS S3 (${options.region})`;
    this.where = `S3 bucket "${this.bucket}" at ${endpoint}`;
    // Never the secret: this string is printed at start-up and in health checks.
    this.describe = `S3 bucket ${this.bucket}${this.prefix ? `, prefix ${this.prefix}/` : ''} at ${endpoint}`;
    this.clientConfig = {
      region: options.region,
      ...(options.endpoint ? { endpoint: options.endpoint } : {}),
      ...(options.credentials ? { credentials: options.credentials } : {}),
      forcePathStyle: options.forcePathStyle,
      // Checksums only where S3 requires them: many S3-compatible servers do not understand
      // the newer trailing-checksum encoding, and every blob is checked by its SHA-256 anyway.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      requestHandler: { connectionTimeout: 10_000 },
    };
  }

  /** The AWS SDK, loaded by the first request: a server keeping its blobs in a folder never loads it (about 5 MB of memory). */
  private s3(): Promise<{ client: S3Client; sdk: typeof import('@aws-sdk/client-s3') }> {
    return (this.sdk ??= import('@aws-sdk/client-s3').then((sdk) => ({ sdk, client: new sdk.S3Client(this.clientConfig) })));
  }

  /** Logged as its description, never with its client's configuration. */
  toJSON(): { describe: string } {
    return { describe: this.describe };
  }

  private key(sha256: string): string {
    const h = checkHash(sha256);
    return this.join(`${h.slice(0, 2)}/${h.slice(2, 4)}/${h}`);
  }

  private join(name: string): string {
    return this.prefix ? `${this.prefix}/${name}` : name;
  }

  async put(source: Readable | Uint8Array): Promise<{ sha256: string; size: number }> {
    const temporary = this.join(`tmp/${Date.now()}-${randomBytes(8).toString('hex')}`);
    const hash = createHash('sha256');
    const input = source instanceof Readable ? source : Readable.from([Buffer.from(source.buffer, source.byteOffset, source.byteLength)]);
    const size = await this.upload(temporary, input, (chunk) => hash.update(chunk));
    const sha256 = hash.digest('hex');
    try {
      // The same bytes stored before: nothing to copy.
      if ((await this.stat(sha256))?.size !== size) await this.copy(temporary, this.key(sha256), size);
    } finally {
      await this.removeQuietly(temporary);
    }
    return { sha256, size };
  }

  async putFile(path: string, sha256?: string): Promise<{ sha256: string; size: number }> {
    const { size } = await stat(path);
    // Hashing a local file first costs a second local read, cheaper than a copy inside the store.
    const expected = checkHash(sha256 ?? (await hashFile(path)));
    if ((await this.stat(expected))?.size !== size) {
      const key = this.key(expected);
      const hash = createHash('sha256');
      await this.upload(key, createReadStream(path, { highWaterMark: MiB }), (chunk) => hash.update(chunk));
      const actual = hash.digest('hex');
      if (actual !== expected) {
        // The caller vouched for the wrong hash: take the blob out again and keep the file.
        await this.removeQuietly(key);
        throw new PeelError('hash_mismatch', `The file ${path} has SHA-256 ${actual}, not ${expected} as stated; it was not stored.`, 422);
      }
    }
    await rm(path, { force: true });
    return { sha256: expected, size };
  }

  async get(sha256: string, range?: Range): Promise<Readable> {
    if (range) checkRange(range);
    try {
      const { client, sdk } = await this.s3();
      const out = await client.send(new sdk.GetObjectCommand({ Bucket: this.bucket, Key: this.key(sha256), ...(range ? { Range: `bytes=${range.start}-${range.end}` } : {}) }));
      const body = out.Body as Readable;
      if (!range) return body;
      // A server that ignores the range (a plain 200) or widens it gets its answer trimmed to what was asked.
      const given = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(out.ContentRange ?? '');
      const first = given ? Number(given[1]) : 0;
      const last = given ? Number(given[2]) : (out.ContentLength ?? 0) - 1;
      const total = given ? Number(given[3]) : (out.ContentLength ?? 0);
      const wantLast = Math.min(range.end, total - 1);
      if (first === range.start && last === wantLast) return body;
      if (first > range.start || last < wantLast) {
        body.destroy();
        throw this.explain(new Error(`asked for bytes ${range.start}-${range.end}, got ${out.ContentRange ?? 'no Content-Range'}`), 'reading a range');
      }
      return Readable.from(slice(body, range.start - first, wantLast - range.start + 1), { objectMode: false });
    } catch (err) {
      const name = errorName(err);
      if (name === 'NoSuchKey' || name === 'NotFound') throw new BlobNotFoundError(sha256);
      if (range && (name === 'InvalidRange' || httpStatus(err) === 416)) throw new BlobRangeError(range, (await this.stat(sha256))?.size);
      throw this.explain(err, 'reading a blob');
    }
  }

  async stat(sha256: string): Promise<{ size: number } | null> {
    try {
      const { client, sdk } = await this.s3();
      const out = await client.send(new sdk.HeadObjectCommand({ Bucket: this.bucket, Key: this.key(sha256) }));
      return { size: out.ContentLength ?? 0 };
    } catch (err) {
      if (httpStatus(err) === 404) return null;
      throw this.explain(err, 'looking up a blob');
    }
  }

  async delete(sha256: string): Promise<void> {
    try {
      const { client, sdk } = await this.s3();
      await client.send(new sdk.DeleteObjectCommand({ Bucket: this.bucket, Key: this.key(sha256) }));
    } catch (err) {
      throw this.explain(err, 'deleting a blob');
    }
  }

  async check(): Promise<void> {
    const probe = this.join(`.health-${randomBytes(6).toString('hex')}`);
    try {
      const { client, sdk } = await this.s3();
      await client.send(new sdk.PutObjectCommand({ Bucket: this.bucket, Key: probe, Body: 'ok', ContentLength: 2 }));
      const out = await client.send(new sdk.GetObjectCommand({ Bucket: this.bucket, Key: probe }));
      const back = await out.Body?.transformToString();
      await client.send(new sdk.DeleteObjectCommand({ Bucket: this.bucket, Key: probe }));
      if (back !== 'ok') throw new BlobStoreUnavailableError(`${this.where} read back the wrong bytes.`);
    } catch (err) {
      throw this.explain(err, 'writing, reading and removing a probe');
    }
  }

  /**
   * Sends a stream to one key: a single PUT when it fits in one part, else a multipart upload
   * with at most queueSize parts in flight, so memory is bounded whatever the size. An
   * unfinished multipart upload is aborted, so no parts are left behind.
   */
  private async upload(key: string, source: AsyncIterable<Uint8Array | string>, onChunk: (chunk: Buffer) => void): Promise<number> {
    const pending: Buffer[] = [];
    let pendingBytes = 0;
    let total = 0;
    let uploadId: string | undefined;
    let partNumber = 0;
    const parts: CompletedPart[] = [];
    const inflight = new Set<Promise<void>>();
    let failure: unknown;
    const { client, sdk } = await this.s3();

    const sendPart = async (body: Buffer): Promise<void> => {
      if (partNumber >= MAX_PARTS) throw new PeelError('blob_too_large', `A blob over ${MAX_PARTS} parts cannot be stored in S3.`, 413);
      uploadId ??= (await client.send(new sdk.CreateMultipartUploadCommand({ Bucket: this.bucket, Key: key }))).UploadId;
      const n = ++partNumber;
      const sent: Promise<void> = client
        .send(new sdk.UploadPartCommand({ Bucket: this.bucket, Key: key, UploadId: uploadId, PartNumber: n, Body: body, ContentLength: body.length }))
        .then(
          (out) => void parts.push({ PartNumber: n, ETag: out.ETag }),
          (err: unknown) => void (failure ??= err),
        )
        .finally(() => inflight.delete(sent));
      inflight.add(sent);
      while (inflight.size >= this.queueSize) await Promise.race(inflight);
      if (failure) throw failure;
    };

    try {
      for await (const piece of source) {
        const chunk = typeof piece === 'string' ? Buffer.from(piece) : Buffer.isBuffer(piece) ? piece : Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength);
        onChunk(chunk);
        pending.push(chunk);
        pendingBytes += chunk.length;
        total += chunk.length;
        let size = this.partSizeFor(partNumber + 1);
        while (pendingBytes >= size) {
          pendingBytes -= size;
          await sendPart(takeBytes(pending, size));
          size = this.partSizeFor(partNumber + 1);
        }
      }
      const rest = takeBytes(pending, pendingBytes);
      if (uploadId === undefined) {
        await client.send(new sdk.PutObjectCommand({ Bucket: this.bucket, Key: key, Body: rest, ContentLength: rest.length }));
        return total;
      }
      if (rest.length > 0) await sendPart(rest);
      await Promise.all(inflight);
      if (failure) throw failure;
      parts.sort((a, b) => (a.PartNumber ?? 0) - (b.PartNumber ?? 0));
      await client.send(new sdk.CompleteMultipartUploadCommand({ Bucket: this.bucket, Key: key, UploadId: uploadId, MultipartUpload: { Parts: parts } }));
      return total;
    } catch (err) {
      await Promise.allSettled(inflight);
      if (uploadId !== undefined) {
        await client.send(new sdk.AbortMultipartUploadCommand({ Bucket: this.bucket, Key: key, UploadId: uploadId })).catch(() => undefined);
      }
      throw err instanceof PeelError ? err : this.explain(err, 'uploading a blob');
    }
  }

  private partSizeFor(partNumber: number): number {
    return Math.min(MAX_PART, this.partSize * 2 ** Math.floor((partNumber - 1) / 1000));
  }

  /** A copy inside the store: one request up to 5 GiB, part by part beyond. */
  private async copy(from: string, to: string, size: number): Promise<void> {
    const source = `${encodeURIComponent(this.bucket)}/${from.split('/').map(encodeURIComponent).join('/')}`;
    try {
      const { client, sdk } = await this.s3();
      if (size <= this.maxCopyBytes) await client.send(new sdk.CopyObjectCommand({ Bucket: this.bucket, Key: to, CopySource: source }));
      else await this.copyInParts(source, to, size);
    } catch (err) {
      throw this.explain(err, 'copying a blob to its address');
    }
  }

  private async copyInParts(source: string, to: string, size: number): Promise<void> {
    const { client, sdk } = await this.s3();
    const partSize = Math.max(this.maxCopyBytes, Math.ceil(size / MAX_PARTS));
    const { UploadId } = await client.send(new sdk.CreateMultipartUploadCommand({ Bucket: this.bucket, Key: to }));
    try {
      const parts: CompletedPart[] = [];
      for (let start = 0, n = 1; start < size; start += partSize, n++) {
        const end = Math.min(size, start + partSize) - 1;
        const out = await client.send(
          new sdk.UploadPartCopyCommand({ Bucket: this.bucket, Key: to, UploadId, PartNumber: n, CopySource: source, CopySourceRange: `bytes=${start}-${end}` }),
        );
        parts.push({ PartNumber: n, ETag: out.CopyPartResult?.ETag });
      }
      await client.send(new sdk.CompleteMultipartUploadCommand({ Bucket: this.bucket, Key: to, UploadId, MultipartUpload: { Parts: parts } }));
    } catch (err) {
      await client.send(new sdk.AbortMultipartUploadCommand({ Bucket: this.bucket, Key: to, UploadId })).catch(() => undefined);
      throw err;
    }
  }

  private async removeQuietly(key: string): Promise<void> {
    const { client, sdk } = await this.s3();
    await client.send(new sdk.DeleteObjectCommand({ Bucket: this.bucket, Key: key })).catch(() => undefined);
  }

  /** Says what is wrong with the store in words an operator can act on; names settings, never their secret values. */
  private explain(err: unknown, action: string): Error {
    if (err instanceof PeelError) return err;
    const name = errorName(err);
    const status = httpStatus(err);
    const code = networkCode(err);
    if (name === 'NoSuchBucket') return new BlobStoreUnavailableError(`${this.where} does not exist: create the bucket or correct PEEL_BLOBS.`);
    if (name === 'InvalidAccessKeyId') return new BlobStoreUnavailableError(`${this.where} does not recognise the access key: check PEEL_S3_ACCESS_KEY_ID.`);
    if (name === 'SignatureDoesNotMatch') return new BlobStoreUnavailableError(`${this.where} refused the request signature: check PEEL_S3_SECRET_ACCESS_KEY.`);
    if (name === 'CredentialsProviderError') return new BlobStoreUnavailableError(`No credentials for ${this.where}: set PEEL_S3_ACCESS_KEY_ID and PEEL_S3_SECRET_ACCESS_KEY.`);
    if (name === 'AccessDenied' || status === 403) return new BlobStoreUnavailableError(`${this.where} denied access while ${action}: check the credentials and the bucket's policy.`);
    if (code) return new BlobStoreUnavailableError(`Cannot reach ${this.where} (${code}) while ${action}: check PEEL_S3_ENDPOINT and that the server is running.`);
    const message = err instanceof Error ? err.message : String(err);
    return new BlobStoreUnavailableError(`${this.where} failed while ${action}: ${name ?? 'error'}${status ? ` (HTTP ${status})` : ''}: ${message.slice(0, 300)}`);
  }
}

/** Exactly `n` bytes off the front of a queue of chunks, as one buffer for one part. */
function takeBytes(queue: Buffer[], n: number): Buffer {
  const out = Buffer.allocUnsafe(n);
  let filled = 0;
  while (filled < n) {
    const head = queue[0];
    if (!head) throw new Error('takeBytes: the queue holds fewer bytes than asked for');
    const need = n - filled;
    if (head.length <= need) {
      head.copy(out, filled);
      filled += head.length;
      queue.shift();
    } else {
      head.copy(out, filled, 0, need);
      queue[0] = head.subarray(need);
      filled = n;
    }
  }
  return out;
}

/** `take` bytes of a stream after skipping `skip`; the rest is not read. */
async function* slice(source: Readable, skip: number, take: number): AsyncGenerator<Buffer> {
  try {
    for await (const piece of source) {
      let chunk = piece as Buffer;
      if (skip > 0) {
        const dropped = Math.min(skip, chunk.length);
        chunk = chunk.subarray(dropped);
        skip -= dropped;
      }
      if (chunk.length === 0) continue;
      if (chunk.length >= take) {
        yield chunk.subarray(0, take);
        return;
      }
      take -= chunk.length;
      yield chunk;
    }
  } finally {
    source.destroy();
  }
}

async function hashFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: MiB })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

function errorName(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'name' in err ? String(err.name) : undefined;
}

function httpStatus(err: unknown): number | undefined {
  return (err as { $metadata?: { httpStatusCode?: number } } | null)?.$metadata?.httpStatusCode;
}

/** ECONNREFUSED and the like, also when wrapped in an AggregateError by Node's connection attempts. */
function networkCode(err: unknown): string | undefined {
  const e = err as { code?: unknown; errors?: Array<{ code?: unknown }> } | null;
  const code = e?.code ?? e?.errors?.[0]?.code;
  return typeof code === 'string' && /^E[A-Z]+$/.test(code) ? code : undefined;
}
