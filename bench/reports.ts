// Citizen reports under a burst, against a real `peel serve` on loopback:
//  1. autocannon posts reports at a fixed 200 a second for 30 seconds (each with its own
//     Idempotency-Key); a Server-Sent Events client on the control-room feed times each report
//     from the moment it was sent (stamped in its text) to the moment the feed delivered it.
//     Prints p50/p99 acceptance latency and submission-to-feed delay, and checks that every
//     acknowledged report is in the database and reached the feed.
//  2. A burst during which the server is killed (SIGKILL) and started again: the client
//     retries unacknowledged reports with the same key, as the web app's offline queue does;
//     afterwards every acknowledged reference must be in the database, and none twice.
// Usage: node bench/reports.ts [rate] [seconds]    (PEEL_TEST_PG_URL=postgres://… for PostgreSQL)
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import autocannon from 'autocannon';
import { openPlatform } from '../src/app.ts';
import { loadConfig } from '../src/platform/config.ts';
import { systemActor } from '../src/platform/actor.ts';
import * as auth from '../src/platform/auth/service.ts';
import { STAFF_ROLES } from '../src/platform/roles.ts';
import { testDatabaseUrl } from '../src/platform/db/test-db.ts';
import { freePort } from '../src/test/harness.ts';

const rate = Number(process.argv[2] ?? 200);
const seconds = Number(process.argv[3] ?? 30);
const peel = resolve(import.meta.dirname, '../bin/peel.js');

const dir = mkdtempSync(join(tmpdir(), 'peel-bench-reports-'));
const database = process.env.PEEL_TEST_PG_URL ? await testDatabaseUrl() : { url: `sqlite:${join(dir, 'peel.db')}`, drop: async () => {} };
const port = await freePort();
const env: NodeJS.ProcessEnv = {
  ...process.env,
  PEEL_DB_URL: database.url,
  PEEL_BLOBS: join(dir, 'blobs'),
  PEEL_LOG_LEVEL: 'warn',
  PEEL_PUBLIC_RATE_LIMIT: '1000000',
  PEEL_WEB_DIR: join(dir, 'web'),
};
const base = `http://127.0.0.1:${port}`;

// A control-room user to read the feed: made before the server's first start, so it loads no sample data.
const setup = await openPlatform(loadConfig({ ...env } as Record<string, string>, STAFF_ROLES));
const { user } = await auth.createUser(setup.db, systemActor, { username: 'bench-control', role: 'control_room', password: 'bench password not used' });
const { token } = await auth.createToken(setup.db, systemActor, user.id, 'bench', 1);
await setup.database.close();

function startServer(): Promise<ChildProcess> {
  const child = spawn(process.execPath, [peel, 'serve', '--port', String(port), '--host', '127.0.0.1'], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((done, fail) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      if (/running at/.test(out)) done(child);
    });
    child.once('close', (code) => fail(new Error(`peel serve exited ${code}: ${out}`)));
  });
}
const stopServer = (child: ChildProcess, signal: NodeJS.Signals) =>
  new Promise<void>((done) => {
    child.removeAllListeners('close');
    child.once('close', () => done());
    child.kill(signal);
  });

const pct = (xs: number[], p: number) => {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
};
const ms = (x: number) => `${x.toFixed(1)} ms`;

/** The control room's feed, read as a browser would, timing each report from its stamp. */
function openFeed(after: number) {
  const ac = new AbortController();
  const delays: number[] = [];
  const seen = new Set<string>();
  let lastId = after;
  const done = (async () => {
    const res = await fetch(`${base}/api/reports/stream?after=${after}`, { headers: { authorization: `Bearer ${token}` }, signal: ac.signal });
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        const now = Date.now();
        buffer += decoder.decode(chunk, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const id = /^id: (\d+)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (!id || !data) continue;
          if (Number(id) <= lastId) throw new Error(`feed ids went backwards: ${id} after ${lastId}`);
          lastId = Number(id);
          const event = JSON.parse(data) as { kind: string; reference: string; report: { description: string } };
          if (event.kind !== 'created') continue;
          seen.add(event.reference);
          const sent = Number(/sent=(\d+)/.exec(event.report.description)?.[1]);
          if (sent) delays.push(now - sent);
        }
      }
    } catch (err) {
      if ((err as Error).name !== 'AbortError') throw err;
    }
  })();
  return { delays, seen, close: async () => (ac.abort(), await done.catch(() => {})) };
}

// Spread over Leicestershire, in a handful of everyday wordings: a busy night, not one event
// reported six thousand times (which would make every report a near-duplicate of the rest).
const WORDINGS = [
  'noise and shouting by the shops',
  'car alarm going off for an hour',
  'group of youths throwing stones at buses',
  'someone trying car door handles',
  'fly-tipping behind the garages',
  'motorbike riding on the footpath',
  'graffiti on the bus shelter',
  'suspicious van parked outside the school',
];
const body = (tag: string) =>
  JSON.stringify({
    category: 'antisocial-behaviour',
    description: `${tag} sent=${Date.now()} ${WORDINGS[Math.floor(Math.random() * WORDINGS.length)]}`,
    latitude: 52.4 + Math.random() * 0.55,
    longitude: -1.6 + Math.random() * 0.95,
    occurredAt: new Date().toISOString(),
  });

async function countInDatabase(references: Set<string>): Promise<{ rows: number; missing: number }> {
  const p = await openPlatform(loadConfig({ ...env } as Record<string, string>, STAFF_ROLES));
  const rows = await p.db.selectFrom('reports').select('reference').execute();
  await p.database.close();
  const stored = new Set(rows.map((r) => r.reference as string));
  let missing = 0;
  for (const r of references) if (!stored.has(r)) missing++;
  return { rows: rows.length, missing };
}

