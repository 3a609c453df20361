import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { startTestApp, type TestApp } from '../../test/harness.ts';
import { parseMetadata } from './uploads.ts';
import { heldBody, randomFile, sha256, sha256b64, tusClient, type Tus } from './test-helpers.ts';
import { uploadsDir } from './routes.ts';

let t: TestApp;
let tus: Tus;
let token: string;

before(async () => {
  t = await startTestApp({ PEEL_UPLOAD_MAX_BYTES: String(50 * 1024 * 1024) }, { listen: true });
  token = (await t.user('officer', 'pc-jones')).token;
  tus = tusClient(t.url, token);
});
after(() => t.close());

const items = async (sha: string) => (await (await fetch(`${t.url}/api/evidence/items?sha256=${sha}`, { headers: { authorization: `Bearer ${token}` } })).json()) as { items: Array<{ id: number; sha256: string; filename: string; size: number }> };

test('OPTIONS advertises tus 1.0 with creation, checksum (sha256) and termination', async () => {
  const res = await fetch(`${t.url}/api/evidence/uploads`, { method: 'OPTIONS' });
  assert.equal(res.status, 204);
  assert.equal(res.headers.get('tus-version'), '1.0.0');
  assert.equal(res.headers.get('tus-resumable'), '1.0.0');
  assert.deepEqual(res.headers.get('tus-extension')!.split(','), ['creation', 'checksum', 'termination']);
  assert.equal(res.headers.get('tus-checksum-algorithm'), 'sha256');
  assert.equal(res.headers.get('tus-max-size'), String(50 * 1024 * 1024));
});

test('an upload in two checksummed chunks becomes an item findable by its SHA-256, served with ranges', async () => {
  const file = randomFile(300_000);
  const created = await tus.create(file.length, { filename: 'bwv 0001.bin', recordedStart: '2026-11-01T10:00:00Z', deviceSerial: 'X81-0001' });
  assert.equal(created.status, 201);
  const location = created.headers.get('location')!;
  assert.match(location, /^\/api\/evidence\/uploads\/[0-9a-f]{32}$/);
  const first = file.subarray(0, 100_000);
  const r1 = await tus.patch(location, 0, first, { 'upload-checksum': `sha256 ${sha256b64(first)}` });
  assert.equal(r1.status, 204);
  assert.equal(r1.headers.get('upload-offset'), '100000');
  const head = await tus.head(location);
  assert.equal(head.headers.get('upload-offset'), '100000');
  assert.equal(head.headers.get('upload-length'), '300000');
  assert.equal(head.headers.get('cache-control'), 'no-store');
  assert.deepEqual(parseMetadata(head.headers.get('upload-metadata')!).filename, 'bwv 0001.bin');
  const rest = file.subarray(100_000);
  const r2 = await tus.patch(location, 100_000, rest, { 'upload-checksum': `sha256 ${sha256b64(rest)}` });
  assert.equal(r2.status, 204);
  const itemId = Number(r2.headers.get('peel-item-id'));
  assert.ok(itemId > 0);

  const found = await items(sha256(file));
  assert.equal(found.items.length, 1);
  assert.equal(found.items[0]!.id, itemId);
  assert.equal(found.items[0]!.sha256, sha256(file));
  assert.equal(found.items[0]!.filename, 'bwv 0001.bin');
  assert.equal(found.items[0]!.size, file.length);

  const auth = { authorization: `Bearer ${token}` };
  const whole = await fetch(`${t.url}/api/evidence/items/${itemId}/content`, { headers: auth });
  assert.equal(whole.status, 200);
  assert.equal(whole.headers.get('accept-ranges'), 'bytes');
  assert.equal(whole.headers.get('etag'), `"${sha256(file)}"`);
  assert.equal(sha256(new Uint8Array(await whole.arrayBuffer())), sha256(file));
  const part = await fetch(`${t.url}/api/evidence/items/${itemId}/content`, { headers: { ...auth, range: 'bytes=1000-1999' } });
  assert.equal(part.status, 206);
  assert.equal(part.headers.get('content-range'), `bytes 1000-1999/${file.length}`);
  assert.deepEqual(Buffer.from(await part.arrayBuffer()), file.subarray(1000, 2000));
  const tail = await fetch(`${t.url}/api/evidence/items/${itemId}/content`, { headers: { ...auth, range: 'bytes=-10' } });
  assert.deepEqual(Buffer.from(await tail.arrayBuffer()), file.subarray(file.length - 10));
  const beyond = await fetch(`${t.url}/api/evidence/items/${itemId}/content`, { headers: { ...auth, range: `bytes=${file.length}-` } });
  assert.equal(beyond.status, 416);
  assert.equal(beyond.headers.get('content-range'), `bytes */${file.length}`);

  // The upload, the reading and the playing are all in the item's audit trail.
  const audit = await t.platform.db.selectFrom('audit_record_refs').innerJoin('audit_log', 'audit_log.seq', 'audit_record_refs.seq').select(['action']).where('audit_record_refs.record_type', '=', 'evidence_item').where('audit_record_refs.record_id', '=', String(itemId)).execute();
  const actions = audit.map((a) => a.action as string);
  assert.ok(actions.includes('evidence.ingest'));
  assert.ok(actions.includes('evidence.play'));
  assert.ok(actions.includes('evidence.items.list'));
});

