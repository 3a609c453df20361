import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startTestApp, type TestApp } from '../../test/harness.ts';
import { bumpDataVersion } from '../crime/query-fixtures.ts';
import { crimeData } from '../crime/query.ts';
import { webhookSignature } from './feeds.ts';

/** Feeds served by a real HTTP server in real formats; the app polls them over the network. */

let t: TestApp;
let admin: { token: string };
let control: { token: string };
let feedServer: Server;
let feedBase: string;
const documents = new Map<string, { type: string; body: string }>();

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

/** A square LSOA around a point, in the shape the crime importer stores. */
async function addLsoa(code: string, name: string, lon: number, lat: number) {
  const d = 0.01;
  const ring = [[lon - d, lat - d], [lon + d, lat - d], [lon + d, lat + d], [lon - d, lat + d], [lon - d, lat - d]];
  const now = new Date().toISOString();
  await t.platform.db
    .insertInto('lsoa_boundaries')
    .values({ lsoa_code: code, lsoa_name: name, geometry: JSON.stringify({ type: 'Polygon', coordinates: [ring] }), min_longitude: lon - d, min_latitude: lat - d, max_longitude: lon + d, max_latitude: lat + d, source_file: 'test', imported_at: now, updated_at: now })
    .execute();
}

before(async () => {
  feedServer = createServer((req, res) => {
    const doc = documents.get(req.url ?? '');
    if (!doc) return void res.writeHead(404).end('not here');
    res.writeHead(200, { 'content-type': doc.type }).end(doc.body);
  });
  await new Promise<void>((r) => feedServer.listen(0, '127.0.0.1', r));
  feedBase = `http://127.0.0.1:${(feedServer.address() as AddressInfo).port}`;
  documents.set('/rss', { type: 'application/rss+xml', body: fixture('rss.xml') });
  documents.set('/atom', { type: 'application/atom+xml', body: fixture('atom.xml') });
  documents.set('/json', { type: 'application/feed+json', body: fixture('feed.json') });
  documents.set('/bomb', { type: 'application/xml', body: '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><rss><channel><item><title>&b;</title></item></channel></rss>' });
  documents.set('/html', { type: 'text/html', body: '<html><body>Page moved</body></html>' });

  t = await startTestApp({ PEEL_RATE_LIMIT_PUBLIC_PER_MINUTE: '10000' }, { listen: true });
  admin = await t.user('admin');
  control = await t.user('control_room');
  await addLsoa('E01025001', 'Charnwood 001A', -1.2, 52.77);
  await addLsoa('E01025002', 'Charnwood 002B', -1.18, 52.75);
  await addLsoa('E01025100', 'Blaby 010D', -1.17, 52.57);
  await addLsoa('E01025200', 'Oadby and Wigston 003A', -1.08, 52.59);
  await bumpDataVersion(t.platform.db);
  crimeData(t.platform.db).cubes.invalidate();
});
after(async () => {
  await t.close();
  await new Promise((r) => feedServer.close(r));
});

const call = (token: string, method: 'GET' | 'POST' | 'PATCH', url: string, payload?: object) =>
  t.app.inject({ method, url, headers: { authorization: `Bearer ${token}` }, ...(payload ? { payload } : {}) });

async function addSource(body: object) {
  const res = await call(admin.token, 'POST', '/api/reports/admin/sources', body);
  assert.equal(res.statusCode, 201, res.body);
  return res.json() as { source: { id: number }; secret: string | null };
}

async function itemsFrom(channel: string) {
  const res = await call(control.token, 'GET', `/api/reports?channel=${channel}&limit=100`);
  assert.equal(res.statusCode, 200);
  return res.json().items as Array<Record<string, unknown>>;
}

