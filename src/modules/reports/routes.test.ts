import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startTestApp, type TestApp } from '../../test/harness.ts';
import { jpegHasGps } from '../../lib/image-metadata.ts';
import { jpegWithGps } from './fixtures/exif.ts';
import { REFERENCE_PATTERN } from './service.ts';

let t: TestApp;
let control: { token: string; username: string };
let supervisor: { token: string };
let admin: { token: string };
let analyst: { token: string };

before(async () => {
  t = await startTestApp({ PEEL_RATE_LIMIT_PUBLIC_PER_MINUTE: '10000' });
  control = await t.user('control_room');
  supervisor = await t.user('supervisor');
  admin = await t.user('admin');
  analyst = await t.user('analyst');
});
after(() => t.close());

const CLOCK_TOWER = { latitude: 52.6369, longitude: -1.1398 };
const report = (over: Record<string, unknown> = {}) => ({
  category: 'antisocial-behaviour',
  description: 'Group of people shouting and throwing bottles by the Clock Tower',
  ...CLOCK_TOWER,
  occurredAt: new Date(Date.now() - 3600_000).toISOString(),
  ...over,
});

const submit = (body: unknown, headers: Record<string, string> = {}) =>
  t.app.inject({ method: 'POST', url: '/api/reports', payload: body as object, headers: { 'content-type': 'application/json', ...headers } });
const asStaff = (token: string, method: 'GET' | 'POST' | 'PATCH', url: string, payload?: object) =>
  t.app.inject({ method, url, headers: { authorization: `Bearer ${token}` }, ...(payload ? { payload } : {}) });
