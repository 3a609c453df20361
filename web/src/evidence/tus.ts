/**
 * Resumable uploads of footage over tus 1.0, with tus-js-client.
 *
 * tus-js-client keeps each unfinished upload's URL in localStorage under a fingerprint
 * of the file (name, type, size, last modified, endpoint), so choosing the same file
 * again after a dropped connection or a closed tab carries on from where the server
 * got to. It does not implement tus's checksum extension, so the HTTP stack below adds
 * it: each PATCH carries `Upload-Checksum: sha256 <base64>` of the chunk it sends, and
 * the server refuses a chunk that arrived altered (460) rather than store it.
 */
import { DefaultHttpStack, Upload, defaultOptions, type DetailedError, type HttpRequest, type HttpResponse, type HttpStack, type PreviousUpload } from 'tus-js-client';
import { currentCsrfToken } from '../api.ts';

export const UPLOAD_ENDPOINT = '/api/evidence/uploads';

/**
 * Each PATCH sends this much. Small enough that a lost connection costs little and the
 * browser can hash a chunk in memory; large enough that the requests' overhead is small.
 */
export const CHUNK_SIZE = 8 * 1024 * 1024;

/** Waits between automatic retries; after the last the upload stops and says so. */
const RETRY_DELAYS = [0, 1000, 3000, 5000];

/** What the officer says about the footage, sent as tus Upload-Metadata. */
export interface FootageFacts {
  officer: string;
  deviceSerial: string;
  /** ISO 8601 instant, or '' when not known */
  recordedStart: string;
  incidentRef: string;
  crimeRef: string;
}

export type UploadStatus = 'waiting' | 'uploading' | 'retrying' | 'paused' | 'stopped' | 'finishing' | 'done' | 'failed';

export interface UploadState {
  status: UploadStatus;
  sent: number;
  total: number;
  /** where this upload carried on from, when it resumed an earlier one */
  resumedFrom: number | null;
  message: string | null;
  /** the tus upload's URL, once the server has created it */
  url: string | null;
  /** the evidence item the finished upload became (Peel-Item-Id) */
  itemId: number | null;
}

/** SHA-256 of a blob, base64, for the Upload-Checksum header. */
async function sha256Base64(blob: Blob): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', await blob.arrayBuffer()));
  let binary = '';
  for (const byte of digest) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/** crypto.subtle exists only in secure contexts (https, or localhost). */
export const checksumsAvailable = typeof crypto !== 'undefined' && typeof crypto.subtle?.digest === 'function';

/**
 * Checksums already under way, by the chunk they are for. The reader below starts hashing
 * the next chunk while the current one is on the wire, so hashing (about 110 MiB/s in
 * Chromium) does not hold up sending.
 */
const hashes = new WeakMap<Blob, Promise<string>>();

type FileReaderOption = NonNullable<ConstructorParameters<typeof Upload>[1]>['fileReader'];

const prefetchingReader: FileReaderOption = {
  async openFile(input: File) {
    let ahead: { start: number; end: number; blob: Blob } | null = null;
    return {
      size: input.size,
      async slice(start: number, end: number) {
        const blob = ahead && ahead.start === start && ahead.end === end ? ahead.blob : input.slice(start, end);
        ahead = null;
        if (checksumsAvailable && end < input.size) {
          const nextEnd = Math.min(input.size, end + (end - start));
          const next = input.slice(end, nextEnd);
          const hash = sha256Base64(next);
          hash.catch(() => undefined);
          hashes.set(next, hash);
          ahead = { start: end, end: nextEnd, blob: next };
        }
        return { value: blob, done: end >= input.size };
      },
      close() {
        ahead = null;
      },
    };
  },
};

