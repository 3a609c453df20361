import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { unzipSync } from 'fflate';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestApp, type TestApp } from '../../test/harness.ts';
import { randomFile, sha256, tusClient } from './test-helpers.ts';

let t: TestApp;
let officer: string;
let evidence: string;
const files: Buffer[] = [];
const ids: number[] = [];

before(async () => {
  t = await startTestApp({}, { listen: true });
  officer = (await t.user('officer', 'pc-share')).token;
  evidence = (await t.user('evidence_officer', 'eo-share')).token;
  const tus = tusClient(t.url, officer);
  for (const name of ['front door.bin', '../../escape.bin', 'car park.bin']) {
    const file = randomFile(50_000 + files.length * 1000);
    const location = (await tus.create(file.length, { filename: name })).headers.get('location')!;
    ids.push(Number((await tus.patch(location, 0, file)).headers.get('peel-item-id')));
    files.push(file);
  }
});
after(() => t.close());

const post = (path: string, body: unknown, token = evidence) =>
  fetch(`${t.url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
const shareOf = async (itemId: number, body: Record<string, unknown>) => {
  const res = await post(`/api/evidence/items/${itemId}/shares`, body);
  assert.equal(res.status, 200, await res.clone().text());
  return (await res.json()) as { id: number; url: string; downloadUrl: string; accessCount: number; expiresAt: string };
};

test('a link gives the bytes to someone with no account, counts accesses to its cap, and logs each as a disclosure', async () => {
  const s = await shareOf(ids[0]!, { expiresInDays: 7, allowDownload: true, maxAccesses: 2, recipient: 'CPS Wessex' });
  assert.match(s.downloadUrl, /^http:\/\/127\.0\.0\.1:\d+\/api\/evidence\/shared\/[A-Za-z0-9_-]{43}\/download$/);
  assert.match(s.url, /\/shared\/[A-Za-z0-9_-]{43}$/);
  assert.ok(Math.abs(Date.parse(s.expiresAt) - Date.now() - 7 * 86_400_000) < 60_000);
  const token = s.downloadUrl.split('/').at(-2)!;
  // Only the hash of the token is stored.
  const stored = await t.platform.db.selectFrom('evidence_shares').select('token_hash').where('id', '=', s.id).executeTakeFirstOrThrow();
  assert.equal(stored.token_hash, sha256(Buffer.from(token)));

  const view = await fetch(`${t.url}/api/evidence/shared/${token}`);
  assert.equal(view.status, 200);
  const described = (await view.json()) as { items: Array<{ sha256: string }>; accessesLeft: number; recipient: string };
  assert.equal(described.items[0]!.sha256, sha256(files[0]!));
  assert.equal(described.accessesLeft, 2);
  assert.ok((described as unknown as { sharedBy: string }).sharedBy, 'the recipient sees who shared it');

  const first = await fetch(s.downloadUrl);
  assert.equal(first.status, 200);
  assert.match(first.headers.get('content-disposition')!, /^attachment/);
  assert.equal(sha256(new Uint8Array(await first.arrayBuffer())), sha256(files[0]!));
  // A range past the start belongs to the same viewing and is not counted.
  const part = await fetch(s.downloadUrl, { headers: { range: 'bytes=100-199' } });
  assert.equal(part.status, 206);
  assert.deepEqual(Buffer.from(await part.arrayBuffer()), files[0]!.subarray(100, 200));
  assert.equal((await fetch(s.downloadUrl)).status, 200);
  const third = await fetch(s.downloadUrl);
  assert.equal(third.status, 410);
  assert.equal(((await third.json()) as { error: { code: string } }).error.code, 'used_up');

  const disclosures = await t.platform.db.selectFrom('audit_log').select(['operation', 'justification', 'details', 'role']).where('action', '=', 'evidence.share.access').execute();
  assert.equal(disclosures.length, 2);
  for (const d of disclosures) {
    assert.equal(d.operation, 'disclosure');
    assert.equal(d.role, 'public');
    assert.match(d.justification as string, /CPS Wessex/);
  }
});

test('a revoked link answers 410; an expired one 410; an unknown one 404', async () => {
  const s = await shareOf(ids[1]!, { recipient: 'Defence' });
  assert.equal((await fetch(s.downloadUrl)).status, 200);
  const del = await fetch(`${t.url}/api/evidence/shares/${s.id}`, { method: 'DELETE', headers: { authorization: `Bearer ${evidence}` } });
  assert.equal(del.status, 200);
  assert.ok(((await del.json()) as { revokedAt: string }).revokedAt);
  const after = await fetch(s.downloadUrl);
  assert.equal(after.status, 410);
  assert.equal(((await after.json()) as { error: { code: string } }).error.code, 'revoked');

  const e = await shareOf(ids[1]!, { expiresInDays: 1 });
  await t.platform.db.updateTable('evidence_shares').set({ expires_at: new Date(Date.now() - 1000).toISOString() }).where('id', '=', e.id).execute();
  const expired = await fetch(e.downloadUrl);
  assert.equal(expired.status, 410);
  assert.equal(((await expired.json()) as { error: { code: string } }).error.code, 'expired');
  assert.equal((await fetch(`${t.url}/api/evidence/shared/${'A'.repeat(43)}/download`)).status, 404);
});

test('a PIN is required, and five wrong ones withdraw the link', async () => {
  const s = await shareOf(ids[0]!, { pin: '482913' });
  assert.equal((await fetch(s.downloadUrl)).status, 401);
  assert.equal((await fetch(s.downloadUrl, { headers: { 'peel-share-pin': '482913' } })).status, 200);
  assert.equal((await fetch(`${s.downloadUrl}?pin=482913`)).status, 200);
  for (let i = 0; i < 5; i++) assert.equal((await fetch(s.downloadUrl, { headers: { 'peel-share-pin': '000000' } })).status, 401);
  assert.equal((await fetch(s.downloadUrl, { headers: { 'peel-share-pin': '482913' } })).status, 410);
});

test('a view-only link plays inline with Range but refuses the download', async () => {
  const s = await shareOf(ids[2]!, { allowDownload: false });
  const token = s.downloadUrl.split('/').at(-2)!;
  assert.equal((await fetch(s.downloadUrl)).status, 403);
  const inline = await fetch(`${t.url}/api/evidence/shared/${token}/items/${ids[2]}/content`, { headers: { range: 'bytes=0-9' } });
  assert.equal(inline.status, 206);
  assert.deepEqual(Buffer.from(await inline.arrayBuffer()), files[2]!.subarray(0, 10));
  assert.equal((await fetch(`${t.url}/api/evidence/shared/${token}/items/${ids[0]}/content`)).status, 404);
});

test('a bundle downloads as a zip whose SHA256SUMS passes sha256sum -c', async () => {
  const res = await post('/api/evidence/shares', { itemIds: ids, recipient: 'CPS' });
  assert.equal(res.status, 200);
  const s = (await res.json()) as { downloadUrl: string };
  const zip = await fetch(s.downloadUrl);
  assert.equal(zip.status, 200);
  assert.equal(zip.headers.get('content-type'), 'application/zip');
  const dir = mkdtempSync(join(tmpdir(), 'peel-bundle-'));
  try {
    // Unpacked with fflate (no unzip program needed), checked with the standard sha256sum.
    const entries = unzipSync(new Uint8Array(await zip.arrayBuffer()));
    assert.deepEqual(Object.keys(entries).sort(), [...ids.map((id, i) => `${id}-${['front door.bin', 'escape.bin', 'car park.bin'][i]}`), 'SHA256SUMS'].sort());
    mkdirSync(join(dir, 'out'));
    for (const [name, bytes] of Object.entries(entries)) writeFileSync(join(dir, 'out', name), bytes);
    const out = execFileSync('sha256sum', ['-c', 'SHA256SUMS'], { cwd: join(dir, 'out'), encoding: 'utf8' });
    assert.equal(out.trim().split('\n').length, 3);
    assert.ok(out.trim().split('\n').every((l) => l.endsWith(': OK')), out);
    assert.match(out, /-escape\.bin: OK/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an officer cannot share; nobody can share an item they cannot see', async () => {
  assert.equal((await post(`/api/evidence/items/${ids[0]}/shares`, {}, officer)).status, 403);
  const supervisor = (await t.user('supervisor')).token;
  assert.equal((await post(`/api/evidence/items/${ids[0]}/shares`, {}, supervisor)).status, 404);
});
