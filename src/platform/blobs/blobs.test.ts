import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { LocalBlobStore } from './index.ts';

test('a blob is stored under the SHA-256 of its bytes and read back, whole or by range', async () => {
  const store = new LocalBlobStore(mkdtempSync(join(tmpdir(), 'peel-blobs-')));
  const body = 'The quick brown fox jumps over the lazy dog';
  const { sha256, size } = await store.put(Readable.from([Buffer.from(body.slice(0, 10)), Buffer.from(body.slice(10))]));
  assert.equal(sha256, 'd7a8fbb307d7809469ca9abcb0082e4f8d5651e46d3cdb762d02d0bf37c9e592'); // FIPS 180 example
  assert.equal(size, 43);
  assert.equal(await text(await store.get(sha256)), body);
  assert.equal(await text(await store.get(sha256, { start: 4, end: 8 })), 'quick');
  assert.deepEqual(await store.stat(sha256), { size: 43 });
  await store.delete(sha256);
  assert.equal(await store.stat(sha256), null);
  await store.check();
});

test('a failed write leaves no partial blob behind', async () => {
  const root = mkdtempSync(join(tmpdir(), 'peel-blobs-'));
  const store = new LocalBlobStore(root);
  const failing = new Readable({
    read() {
      this.push(Buffer.alloc(1024));
      this.destroy(new Error('connection dropped'));
    },
  });
  await assert.rejects(store.put(failing), /connection dropped/);
  assert.deepEqual(readdirSync(join(root, 'tmp')), []);
  assert.equal(readdirSync(root).filter((d) => d !== 'tmp').length, 0);
  const same = createHash('sha256').update('x').digest('hex');
  assert.equal(await store.stat(same), null);
});

test('a finished file moves into the store, hashed by the store or vouched for by the caller', async () => {
  const root = mkdtempSync(join(tmpdir(), 'peel-blobs-'));
  const store = new LocalBlobStore(root);
  const file = join(root, 'upload-1');
  writeFileSync(file, 'The quick brown fox jumps over the lazy dog');
  const hashed = await store.putFile(file);
  assert.equal(hashed.sha256, 'd7a8fbb307d7809469ca9abcb0082e4f8d5651e46d3cdb762d02d0bf37c9e592');
  assert.equal(existsSync(file), false);
  const other = join(root, 'upload-2');
  writeFileSync(other, 'abc');
  const abc = createHash('sha256').update('abc').digest('hex');
  assert.deepEqual(await store.putFile(other, abc), { sha256: abc, size: 3 });
  assert.equal(await text(await store.get(abc)), 'abc');
  assert.equal(existsSync(other), false);
});