class ChecksumRequest implements HttpRequest {
  readonly inner: HttpRequest;
  constructor(inner: HttpRequest) {
    this.inner = inner;
  }
  getMethod() {
    return this.inner.getMethod();
  }
  getURL() {
    return this.inner.getURL();
  }
  setHeader(header: string, value: string) {
    this.inner.setHeader(header, value);
  }
  getHeader(header: string) {
    return this.inner.getHeader(header);
  }
  setProgressHandler(handler: (bytesSent: number) => void) {
    this.inner.setProgressHandler(handler);
  }
  async send(body: unknown): Promise<HttpResponse> {
    if (checksumsAvailable && body instanceof Blob && this.inner.getMethod() === 'PATCH') {
      this.inner.setHeader('Upload-Checksum', `sha256 ${await (hashes.get(body) ?? sha256Base64(body))}`);
    }
    return this.inner.send(body);
  }
  abort() {
    return this.inner.abort();
  }
  getUnderlyingObject() {
    return this.inner.getUnderlyingObject();
  }
}

const xhrStack = new DefaultHttpStack({});
const checksumStack: HttpStack = {
  createRequest: (method, url) => new ChecksumRequest(xhrStack.createRequest(method, url)),
  getName: () => 'PeelChecksumHttpStack',
};

function metadataOf(file: File, facts: Partial<FootageFacts>): Record<string, string> {
  const metadata: Record<string, string> = { filename: file.name, filetype: file.type || 'application/octet-stream' };
  for (const [key, value] of Object.entries(facts)) if (value?.trim()) metadata[key] = value.trim();
  return metadata;
}

function describe(error: Error | DetailedError): string {
  const response = 'originalResponse' in error ? error.originalResponse : null;
  if (!response) {
    return navigator.onLine === false
      ? 'The connection was lost. The upload will carry on when you are back online, or choose Resume.'
      : 'Peel could not be reached. Choose Resume to carry on from where it stopped.';
  }
  const status = response.getStatus();
  try {
    const body = JSON.parse(response.getBody()) as { error?: { message?: string } };
    if (body.error?.message) return body.error.message;
  } catch {
    // not JSON: fall through to a message by status
  }
  if (status === 460) return 'A part of the file arrived altered (its checksum did not match). Choose Resume to send it again.';
  if (status === 413) return 'The file is larger than Peel accepts.';
  if (status === 401 || status === 403) return 'You are not signed in, or may not upload evidence. Sign in again and choose the file again.';
  return `The upload stopped: the server replied ${status}.`;
}

/**
 * One file's upload: start, pause, resume, cancel. `onChange` gets each new state.
 */
export class FootageUpload {
  readonly file: File;
  private readonly upload: Upload;
  private state: UploadState;
  private readonly onChange: (state: UploadState) => void;