test('a chunk that does not match its checksum is refused with 460 and the offset stays', async () => {
  const file = randomFile(5000);
  const location = (await tus.create(file.length)).headers.get('location')!;
  const wrong = await tus.patch(location, 0, file, { 'upload-checksum': `sha256 ${sha256b64(randomFile(10))}` });
  assert.equal(wrong.status, 460);
  assert.equal(((await wrong.json()) as { error: { code: string } }).error.code, 'checksum_mismatch');
  assert.equal((await tus.head(location)).headers.get('upload-offset'), '0');
  const unsupported = await tus.patch(location, 0, file, { 'upload-checksum': `md5 ${Buffer.alloc(16).toString('base64')}` });
  assert.equal(unsupported.status, 400);
  // The same chunk, sent right, completes the upload with the right hash.
  const right = await tus.patch(location, 0, file, { 'upload-checksum': `sha256 ${sha256b64(file)}` });
  assert.equal(right.status, 204);
  assert.equal((await items(sha256(file))).items.length, 1);
});

test('a whole-file sha256 in the metadata that does not match discards the upload with 460', async () => {
  const file = randomFile(2000);
  const location = (await tus.create(file.length, { sha256: sha256(randomFile(5)) })).headers.get('location')!;
  const res = await tus.patch(location, 0, file);
  assert.equal(res.status, 460);
  assert.equal((await items(sha256(file))).items.length, 0);
  assert.equal((await tus.head(location)).status, 404);
});

test('wrong offset 409, wrong content type 415, over the maximum 413, wrong version 412, bad metadata 400', async () => {
  const file = randomFile(1000);
  const location = (await tus.create(file.length)).headers.get('location')!;
  assert.equal((await tus.patch(location, 10, file)).status, 409);
  assert.equal((await tus.patch(location, 0, file, { 'content-type': 'application/octet-stream' })).status, 415);
  assert.equal((await tus.patch(location, 0, randomFile(2000))).status, 413);
  assert.equal((await tus.create(51 * 1024 * 1024)).status, 413);
  const old = await tus.create(10, {}, { 'tus-resumable': '0.2.2' });
  assert.equal(old.status, 412);
  assert.equal(old.headers.get('tus-version'), '1.0.0');
  const bad = await tus.create(10, { recordedStart: 'yesterday' });
  assert.equal(bad.status, 400);
  assert.match(((await bad.json()) as { error: { message: string } }).error.message, /recordedStart/);
  assert.equal((await tus.head(location)).headers.get('upload-offset'), '0');
});

