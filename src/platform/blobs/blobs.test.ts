import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { blobStoreContract, filesUnder } from './contract.ts';
import { LocalBlobStore, openBlobStore } from './index.ts';

const BLOB = /^[0-9a-f]{2}\/[0-9a-f]{2}\/[0-9a-f]{64}$/;

blobStoreContract('LocalBlobStore (a folder)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'peel-blobs-'));
  const root = join(dir, 'store');
  const scratch = join(dir, 'uploads');
  mkdirSync(scratch);
  return {
    store: new LocalBlobStore(root),
    partSize: undefined,
    // A file stream holds a chunk or two (64 KiB each) between the source and the disk.
    memoryBound: 4 * 1024 * 1024,
    leftovers: async () => filesUnder(root).files.filter((f) => !BLOB.test(f)),
    bytesLanded: async () => filesUnder(root).bytes,
    scratch,
    close: async () => rmSync(dir, { recursive: true, force: true }),
  };
});

test('PEEL_BLOBS as a folder path opens a folder store', () => {
  const store = openBlobStore('./data/blobs-here');
  assert.ok(store instanceof LocalBlobStore);
  assert.match(store.describe, /^folder .*data\/blobs-here$/);
});
