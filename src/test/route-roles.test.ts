import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { routeTable } from '../platform/http/server.ts';
import { ALL_ROLES, STAFF_ROLES, type Role } from '../platform/roles.ts';
import { startTestApp, type TestApp } from './harness.ts';

let t: TestApp;
const tokens = new Map<Role, string>();

before(async () => {
  t = await startTestApp();
  for (const role of STAFF_ROLES) tokens.set(role, (await t.user(role)).token);
});
after(() => t.close());

/** Query strings some routes need to answer and end: the live feed would otherwise stay open. */
const QUERY: Record<string, string> = { '/api/reports/stream': '?replayOnly=true' };

/** A concrete URL for a route pattern; ids far from any real row, so no test user is touched. */
const concrete = (url: string) => url.replace(/:id\b/g, '999999').replace(/:role\b/g, 'analyst').replace(/\*$/, 'some/page').replace(/:[a-zA-Z]+/g, 'x') + (QUERY[url] ?? '');

test('every route declares roles, and there is something to walk', () => {
  const routes = routeTable(t.app);
  assert.ok(routes.length >= 20, `only ${routes.length} routes`);
  for (const r of routes) assert.ok(r.roles.length > 0, `${r.method} ${r.url}`);
});

test('every route, called as every role, answers as its declaration says', async () => {
  const failures: string[] = [];
  for (const role of ALL_ROLES) {
    for (const route of routeTable(t.app)) {
      const token = tokens.get(role);
      const res = await t.app.inject({
        method: route.method as 'GET',
        url: concrete(route.url),
        headers: token ? { authorization: `Bearer ${token}` } : {},
        ...(['POST', 'PUT', 'PATCH'].includes(route.method) ? { payload: {} } : {}),
      });
      const allowed = route.roles.includes('public') || route.roles.includes(role);
      const want = allowed ? 'not 401/403' : role === 'public' ? '401' : '403';
      const ok = allowed ? res.statusCode !== 401 && res.statusCode !== 403 : res.statusCode === (role === 'public' ? 401 : 403);
      if (!ok) failures.push(`${role} ${route.method} ${route.url}: got ${res.statusCode}, want ${want} (${res.body.slice(0, 120)})`);
      if (res.statusCode >= 400 && route.url.startsWith('/api/')) {
        const body = JSON.parse(res.body) as { error?: { code?: unknown; message?: unknown } };
        if (typeof body.error?.code !== 'string' || typeof body.error?.message !== 'string') {
          failures.push(`${role} ${route.method} ${route.url}: error reply is not {error:{code,message}}: ${res.body.slice(0, 120)}`);
        }
      }
    }
  }
  assert.deepEqual(failures, []);
});

test('the forecast routes are there, for analysts, supervisors and officers only', () => {
  const routes = routeTable(t.app).filter((r) => r.url.startsWith('/api/forecast'));
  assert.deepEqual(routes.map((r) => `${r.method} ${r.url}`).sort(), ['GET /api/forecast', 'GET /api/forecast/patrols']);
  for (const r of routes) assert.deepEqual([...r.roles].sort(), ['analyst', 'officer', 'supervisor']);
});

test('the evidence routes declare the roles the evidence README documents', () => {
  const staff = 'officer,supervisor,evidence_officer';
  const manage = 'supervisor,evidence_officer';
  const expected: Record<string, string> = {
    'OPTIONS /api/evidence/uploads': 'public',
    'OPTIONS /api/evidence/uploads/:id': 'public',
    'POST /api/evidence/uploads': staff,
    'PATCH /api/evidence/uploads/:id': staff,
    'DELETE /api/evidence/uploads/:id': staff,
    'GET /api/evidence/items': staff,
    'GET /api/evidence/items/:id': staff,
    'GET /api/evidence/items/:id/content': staff,
    'GET /api/evidence/items/:id/poster': staff,
    'POST /api/evidence/items/:id/categories': staff,
    'POST /api/evidence/items/:id/holds': manage,
    'DELETE /api/evidence/holds/:id': manage,
    'GET /api/evidence/items/:id/custody': `${manage},auditor`,
    'GET /api/evidence/categories': `${staff},admin,auditor`,
    'POST /api/evidence/categories': 'admin',
    'PUT /api/evidence/categories/:code': 'admin',
    'GET /api/evidence/worklist': staff,
    'GET /api/evidence/figures': manage,
    'GET /api/evidence/teams': `${manage},admin`,
    'PUT /api/evidence/teams/:id': 'admin',
    'POST /api/evidence/items/:id/shares': manage,
    'POST /api/evidence/shares': manage,
    'GET /api/evidence/shares': manage,
    'DELETE /api/evidence/shares/:id': manage,
    'GET /api/evidence/shared/:token': 'public',
    'GET /api/evidence/shared/:token/items/:itemId/content': 'public',
    'GET /api/evidence/shared/:token/download': 'public',
    'POST /api/evidence/upload-requests': manage,
    'GET /api/evidence/upload-requests': manage,
    'DELETE /api/evidence/upload-requests/:id': manage,
    'GET /api/evidence/public-uploads/:token': 'public',
    'POST /api/evidence/public-uploads/:token': 'public',
    'PATCH /api/evidence/public-uploads/:token/:id': 'public',
    'DELETE /api/evidence/public-uploads/:token/:id': 'public',
  };
  const actual = Object.fromEntries(
    routeTable(t.app)
      .filter((r) => r.url.startsWith('/api/evidence/'))
      .map((r) => [`${r.method} ${r.url}`, [...r.roles].join(',')]),
  );
  assert.deepEqual(actual, expected);
});
