import { Worker } from 'node:worker_threads';

/**
 * The running SHA-256 of staged upload files, computed by one worker thread per process
 * (file-hash-worker.js) that reads back from disk what the writer has written. Hashing
 * then runs beside receiving instead of on the thread that receives, and the digest is of
 * the bytes on disk. Calls are answered in the order they are made; a running hash that is
 * lost (a failed read, a restart, too many uploads at once) is rebuilt from the staged file.
 */
export class FileHasher {
  private worker: Worker | null = null;
  private next = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  private call<T>(op: string, args: Record<string, unknown>): Promise<T> {
    const worker = (this.worker ??= this.start());
    const id = this.next++;
    // Keep the process alive only while an answer is awaited.
    if (this.pending.size === 0) worker.ref();
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      worker.postMessage({ id, op, ...args });
    });
  }

  private start(): Worker {
    const worker = new Worker(new URL('./file-hash-worker.js', import.meta.url));
    worker.unref();
    worker.on('message', (m: { id: number; value?: unknown; error?: string }) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (this.pending.size === 0) worker.unref();
      if (m.error !== undefined) p.reject(new Error(`SHA-256 of the staged upload: ${m.error}`));
      else p.resolve(m.value);
    });
    // A worker that dies takes its running hashes with it; the next call starts another, which rebuilds them from disk.
    const fail = (err: Error) => {
      if (this.worker !== worker) return;
      this.worker = null;
      const pending = [...this.pending.values()];
      this.pending.clear();
      for (const p of pending) p.reject(err);
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`the hashing thread stopped (exit code ${code})`)));
    return worker;
  }

  /** A request begins writing at `offset`; with `chunk`, its own bytes are hashed too and can be rolled back. */
  begin(path: string, offset: number, chunk: boolean): Promise<number> {
    return this.call('begin', { path, offset, chunk });
  }

  /** Bytes up to `to` are written: hash them. No answer (a failure shows in the next call that has one). */
  advance(path: string, to: number): void {
    (this.worker ??= this.start()).postMessage({ op: 'advance', path, to });
  }

  /** Resolves once the bytes up to `to` are hashed. */
  hashed(path: string, to: number): Promise<number> {
    return this.call('advance', { path, to });
  }

  /** The SHA-256 of the bytes written since `begin` (up to `to`), for `Upload-Checksum`. */
  async chunk(path: string, to: number): Promise<Buffer> {
    return Buffer.from(await this.call<string>('chunk', { path, to }), 'base64');
  }

  /** The bytes written since `begin` were discarded. */
  rollback(path: string): Promise<number> {
    return this.call('rollback', { path });
  }

  /** The SHA-256 (hex) of the file's first `length` bytes; its running hash is then forgotten. */
  digest(path: string, length: number): Promise<string> {
    return this.call('digest', { path, length });
  }

  /** Forgets a running hash (the upload was removed). Starts no thread when none is running. */
  async drop(path: string): Promise<void> {
    if (this.worker) await this.call('drop', { path });
  }
}

/** One hashing thread for the process, started by the first upload. */
export const fileHasher = new FileHasher();
