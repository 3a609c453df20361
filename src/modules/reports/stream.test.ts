import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp, openPlatform } from '../../app.ts';
import { loadConfig } from '../../platform/config.ts';
import { STAFF_ROLES } from '../../platform/roles.ts';
import { startTestApp, type TestApp } from '../../test/harness.ts';

/** The live feed over a real HTTP connection, as a browser's EventSource reads it. */

let t: TestApp;
let control: { token: string };

before(async () => {
  t = await startTestApp({ PEEL_RATE_LIMIT_PUBLIC_PER_MINUTE: '10000' }, { listen: true });
  control = await t.user('control_room');
});
after(() => t.close());

interface SseEvent {
  id: string | null;
  data: string;
}

/** A minimal SSE reader: yields events (comments and retry lines are kept as `comments`). */
async function openFeed(query = '', headers: Record<string, string> = {}) {
  const ac = new AbortController();
  const res = await fetch(`${t.url}/api/reports/stream${query}`, { headers: { authorization: `Bearer ${control.token}`, ...headers }, signal: ac.signal });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/);
  const events: SseEvent[] = [];
  const comments: string[] = [];
  const waiters: Array<() => void> = [];
  let buffer = '';
  const pump = (async () => {
    const decoder = new TextDecoder();
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          let id: string | null = null;
          const data: string[] = [];
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) comments.push(line);
            else if (line.startsWith('id: ')) id = line.slice(4);
            else if (line.startsWith('data: ')) data.push(line.slice(6));
          }
          if (data.length) events.push({ id, data: data.join('\n') });
          waiters.splice(0).forEach((w) => w());
        }
      }
    } catch {
      // aborted
    }
  })();
  return {
    events,
    comments,
    async waitFor(n: number, ms = 5000) {
      const deadline = Date.now() + ms;
      while (events.length < n) {
        if (Date.now() > deadline) throw new Error(`only ${events.length} of ${n} events arrived`);
        await new Promise<void>((r) => {
          waiters.push(r);
          setTimeout(r, 100);
        });
      }
    },
    async close() {
      ac.abort();
      await pump;
    },
  };
}

const submit = async (description: string) => {
  const res = await fetch(`${t.url}/api/reports`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ category: 'suspicious-activity', description, latitude: 52.63, longitude: -1.13, occurredAt: new Date().toISOString() }),
  });
  assert.equal(res.status, 201);
  return ((await res.json()) as { reference: string }).reference;
};

// How soon is measured by bench/reports.ts, not asserted here.
test('a new report reaches an open feed, with an id and its reference', async () => {
  const feed = await openFeed();
  const reference = await submit('van circling the school at night');
  await feed.waitFor(1);
  const event = JSON.parse(feed.events[0]!.data);
  assert.equal(event.reference, reference);
  assert.equal(event.kind, 'created');
  assert.equal(event.report.description, 'van circling the school at night');
  assert.equal(String(event.seq), feed.events[0]!.id);
  await feed.close();
});

test('a reconnect with Last-Event-ID replays what was missed, in order, then carries on live', async () => {
  const feed = await openFeed();
  await submit('first');
  await feed.waitFor(1);
  const lastSeen = feed.events[0]!.id!;
  await feed.close();

  // Missed while disconnected: two new reports and a triage step on the first.
  const second = await submit('second');
  const third = await submit('third');
  const firstRef = JSON.parse(feed.events[0]!.data).reference;
  const ack = await fetch(`${t.url}/api/reports/${firstRef}/acknowledge`, { method: 'POST', headers: { authorization: `Bearer ${control.token}`, 'content-type': 'application/json' }, body: '{}' });
  assert.equal(ack.status, 200);

  const again = await openFeed('', { 'last-event-id': lastSeen });
  await again.waitFor(3);
  const replayed = again.events.map((e) => JSON.parse(e.data));
  assert.deepEqual(
    replayed.map((e) => [e.reference, e.kind]),
    [
      [second, 'created'],
      [third, 'created'],
      [firstRef, 'updated'],
    ],
  );
  const ids = again.events.map((e) => Number(e.id));
  assert.ok(ids.every((id, i) => id > Number(lastSeen) && (i === 0 || id > ids[i - 1]!)));
  assert.equal(replayed[2].report.status, 'looking');
  const fourth = await submit('fourth');
  await again.waitFor(4);
  assert.equal(JSON.parse(again.events[3]!.data).reference, fourth);
  await again.close();

  // ?after= does the same for a client that cannot set headers; replayOnly ends after the backlog.
  const res = await fetch(`${t.url}/api/reports/stream?after=${lastSeen}&replayOnly=true`, { headers: { authorization: `Bearer ${control.token}` } });
  const text = await res.text();
  assert.equal((text.match(/^id: /gm) ?? []).length, 4);
  assert.match(text, /^retry: 2000$/m);
});

test('the list tells where the feed is, so a page loads the list and streams on from there', async () => {
  const list = await fetch(`${t.url}/api/reports?limit=1`, { headers: { authorization: `Bearer ${control.token}` } });
  const { lastEventId, items } = (await list.json()) as { lastEventId: number; items: Array<{ reference: string }> };
  assert.equal(items.length, 1);
  const reference = await submit('after the list');
  const res = await fetch(`${t.url}/api/reports/stream?after=${lastEventId}&replayOnly=true`, { headers: { authorization: `Bearer ${control.token}` } });
  const text = await res.text();
  assert.equal((text.match(/^id: /gm) ?? []).length, 1);
  assert.ok(text.includes(reference));
});

test('held reports stay out of the feed; the public and other roles cannot open it', async () => {
  const feed = await openFeed();
  const res = await fetch(`${t.url}/api/reports`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ category: 'other', description: 'spam', latitude: 52.63, longitude: -1.13, occurredAt: new Date().toISOString(), website: 'x' }),
  });
  assert.equal(res.status, 201);
  const visible = await submit('real one');
  await feed.waitFor(1);
  await new Promise((r) => setTimeout(r, 300));
  assert.deepEqual(feed.events.map((e) => JSON.parse(e.data).reference), [visible]);
  await feed.close();
  assert.equal((await fetch(`${t.url}/api/reports/stream`)).status, 401);
  const analyst = await t.user('analyst');
  assert.equal((await fetch(`${t.url}/api/reports/stream`, { headers: { authorization: `Bearer ${analyst.token}` } })).status, 403);
});

test('a second server on the same database: a report taken by one appears on the other\'s feed', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'peel-second-'));
  const platform = await openPlatform(loadConfig({ PEEL_DB_URL: t.platform.config.PEEL_DB_URL, PEEL_BLOBS: join(dir, 'blobs'), PEEL_LOG_LEVEL: 'silent', PEEL_WEB_DIR: join(dir, 'web') }, STAFF_ROLES));
  const second = await buildApp(platform);
  const url = await second.listen({ port: 0, host: '127.0.0.1' });
  try {
    const feed = await openFeed();
    const res = await fetch(`${url}/api/reports`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ category: 'theft', description: 'taken by the second server', latitude: 52.63, longitude: -1.13, occurredAt: new Date().toISOString() }),
    });
    assert.equal(res.status, 201);
    const { reference } = (await res.json()) as { reference: string };
    // No in-process signal crosses servers: the first server's once-a-second read finds it.
    await feed.waitFor(1);
    assert.equal(JSON.parse(feed.events[0]!.data).reference, reference);
    await feed.close();
  } finally {
    await second.close();
    await platform.database.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
