import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestApp, type TestApp } from '../../test/harness.ts';
import { routeTable } from './server.ts';

let t: TestApp;
const web = mkdtempSync(join(tmpdir(), 'peel-web-'));
before(async () => {
  mkdirSync(join(web, 'assets'));
  writeFileSync(join(web, 'index.html'), '<!doctype html><title>Peel</title>');
  writeFileSync(join(web, 'assets', 'app-abc123.js'), 'console.log(1)');
  t = await startTestApp({ PEEL_WEB_DIR: web, PEEL_BODY_LIMIT_BYTES: '2048', PEEL_RATE_LIMIT_LOGIN_PER_MINUTE: '3' });
});
after(() => t.close());

test('health reports the database and blob store', async () => {
  const res = await t.app.inject({ method: 'GET', url: '/api/health' });
  assert.equal(res.statusCode, 200);
  assert.deepEqual(res.json(), { status: 'ok', checks: { database: { status: 'ok' }, blobs: { status: 'ok' } } });
});

test('a failing health check names the cause to administrators only', async () => {
  const blobs = t.platform.blobs;
  const check = blobs.check;
  blobs.check = async () => {
    throw new Error('bucket evidence-prod at http://10.1.2.3:9000 is unreachable');
  };
  try {
    const anyone = await t.app.inject({ method: 'GET', url: '/api/health' });
    assert.equal(anyone.statusCode, 503);
    assert.deepEqual(anyone.json(), { status: 'error', checks: { database: { status: 'ok' }, blobs: { status: 'error' } } });
    const officer = await t.user('officer');
    const asOfficer = await t.app.inject({ method: 'GET', url: '/api/health', headers: { authorization: `Bearer ${officer.token}` } });
    assert.doesNotMatch(asOfficer.body, /10\.1\.2\.3/);
    const admin = await t.user('admin');
    const asAdmin = await t.app.inject({ method: 'GET', url: '/api/health', headers: { authorization: `Bearer ${admin.token}` } });
    assert.equal(asAdmin.json().checks.blobs.detail, 'bucket evidence-prod at http://10.1.2.3:9000 is unreachable');
  } finally {
    blobs.check = check;
  }
});

test('the OpenAPI 3.1 document describes every API route with its roles', async () => {
  const doc = (await t.app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
  assert.equal(doc.openapi, '3.1.0');
  const documented = new Set(Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`)));
  const api = routeTable(t.app).filter((r) => r.url.startsWith('/api/') && r.url !== '/api/openapi.json');
  for (const r of api) {
    const path = r.url.replace(/:(\w+)/g, '{$1}');
    assert.ok(documented.has(`${r.method} ${path}`), `${r.method} ${path} is not in the OpenAPI document`);
  }
  const login = doc.paths['/api/auth/login'].post;
  assert.match(login.description, /Roles: public/);
  assert.ok(login.requestBody.content['application/json'].schema.properties.username);
  assert.match(doc.paths['/api/users'].get.description, /Roles: admin/);
});

test('every reply carries the security headers', async () => {
  for (const url of ['/api/health', '/', '/api/nothing-here']) {
    const h = (await t.app.inject({ method: 'GET', url })).headers;
    assert.match(String(h['content-security-policy']), /frame-ancestors 'none'/, url);
    assert.match(String(h['content-security-policy']), /default-src 'self'/, url);
    assert.equal(h['x-content-type-options'], 'nosniff', url);
    assert.equal(h['referrer-policy'], 'no-referrer', url);
  }
});

test('a bad request names the field that is wrong, without a stack trace', async () => {
  const res = await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'x' } });
  assert.equal(res.statusCode, 400);
  const body = res.json();
  assert.equal(body.error.code, 'invalid_request');
  assert.match(body.error.message, /body\.password/);
  assert.doesNotMatch(res.body, /at .*\.ts:\d+/);
});

test('an unknown API path is a JSON 404, and a page path gets the web app', async () => {
  const api = await t.app.inject({ method: 'GET', url: '/api/nothing-here' });
  assert.equal(api.statusCode, 404);
  assert.equal(api.json().error.code, 'not_found');
  const post = await t.app.inject({ method: 'POST', url: '/api/nothing-here', payload: {} });
  assert.equal(post.statusCode, 404);
  const page = await t.app.inject({ method: 'GET', url: '/audit' });
  assert.equal(page.statusCode, 200);
  assert.match(page.body, /<title>Peel<\/title>/);
  const asset = await t.app.inject({ method: 'GET', url: '/assets/app-abc123.js' });
  assert.match(String(asset.headers['cache-control']), /immutable/);
  const escape = await t.app.inject({ method: 'GET', url: '/assets/../../etc/passwd' });
  assert.doesNotMatch(escape.body, /root:/);
});

test('bodies over the limit are refused with 413', async () => {
  const res = await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'x', password: 'y'.repeat(5000) } });
  assert.equal(res.statusCode, 413);
  assert.equal(res.json().error.code, 'too_large');
});

test('sign-in is rate-limited per client address', async () => {
  const codes: number[] = [];
  const attempt = (remoteAddress: string) => t.app.inject({ method: 'POST', url: '/api/auth/login', remoteAddress, payload: { username: 'nobody', password: 'nothing' } });
  for (let i = 0; i < 5; i++) codes.push((await attempt('10.9.9.9')).statusCode);
  assert.deepEqual(codes, [401, 401, 401, 429, 429]);
  const limited = await attempt('10.9.9.9');
  assert.equal(limited.json().error.code, 'rate_limited');
  const other = await attempt('10.1.2.3');
  assert.equal(other.statusCode, 401);
});

test('a configured basemap\'s origins, and only those, are added to the CSP', async () => {
  const other = await startTestApp({ PEEL_MAP_STYLE_URL: 'https://tiles.example.org/styles/os.json', PEEL_MAP_ORIGINS: 'https://fonts.example.net/glyphs' });
  try {
    const csp = String((await other.app.inject({ method: 'GET', url: '/api/health' })).headers['content-security-policy']);
    assert.match(csp, /connect-src 'self' https:\/\/tiles\.example\.org https:\/\/fonts\.example\.net;/);
    assert.match(csp, /img-src 'self' data: blob: https:\/\/tiles\.example\.org https:\/\/fonts\.example\.net;/);
    assert.match(csp, /script-src 'self';/);
  } finally {
    await other.close();
  }
  await assert.rejects(startTestApp({ PEEL_MAP_ORIGINS: 'not a url' }), /PEEL_MAP_ORIGINS/);
});

test('large replies are compressed for clients that accept it', async () => {
  const plain = await t.app.inject({ method: 'GET', url: '/api/openapi.json' });
  const gz = await t.app.inject({ method: 'GET', url: '/api/openapi.json', headers: { 'accept-encoding': 'gzip' } });
  assert.equal(gz.headers['content-encoding'], 'gzip');
  assert.ok(gz.rawPayload.length < plain.rawPayload.length / 3, `${gz.rawPayload.length} vs ${plain.rawPayload.length}`);
  const { gunzipSync } = await import('node:zlib');
  assert.deepEqual(JSON.parse(gunzipSync(gz.rawPayload).toString()), plain.json());
});
