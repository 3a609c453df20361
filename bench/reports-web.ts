/**
 * How quickly reports reach the control room's screen: a burst of public reports (default
 * 200 a second for 10 seconds) is posted to a real Peel while the control room page is open
 * in Chromium; the page notes the moment each report's row first appears in the feed. Prints
 * the submission-to-screen delay (from the 201 reply to the row on screen) and how many rows
 * appeared. The posting shares the server's process, so on a busy machine the burst can take
 * longer than planned (the figure printed says how long it took); acceptance under load is
 * measured by bench/reports.ts against `peel serve`. Needs `npm run build` first.
 *
 *   node bench/reports-web.ts [--rate 200] [--seconds 10]
 *   PEEL_TEST_PG_URL=postgres://postgres@127.0.0.1:5432/test node bench/reports-web.ts
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { startTestApp, TEST_PASSWORD } from '../src/test/harness.ts';

const { values } = parseArgs({ options: { rate: { type: 'string', default: '200' }, seconds: { type: 'string', default: '10' } } });
const rate = Number(values.rate);
const seconds = Number(values.seconds);
const WEB_DIR = resolve(import.meta.dirname, '../web/dist');
if (!existsSync(resolve(WEB_DIR, 'index.html'))) throw new Error('Build the web app first: npm run build');

const peel = await startTestApp({ PEEL_WEB_DIR: WEB_DIR, PEEL_PUBLIC_RATE_LIMIT: String(rate * seconds * 2), PEEL_RATE_LIMIT_LOGIN_PER_MINUTE: '1000' }, { listen: true });
const browser = await chromium.launch({ executablePath: process.env.PEEL_CHROMIUM ?? '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
try {
  const operator = await peel.user('control_room', 'bench.room');
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  await page.goto(`${peel.url}/`);
  await page.getByLabel('Username').fill(operator.username);
  await page.getByLabel('Password', { exact: true }).fill(TEST_PASSWORD);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByText(/Signed in as/).first().waitFor();
  await page.goto(`${peel.url}/control-room`);
  await page.getByTestId('feed-connection').filter({ hasText: /^Live/ }).waitFor();
  // The page records when each reference's row first appears (wall clock, as the poster's).
  await page.evaluate(() => {
    const g = globalThis as unknown as {
      document: { querySelector(s: string): unknown };
      MutationObserver: new (cb: (records: Array<{ addedNodes: ArrayLike<{ dataset?: { reference?: string } }> }>) => void) => { observe(node: unknown, options: object): void };
      __seen: Record<string, number>;
    };
    g.__seen = {};
    new g.MutationObserver((records) => {
      const now = Date.now();
      for (const record of records)
        for (const node of Array.from(record.addedNodes)) {
          const reference = node.dataset?.reference;
          if (reference && !(reference in g.__seen)) g.__seen[reference] = now;
        }
    }).observe(g.document.querySelector('[data-testid=feed]'), { childList: true });
  });

  const acked = new Map<string, number>();
  let failed = 0;
  const started = Date.now();
  const posts: Array<Promise<void>> = [];
  for (let i = 0; i < rate * seconds; i++) {
    const due = started + (i * 1000) / rate;
    const wait = due - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    posts.push(
      fetch(`${peel.url}/api/reports`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'Idempotency-Key': `bench-${i}` },
        body: JSON.stringify({ category: 'antisocial-behaviour', description: `Bench report ${i}`, latitude: 52.6 + (i % 100) / 1000, longitude: -1.13 - (i % 70) / 1000, occurredAt: new Date().toISOString() }),
      }).then(async (r) => {
        if (r.status !== 201) {
          failed++;
          return;
        }
        acked.set(((await r.json()) as { reference: string }).reference, Date.now());
      }),
    );
  }
  await Promise.all(posts);
  const postSeconds = (Date.now() - started) / 1000;
  // Give the feed up to ten seconds to show the last ones.
  const deadline = Date.now() + 10_000;
  let seen: Record<string, number> = {};
  while (Date.now() < deadline) {
    seen = await page.evaluate(() => (globalThis as unknown as { __seen: Record<string, number> }).__seen);
    if ([...acked.keys()].every((ref) => ref in seen)) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  const delays = [...acked].filter(([ref]) => ref in seen).map(([ref, at]) => Math.max(0, seen[ref]! - at)).sort((a, b) => a - b);
  const pct = (p: number) => delays[Math.min(delays.length - 1, Math.floor((p / 100) * delays.length))] ?? NaN;
  console.log(`database: ${process.env.PEEL_TEST_PG_URL ? 'PostgreSQL' : 'SQLite'}`);
  console.log(`posted ${rate * seconds} reports at ${rate}/s over ${postSeconds.toFixed(1)} s: ${acked.size} accepted (201), ${failed} not`);
  console.log(`rows that appeared in the control room feed: ${delays.length} of ${acked.size}`);
  console.log(`201 reply to row on screen: p50 ${pct(50)} ms, p90 ${pct(90)} ms, p99 ${pct(99)} ms, max ${delays.at(-1)} ms`);
} finally {
  await browser.close();
  await peel.close();
}
