import { enableCompileCache } from 'node:module';
import { parentPort, workerData } from 'node:worker_threads';
import type { ImportSource } from './plans.ts';
import type { ReadEvent, ReadOptions } from './reader.ts';
import type { InputFile } from './sources.ts';

// Every import starts this thread afresh, which then compiles its modules (TypeScript
// stripped, h3-js, proj4) before reading a row: Node's on-disk compile cache keeps their
// compiled code between runs (in the system's temporary folder, or NODE_COMPILE_CACHE; off
// with NODE_DISABLE_COMPILE_CACHE=1). Measured: the first chunk 20-40 ms sooner, the thread's
// CPU 0.1-0.15 s less. The modules are imported after it is on, so that they use it.
enableCompileCache();
const { transferables } = await import('./encode.ts');
const { readInputs } = await import('./reader.ts');

/**
 * The reading thread of an import (see reader.ts). Events go to the writing thread as
 * messages, a chunk's typed arrays moved rather than copied. At most CHUNKS_AHEAD chunks
 * (about 15 MB) are on their way at a time: the writer sends a credit for each it has stored,
 * so a slow database holds the reading back and memory stays flat, while reading goes on
 * through a commit's wait for the disk.
 */

export interface WorkerInput {
  inputs: InputFile[];
  source: ImportSource;
  options: ReadOptions;
}

/** Messages to the writing thread: an event, bytes read, the end, or a failure of the reader itself. */
export type WorkerMessage = { event: ReadEvent } | { bytes: number } | { done: true } | { failed: string };

export const CHUNKS_AHEAD = 16;

const port = parentPort!;
const { inputs, source, options } = workerData as WorkerInput;
let ahead = 0;
let wake: (() => void) | null = null;
port.on('message', () => {
  ahead--;
  wake?.();
  wake = null;
});

const send = (message: WorkerMessage, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);

async function emit(event: ReadEvent): Promise<void> {
  if (event.type === 'records' || event.type === 'outcomes' || event.type === 'stop-searches') {
    while (ahead >= CHUNKS_AHEAD) await new Promise<void>((resolve) => (wake = resolve));
    ahead++;
  }
  send({ event }, event.type === 'records' ? transferables(event.chunk) : []);
}

try {
  await readInputs(inputs, source, options, emit, (bytes) => send({ bytes }));
  send({ done: true });
} catch (err) {
  send({ failed: (err as Error).stack ?? String(err) });
}
