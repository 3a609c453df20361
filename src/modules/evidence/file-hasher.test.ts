import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileHasher } from './file-hasher.ts';
import { randomFile, sha256, sha256b64 } from './test-helpers.ts';

function scratch(): { dir: string; done(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'peel-file-hasher-'));
  return { dir, done: () => rmSync(dir, { recursive: true, force: true }) };
}

test('the digest is the SHA-256 of the bytes on disk, however they were written and announced', async () => {
  const { dir, done } = scratch();
  const hasher = new FileHasher();
  try {
    const file = randomFile(3_000_001);
    const path = join(dir, 'a.part');
    writeFileSync(path, '');
    assert.equal(await hasher.begin(path, 0, false), 0);
    // Written in uneven pieces; the hasher is told about some of them only.
    for (const end of [1, 65_536, 1_048_577, 2_500_000, 3_000_001]) {
      appendFileSync(path, file.subarray(statSync(path).size, end));
      if (end !== 65_536) hasher.advance(path, end);
    }
    assert.equal(await hasher.digest(path, file.length), sha256(file));
    // Forgotten after the digest: asking again hashes the file afresh, with the same answer.
    assert.equal(await hasher.digest(path, file.length), sha256(file));
    assert.equal(await hasher.digest(path, 1000), sha256(file.subarray(0, 1000)));
  } finally {
    done();
  }
});

test("a request's own bytes are hashed apart for Upload-Checksum, and rolling back restores the running hash", async () => {
  const { dir, done } = scratch();
  const hasher = new FileHasher();
  try {
    const first = randomFile(100_000);
    const bad = randomFile(50_000);
    const good = randomFile(70_000);
    const path = join(dir, 'b.part');
    writeFileSync(path, first);
    await hasher.begin(path, 0, false);
    await hasher.hashed(path, first.length);
    // A chunk that is then discarded.
    await hasher.begin(path, first.length, true);
    appendFileSync(path, bad);
    await hasher.hashed(path, first.length + bad.length);
    assert.equal((await hasher.chunk(path, first.length + bad.length)).toString('base64'), sha256b64(bad));
    truncateSync(path, first.length);
    assert.equal(await hasher.rollback(path), first.length);
    // The chunk sent again, right.
    await hasher.begin(path, first.length, true);
    appendFileSync(path, good);
    assert.deepEqual(await hasher.chunk(path, first.length + good.length), Buffer.from(sha256b64(good), 'base64'));
    assert.equal(await hasher.digest(path, first.length + good.length), sha256(Buffer.concat([first, good])));
  } finally {
    done();
  }
});

test('a running hash that is lost or ahead of the durable offset is rebuilt from the staged bytes', async () => {
  const { dir, done } = scratch();
  try {
    const file = randomFile(500_000);
    const path = join(dir, 'c.part');
    writeFileSync(path, file);
    // A new hasher knows nothing (as after a restart): begin at 400,000 hashes what is on disk first.
    const restarted = new FileHasher();
    assert.equal(await restarted.begin(path, 400_000, false), 400_000);
    assert.equal(await restarted.digest(path, file.length), sha256(file));

    // Hashed to the end, then the file is cut back (a request whose bytes never became durable).
    const hasher = new FileHasher();
    await hasher.begin(path, 0, false);
    await hasher.hashed(path, file.length);
    truncateSync(path, 300_000);
    await hasher.begin(path, 300_000, false);
    const rest = randomFile(10_000);
    appendFileSync(path, rest);
    await hasher.hashed(path, 310_000);
    assert.equal(await hasher.digest(path, 310_000), sha256(Buffer.concat([file.subarray(0, 300_000), rest])));
  } finally {
    done();
  }
});

test('asking for bytes that are not on disk fails clearly, and the next request starts over', async () => {
  const { dir, done } = scratch();
  const hasher = new FileHasher();
  try {
    const path = join(dir, 'd.part');
    writeFileSync(path, randomFile(1000));
    await hasher.begin(path, 0, false);
    await assert.rejects(hasher.hashed(path, 5000), /ends at byte 1000, before 5000/);
    await assert.rejects(hasher.hashed(path, 1000), /no running hash/);
    // An announcement that fails has no answer of its own: the next call that has one says so.
    await hasher.begin(path, 0, false);
    hasher.advance(path, 5000);
    await assert.rejects(hasher.hashed(path, 1000), /no running hash/);
    await assert.rejects(hasher.digest(join(dir, 'missing.part'), 10), /ENOENT/);
    await hasher.begin(path, 1000, false);
    const more = randomFile(24);
    appendFileSync(path, more);
    assert.equal(await hasher.digest(path, 1024), sha256(Buffer.concat([readFileSync(path).subarray(0, 1000), more])));
  } finally {
    done();
  }
});