  /**
   * `endpoint` is the staff endpoint, or a public upload link's
   * (`/api/evidence/public-uploads/<token>`), which takes no facts but the file's own.
   */
  constructor(file: File, facts: Partial<FootageFacts>, onChange: (state: UploadState) => void, endpoint = UPLOAD_ENDPOINT) {
    this.file = file;
    this.onChange = onChange;
    this.state = { status: 'waiting', sent: 0, total: file.size, resumedFrom: null, message: null, url: null, itemId: null };
    this.upload = new Upload(file, {
      endpoint,
      chunkSize: CHUNK_SIZE,
      retryDelays: RETRY_DELAYS,
      metadata: metadataOf(file, facts),
      httpStack: checksumStack,
      fileReader: prefetchingReader,
      storeFingerprintForResuming: true,
      removeFingerprintOnSuccess: true,
      // The session cookie goes with every same-origin request; writes need the CSRF token too.
      onBeforeRequest: (req) => {
        const token = currentCsrfToken();
        if (token) req.setHeader('X-CSRF-Token', token);
      },
      // tus asks the server's offset with a HEAD before carrying on an earlier upload: note it,
      // so that the page can say where it resumed from.
      onAfterResponse: (req, res) => {
        const offset = Number(res.getHeader('Upload-Offset'));
        if (req.getMethod() === 'HEAD' && res.getStatus() === 200 && Number.isFinite(offset) && this.state.sent === 0) {
          this.set({ resumedFrom: offset, sent: offset });
        }
      },
      onUploadUrlAvailable: () => this.set({ url: this.upload.url }),
      onProgress: (sent, total) => this.set({ status: sent >= total ? 'finishing' : 'uploading', sent, total, message: null }),
      onShouldRetry: (error, attempt) => {
        const status = error.originalResponse?.getStatus() ?? 0;
        const retry = (status === 0 || status >= 500 || status === 409 || status === 423) && navigator.onLine !== false;
        if (retry) this.set({ status: 'retrying', message: `Connection problem; trying again (attempt ${attempt + 1} of ${RETRY_DELAYS.length}).` });
        return retry;
      },
      // A lost connection or a server fault can be resumed; a refusal (wrong type, too large) cannot.
      onError: (error) => {
        const status = 'originalResponse' in error ? (error.originalResponse?.getStatus() ?? 0) : 0;
        const resumable = status === 0 || status >= 500 || status === 409 || status === 423 || status === 460;
        this.set({ status: resumable ? 'stopped' : 'failed', message: describe(error) });
        // The server discarded a refused upload: there is nothing to come back to.
        if (!resumable) void this.forgetHere();
      },
      // The request that completes the upload (or the HEAD that finds it complete) names the item.
      onSuccess: ({ lastResponse }) => {
        const itemId = Number(lastResponse.getHeader('Peel-Item-Id'));
        this.set({ status: 'done', sent: file.size, message: null, itemId: Number.isInteger(itemId) && itemId > 0 ? itemId : null });
      },
    });
  }

  get current(): UploadState {
    return this.state;
  }

  private set(change: Partial<UploadState>) {
    this.state = { ...this.state, ...change };
    this.onChange(this.state);
  }

  /** Starts, or carries on from an earlier attempt at the same file if the server still has it. */
  async start(): Promise<void> {
    this.set({ status: 'uploading', message: null });
    const previous = await this.upload.findPreviousUploads();
    const latest = newest(previous);
    if (latest) this.upload.resumeFromPreviousUpload(latest);
    this.upload.start();
  }

  /** Drops this upload's entry from the browser's list of uploads to resume. */
  private async forgetHere(): Promise<void> {
    for (const previous of await this.upload.findPreviousUploads()) {
      if (previous.uploadUrl === this.upload.url) await defaultOptions.urlStorage.removeUpload(previous.urlStorageKey);
    }
  }

  pause() {
    void this.upload.abort();
    this.set({ status: 'paused', message: null });
  }

  resume() {
    this.set({ status: 'uploading', message: null });
    this.upload.start();
  }

  /** Stops and asks the server to delete what it has (tus termination). */
  async cancel(): Promise<void> {
    await this.upload.abort(true).catch(() => undefined);
  }
}

function newest(uploads: PreviousUpload[]): PreviousUpload | undefined {
  return [...uploads].sort((a, b) => b.creationTime.localeCompare(a.creationTime))[0];
}

/** Uploads to this endpoint started in this browser and never finished: to list on the upload page. */
export async function unfinishedUploads(endpoint = UPLOAD_ENDPOINT): Promise<PreviousUpload[]> {
  const all = await defaultOptions.urlStorage.findAllUploads();
  return all.filter((u) => u.uploadUrl && new URL(u.uploadUrl, location.href).pathname.startsWith(`${endpoint}/`));
}

/** Forgets an unfinished upload here and asks the server to delete what it holds of it. */
export async function forgetUpload(previous: PreviousUpload): Promise<void> {
  if (previous.uploadUrl) {
    await Upload.terminate(previous.uploadUrl, {
      onBeforeRequest: (req) => {
        const token = currentCsrfToken();
        if (token) req.setHeader('X-CSRF-Token', token);
      },
    }).catch(() => undefined);
  }
  await defaultOptions.urlStorage.removeUpload(previous.urlStorageKey);
}
