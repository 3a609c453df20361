import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generator } from '../../lib/property.ts';
import { cliActor, systemActor, type Actor } from '../../platform/actor.ts';
import { startTestApp, runPeel, type TestApp } from '../../test/harness.ts';
import { isDue } from './retention.ts';
import { scheduleSweep } from './schedule.ts';
import * as service from './service.ts';
import { sweep } from './sweep.ts';
import { HOLD_KINDS } from './service.ts';
import * as store from './store.ts';
import { uploadsDir } from './uploads.ts';

let t: TestApp;
const actor: Actor = cliActor();
const DAY = 86_400_000;

before(async () => {
  t = await startTestApp();
});
after(() => t.close());

async function addItem(recordedStart: string, extra: Partial<service.NewItem> = {}): Promise<number> {
  const stored = await t.platform.blobs.put(randomBytes(64));
  return (await service.createItem(t.platform.db, actor, { sha256: stored.sha256, size: stored.size, source: 'upload', recordedStart, ...extra })).item.id;
}

const auditFor = async (action: string) =>
  (await t.platform.db.selectFrom('audit_log').select(['record_ids', 'details', 'username']).where('action', '=', action).execute()).map((r) => ({
    ids: JSON.parse(r.record_ids as string) as string[],
    details: JSON.parse(r.details as string) as Record<string, unknown>,
    username: r.username as string,
  }));

test('property: on a fake clock the sweep deletes exactly what the rules say, and never a held, review-kept or in-case item', async () => {
  const g = generator(5);
  const codes = (await service.listCategories(t.platform.db)).filter((c) => c.assignable).map((c) => c.code);
  const origin = Date.parse('2026-01-01T00:00:00Z');
  const ids: number[] = [];
  for (let i = 0; i < 60; i++) {
    const id = await addItem(new Date(origin + g.int(0, 200) * DAY + g.int(0, DAY)).toISOString());
    ids.push(id);
    const cats = g.subset(codes, 2);
    if (cats.length) await service.setCategories(t.platform.db, actor, id, cats);
    if (g.bool(0.2)) await service.placeHold(t.platform.db, actor, id, { kind: g.pick(HOLD_KINDS), reference: `REF-${i}` });
    if (g.bool(0.25)) {
      const copy = await addItem(new Date(origin).toISOString(), { derivedFrom: id, derivation: 'clip' });
      if (g.bool(0.3)) await service.setCategories(t.platform.db, actor, copy, ['evidential']);
      if (g.bool(0.2)) await service.placeHold(t.platform.db, actor, copy, { kind: 'case', reference: `C-${i}` });
    }
  }
  for (const days of [20, 40, 90, 180, 260, 3000]) {
    const now = new Date(origin + days * DAY);
    if (days === 180) {
      // A hold released: the item becomes deletable by its rule at the next sweep.
      const held = (await service.listItems(t.platform.db, actor, { limit: 500, offset: 0, status: 'stored' }, { reasonCode: 'audit' })).find((i) => i.holds.length && i.derivedFrom === null);
      if (held) for (const h of held.holds) await service.releaseHold(t.platform.db, actor, h.id);
    }
    const before = await service.listItems(t.platform.db, actor, { limit: 500, offset: 0, status: 'stored' }, { reasonCode: 'audit' });
    const expected = new Set<number>();
    for (const item of before.filter((i) => i.derivedFrom === null && isDue(i.retention, now))) {
      expected.add(item.id);
      for (const copy of before.filter((c) => c.derivedFrom === item.id && !c.retention.held && c.retention.action !== 'review')) expected.add(copy.id);
    }
    const dry = await sweep(t.platform.db, t.platform.blobs, actor, now, true);
    assert.deepEqual(new Set(dry.deleted), expected, `dry run at day ${days}`);
    const r = await sweep(t.platform.db, t.platform.blobs, actor, now, false);
    assert.deepEqual(new Set(r.deleted), expected, `sweep at day ${days}`);
    for (const id of r.deleted) {
      const item = before.find((i) => i.id === id)!;
      assert.equal(item.holds.length, 0, `item ${id} was held`);
      assert.notEqual(item.retention.action, 'review', `item ${id} was kept for review`);
      assert.equal(await t.platform.blobs.stat(item.sha256), null, `item ${id}'s blob is gone`);
    }
    for (const item of before.filter((i) => !expected.has(i.id))) assert.ok(await t.platform.blobs.stat(item.sha256), `item ${item.id} kept its blob`);
  }
  // Tombstones keep the hash; each deletion has its erasure entry with the rule and the approver.
  const deleted = await service.listItems(t.platform.db, actor, { limit: 500, offset: 0, status: 'deleted' }, { reasonCode: 'audit' });
  assert.ok(deleted.length > 5, `only ${deleted.length} deleted`);
  const entries = await auditFor('evidence.delete');
  for (const item of deleted) {
    assert.match(item.sha256, /^[0-9a-f]{64}$/);
    const e = entries.find((x) => x.ids.includes(String(item.id)))!;
    assert.equal(e.details.sha256, item.sha256);
    assert.equal(e.details.rule, item.deletedRule);
    assert.equal(e.details.approver, actor.username);
  }
  assert.equal(entries.length, deleted.length);
});

