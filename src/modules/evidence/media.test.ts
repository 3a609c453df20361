import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestApp, type TestApp } from '../../test/harness.ts';
import { makeVideo, sha256, tusClient, type Tus } from './test-helpers.ts';

let t: TestApp;
let tus: Tus;
let token: string;
let dir: string;

before(async () => {
  t = await startTestApp({}, { listen: true });
  token = (await t.user('evidence_officer')).token;
  tus = tusClient(t.url, token);
  dir = mkdtempSync(join(tmpdir(), 'peel-media-'));
});
after(async () => {
  await t.close();
  rmSync(dir, { recursive: true, force: true });
});

const upload = async (bytes: Buffer, filename: string) => {
  const location = (await tus.create(bytes.length, { filename })).headers.get('location')!;
  return tus.patch(location, 0, bytes);
};
const get = (path: string, headers: Record<string, string> = {}) => fetch(`${t.url}${path}`, { headers: { authorization: `Bearer ${token}`, ...headers } });

test('a real video gets its sniffed type, ffprobe facts and a poster frame, and plays inline as video/mp4', async () => {
  const video = makeVideo(join(dir, 'a.mp4'));
  const res = await upload(video, 'stop 17.mp4');
  assert.equal(res.status, 204);
  const id = Number(res.headers.get('peel-item-id'));
  // Facts arrive after the reply; closing waits for them, so poll briefly here.
  type Seen = { mimeType: string; media: { durationSeconds: number; codec: string; width: number; height: number; problem: string | null } | null; posterSha256: string | null };
  let item = (await (await get(`/api/evidence/items/${id}`)).json()) as Seen;
  for (let i = 0; i < 100 && !item.media; i++) {
    await new Promise((r) => setTimeout(r, 100));
    item = (await (await get(`/api/evidence/items/${id}`)).json()) as Seen;
  }
  assert.equal(item!.mimeType, 'video/mp4');
  assert.equal(item!.media!.codec, 'h264');
  assert.equal(item!.media!.width, 160);
  assert.ok(Math.abs(item!.media!.durationSeconds - 2) < 0.2);
  assert.equal(item!.media!.problem, null);
  assert.match(item!.posterSha256!, /^[0-9a-f]{64}$/);
  const poster = await get(`/api/evidence/items/${id}/poster`);
  assert.equal(poster.status, 200);
  const jpeg = Buffer.from(await poster.arrayBuffer());
  assert.deepEqual([...jpeg.subarray(0, 3)], [0xff, 0xd8, 0xff]);
  const play = await get(`/api/evidence/items/${id}/content`, { range: 'bytes=0-99' });
  assert.equal(play.status, 206);
  assert.equal(play.headers.get('content-type'), 'video/mp4');
  assert.match(play.headers.get('content-disposition')!, /^inline/);
  // The original is stored unmodified.
  const whole = await get(`/api/evidence/items/${id}/content`);
  assert.equal(sha256(new Uint8Array(await whole.arrayBuffer())), sha256(video));
});

test('bytes named as video that are not video are refused with 415 and not stored', async () => {
  const fake = Buffer.from('<html><script>alert(1)</script></html>'.repeat(20));
  const res = await upload(fake, 'clip.mp4');
  assert.equal(res.status, 415);
  assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'wrong_magic_bytes');
  const found = (await (await get(`/api/evidence/items?sha256=${sha256(fake)}`)).json()) as { items: unknown[] };
  assert.equal(found.items.length, 0);
  assert.equal(await t.platform.blobs.stat(sha256(fake)), null);
});

test('a truncated MP4 is stored as it came (it is evidence) and its media facts say it is cut short', async () => {
  const video = makeVideo(join(dir, 'b.mp4'), 3);
  const cut = video.subarray(0, Math.floor(video.length * 0.6));
  const res = await upload(cut, 'cut.mp4');
  assert.equal(res.status, 204);
  const id = Number(res.headers.get('peel-item-id'));
  let media: { problem: string | null } | null = null;
  for (let i = 0; i < 100 && !media; i++) {
    media = ((await (await get(`/api/evidence/items/${id}`)).json()) as { media: { problem: string | null } | null }).media;
    if (!media) await new Promise((r) => setTimeout(r, 100));
  }
  assert.match(media!.problem!, /cut short/);
});
