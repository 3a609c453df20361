import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp, type TestApp } from '../../test/harness.ts';

let t: TestApp;
let auditor: { id: number; username: string; token: string };
let admin: { id: number; username: string; token: string };
before(async () => {
  t = await startTestApp();
  auditor = await t.user('auditor');
  admin = await t.user('admin');
  await t.app.inject({ method: 'POST', url: '/api/users', headers: { authorization: `Bearer ${admin.token}` }, payload: { username: 'pc.jones', role: 'officer' } });
});
after(() => t.close());

const get = (url: string, token = auditor.token) => t.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } });

test('auditors search by user, action and time; the search itself is logged', async () => {
  const res = await get(`/api/audit?username=${admin.username}&action=users.create`);
  assert.equal(res.statusCode, 200);
  const { entries } = res.json();
  assert.equal(entries.length, 1);
  assert.equal(entries[0].operation, 'collection');
  assert.equal(entries[0].role, 'admin');
  assert.equal(entries[0].clientIp, '127.0.0.1');
  const future = await get(`/api/audit?from=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`);
  assert.deepEqual(future.json().entries, []);
  const searches = (await get('/api/audit?action=audit.search')).json().entries;
  assert.ok(searches.length >= 2);
  assert.equal(searches[0].username, auditor.username);
});

test('a bad filter is named', async () => {
  const res = await get('/api/audit?from=yesterday');
  assert.equal(res.statusCode, 400);
  assert.match(res.json().error.message, /querystring\.from/);
});

test('export needs a justification, streams CSV or JSON Lines, and is logged as a disclosure', async () => {
  const refused = await get('/api/audit/export?format=csv');
  assert.equal(refused.statusCode, 400);
  assert.equal(refused.json().error.code, 'justification_required');
  const csv = await get('/api/audit/export?format=csv&justification=Quarterly%20DPA%20audit');
  assert.equal(csv.statusCode, 200);
  assert.match(String(csv.headers['content-type']), /text\/csv/);
  assert.match(String(csv.headers['content-disposition']), /attachment; filename="peel-audit-.*\.csv"/);
  const lines = csv.body.trim().split('\r\n');
  assert.equal(lines[0], 'seq,at,userId,username,role,operation,action,recordType,recordIds,justification,reasonCode,clientIp,details,prevHash,hash');
  const jsonl = await get('/api/audit/export?format=jsonl&justification=Quarterly%20DPA%20audit');
  const entries = jsonl.body.trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(entries.map((e) => e.seq), [...entries.keys()].map((i) => i + 1), 'oldest first, none missing');
  const disclosure = entries.find((e) => e.action === 'audit.export');
  assert.equal(disclosure.operation, 'disclosure');
  assert.equal(disclosure.justification, 'Quarterly DPA audit');
});

test('verify over HTTP reports an intact chain', async () => {
  const r = (await get('/api/audit/verify')).json();
  assert.equal(r.ok, true);
  assert.ok(r.entries > 5);
});

test('administrators cannot read the audit log', async () => {
  assert.equal((await get('/api/audit', admin.token)).statusCode, 403);
});
