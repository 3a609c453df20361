import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp, type TestApp } from '../../test/harness.ts';
import { randomFile, tusClient } from './test-helpers.ts';

let t: TestApp;
const users: Record<string, { id: number; token: string }> = {};

before(async () => {
  t = await startTestApp({}, { listen: true });
  for (const [name, role] of [
    ['pc-a', 'officer'],
    ['pc-b', 'officer'],
    ['pc-c', 'officer'],
    ['sgt-a', 'supervisor'],
    ['eo', 'evidence_officer'],
    ['boss', 'admin'],
    ['dpo', 'auditor'],
  ] as const) {
    users[name] = await t.user(role, name);
  }
});
after(() => t.close());

const call = async (method: string, path: string, who: string, body?: unknown) => {
  const res = await fetch(`${t.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${users[who]!.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: (text && res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text) as Record<string, unknown> & { items?: Array<Record<string, unknown>> } };
};

async function upload(who: string, meta: Record<string, string> = {}): Promise<number> {
  const file = randomFile(3000);
  const tus = tusClient(t.url, users[who]!.token);
  const location = (await tus.create(file.length, meta)).headers.get('location')!;
  return Number((await tus.patch(location, 0, file)).headers.get('peel-item-id'));
}

test('teams scope what officers and supervisors see; worklist shows uncategorised footage soonest deletion first', async () => {
  assert.equal((await call('PUT', `/api/evidence/teams/${users['pc-a']!.id}`, 'boss', { team: 'Response A' })).status, 200);
  await call('PUT', `/api/evidence/teams/${users['sgt-a']!.id}`, 'boss', { team: 'Response A' });
  await call('PUT', `/api/evidence/teams/${users['pc-b']!.id}`, 'boss', { team: 'Response B' });
  assert.equal((await call('PUT', `/api/evidence/teams/${users['pc-a']!.id}`, 'sgt-a', { team: 'X' })).status, 403);

  const a1 = await upload('pc-a', { recordedStart: '2026-11-20T08:00:00Z', filename: 'a1.bin' });
  const a2 = await upload('pc-a', { recordedStart: '2026-11-10T08:00:00Z', filename: 'a2.bin' });
  const b1 = await upload('pc-b', { recordedStart: '2026-11-15T08:00:00Z' });
  // An evidence officer uploads footage that belongs to pc-c.
  const c1 = await upload('eo', { officer: 'pc-c', recordedStart: '2026-11-18T08:00:00Z' });
  assert.equal((await call('GET', `/api/evidence/items/${c1}`, 'eo')).body.officer, 'pc-c');
  assert.equal((await call('GET', `/api/evidence/items/${c1}`, 'pc-c')).status, 200);

  const mine = await call('GET', '/api/evidence/worklist', 'pc-a');
  assert.deepEqual(
    mine.body.items!.map((i) => i.id),
    [a2, a1],
  );
  assert.equal(mine.body.items![0]!.deleteOn, '2026-12-11T08:00:00.000Z');
  assert.equal(typeof mine.body.items![0]!.daysLeft, 'number');
  assert.deepEqual(
    (await call('GET', '/api/evidence/worklist', 'sgt-a')).body.items!.map((i) => i.id).sort(),
    [a1, a2].sort(),
  );
  assert.ok((await call('GET', '/api/evidence/worklist', 'eo')).body.items!.length >= 4);
  // pc-b cannot see pc-a's footage; asking answers 404, not 403, so ids cannot be probed.
  assert.equal((await call('GET', `/api/evidence/items/${a1}`, 'pc-b')).status, 404);
  assert.equal((await call('GET', `/api/evidence/items/${a1}/content`, 'pc-b')).status, 404);
  assert.equal((await call('GET', `/api/evidence/items/${b1}`, 'sgt-a')).status, 404);
  assert.equal((await call('GET', `/api/evidence/items/${b1}`, 'eo')).status, 200);

  // Categorising takes an item off the worklist and moves it to review under MoPI.
  const set = await call('POST', `/api/evidence/items/${a2}/categories`, 'pc-a', { categories: ['domestic-abuse', 'evidential'] });
  assert.equal(set.status, 200);
  assert.deepEqual(set.body.categories, ['domestic-abuse', 'evidential']);
  assert.equal((set.body.retention as { action: string }).action, 'review');
  assert.deepEqual(
    (await call('GET', '/api/evidence/worklist', 'pc-a')).body.items!.map((i) => i.id),
    [a1],
  );
  const bad = await call('POST', `/api/evidence/items/${a2}/categories`, 'pc-a', { categories: ['nonsense'] });
  assert.equal(bad.status, 400);
  assert.match((bad.body.error as { message: string }).message, /"nonsense" is not a category/);
  assert.equal((await call('POST', `/api/evidence/items/${a2}/categories`, 'pc-a', { categories: ['uncategorised'] })).status, 400);

  // Filters.
  const byCategory = await call('GET', '/api/evidence/items?category=domestic-abuse', 'eo');
  assert.deepEqual(
    byCategory.body.items!.map((i) => i.id),
    [a2],
  );
  const uncategorised = (await call('GET', '/api/evidence/items?uncategorised=true', 'eo')).body.items!.map((i) => i.id);
  assert.ok(!uncategorised.includes(a2) && uncategorised.includes(a1));
  assert.deepEqual(
    (await call('GET', '/api/evidence/items?officer=pc-c', 'eo')).body.items!.map((i) => i.id),
    [c1],
  );
  const due = (await call('GET', '/api/evidence/items?dueBefore=2026-12-17T00:00:00Z', 'eo')).body.items!.map((i) => i.id);
  assert.ok(due.includes(b1) && !due.includes(a1) && !due.includes(a2), JSON.stringify(due));

  // Figures: Response A has one of its two categorised.
  const figures = (await call('GET', '/api/evidence/figures', 'sgt-a')).body.teams as Array<{ team: string | null; items: number; categorised: number; rate: number }>;
  // pc-c is in no team: that footage counts under team null, which no team's name can be mistaken for.
  assert.ok(figures.some((f) => f.team === null && f.items >= 1), JSON.stringify(figures));
  assert.deepEqual(
    figures.find((f) => f.team === 'Response A'),
    { team: 'Response A', items: 2, categorised: 1, rate: 0.5 },
  );
  assert.equal(figures.find((f) => f.team === 'Response B')!.rate, 0);
});

test('holds: placed and released by evidence officers, shown on the item, audited; admins edit categories, audited', async () => {
  const id = await upload('pc-c');
  assert.equal((await call('POST', `/api/evidence/items/${id}/holds`, 'pc-c', { kind: 'case', reference: 'X' })).status, 403);
  const held = await call('POST', `/api/evidence/items/${id}/holds`, 'eo', { kind: 'complaint', reference: 'IOPC-2026-123', reason: 'complaint about the stop' });
  assert.equal(held.status, 200);
  const holds = held.body.holds as Array<{ id: number; kind: string }>;
  assert.equal(holds[0]!.kind, 'complaint');
  assert.equal((held.body.retention as { held: boolean }).held, true);
  const released = await call('DELETE', `/api/evidence/holds/${holds[0]!.id}`, 'eo');
  assert.equal(released.status, 200);
  assert.deepEqual(released.body.holds, []);
  assert.equal((await call('DELETE', `/api/evidence/holds/${holds[0]!.id}`, 'eo')).status, 409);

  assert.equal((await call('PUT', '/api/evidence/categories/not-evidential', 'eo', { days: 60 })).status, 403);
  const changed = await call('PUT', '/api/evidence/categories/not-evidential', 'boss', { days: 60 });
  assert.equal(changed.status, 200);
  assert.equal(changed.body.days, 60);
  const added = await call('POST', '/api/evidence/categories', 'boss', { code: 'road-death', name: 'Fatal collision', action: 'review', days: 7305, mopiGroup: 1 });
  assert.equal(added.status, 200);
  assert.equal((await call('POST', '/api/evidence/categories', 'boss', { code: 'road-death', name: 'x', action: 'delete', days: 1 })).status, 409);
  const list = (await call('GET', '/api/evidence/categories', 'pc-a')).body.categories as Array<{ code: string }>;
  for (const code of ['not-evidential', 'evidential', 'stop-and-search', 'domestic-abuse', 'use-of-force', 'vehicle-stop', 'road-death']) assert.ok(list.some((c) => c.code === code), code);
  const entries = await t.platform.db.selectFrom('audit_log').select(['action', 'details']).where('action', 'in', ['evidence.categories.update', 'evidence.categories.create']).execute();
  const update = JSON.parse(entries.find((e) => e.action === 'evidence.categories.update')!.details as string) as { before: { days: number }; after: { days: number } };
  assert.deepEqual([update.before.days, update.after.days], [31, 60]);
});

test('the custody report lists every action on the item with hashes, as JSON and as a printable page', async () => {
  const id = await upload('pc-c', { filename: 'custody.bin' });
  await call('GET', `/api/evidence/items/${id}?reasonCode=investigation`, 'eo');
  await call('GET', `/api/evidence/items/${id}/content?justification=${encodeURIComponent('reviewing for charge file')}`, 'eo');
  await call('POST', `/api/evidence/items/${id}/categories`, 'eo', { categories: ['evidential'] });
  const report = await call('GET', `/api/evidence/items/${id}/custody`, 'dpo');
  assert.equal(report.status, 200);
  const entries = report.body.entries as Array<{ action: string; hash: string; prevHash: string; reasonCode: string | null; justification: string | null }>;
  assert.deepEqual(
    entries.map((e) => e.action),
    ['evidence.ingest', 'evidence.view', 'evidence.play', 'evidence.categorise', 'evidence.custody'],
  );
  assert.equal(entries[1]!.reasonCode, 'investigation');
  assert.equal(entries[2]!.justification, 'reviewing for charge file');
  for (const e of entries) assert.match(e.hash, /^[0-9a-f]{64}$/);
  assert.deepEqual(report.body.chain, { ok: true, problem: null });
  const html = await call('GET', `/api/evidence/items/${id}/custody?format=html`, 'eo');
  assert.equal(html.status, 200);
  assert.match(html.body as unknown as string, /Chain of custody: evidence item \d+[\s\S]*evidence\.categorise/);
  assert.equal((await call('GET', `/api/evidence/items/${id}/custody`, 'pc-c')).status, 403);
});

test('a derived copy (a clip) uploaded with derivedFrom is a new item linked to its original, which is never modified', async () => {
  const original = await upload('eo', { recordedStart: '2026-11-01T00:00:00Z' });
  const before = (await call('GET', `/api/evidence/items/${original}`, 'eo')).body;
  const clip = await upload('eo', { derivedFrom: String(original), derivation: 'clip 00:10-00:20' });
  const item = (await call('GET', `/api/evidence/items/${original}`, 'eo')).body;
  assert.deepEqual(
    (item.derived as Array<{ id: number; derivedFrom: number; derivation: string }>).map((d) => [d.id, d.derivedFrom, d.derivation]),
    [[clip, original, 'clip 00:10-00:20']],
  );
  assert.equal(item.sha256, before.sha256);
  const bad = tusClient(t.url, users.eo!.token);
  const refused = await bad.create(10, { derivedFrom: '99999999' });
  assert.equal(refused.status, 400, 'checked before any bytes are sent');
  assert.match(((await refused.json()) as { error: { message: string } }).error.message, /derivedFrom: evidence item 99999999/);
  assert.equal((await bad.create(10, { officer: 'nobody-here' })).status, 400);
});