test('a file name with path traversal is kept as a label only; nothing is written outside the store', async () => {
  const file = randomFile(700);
  const evil = '../../../../tmp/peel-escape.bin';
  const location = (await tus.create(file.length, { filename: evil })).headers.get('location')!;
  const res = await tus.patch(location, 0, file);
  assert.equal(res.status, 204);
  const found = await items(sha256(file));
  assert.equal(found.items[0]!.filename, evil);
  const staged = readdirSync(uploadsDir(t.platform.config));
  assert.ok(staged.every((f) => /^[0-9a-f]{32}\.part$/.test(f)), staged.join(','));
  assert.throws(() => statSync('/tmp/peel-escape.bin'));
  const download = await fetch(`${t.url}/api/evidence/items/${found.items[0]!.id}/content?download=true`, { headers: { authorization: `Bearer ${token}` } });
  assert.match(download.headers.get('content-disposition')!, /^attachment; filename="\.\._\.\._/);
});

test('two PATCH requests at the same offset at once: one wins, the other gets 409, the file is intact', async () => {
  const file = randomFile(400_000);
  const location = (await tus.create(file.length)).headers.get('location')!;
  const held = heldBody(file.subarray(0, 100_000), file.subarray(100_000));
  const winner = tus.patch(location, 0, held.body);
  await held.sent;
  await new Promise((r) => setTimeout(r, 100));
  const loser = await tus.patch(location, 0, file);
  assert.equal(loser.status, 409);
  held.release();
  const won = await winner;
  assert.equal(won.status, 204);
  const itemId = Number(won.headers.get('peel-item-id'));
  const bytes = await fetch(`${t.url}/api/evidence/items/${itemId}/content`, { headers: { authorization: `Bearer ${token}` } });
  assert.equal(sha256(new Uint8Array(await bytes.arrayBuffer())), sha256(file));
});

test('termination removes the staged bytes; another user cannot see or touch an upload', async () => {
  const location = (await tus.create(100)).headers.get('location')!;
  const id = location.split('/').pop()!;
  const other = tusClient(t.url, (await t.user('officer')).token);
  assert.equal((await other.head(location)).status, 404);
  assert.equal((await other.patch(location, 0, randomFile(100))).status, 404);
  const del = await fetch(`${t.url}${location}`, { method: 'DELETE', headers: { authorization: `Bearer ${token}`, 'tus-resumable': '1.0.0' } });
  assert.equal(del.status, 204);
  assert.throws(() => statSync(join(uploadsDir(t.platform.config), `${id}.part`)));
  assert.equal((await tus.head(location)).status, 404);
});

test('the same content uploaded twice is one item', async () => {
  const file = randomFile(1234);
  const ids = [];
  for (let i = 0; i < 2; i++) {
    const location = (await tus.create(file.length)).headers.get('location')!;
    ids.push((await tus.patch(location, 0, file)).headers.get('peel-item-id'));
  }
  assert.equal(ids[0], ids[1]);
  assert.equal((await items(sha256(file))).items.length, 1);
});

test('the web app uploads with its session cookie and CSRF token; without the token a write is refused', async () => {
  const { username } = await t.user('evidence_officer');
  const { cookie, csrf } = await t.signIn(username);
  assert.ok(cookie && csrf);
  const file = randomFile(2048);
  const base = { cookie, 'tus-resumable': '1.0.0' };
  const created = await fetch(`${t.url}/api/evidence/uploads`, { method: 'POST', headers: { ...base, 'x-csrf-token': csrf, 'upload-length': String(file.length) } });
  assert.equal(created.status, 201);
  const location = `${t.url}${created.headers.get('location')}`;
  const noToken = await fetch(location, { method: 'PATCH', headers: { ...base, 'content-type': 'application/offset+octet-stream', 'upload-offset': '0' }, body: file });
  assert.equal(noToken.status, 403);
  const head = await fetch(location, { method: 'HEAD', headers: base });
  assert.equal(head.headers.get('upload-offset'), '0');
  const done = await fetch(location, { method: 'PATCH', headers: { ...base, 'x-csrf-token': csrf, 'content-type': 'application/offset+octet-stream', 'upload-offset': '0' }, body: file });
  assert.equal(done.status, 204);
  assert.ok(Number(done.headers.get('peel-item-id')) > 0);
});

test("an upload injected into the app (not over a socket) leaves the caller's buffer untouched", async () => {
  // Chunks of a real HTTP request are freed once written; anything else may belong to the caller.
  const file = randomFile(200_000);
  const copy = Buffer.from(file);
  const location = (await tus.create(file.length)).headers.get('location')!;
  const res = await t.app.inject({
    method: 'PATCH',
    url: location,
    headers: { authorization: `Bearer ${token}`, 'tus-resumable': '1.0.0', 'content-type': 'application/offset+octet-stream', 'upload-offset': '0' },
    payload: file,
  });
  assert.equal(res.statusCode, 204);
  assert.equal(file.length, copy.length);
  assert.ok(file.equals(copy));
  assert.equal((await items(sha256(copy))).items.length, 1);
});
