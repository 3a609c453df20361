import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { openPlatform } from '../../app.ts';
import { systemActor } from '../../platform/actor.ts';
import { loadConfig } from '../../platform/config.ts';
import { STAFF_ROLES } from '../../platform/roles.ts';
import { cliSandbox } from '../../test/harness.ts';
import { addSource } from './feeds.ts';

let server: Server;
after(() => new Promise((r) => server.close(r)));

const { peel } = cliSandbox('reports-cli', async (box) => {
  server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(readFileSync(new URL('./fixtures/rss.xml', import.meta.url))));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const platform = await openPlatform(loadConfig(box.env, STAFF_ROLES));
  await addSource(platform.db, systemActor, { name: 'Alerts', kind: 'rss', url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/feed`, pollSeconds: 300 });
  await platform.database.close();
});

test('peel reports poll takes a feed in and names each rejected item; a second poll stores nothing twice', async () => {
  const first = await peel(['reports', 'poll', '--json']);
  assert.equal(first.code, 1, first.stderr);
  const [r] = JSON.parse(first.stdout.trim().split('\n').at(-1)!).results;
  assert.equal(r.accepted.length, 2);
  assert.deepEqual(r.rejected.map((x: { index: number }) => x.index), [2, 3, 4]);
  const second = await peel(['reports', 'poll', '--source', '1']);
  assert.match(second.stdout, /source 1: 0 new, 2 seen before, 3 rejected/);
  assert.match(second.stdout, /item 4 \(alert-105\): its date "yesterday-ish" is not a date/);
  const list = await peel(['reports', 'sources']);
  assert.equal(list.code, 0);
  assert.match(list.stdout, /rss\s+on\s+Alerts/);
  assert.match(list.stdout, /last problem: 3 item\(s\) rejected/);
  const bad = await peel(['reports', 'frobnicate']);
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /unknown reports command/);
});
