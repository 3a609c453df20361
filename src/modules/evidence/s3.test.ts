import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestApp, type TestApp } from '../../test/harness.ts';
import { startS3Server, type TestS3Server } from '../../test/s3-server.ts';
import { cliActor } from '../../platform/actor.ts';
import { makeVideo, sha256, sha256b64, tusClient } from './test-helpers.ts';
import { sweep, verify } from './sweep.ts';

let s3: TestS3Server;
let t: TestApp;
let dir: string;

before(async () => {
  s3 = await startS3Server();
  dir = mkdtempSync(join(tmpdir(), 'peel-evidence-s3-'));
  t = await startTestApp(
    {
      PEEL_BLOBS: `s3://${s3.bucket}/evidence`,
      PEEL_S3_ENDPOINT: s3.endpoint,
      PEEL_S3_ACCESS_KEY_ID: s3.accessKeyId,
      PEEL_S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
      PEEL_S3_REGION: s3.region,
      PEEL_S3_FORCE_PATH_STYLE: 'true',
      PEEL_UPLOADS: join(dir, 'uploads'),
    },
    { listen: true },
  );
});
after(async () => {
  await t?.close();
  await s3?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('with the S3-compatible store: a tus upload lands in the bucket, plays with ranges, verifies, shares and is swept', async () => {
  assert.match(t.platform.blobs.describe, /^S3|s3/);
  const token = (await t.user('evidence_officer')).token;
  const tus = tusClient(t.url, token);
  const video = makeVideo(join(dir, 'v.mp4'), 2);
  const location = (await tus.create(video.length, { filename: 'v.mp4', recordedStart: '2026-01-01T00:00:00Z' })).headers.get('location')!;
  const half = Math.floor(video.length / 2);
  assert.equal((await tus.patch(location, 0, video.subarray(0, half), { 'upload-checksum': `sha256 ${sha256b64(video.subarray(0, half))}` })).status, 204);
  const done = await tus.patch(location, half, video.subarray(half));
  assert.equal(done.status, 204);
  const id = Number(done.headers.get('peel-item-id'));
  assert.deepEqual(await t.platform.blobs.stat(sha256(video)), { size: video.length });
  const part = await fetch(`${t.url}/api/evidence/items/${id}/content`, { headers: { authorization: `Bearer ${token}`, range: 'bytes=10-19' } });
  assert.equal(part.status, 206);
  assert.deepEqual(Buffer.from(await part.arrayBuffer()), video.subarray(10, 20));
  const share = (await (await fetch(`${t.url}/api/evidence/items/${id}/shares`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: '{}' })).json()) as { downloadUrl: string };
  assert.equal(sha256(new Uint8Array(await (await fetch(share.downloadUrl)).arrayBuffer())), sha256(video));
  const checked = await verify(t.platform.db, t.platform.blobs);
  assert.equal(checked.ok, true, JSON.stringify(checked.problems));
  const swept = await sweep(t.platform.db, t.platform.blobs, cliActor(), new Date('2026-03-01T00:00:00Z'), false);
  assert.deepEqual(swept.deleted, [id]);
  assert.equal(await t.platform.blobs.stat(sha256(video)), null);
});
