import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createHash, randomBytes } from 'node:crypto';

/** A small tus client over fetch, enough for tests and the benchmark. */
export interface Tus {
  create(length: number, meta?: Record<string, string>, headers?: Record<string, string>): Promise<Response>;
  patch(location: string, offset: number, body: Uint8Array | ReadableStream<Uint8Array>, headers?: Record<string, string>): Promise<Response>;
  head(location: string): Promise<Response>;
}

export const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
export const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
export const sha256b64 = (b: Uint8Array) => createHash('sha256').update(b).digest('base64');
export const randomFile = (n: number) => randomBytes(n);

export function tusClient(base: string, token: string): Tus {
  const auth = { authorization: `Bearer ${token}`, 'tus-resumable': '1.0.0' };
  const abs = (loc: string) => new URL(loc, base).toString();
  return {
    create: (length, meta = {}, headers = {}) =>
      fetch(`${base}/api/evidence/uploads`, {
        method: 'POST',
        headers: {
          ...auth,
          'upload-length': String(length),
          'upload-metadata': Object.entries(meta)
            .map(([k, v]) => `${k} ${b64(v)}`)
            .join(','),
          ...headers,
        },
      }),
    patch: (location, offset, body, headers = {}) =>
      fetch(abs(location), {
        method: 'PATCH',
        headers: { ...auth, 'content-type': 'application/offset+octet-stream', 'upload-offset': String(offset), ...headers },
        body,
        duplex: 'half',
      } as RequestInit),
    head: (location) => fetch(abs(location), { method: 'HEAD', headers: auth }),
  };
}

/** A request body that sends `first`, then waits for `release()` before sending `rest`. */
export function heldBody(first: Uint8Array, rest: Uint8Array): { body: ReadableStream<Uint8Array>; release(): void; sent: Promise<void> } {
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  let sentFirst!: () => void;
  const sent = new Promise<void>((r) => (sentFirst = r));
  let step = 0;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (step === 0) {
        step = 1;
        controller.enqueue(first);
        sentFirst();
        return;
      }
      if (step === 1) {
        step = 2;
        await released;
        if (rest.length) controller.enqueue(rest);
        controller.close();
      }
    },
  });
  return { body, release, sent };
}

/** A real short MP4 (H.264, 160×120, with a creation time), made by ffmpeg for tests. */
export function makeVideo(path: string, seconds = 2, creationTime = '2026-10-31T22:15:00Z'): Buffer {
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', `testsrc=duration=${seconds}:size=160x120:rate=10`, '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-metadata', `creation_time=${creationTime}`, '-movflags', '+faststart', path]);
  return readFileSync(path);
}
