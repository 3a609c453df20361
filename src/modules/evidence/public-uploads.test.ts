import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestApp, type TestApp } from '../../test/harness.ts';
import { b64, makeVideo, randomFile, sha256, tusClient } from './test-helpers.ts';

let t: TestApp;
let eo: { token: string; username: string };
let dir: string;

before(async () => {
  t = await startTestApp({}, { listen: true });
  eo = await t.user('evidence_officer', 'eo-cctv');
  dir = mkdtempSync(join(tmpdir(), 'peel-cctv-'));
});
after(async () => {
  await t.close();
  rmSync(dir, { recursive: true, force: true });
});

const tusHeaders = { 'tus-resumable': '1.0.0' };
/** A member of the public's tus client: no Authorization header at all. */
async function send(uploadUrl: string, bytes: Buffer, filename: string): Promise<Response> {
  const created = await fetch(uploadUrl, { method: 'POST', headers: { ...tusHeaders, 'upload-length': String(bytes.length), 'upload-metadata': `filename ${b64(filename)}` } });
  if (created.status !== 201) return created;
  return fetch(new URL(created.headers.get('location')!, uploadUrl), { method: 'PATCH', headers: { ...tusHeaders, 'content-type': 'application/offset+octet-stream', 'upload-offset': '0' }, body: bytes });
}

test('a public upload link takes video for its incident, within its limits, from someone with no account', async () => {
  const res = await fetch(`${t.url}/api/evidence/upload-requests`, {
    method: 'POST',
    headers: { authorization: `Bearer ${eo.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ incidentRef: 'INC-2026-0042', description: 'CCTV of the car park, 21:00 to 22:00', maxBytes: 1_000_000, maxFiles: 2 }),
  });
  assert.equal(res.status, 200);
  const request = (await res.json()) as { id: number; url: string; uploadUrl: string };
  assert.match(request.url, /\/send-footage\/[A-Za-z0-9_-]{43}$/);

  const info = (await (await fetch(request.uploadUrl)).json()) as { incidentRef: string; filesLeft: number; maxBytes: number };
  assert.deepEqual([info.incidentRef, info.filesLeft, info.maxBytes], ['INC-2026-0042', 2, 1_000_000]);

  const video = makeVideo(join(dir, 'car-park.mp4'), 1);
  const sent = await send(request.uploadUrl, video, 'car park.mp4');
  assert.equal(sent.status, 204);
  const itemId = Number(sent.headers.get('peel-item-id'));
  const item = (await (await fetch(`${t.url}/api/evidence/items/${itemId}`, { headers: { authorization: `Bearer ${eo.token}` } })).json()) as Record<string, unknown>;
  assert.equal(item.source, 'public');
  assert.equal(item.incidentRef, 'INC-2026-0042');
  assert.equal(item.officer, eo.username);
  assert.equal(item.uploadedBy, `public-request:${request.id}`);
  assert.equal(item.sha256, sha256(video));

  // Too big, and not video: refused, nothing stored.
  assert.equal((await send(request.uploadUrl, randomFile(1_000_001), 'big.mp4')).status, 413);
  const junk = randomFile(5000);
  const refused = await send(request.uploadUrl, junk, 'notes.txt');
  assert.equal(refused.status, 415);
  assert.equal(await t.platform.blobs.stat(sha256(junk)), null);

  // A staff member's upload cannot be reached through the public link.
  const staff = tusClient(t.url, eo.token);
  const staffUpload = (await staff.create(10)).headers.get('location')!.split('/').pop()!;
  const token = request.uploadUrl.split('/').pop()!;
  assert.equal((await fetch(`${request.uploadUrl}/${staffUpload}`, { method: 'HEAD', headers: tusHeaders })).status, 404);

  // The second file fills the link; a third is refused.
  assert.equal((await send(request.uploadUrl, makeVideo(join(dir, 'second.mp4'), 1, '2026-11-02T00:00:00Z'), 'second.mp4')).status, 204);
  const full = await fetch(request.uploadUrl, { method: 'POST', headers: { ...tusHeaders, 'upload-length': '10' } });
  assert.equal(full.status, 410);
  assert.equal(((await full.json()) as { error: { code: string } }).error.code, 'full');
  assert.equal((await fetch(`${t.url}/api/evidence/public-uploads/${token}x`)).status, 404);
});

test('a withdrawn upload link answers 410', async () => {
  const res = await fetch(`${t.url}/api/evidence/upload-requests`, { method: 'POST', headers: { authorization: `Bearer ${eo.token}`, 'content-type': 'application/json' }, body: JSON.stringify({ incidentRef: 'INC-7' }) });
  const request = (await res.json()) as { id: number; uploadUrl: string };
  const del = await fetch(`${t.url}/api/evidence/upload-requests/${request.id}`, { method: 'DELETE', headers: { authorization: `Bearer ${eo.token}` } });
  assert.equal(del.status, 200);
  assert.equal((await fetch(request.uploadUrl)).status, 410);
  assert.equal((await send(request.uploadUrl, randomFile(10), 'x.mp4')).status, 410);
});
