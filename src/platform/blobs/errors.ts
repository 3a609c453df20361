import { PeelError } from '../errors.ts';

const SHA256 = /^[0-9a-f]{64}$/;

export function checkHash(sha256: string): string {
  if (!SHA256.test(sha256)) throw new Error(`not a SHA-256 hex digest: ${sha256.slice(0, 80)}`);
  return sha256;
}

/** The blob named by this hash is not in the store (never stored, or deleted). */
export class BlobNotFoundError extends PeelError {
  readonly sha256: string;
  constructor(sha256: string) {
    super('blob_not_found', `No blob with SHA-256 ${sha256} is in the store.`, 404);
    this.name = 'BlobNotFoundError';
    this.sha256 = sha256;
  }
}

/** The byte range asked for starts past the blob's last byte, or ends before it starts. */
export class BlobRangeError extends PeelError {
  readonly size: number | undefined;
  constructor(range: { start: number; end: number }, size?: number) {
    super('range_not_satisfiable', `Bytes ${range.start}-${range.end} are not within the blob${size === undefined ? '' : ` of ${size} bytes`}.`, 416);
    this.name = 'BlobRangeError';
    this.size = size;
  }
}

/** The store itself cannot be used: the bucket is missing, credentials are refused, the server is unreachable. */
export class BlobStoreUnavailableError extends PeelError {
  constructor(message: string) {
    super('blob_store_unavailable', message, 503);
    this.name = 'BlobStoreUnavailableError';
  }
}

/** Checks a range's shape before any I/O: whole numbers, start not after end. */
export function checkRange(range: { start: number; end: number }): void {
  const { start, end } = range;
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || end < start) throw new BlobRangeError(range);
}