const pathOf = (url: string) => new URL(url).pathname;
const count = async (table = 'reports') => Number((await t.platform.db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

test('anyone may list the categories and file a report; the status link answers without an account', async () => {
  const cats = await t.app.inject({ method: 'GET', url: '/api/reports/categories' });
  assert.equal(cats.statusCode, 200);
  assert.ok(cats.json().categories.some((c: { code: string }) => c.code === 'antisocial-behaviour'));

  const res = await submit(report());
  assert.equal(res.statusCode, 201, res.body);
  const { reference, statusUrl, statusPage } = res.json();
  assert.match(reference, REFERENCE_PATTERN);
  assert.match(statusUrl, /^http:\/\/[^/]+\/api\/reports\/status\/[A-Za-z0-9_-]{43}$/);
  assert.match(statusPage, /\/report\/status\/[A-Za-z0-9_-]{43}$/);
  // Durable before the reply: the row is there the moment the 201 is.
  const row = await t.platform.db.selectFrom('reports').selectAll().where('reference', '=', reference).executeTakeFirstOrThrow();
  // The token is stored only hashed.
  const token = statusUrl.split('/').pop();
  assert.notEqual(row.status_token_hash, token);
  assert.ok(!JSON.stringify(row).includes(token));

  const status = await t.app.inject({ method: 'GET', url: pathOf(statusUrl) });
  assert.equal(status.statusCode, 200, status.body);
  const view = status.json();
  assert.equal(view.reference, reference);
  assert.equal(view.status, 'received');
  assert.equal(view.statusLabel, 'Received');
  assert.deepEqual(view.messages.map((m: { kind: string }) => m.kind), ['received']);
  // A browser opening the link is sent to the page.
  const html = await t.app.inject({ method: 'GET', url: pathOf(statusUrl), headers: { accept: 'text/html,application/xhtml+xml' } });
  assert.equal(html.statusCode, 303);
  assert.equal(html.headers.location, pathOf(statusPage));
  const wrong = await t.app.inject({ method: 'GET', url: `/api/reports/status/${'A'.repeat(43)}` });
  assert.equal(wrong.statusCode, 404);
});

test('the same Idempotency-Key returns the same reply and stores nothing new, also when the retries race', async () => {
  const key = crypto.randomUUID();
  const first = await submit(report({ description: 'idempotent one' }), { 'idempotency-key': key });
  assert.equal(first.statusCode, 201);
  const before = await count();
  const events = await count('report_events');
  const again = await submit(report({ description: 'idempotent one' }), { 'idempotency-key': key });
  assert.equal(again.statusCode, 201);
  assert.deepEqual(again.json(), first.json());
  assert.equal(await count(), before);
  assert.equal(await count('report_events'), events);

  const raceKey = crypto.randomUUID();
  const replies = await Promise.all(Array.from({ length: 8 }, () => submit(report({ description: 'racing retry' }), { 'idempotency-key': raceKey })));
  assert.ok(replies.every((r) => r.statusCode === 201), replies.map((r) => r.body).join('\n'));
  assert.equal(new Set(replies.map((r) => r.json().reference)).size, 1);
  assert.equal(new Set(replies.map((r) => r.json().statusUrl)).size, 1);
  assert.equal(await count(), before + 1);
  // Different keys are different reports.
  const other = await submit(report({ description: 'idempotent one' }), { 'idempotency-key': crypto.randomUUID() });
  assert.notEqual(other.json().reference, first.json().reference);
});

test('hostile and broken input: clear errors naming the field, nothing stored', async () => {
  const before = await count();
  const lat = await submit(report({ latitude: 123 }));
  assert.equal(lat.statusCode, 400);
  assert.match(lat.json().error.message, /body\.latitude: must be between -90 and 90/);
  const lon = await submit(report({ longitude: 'west' }));
  assert.equal(lon.statusCode, 400);
  assert.match(lon.json().error.message, /body\.longitude/);
  const missing = await submit({ description: 'no place' });
  assert.equal(missing.statusCode, 400);
  assert.match(missing.json().error.message, /body\.(category|latitude)/);
  const badJson = await t.app.inject({ method: 'POST', url: '/api/reports', payload: '{"category": "theft", "description": ', headers: { 'content-type': 'application/json' } });
  assert.equal(badJson.statusCode, 400);
  assert.equal(typeof badJson.json().error.message, 'string');
  const huge = await submit(report({ description: 'x'.repeat(200_000) }));
  assert.equal(huge.statusCode, 413);
  assert.match(huge.json().error.message, /65536 bytes/);
  const future = await submit(report({ occurredAt: new Date(Date.now() + 86400_000).toISOString() }));
  assert.equal(future.statusCode, 400);
  assert.match(future.json().error.message, /body\.occurredAt/);
  const unknown = await submit(report({ category: '<b>theft</b>' }));
  assert.equal(unknown.statusCode, 400);
  assert.match(unknown.json().error.message, /body\.category/);
  assert.equal(await count(), before);

  // Script in the text is stored and returned verbatim, as JSON text for the page to render as text.
  const script = '<script>alert("x")</script><img src=x onerror=alert(1)> & "quotes"';
  const ok = await submit(report({ description: script, placeName: '<svg onload=alert(1)>' }));
  assert.equal(ok.statusCode, 201);
  const list = await asStaff(control.token, 'GET', '/api/reports?limit=5');
  assert.match(String(list.headers['content-type']), /^application\/json/);
  const item = list.json().items.find((i: { reference: string }) => i.reference === ok.json().reference);
  assert.equal(item.description, script);
  assert.equal(item.placeName, '<svg onload=alert(1)>');
});

test('the honeypot gets an ordinary-looking reply, and the report waits in the moderation queue', async () => {
  const res = await submit(report({ description: 'buy cheap watches', website: 'http://spam.example' }));
  assert.equal(res.statusCode, 201);
  const { reference } = res.json();
  assert.match(reference, REFERENCE_PATTERN);
  const list = await asStaff(control.token, 'GET', '/api/reports?limit=500');
  assert.ok(!list.json().items.some((i: { reference: string }) => i.reference === reference));
  const queue = await asStaff(control.token, 'GET', '/api/reports/moderation');
  const held = queue.json().items.find((i: { reference: string }) => i.reference === reference);
  assert.equal(held.flagged, true);
  assert.equal(held.flagReason, 'honeypot');
  const released = await asStaff(control.token, 'POST', `/api/reports/${reference}/moderate`, { decision: 'release', note: 'a real report after all' });
  assert.equal(released.statusCode, 200, released.body);
  assert.equal(released.json().flagged, false);
  const after = await asStaff(control.token, 'GET', '/api/reports?limit=500');
  assert.ok(after.json().items.some((i: { reference: string }) => i.reference === reference));
});

test('photos: the type comes from the bytes, GPS EXIF is stripped unless the reporter shares it', async () => {
  const res = await submit(report({ description: 'photo of the damage' }));
  const { reference, statusUrl } = res.json();
  const plain = readFileSync(new URL('./fixtures/plain.jpg', import.meta.url));
  const withGps = Buffer.from(jpegWithGps(plain, 52.6369, -1.1398));
  assert.ok(jpegHasGps(withGps));
  const upload = (body: Buffer, type: string, share = false) =>
    t.app.inject({ method: 'POST', url: `${pathOf(statusUrl)}/photos?shareLocation=${share}`, payload: body, headers: { 'content-type': type } });

  const a = await upload(withGps, 'image/jpeg');
  assert.equal(a.statusCode, 201, a.body);
  assert.equal(a.json().photo.locationShared, false);
  assert.equal(a.json().photo.type, 'image/jpeg');
  const again = await upload(withGps, 'image/jpeg');
  assert.equal(again.json().photo.id, a.json().photo.id);
  const shared = await upload(withGps, 'image/jpeg', true);
  assert.equal(shared.statusCode, 201);
  assert.equal(shared.json().photo.locationShared, true);

  const fetched = await asStaff(control.token, 'GET', `/api/reports/${reference}/photos/${a.json().photo.id}`);
  assert.equal(fetched.statusCode, 200);
  assert.equal(fetched.headers['content-type'], 'image/jpeg');
  assert.equal(jpegHasGps(fetched.rawPayload), false);
  assert.ok(fetched.rawPayload.length < withGps.length);
  const kept = await asStaff(control.token, 'GET', `/api/reports/${reference}/photos/${shared.json().photo.id}`);
  assert.ok(jpegHasGps(kept.rawPayload));

  // Lying about the type does not help: the bytes decide.
  const svg = await upload(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'), 'image/png');
  assert.equal(svg.statusCode, 415);
  const truncated = await upload(withGps.subarray(0, 40), 'image/jpeg');
  assert.equal(truncated.statusCode, 400);
  assert.match(truncated.json().error.message, /JPEG/);
  const tooBig = await upload(Buffer.concat([withGps, Buffer.alloc(9 * 1024 * 1024)]), 'image/jpeg');
  assert.equal(tooBig.statusCode, 413);
  const status = await t.app.inject({ method: 'GET', url: pathOf(statusUrl) });
  assert.equal(status.json().photos, 2);
});

test('the control room lists newest first with filters; supervisors read but may not triage', async () => {
  const far = await submit(report({ category: 'theft', description: 'bike stolen from the station rack', latitude: 52.7721, longitude: -1.2062 }));
  const list = await asStaff(control.token, 'GET', '/api/reports?limit=2');
  assert.equal(list.statusCode, 200);
  const body = list.json();
  assert.equal(body.items.length, 2);
  assert.ok(body.total >= 2);
  assert.ok(body.items[0].receivedAt >= body.items[1].receivedAt);
  assert.ok(body.lastEventId > 0);
  const theft = await asStaff(supervisor.token, 'GET', '/api/reports?category=theft&channel=web');
  assert.equal(theft.statusCode, 200);
  assert.deepEqual(theft.json().items.map((i: { reference: string }) => i.reference), [far.json().reference]);
  const box = await asStaff(control.token, 'GET', '/api/reports?bbox=-1.25,52.75,-1.15,52.80');
  assert.deepEqual(box.json().items.map((i: { reference: string }) => i.reference), [far.json().reference]);
  const badBox = await asStaff(control.token, 'GET', '/api/reports?bbox=1,2,3');
  assert.equal(badBox.statusCode, 400);
  assert.match(badBox.json().error.message, /bbox/);
  const badStatus = await asStaff(control.token, 'GET', '/api/reports?status=lost');
  assert.equal(badStatus.statusCode, 400);
  assert.equal((await asStaff(supervisor.token, 'POST', `/api/reports/${far.json().reference}/acknowledge`, {})).statusCode, 403);
  assert.equal((await asStaff(analyst.token, 'GET', '/api/reports')).statusCode, 403);
  assert.equal((await t.app.inject({ method: 'GET', url: '/api/reports' })).statusCode, 401);
});

test('triage: acknowledge, assign, link, reply, close; the reporter sees each public step; every step audited', async () => {
  const res = await submit(report({ description: 'car window smashed on Granby Street', contact: { name: 'A. Reporter', phone: '07700 900123' } }));
  const { reference, statusUrl } = res.json();
  const step = async (path: string, body: object, token = control.token) => {
    const r = await asStaff(token, 'POST', `/api/reports/${reference}/${path}`, body);
    assert.equal(r.statusCode, 200, `${path}: ${r.body}`);
    return r.json();
  };
  assert.equal((await step('acknowledge', {})).status, 'looking');
  const assigned = await step('assign', { team: 'Leicester Central NPT', officer: 'PC 1234' });
  assert.equal(assigned.status, 'passed');
  assert.equal(assigned.assignedTeam, 'Leicester Central NPT');
  const linked = await step('link', { kind: 'crime', linkedReference: 'LP-2026-112233' });
  assert.deepEqual(linked.links, [{ kind: 'crime', linkedReference: 'LP-2026-112233' }]);
  await step('reply', { message: 'Thank you. An officer will call you tomorrow.' });
  const closed = await step('close', { reason: 'crime recorded', message: 'Recorded as crime LP-2026-112233.' });
  assert.equal(closed.status, 'closed');
  const again = await asStaff(control.token, 'POST', `/api/reports/${reference}/acknowledge`, {});
  assert.equal(again.statusCode, 409);
  const noTeam = await asStaff(control.token, 'POST', `/api/reports/${reference}/assign`, {});
  assert.equal(noTeam.statusCode, 409);

  const view = (await t.app.inject({ method: 'GET', url: pathOf(statusUrl) })).json();
  assert.equal(view.status, 'closed');
  assert.deepEqual(
    view.messages.map((m: { kind: string; text: string }) => [m.kind, m.text]),
    [
      ['received', 'We have received your report.'],
      ['looking', 'Your report is being looked at.'],
      ['passed', 'Your report has been passed to a team.'],
      ['reply', 'Thank you. An officer will call you tomorrow.'],
      ['closed', 'Recorded as crime LP-2026-112233.'],
    ],
  );
  // The internal note is not on the status page, but is in the detail view; reading that is audited.
  assert.ok(!JSON.stringify(view).includes('crime recorded'));
  const detail = await asStaff(supervisor.token, 'GET', `/api/reports/${reference}`);
  assert.equal(detail.statusCode, 200);
  assert.deepEqual(detail.json().contact, { name: 'A. Reporter', phone: '07700 900123' });
  assert.ok(detail.json().messages.some((m: { public: boolean; text: string }) => !m.public && m.text === 'Closed: crime recorded'));

  const audit = await t.platform.db.selectFrom('audit_log').select(['action', 'username', 'operation']).where('record_ids', 'like', `%${reference}%`).orderBy('seq').execute();
  assert.deepEqual(
    audit.map((a) => a.action),
    ['reports.submit', 'reports.acknowledge', 'reports.assign', 'reports.link', 'reports.reply', 'reports.close', 'reports.view'],
  );
  assert.ok(audit.slice(1).every((a) => a.username !== null));
  const verify = await t.platform.db.selectFrom('audit_log').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
  assert.ok(Number(verify.n) > 0);
});

test('merging a duplicate closes it, tells its reporter, and the survivor carries on', async () => {
  const a = (await submit(report({ description: 'loud fight at the Clock Tower' }))).json();
  const b = (await submit(report({ description: 'fight at the clock tower now, very loud' }))).json();
  const merged = await asStaff(control.token, 'POST', `/api/reports/${b.reference}/merge`, { into: a.reference });
  assert.equal(merged.statusCode, 200, merged.body);
  assert.equal(merged.json().reference, a.reference);
  const self = await asStaff(control.token, 'POST', `/api/reports/${a.reference}/merge`, { into: a.reference });
  assert.equal(self.statusCode, 400);
  const bView = (await t.app.inject({ method: 'GET', url: pathOf(b.statusUrl) })).json();
  assert.equal(bView.status, 'closed');
  assert.match(bView.messages.at(-1).text, /together with another report/);
  const list = (await asStaff(control.token, 'GET', '/api/reports?limit=500')).json();
  assert.ok(!list.items.some((i: { reference: string }) => i.reference === b.reference));
  const mergedList = (await asStaff(control.token, 'GET', '/api/reports?status=merged&limit=500')).json();
  assert.equal(mergedList.items.find((i: { reference: string }) => i.reference === b.reference).mergedInto, a.reference);
});

test('near-duplicate reports fall into one thread', async () => {
  const a = (await submit(report({ description: 'Smoke pouring from warehouse roof on Frog Island', latitude: 52.6437, longitude: -1.1426 }))).json();
  const b = (await submit(report({ description: 'warehouse roof on fire Frog Island lots of smoke', latitude: 52.6440, longitude: -1.1420 }))).json();
  const c = (await submit(report({ description: 'Someone keeps parking across my drive', latitude: 52.6438, longitude: -1.1425 }))).json();
  const items = (await asStaff(control.token, 'GET', '/api/reports?limit=500')).json().items as Array<{ reference: string; threadId: number; threadSize: number }>;
  const get = (r: string) => items.find((i) => i.reference === r)!;
  assert.equal(get(b.reference).threadId, get(a.reference).threadId);
  assert.equal(get(a.reference).threadSize, 2);
  assert.notEqual(get(c.reference).threadId, get(a.reference).threadId);
});

test('admins manage the categories; a retired one cannot be chosen; changes are audited', async () => {
  const add = await asStaff(admin.token, 'POST', '/api/reports/admin/categories', { code: 'fly-tipping', label: 'Fly-tipping' });
  assert.equal(add.statusCode, 201, add.body);
  assert.equal((await asStaff(admin.token, 'POST', '/api/reports/admin/categories', { code: 'fly-tipping', label: 'Again' })).statusCode, 409);
  assert.equal((await asStaff(admin.token, 'POST', '/api/reports/admin/categories', { code: 'Bad Code', label: 'x' })).statusCode, 400);
  assert.equal((await submit(report({ category: 'fly-tipping' }))).statusCode, 201);
  const retire = await asStaff(admin.token, 'PATCH', '/api/reports/admin/categories/fly-tipping', { active: false });
  assert.equal(retire.json().active, false);
  assert.equal((await submit(report({ category: 'fly-tipping' }))).statusCode, 400);
  const publicList = (await t.app.inject({ method: 'GET', url: '/api/reports/categories' })).json();
  assert.ok(!publicList.categories.some((c: { code: string }) => c.code === 'fly-tipping'));
  assert.equal((await asStaff(control.token, 'POST', '/api/reports/admin/categories', { code: 'x', label: 'x' })).statusCode, 403);
  const audit = await t.platform.db.selectFrom('audit_log').select('action').where('action', 'like', 'reports.categories.%').execute();
  assert.deepEqual(audit.map((a) => a.action), ['reports.categories.add', 'reports.categories.change']);
});

test('the report pages ask for the basemap without an account: the configured style, or null for none', async () => {
  const none = await t.app.inject({ method: 'GET', url: '/api/public/map' });
  assert.equal(none.statusCode, 200, none.body);
  assert.deepEqual(none.json(), { styleUrl: null });
  const styled = await startTestApp({ PEEL_MAP_STYLE_URL: 'https://tiles.example.org/styles/os.json' });
  try {
    const res = await styled.app.inject({ method: 'GET', url: '/api/public/map' });
    assert.deepEqual(res.json(), { styleUrl: 'https://tiles.example.org/styles/os.json' });
    // The page may load it: its origin is in the content security policy.
    assert.match(String(res.headers['content-security-policy']), /https:\/\/tiles\.example\.org/);
  } finally {
    await styled.close();
  }
});