test('an RSS feed is polled: good items become reports, bad ones are listed with their reasons, a second poll stores nothing twice', async () => {
  const { source, secret } = await addSource({ name: 'Community alerts', kind: 'rss', url: `${feedBase}/rss`, pollSeconds: 86400, defaultCategory: 'antisocial-behaviour' });
  assert.equal(secret, null);
  const first = await call(admin.token, 'POST', `/api/reports/admin/sources/${source.id}/poll`, {});
  assert.equal(first.statusCode, 200, first.body);
  const r = first.json();
  // The server's own timer may have polled the new source first: then these are duplicates.
  const taken = (x: { accepted: Array<{ id: string; reference: string }>; duplicates: Array<{ id: string; reference: string }> }) => [...x.accepted, ...x.duplicates].sort((a, b) => a.id.localeCompare(b.id));
  assert.deepEqual(taken(r).map((a) => a.id), ['alert-101', 'alert-102']);
  assert.deepEqual(r.rejected.map((x: { index: number }) => x.index), [2, 3, 4]);
  const again = (await call(admin.token, 'POST', `/api/reports/admin/sources/${source.id}/poll`, {})).json();
  assert.deepEqual(again.accepted, []);
  assert.deepEqual(again.duplicates.map((a: { reference: string }) => a.reference).sort(), taken(r).map((a) => a.reference).sort());

  const items = await itemsFrom('rss');
  const stones = items.find((i) => i.authorHandle === '@westend_watch')!;
  assert.equal(stones.source, 'Community alerts');
  assert.equal(stones.latitude, 52.6301);
  assert.equal(stones.locationInferred, false);
  assert.equal(stones.category, 'antisocial-behaviour');
  assert.match(String(stones.description), /Narborough Road & nobody hurt/);
  // No coordinates, but it names Charnwood: the district's centre, marked as inferred.
  const graffiti = items.find((i) => String(i.description).startsWith('Graffiti'))!;
  assert.equal(graffiti.locationInferred, true);
  assert.equal(graffiti.placeName, 'Charnwood');
  assert.ok(Math.abs(Number(graffiti.latitude) - 52.76) < 1e-6);
  const listed = (await call(admin.token, 'GET', '/api/reports/admin/sources')).json().sources.find((s: { id: number }) => s.id === source.id);
  assert.match(listed.lastError, /3 item\(s\) rejected: it has no id/);
});

test('Atom and JSON Feed sources land in the same shape', async () => {
  const atom = await addSource({ name: 'Partner alerts', kind: 'atom', url: `${feedBase}/atom`, pollSeconds: 86400 });
  const a = (await call(admin.token, 'POST', `/api/reports/admin/sources/${atom.source.id}/poll`, {})).json();
  assert.equal(a.accepted.length + a.duplicates.length, 2);
  const lights = (await itemsFrom('atom')).find((i) => String(i.description).includes('streetlights'))!;
  assert.equal(lights.placeName, 'Oadby and Wigston');
  assert.equal(lights.locationInferred, true);

  const json = await addSource({ name: 'Neighbourhood app', kind: 'jsonfeed', url: `${feedBase}/json`, pollSeconds: 86400 });
  const j = (await call(admin.token, 'POST', `/api/reports/admin/sources/${json.source.id}/poll`, {})).json();
  assert.deepEqual([...j.accepted, ...j.duplicates].map((x: { id: string }) => x.id).sort(), ['2', 'n-1']);
  assert.deepEqual(j.rejected.map((x: { problem: string }) => x.problem), ['it has no text', 'its date 2099-01-01T00:00:00.000Z is in the future']);
  const van = (await itemsFrom('jsonfeed')).find((i) => i.authorHandle === '@saffron_parent')!;
  assert.equal(van.latitude, 52.612);
});

test('forged or broken feeds are refused with a clear error and nothing is stored', async () => {
  const before = (await call(control.token, 'GET', '/api/reports?limit=1')).json().total;
  for (const [path, want] of [
    ['/bomb', /document type or entities/],
    ['/html', /neither an RSS 2.0 document/],
    ['/missing', /HTTP 404/],
  ] as const) {
    const { source } = await addSource({ name: `bad ${path}`, kind: 'rss', url: `${feedBase}${path}`, pollSeconds: 86400 });
    const res = await call(admin.token, 'POST', `/api/reports/admin/sources/${source.id}/poll`, {});
    assert.equal(res.statusCode, 502, path);
    assert.match(res.json().error.message, want);
  }
  assert.equal((await call(control.token, 'GET', '/api/reports?limit=1')).json().total, before);
  const noUrl = await call(admin.token, 'POST', '/api/reports/admin/sources', { name: 'x', kind: 'rss' });
  assert.equal(noUrl.statusCode, 400);
  assert.match(noUrl.json().error.message, /body\.url/);
  const file = await call(admin.token, 'POST', '/api/reports/admin/sources', { name: 'x', kind: 'rss', url: 'file:///etc/passwd' });
  assert.equal(file.statusCode, 400);
});

