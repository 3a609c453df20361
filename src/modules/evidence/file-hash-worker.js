// The SHA-256 of staged upload files, kept by one worker thread for the whole process: it
// reads back from disk the bytes the main thread has written, so hashing overlaps with
// receiving and covers exactly what is stored. Driven by file-hasher.ts; each message is
// {id, op, path, ...} and gets {id, value} or {id, error} back, in order; a message without
// an id gets no answer.
//
// Plain JavaScript on purpose: a .ts worker would load Node's type stripper a second time
// (about 12 MB more resident memory for this thread).
import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';

/** Read size: large enough to hash at full speed, small enough to keep this thread lean. */
const READ = 1024 * 1024;
const buffer = Buffer.allocUnsafe(READ);
/** Running hashes kept for unfinished uploads (a few hundred bytes each); beyond this the least recently used is dropped, and rebuilt from disk if its upload goes on. */
const KEEP = 1000;

/** @type {Map<string, {hash: import('node:crypto').Hash, offset: number, saved: {hash: import('node:crypto').Hash, offset: number} | null, chunk: import('node:crypto').Hash | null}>} */
const states = new Map();

const fresh = () => ({ hash: createHash('sha256'), offset: 0, saved: null, chunk: null });

/** Hashes the file's bytes from the state's offset up to `to`. */
function hashTo(state, path, to) {
  if (state.offset >= to) return;
  const fd = openSync(path, 'r');
  try {
    while (state.offset < to) {
      const n = readSync(fd, buffer, 0, Math.min(READ, to - state.offset), state.offset);
      if (n === 0) throw new Error(`the staged file ends at byte ${state.offset}, before ${to}`);
      const bytes = buffer.subarray(0, n);
      state.hash.update(bytes);
      state.chunk?.update(bytes);
      state.offset += n;
    }
  } finally {
    closeSync(fd);
  }
}

function existing(path) {
  const state = states.get(path);
  if (!state) throw new Error('no running hash for this upload (it was reset)');
  return state;
}

const ops = {
  /** A request starts writing at `offset`: hash up to there (from disk after a restart), and with `chunk` keep a way back. */
  begin({ path, offset, chunk }) {
    let state = states.get(path);
    // Bytes past the durable offset were dropped by the writer; start again from disk.
    if (!state || state.offset > offset) state = fresh();
    states.delete(path);
    states.set(path, state);
    if (states.size > KEEP) states.delete(states.keys().next().value);
    state.saved = null;
    state.chunk = null;
    hashTo(state, path, offset);
    if (chunk) {
      state.saved = { hash: state.hash.copy(), offset };
      state.chunk = createHash('sha256');
    }
    return offset;
  },
  /** Bytes up to `to` are written: hash them. */
  advance({ path, to }) {
    hashTo(existing(path), path, to);
    return to;
  },
  /** The SHA-256 (base64) of what this request wrote, up to `to`. */
  chunk({ path, to }) {
    const state = existing(path);
    hashTo(state, path, to);
    if (!state.chunk) throw new Error('this request has no chunk hash');
    const digest = state.chunk.digest('base64');
    state.chunk = null;
    return digest;
  },
  /** The request's bytes were discarded: back to where it began. */
  rollback({ path }) {
    const state = existing(path);
    if (!state.saved) throw new Error('nothing to roll back to');
    state.hash = state.saved.hash;
    state.offset = state.saved.offset;
    state.saved = null;
    state.chunk = null;
    return state.offset;
  },
  /** The whole file's SHA-256 (hex) at `length`; the running hash is then forgotten. */
  digest({ path, length }) {
    let state = states.get(path);
    if (!state || state.offset > length) state = fresh();
    states.delete(path);
    hashTo(state, path, length);
    return state.hash.digest('hex');
  },
  drop({ path }) {
    states.delete(path);
    return null;
  },
};

parentPort.on('message', (m) => {
  try {
    const value = ops[m.op](m);
    if (m.id !== undefined) parentPort.postMessage({ id: m.id, value });
  } catch (err) {
    // A failed read leaves the running hash unknown: forget it, so the next request rebuilds it from disk.
    states.delete(m.path);
    if (m.id !== undefined) parentPort.postMessage({ id: m.id, error: err instanceof Error ? err.message : String(err) });
  }
});
