/**
 * What every BlobStore must do, as one suite of tests that each store's test file runs
 * against a real instance (a temporary folder; a real S3-compatible server).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { buffer, text } from 'node:stream/consumers';
import type { BlobStore } from './index.ts';

export interface StoreUnderTest {
  store: BlobStore;
  /** bytes in each part of a multipart upload, if the store has parts (the S3 store), else undefined */
  partSize: number | undefined;
  /** the most bytes the store may hold in memory while streaming a blob in */
  memoryBound: number;
  /** every name the store's backing storage holds besides finished blobs: temporaries, unfinished uploads */
  leftovers(): Promise<string[]>;
  /** bytes of file data in the store's backing storage now, to see how much of a stream has left memory */
  bytesLanded(): Promise<number>;
  /** a folder for files that putFile moves in (on the store's filesystem, where that matters) */
  scratch: string;
  close(): Promise<void>;
}

const MiB = 1024 * 1024;

/** FIPS 180-2 appendix B examples, and the empty message. */
const KNOWN = [
  { bytes: 'abc', sha256: 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad' },
  { bytes: 'abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq', sha256: '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1' },
  { bytes: '', sha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' },
];
const MILLION_A = 'cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0';
const FOX = 'The quick brown fox jumps over the lazy dog';
const FOX_SHA256 = 'd7a8fbb307d7809469ca9abcb0082e4f8d5651e46d3cdb762d02d0bf37c9e592';

/** Deterministic bytes that differ from part to part, so a misplaced part changes the hash. */
function pattern(offset: number, length: number): Buffer {
  const out = Buffer.allocUnsafe(length);
  for (let i = 0; i < length; i++) {
    const x = offset + i;
    out[i] = (x * 2654435761 + (x >>> 13)) & 0xff;
  }
  return out;
}

/** A lazily produced stream of `size` bytes in 64 KiB chunks; `onChunk` may wait, as a slow sender does. */
function patternStream(size: number, onChunk?: (produced: number) => Promise<void>): Readable {
  const chunk = 64 * 1024;
  async function* produce(): AsyncGenerator<Buffer> {
    for (let offset = 0; offset < size; offset += chunk) {
      if (onChunk) await onChunk(offset);
      yield pattern(offset, Math.min(chunk, size - offset));
    }
  }
  return Readable.from(produce(), { objectMode: false, highWaterMark: chunk });
}

function failingAfter(bytes: number): Readable {
  let sent = 0;
  return new Readable({
    read() {
      if (sent >= bytes) {
        this.destroy(new Error('connection dropped'));
        return;
      }
      const n = Math.min(256 * 1024, bytes - sent);
      sent += n;
      this.push(pattern(sent, n));
    },
  });
}

const sha256Of = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

/** Registers the suite under `name` for stores that `open` makes. */
export function blobStoreContract(name: string, open: () => Promise<StoreUnderTest>): void {
  describe(`BlobStore contract: ${name}`, () => {
    let s: StoreUnderTest;
    let fileNumber = 0;
    const scratchFile = (content: string | Buffer) => {
      const path = join(s.scratch, `upload-${++fileNumber}`);
      writeFileSync(path, content);
      return path;
    };

    before(async () => {
      s = await open();
    });
    after(async () => {
      await s?.close();
    });

    test('a blob is named by the SHA-256 of its bytes (FIPS 180 examples), whether it arrives as bytes or in chunks', async () => {
      for (const { bytes, sha256 } of KNOWN) {
        assert.deepEqual(await s.store.put(Buffer.from(bytes)), { sha256, size: bytes.length }, JSON.stringify(bytes));
        assert.equal(await text(await s.store.get(sha256)), bytes);
      }
      const million = Readable.from((function* () {
        for (let i = 0; i < 1000; i++) yield Buffer.alloc(1000, 'a');
      })());
      assert.deepEqual(await s.store.put(million), { sha256: MILLION_A, size: 1_000_000 });
      const fox = Readable.from([Buffer.from(FOX.slice(0, 10)), Buffer.from(FOX.slice(10))]);
      assert.deepEqual(await s.store.put(fox), { sha256: FOX_SHA256, size: 43 });
    });

    test('reads back whole or by inclusive byte range; an end past the last byte reads to the end', async () => {
      await s.store.put(Buffer.from(FOX));
      assert.equal(await text(await s.store.get(FOX_SHA256)), FOX);
      assert.equal(await text(await s.store.get(FOX_SHA256, { start: 4, end: 8 })), 'quick');
      assert.equal(await text(await s.store.get(FOX_SHA256, { start: 0, end: 0 })), 'T');
      assert.equal(await text(await s.store.get(FOX_SHA256, { start: 42, end: 42 })), 'g');
      assert.equal(await text(await s.store.get(FOX_SHA256, { start: 40, end: 1000 })), 'dog');
    });

    test('a range outside the blob, a missing blob and a malformed name are errors, each of its own kind', async () => {
      await s.store.put(Buffer.from(FOX));
      await assert.rejects(s.store.get(FOX_SHA256, { start: 43, end: 50 }), { code: 'range_not_satisfiable', status: 416 });
      await assert.rejects(s.store.get(FOX_SHA256, { start: 9, end: 3 }), { code: 'range_not_satisfiable' });
      await assert.rejects(s.store.get(FOX_SHA256, { start: -1, end: 3 }), { code: 'range_not_satisfiable' });
      const missing = sha256Of('never stored');
      await assert.rejects(s.store.get(missing), { code: 'blob_not_found', status: 404 });
      await assert.rejects(s.store.get(missing, { start: 0, end: 1 }), { code: 'blob_not_found' });
      assert.equal(await s.store.stat(missing), null);
      await s.store.delete(missing); // deleting what is not there is not an error
      await assert.rejects(s.store.get('../../etc/passwd'), /not a SHA-256/);
      await assert.rejects(s.store.stat('ABC'), /not a SHA-256/);
    });

    test('stat gives the size; delete removes the blob and only that blob', async () => {
      const a = await s.store.put(Buffer.from('keep me'));
      const b = await s.store.put(Buffer.from('delete me'));
      assert.deepEqual(await s.store.stat(b.sha256), { size: 9 });
      await s.store.delete(b.sha256);
      assert.equal(await s.store.stat(b.sha256), null);
      await assert.rejects(s.store.get(b.sha256), { code: 'blob_not_found' });
      assert.deepEqual(await s.store.stat(a.sha256), { size: 7 });
    });

    test('the same bytes stored twice, even at once, are one blob', async () => {
      const body = pattern(7, 100_000);
      const [x, y] = await Promise.all([s.store.put(body), s.store.put(Readable.from([body.subarray(0, 5), body.subarray(5)]))]);
      assert.deepEqual(x, y);
      assert.deepEqual(await buffer(await s.store.get(x.sha256)), body);
      assert.deepEqual(await s.leftovers(), []);
    });

    test('a write that fails part-way leaves no blob, no temporary and no unfinished upload', async () => {
      await assert.rejects(s.store.put(failingAfter(1024)), /connection dropped/);
      // Past one part, so a store with parts has begun a multipart upload it must abort.
      const past = (s.partSize ?? MiB) + 300 * 1024;
      await assert.rejects(s.store.put(failingAfter(past)), /connection dropped/);
      assert.deepEqual(await s.leftovers(), []);
      assert.equal(await s.store.stat(sha256Of(pattern(1024, 1024))), null);
    });

    test('a blob of several parts round-trips intact, with ranges across part boundaries', async () => {
      const size = 12 * MiB;
      const whole = pattern(0, size);
      const stored = await s.store.put(patternStream(size));
      assert.deepEqual(stored, { sha256: sha256Of(whole), size });
      assert.deepEqual(await s.store.stat(stored.sha256), { size });
      assert.equal(sha256Of(await buffer(await s.store.get(stored.sha256))), stored.sha256);
      const boundary = s.partSize ?? 5 * MiB;
      for (const [start, end] of [
        [boundary - 10, boundary + 9],
        [2 * boundary - 1, 2 * boundary],
        [size - 5, size - 1],
      ] as const) {
        assert.deepEqual(await buffer(await s.store.get(stored.sha256, { start, end })), whole.subarray(start, end + 1), `bytes ${start}-${end}`);
      }
      assert.deepEqual(await s.leftovers(), []);
    });

    test('a stream is taken in with bounded memory: what has arrived but not reached storage stays under the bound', async (t) => {
      const size = 3 * s.memoryBound;
      const landedBefore = await s.bytesLanded();
      let mostHeld = 0;
      const stored = await s.store.put(
        patternStream(size, async (produced) => {
          if (produced % MiB !== 0) return;
          const held = produced - ((await s.bytesLanded()) - landedBefore);
          mostHeld = Math.max(mostHeld, held);
        }),
      );
      assert.equal(stored.sha256, sha256Of(pattern(0, size)));
      t.diagnostic(`${(size / MiB).toFixed(0)} MiB streamed; at most ${(mostHeld / MiB).toFixed(1)} MiB held before reaching storage (bound ${(s.memoryBound / MiB).toFixed(0)} MiB)`);
      assert.ok(mostHeld <= s.memoryBound, `held ${mostHeld} bytes at once, more than the bound of ${s.memoryBound}`);
    });

    test('putFile moves a local file in, hashed by the store or vouched for by the caller; the file is gone after', async () => {
      const hashed = scratchFile(FOX);
      assert.deepEqual(await s.store.putFile(hashed), { sha256: FOX_SHA256, size: 43 });
      assert.equal(existsSync(hashed), false);
      assert.equal(await text(await s.store.get(FOX_SHA256)), FOX);

      const bytes = pattern(99, 6 * MiB + 17); // more than one part
      const vouched = scratchFile(bytes);
      const sha256 = sha256Of(bytes);
      assert.deepEqual(await s.store.putFile(vouched, sha256), { sha256, size: bytes.length });
      assert.equal(existsSync(vouched), false);
      assert.deepEqual(await buffer(await s.store.get(sha256, { start: 6 * MiB, end: 6 * MiB + 16 })), bytes.subarray(6 * MiB));

      const again = scratchFile(FOX); // already stored: the file still goes
      assert.deepEqual(await s.store.putFile(again), { sha256: FOX_SHA256, size: 43 });
      assert.equal(existsSync(again), false);
      await assert.rejects(s.store.putFile(join(s.scratch, 'no-such-file')), { code: 'ENOENT' });
      assert.deepEqual(await s.leftovers(), []);
    });

    test('the health check writes, reads back and removes a probe', async () => {
      await s.store.check();
      assert.deepEqual(await s.leftovers(), []);
      assert.ok(s.store.describe.length > 0);
    });
  });
}

/** Files under a folder (relative paths) and their total size, for stores backed by files. */
export function filesUnder(root: string): { files: string[]; bytes: number } {
  const files: string[] = [];
  let bytes = 0;
  const walk = (dir: string, rel: string) => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return; // not there (yet, or any more)
    }
    for (const entry of entries) {
      const path = join(dir, entry.name);
      const name = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(path, name);
      else {
        files.push(name);
        try {
          bytes += statSync(path).size;
        } catch {
          // removed between listing and looking: the store finished with it
        }
      }
    }
  };
  walk(root, '');
  return { files, bytes };
}