test('the server polls a feed by itself when its time comes', async () => {
  documents.set('/timed', { type: 'application/feed+json', body: JSON.stringify({ version: 'https://jsonfeed.org/version/1.1', items: [{ id: 'timed-1', content_text: 'Loud party on the timer street', date_published: new Date().toISOString() }] }) });
  await addSource({ name: 'Timed', kind: 'jsonfeed', url: `${feedBase}/timed`, pollSeconds: 1 });
  const deadline = Date.now() + 10_000;
  let found = false;
  while (!found && Date.now() < deadline) {
    found = (await itemsFrom('jsonfeed')).some((i) => i.description === 'Loud party on the timer street');
    if (!found) await new Promise((r) => setTimeout(r, 200));
  }
  assert.ok(found, 'the timed feed was never polled');
});

test('a signed webhook: accepted once, replays and duplicates stored nothing, forgeries refused', async () => {
  const { source, secret } = await addSource({ name: 'Social bridge', kind: 'webhook', defaultCategory: 'suspicious-activity' });
  assert.match(secret!, /^[A-Za-z0-9_-]{43}$/);
  const body = JSON.stringify({
    messages: [
      { id: 'tw-1', text: 'Men trying car door handles near Blaby library', time: new Date(Date.now() - 60_000).toISOString(), author: '@blaby_resident' },
      { id: 'tw-2', text: '<script>alert(1)</script> seen at the park', time: new Date().toISOString(), latitude: 52.6, longitude: -1.1 },
      { id: 'tw-3', text: 'no time' },
    ],
  });
  const post = (raw: string, headers: Record<string, string>) => t.app.inject({ method: 'POST', url: `/api/reports/webhook/${source.id}`, payload: raw, headers: { 'content-type': 'application/json', ...headers } });
  const ts = String(Math.floor(Date.now() / 1000));
  const signed = { 'x-peel-timestamp': ts, 'x-peel-signature': webhookSignature(secret!, ts, body) };

  const ok = await post(body, signed);
  assert.equal(ok.statusCode, 202, ok.body);
  assert.deepEqual(ok.json().accepted.map((a: { id: string }) => a.id), ['tw-1', 'tw-2']);
  assert.deepEqual(ok.json().rejected, [{ index: 2, id: 'tw-3', problem: 'it has no date' }]);
  const replay = await post(body, signed);
  assert.equal(replay.statusCode, 202);
  assert.deepEqual(replay.json().accepted, []);
  assert.equal(replay.json().duplicates.length, 2);

  const items = await itemsFrom('webhook');
  const blaby = items.find((i) => i.authorHandle === '@blaby_resident')!;
  assert.equal(blaby.placeName, 'Blaby');
  assert.equal(blaby.locationInferred, true);
  assert.equal(blaby.source, 'Social bridge');
  assert.equal(items.find((i) => String(i.description).includes('<script>'))!.description, '<script>alert(1)</script> seen at the park');

  const before = items.length;
  const forged = body.replace('tw-1', 'tw-9');
  const tampered = await post(forged, signed);
  assert.equal(tampered.statusCode, 400);
  assert.equal(tampered.json().error.code, 'bad_signature');
  const unsigned = await post(body, {});
  assert.equal(unsigned.statusCode, 400);
  assert.match(unsigned.json().error.message, /X-Peel-Signature/);
  const old = String(Math.floor(Date.now() / 1000) - 3600);
  const stale = await post(body, { 'x-peel-timestamp': old, 'x-peel-signature': webhookSignature(secret!, old, body) });
  assert.equal(stale.statusCode, 400);
  assert.match(stale.json().error.message, /within 300 seconds/);
  const wrongKey = await post(body, { 'x-peel-timestamp': ts, 'x-peel-signature': webhookSignature('not the secret', ts, body) });
  assert.equal(wrongKey.statusCode, 400);
  const broken = '{"messages": [';
  const malformed = await post(broken, { 'x-peel-timestamp': ts, 'x-peel-signature': webhookSignature(secret!, ts, broken) });
  assert.equal(malformed.statusCode, 400);
  assert.match(malformed.json().error.message, /not valid JSON/);
  assert.equal((await post(body, signed).then(() => itemsFrom('webhook'))).length, before);
  const unknown = await t.app.inject({ method: 'POST', url: '/api/reports/webhook/99999', payload: body, headers: { 'content-type': 'application/json', ...signed } });
  assert.equal(unknown.statusCode, 404);
  // Source changes are audited.
  const audit = await t.platform.db.selectFrom('audit_log').select('action').where('action', 'like', 'reports.sources.%').execute();
  assert.ok(audit.length >= 5);
});