console.log(`bench/reports: ${rate} reports/s for ${seconds} s on loopback, ${process.env.PEEL_TEST_PG_URL ? 'PostgreSQL' : 'SQLite'}, node ${process.version}`);

// ——— 1. the burst ———
let server = await startServer();
const feed = openFeed(0);
await new Promise((r) => setTimeout(r, 300));
const acknowledged = new Set<string>();
const result = await autocannon({
  url: `${base}/api/reports`,
  // One connection per report a second: enough that the offered rate does not wait on replies.
  connections: rate,
  overallRate: rate,
  duration: seconds,
  requests: [
    {
      method: 'POST',
      setupRequest: (req) => ({ ...req, headers: { 'content-type': 'application/json', 'idempotency-key': randomUUID(), 'x-device-id': randomUUID() }, body: body('burst') }),
      onResponse: (status, resBody) => {
        if (status === 201) acknowledged.add((JSON.parse(resBody) as { reference: string }).reference);
      },
    },
  ],
});
// Let the feed catch up (it has nothing to do with the burst being over).
const waitStart = Date.now();
while (feed.seen.size < acknowledged.size && Date.now() - waitStart < 15_000) await new Promise((r) => setTimeout(r, 100));
await feed.close();
await stopServer(server, 'SIGTERM');
const stored1 = await countInDatabase(acknowledged);
const notInFeed = [...acknowledged].filter((r) => !feed.seen.has(r)).length;

console.log('\n1. burst');
console.log(`   sent ${result.requests.sent}, acknowledged (201) ${acknowledged.size}, other replies ${result.non2xx}, errors ${result.errors}, timeouts ${result.timeouts}; ${result.requests.sent - acknowledged.size - result.non2xx} still unanswered when autocannon stopped`);
console.log(`   acceptance latency: p50 ${ms(result.latency.p50)}, p99 ${ms(result.latency.p99)}, max ${ms(result.latency.max)} (autocannon, ${result.requests.average.toFixed(0)} req/s average)`);
console.log(`   submission to feed: p50 ${ms(pct(feed.delays, 50))}, p99 ${ms(pct(feed.delays, 99))}, max ${ms(Math.max(...feed.delays))} over ${feed.delays.length} events`);
console.log(`   in the database: ${stored1.rows} rows; acknowledged but missing: ${stored1.missing}; acknowledged but never in the feed: ${notInFeed}`);

// ——— 2. a restart in the middle of a burst ———
server = await startServer();
const restartSeconds = Math.min(seconds, 10);
const keys: string[] = [];
const referenceByKey = new Map<string, string>();
const pending = new Set<string>();
let attempts = 0;
let failed = 0;
async function send(key: string): Promise<void> {
  attempts++;
  try {
    const res = await fetch(`${base}/api/reports`, { method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': key }, body: body('restart'), signal: AbortSignal.timeout(5000) });
    if (res.status === 201) {
      const { reference } = (await res.json()) as { reference: string };
      const before = referenceByKey.get(key);
      if (before && before !== reference) throw new Error(`key ${key} answered ${before} then ${reference}`);
      referenceByKey.set(key, reference);
      pending.delete(key);
      return;
    }
    failed++;
  } catch (err) {
    if ((err as Error).message.startsWith('key ')) throw err;
    failed++;
  }
}
const burstStart = Date.now();
let killedAt = 0;
let backAt = 0;
const restart = (async () => {
  await new Promise((r) => setTimeout(r, (restartSeconds * 1000) / 2));
  killedAt = Date.now();
  await stopServer(server, 'SIGKILL');
  server = await startServer();
  backAt = Date.now();
})();
const inflight: Promise<void>[] = [];
for (let i = 0; Date.now() - burstStart < restartSeconds * 1000; i++) {
  const due = burstStart + (i * 1000) / rate;
  const wait = due - Date.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  const key = randomUUID();
  keys.push(key);
  pending.add(key);
  inflight.push(send(key));
}
await restart;
await Promise.all(inflight);
// The offline queue's retries: every key not yet acknowledged is sent again, same key.
for (let round = 0; pending.size && round < 20; round++) {
  await Promise.all([...pending].map((k) => send(k)));
  if (pending.size) await new Promise((r) => setTimeout(r, 500));
}
await stopServer(server, 'SIGTERM');
const acked2 = new Set(referenceByKey.values());
const before2 = stored1.rows;
const stored2 = await countInDatabase(acked2);
console.log('\n2. SIGKILL and restart during a burst');
console.log(`   ${keys.length} reports sent at ${rate}/s for ${restartSeconds} s; server killed at ${((killedAt - burstStart) / 1000).toFixed(1)} s, answering again after ${((backAt - killedAt) / 1000).toFixed(1)} s`);
console.log(`   ${attempts} attempts, ${failed} failed (refused or cut off while down) and retried with the same key; ${pending.size} never acknowledged`);
console.log(`   acknowledged ${acked2.size}; in the database: ${stored2.rows - before2} new rows; acknowledged but missing: ${stored2.missing}; duplicates: ${stored2.rows - before2 - acked2.size}`);

await database.drop();
rmSync(dir, { recursive: true, force: true });
const ok = stored1.missing === 0 && notInFeed === 0 && stored2.missing === 0 && stored2.rows - before2 === acked2.size;
console.log(ok ? '\nnone lost' : '\nLOST OR DUPLICATED REPORTS: see above');
process.exit(ok ? 0 : 1);