test('peel evidence sweep --dry-run lists, --json deletes; peel evidence verify catches a flipped byte and a missing blob', async () => {
  const env = { PATH: process.env.PATH ?? '', PEEL_DB_URL: t.platform.config.PEEL_DB_URL, PEEL_BLOBS: t.platform.config.PEEL_BLOBS, PEEL_LOG_LEVEL: 'silent' };
  const old = await addItem('2020-01-01T00:00:00.000Z');
  const dry = await runPeel(['evidence', 'sweep', '--now', '2020-03-01T00:00:00Z', '--dry-run', '--json'], env);
  assert.equal(dry.code, 0, dry.stderr);
  assert.deepEqual(JSON.parse(dry.stdout).deleted, [old]);
  const real = await runPeel(['evidence', 'sweep', '--now', '2020-03-01T00:00:00Z', '--json'], env);
  assert.deepEqual(JSON.parse(real.stdout).deleted, [old]);
  assert.deepEqual(JSON.parse((await runPeel(['evidence', 'sweep', '--now', '2020-03-01T00:00:00Z', '--json'], env)).stdout).deleted, []);
  assert.equal((await runPeel(['evidence', 'sweep', '--now', 'soon'], env)).code, 2);

  const ok = await runPeel(['evidence', 'verify', '--json'], env);
  assert.equal(ok.code, 0, ok.stdout + ok.stderr);
  assert.equal(JSON.parse(ok.stdout).ok, true);

  const flipped = await addItem('2026-11-01T00:00:00.000Z');
  const missing = await addItem('2026-11-01T00:00:00.000Z');
  const [a, b] = (await service.listItems(t.platform.db, actor, { limit: 500, offset: 0, status: 'stored' }, { reasonCode: 'audit' })).filter((i) => i.id === flipped || i.id === missing).sort((x, y) => x.id - y.id);
  const pathOf = (sha: string) => join(t.platform.config.PEEL_BLOBS, sha.slice(0, 2), sha.slice(2, 4), sha);
  const bytes = readFileSync(pathOf(a!.sha256));
  bytes.writeUInt8(bytes.readUInt8(10) ^ 0x01, 10);
  writeFileSync(pathOf(a!.sha256), bytes);
  rmSync(pathOf(b!.sha256));
  const bad = await runPeel(['evidence', 'verify', '--json'], env);
  assert.equal(bad.code, 1);
  const report = JSON.parse(bad.stdout) as { ok: boolean; problems: Array<{ itemId: number; problem: string }> };
  assert.equal(report.ok, false);
  assert.deepEqual(
    report.problems.map((p) => [p.itemId, p.problem.split(':')[0]]),
    [
      [flipped, 'altered'],
      [missing, 'missing'],
    ],
  );
  // Put them right again for the tests that follow.
  bytes.writeUInt8(bytes.readUInt8(10) ^ 0x01, 10);
  writeFileSync(pathOf(a!.sha256), bytes);
  await sweep(t.platform.db, t.platform.blobs, actor, new Date('2027-01-01T00:00:00Z'), false);
});

test('the daily sweep inside the server runs as the system actor on its schedule', async () => {
  const id = await addItem('2021-01-01T00:00:00.000Z');
  const results: unknown[] = [];
  const stop = scheduleSweep(t.platform, (r) => results.push(r), { firstDelayMs: 10, everyMs: 50 }, () => new Date('2021-06-01T00:00:00Z'));
  while (results.length < 2) await new Promise((r) => setTimeout(r, 20));
  stop();
  const first = results[0] as { deleted: number[] };
  assert.ok(first.deleted.includes(id));
  assert.deepEqual((results[1] as { deleted: number[] }).deleted, []);
  const entry = (await auditFor('evidence.delete')).find((e) => e.ids.includes(String(id)))!;
  assert.equal(entry.username, systemActor.username);
  assert.equal(entry.details.approver, 'system');
});

test('the sweep removes uploads abandoned for a week, staged bytes and all, and keeps recent ones', async () => {
  const dir = uploadsDir(t.platform.config);
  mkdirSync(dir, { recursive: true });
  const now = new Date('2026-11-26T12:00:00Z');
  const make = async (id: string, updatedAt: string) => {
    await store.insertUpload(t.platform.db, { id, user_id: 1, length: 100, upload_offset: 10, metadata: '{}', sha256: null, created_at: updatedAt, updated_at: updatedAt, item_id: null });
    writeFileSync(join(dir, `${id}.part`), randomBytes(10));
  };
  await make('a'.repeat(32), '2026-11-18T12:00:00.000Z');
  await make('b'.repeat(32), '2026-11-25T12:00:00.000Z');
  const dry = await sweep(t.platform.db, t.platform.blobs, actor, now, true, dir);
  assert.deepEqual(dry.abandonedUploads, ['a'.repeat(32)]);
  assert.ok(existsSync(join(dir, `${'a'.repeat(32)}.part`)));
  const r = await sweep(t.platform.db, t.platform.blobs, actor, now, false, dir);
  assert.deepEqual(r.abandonedUploads, ['a'.repeat(32)]);
  assert.ok(!existsSync(join(dir, `${'a'.repeat(32)}.part`)));
  assert.equal(await store.getUpload(t.platform.db, 'a'.repeat(32)), null);
  assert.ok(existsSync(join(dir, `${'b'.repeat(32)}.part`)));
  assert.ok(await store.getUpload(t.platform.db, 'b'.repeat(32)));
});
