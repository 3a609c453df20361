import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemActor } from '../../platform/actor.ts';
import { runPeel, startTestApp, type TestApp } from '../../test/harness.ts';
import { dockOnce, officerAt, readDeviceMap } from './dock.ts';
import * as store from './store.ts';
import { makeVideo, randomFile, sha256 } from './test-helpers.ts';

let t: TestApp;
let dir: string;
let env: Record<string, string>;

before(async () => {
  t = await startTestApp();
  await t.user('officer', 'pc-early');
  await t.user('officer', 'pc-late');
  dir = mkdtempSync(join(tmpdir(), 'peel-dock-'));
  env = { PATH: process.env.PATH ?? '', PEEL_DB_URL: t.platform.config.PEEL_DB_URL, PEEL_BLOBS: t.platform.config.PEEL_BLOBS, PEEL_LOG_LEVEL: 'silent' };
});
after(async () => {
  await t.close();
  rmSync(dir, { recursive: true, force: true });
});

test('device maps: CSV or JSON, a bad line named; the officer is the one the camera was issued to at the time', async () => {
  const csv = join(dir, 'devices.csv');
  writeFileSync(csv, 'serial,officer,from,to\nX81,pc-early,2026-01-01T00:00:00Z,2026-06-01T00:00:00Z\nX81,pc-late,2026-06-01T00:00:00Z,\n');
  const devices = await readDeviceMap(csv);
  assert.equal(officerAt(devices, 'X81', '2026-03-01T00:00:00.000Z'), 'pc-early');
  assert.equal(officerAt(devices, 'X81', '2026-06-01T00:00:00.000Z'), 'pc-late');
  assert.equal(officerAt(devices, 'X81', '2025-12-31T23:59:59.000Z'), null);
  assert.equal(officerAt(devices, 'Y1', '2026-03-01T00:00:00.000Z'), null);
  const json = join(dir, 'devices.json');
  writeFileSync(json, JSON.stringify([{ serial: 'X81', officer: 'pc-early', from: '2026-01-01T00:00:00Z' }, { serial: 'X82', officer: 'pc-late', from: 'soon' }]));
  await assert.rejects(readDeviceMap(json), /devices\.json entry 2: from:/);
  writeFileSync(csv, 'serial,officer\nX81,pc-early\n');
  await assert.rejects(readDeviceMap(csv), /line 1 must name the columns/);
});

test('peel evidence dock --once ingests settled files to the right officer, removes only verified sources, refuses what it cannot place, and never ingests twice', async () => {
  const watch = join(dir, 'watch');
  mkdirSync(join(watch, 'X81'), { recursive: true });
  mkdirSync(join(watch, 'Z99'), { recursive: true });
  const map = join(dir, 'map.csv');
  writeFileSync(map, 'serial,officer,from,to\nX81,pc-early,2026-01-01T00:00:00Z,2026-06-01T00:00:00Z\nX81,pc-late,2026-06-01T00:00:00Z,\n');
  const early = makeVideo(join(watch, 'X81', 'march.mp4'), 1, '2026-03-01T10:00:00Z');
  const late = makeVideo(join(watch, 'X81', 'july.mp4'), 1, '2026-07-01T10:00:00Z');
  writeFileSync(join(watch, 'X81', 'fake.mp4'), 'not a video at all');
  writeFileSync(join(watch, 'Z99', 'stray.bin'), randomFile(100));

  const run = await runPeel(['evidence', 'dock', watch, '--device-map', map, '--once', '--json', '--interval', '0.2'], env);
  assert.equal(run.code, 1, 'refusals make the exit code 1');
  const files = (JSON.parse(run.stdout) as { files: Array<{ path: string; status: string; itemId?: number; reason?: string }> }).files;
  const by = (name: string) => files.find((f) => f.path.endsWith(name))!;
  assert.equal(by('march.mp4').status, 'ingested');
  assert.equal(by('july.mp4').status, 'ingested');
  assert.equal(by('fake.mp4').status, 'refused');
  assert.match(by('fake.mp4').reason!, /bytes are not video/);
  assert.equal(by('stray.bin').status, 'refused');
  assert.match(by('stray.bin').reason!, /camera Z99 was not issued/);
  assert.ok(!existsSync(join(watch, 'X81', 'march.mp4')) && !existsSync(join(watch, 'X81', 'july.mp4')));
  assert.ok(existsSync(join(watch, 'X81', 'fake.mp4')) && existsSync(join(watch, 'Z99', 'stray.bin')));

  const march = (await store.getItem(t.platform.db, by('march.mp4').itemId!))!;
  assert.equal(march.officer_username, 'pc-early');
  assert.equal(march.device_serial, 'X81');
  assert.equal(march.recorded_start, '2026-03-01T10:00:00.000Z');
  assert.equal(march.sha256, sha256(early));
  assert.equal(march.mime_type, 'video/mp4');
  assert.equal(march.source, 'dock');
  assert.equal((await store.getItem(t.platform.db, by('july.mp4').itemId!))!.officer_username, 'pc-late');

  // A crash after storing but before removing the source: the next pass finds it stored, checks it and removes it.
  writeFileSync(join(watch, 'X81', 'july-again.mp4'), late);
  const again = await runPeel(['evidence', 'dock', watch, '--device-map', map, '--once', '--json', '--interval', '0.2'], env);
  const second = (JSON.parse(again.stdout) as { files: Array<{ path: string; status: string; itemId?: number }> }).files.find((f) => f.path.endsWith('july-again.mp4'))!;
  assert.equal(second.status, 'duplicate');
  assert.equal(second.itemId, by('july.mp4').itemId);
  assert.equal((await store.listItems(t.platform.db, { sha256: sha256(late), limit: 10, offset: 0 })).length, 1);
  assert.ok(!existsSync(join(watch, 'X81', 'july-again.mp4')));
});

test('a file still being written is left for a later pass', async () => {
  const watch = join(dir, 'busy');
  mkdirSync(join(watch, 'X81'), { recursive: true });
  const path = join(watch, 'X81', 'growing.bin');
  writeFileSync(path, randomFile(1000));
  const writer = setInterval(() => appendFileSync(path, randomFile(1000)), 20);
  const devices = [{ serial: 'X81', officer: 'pc-late', from: '2020-01-01T00:00:00.000Z', to: null }];
  try {
    const r = await dockOnce(t.platform, systemActor, watch, devices, 200);
    assert.deepEqual(
      r.files.map((f) => f.status),
      ['busy'],
    );
  } finally {
    clearInterval(writer);
  }
  const r = await dockOnce(t.platform, systemActor, watch, devices, 200);
  assert.deepEqual(
    r.files.map((f) => f.status),
    ['ingested'],
  );
  assert.ok(!existsSync(path));
});
