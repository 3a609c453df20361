// The crime map in a real (headless) Chromium: time from navigating to /crime until the
// hexagons are drawn (the page records performance.now() when MapLibre goes idle after the
// first data; performance.now() counts from the navigation), and from changing a filter
// until the new hexagons are drawn. One year of Leicestershire street-level crime is
// imported first, with the LSOA boundaries.
//
// Usage: node bench/map-render.ts [runs=5] [--months N] [--data DIR]
//   PEEL_TEST_PG_URL=postgres://… to run the server on PostgreSQL; PEEL_CHROMIUM for another browser.
// Needs the built web app (npm run build).
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { systemActor } from '../src/platform/actor.ts';
import { importLsoaBoundaries, importPoliceUk, SAMPLE_DIR } from '../src/modules/crime/service.ts';
import { startTestApp, TEST_PASSWORD } from '../src/test/harness.ts';
import { sharedData } from '../src/test/shared-data.ts';

const args = process.argv.slice(2);
const option = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const runs = Number(args.find((a, i) => /^\d+$/.test(a) && !args[i - 1]?.startsWith('--')) ?? 5);
const months = Number(option('--months') ?? 12);
const sharedStreet = sharedData('police-uk-leicestershire/street');
const dataDir = resolve(option('--data') ?? (existsSync(sharedStreet) ? sharedStreet : join(SAMPLE_DIR, 'police-uk', 'leicestershire')));
const boundaries = join(SAMPLE_DIR, 'boundaries', 'leicestershire_force_area_lsoa2011.geojson.gz');
const webDir = resolve(import.meta.dirname, '../web/dist');
if (!existsSync(join(webDir, 'index.html'))) throw new Error('Build the web app first: npm run build');

// ——— the app, with data ———

const files = readdirSync(dataDir)
  .filter((f) => /-street\.csv(\.gz)?$/.test(f))
  .sort()
  .slice(-months)
  .map((f) => join(dataDir, f));
const peel = await startTestApp({ PEEL_WEB_DIR: webDir, PEEL_RATE_LIMIT_LOGIN_PER_MINUTE: '10000' }, { listen: true });
const t0 = performance.now();
if (existsSync(boundaries)) await importLsoaBoundaries(peel.platform.db, systemActor, boundaries);
const summary = await importPoliceUk(peel.platform.db, systemActor, files);
const analyst = await peel.user('analyst', 'bench.analyst');
console.log(
  `Imported ${summary.imported.toLocaleString('en-GB')} records from ${files.length} monthly files (${files[0]?.match(/\d{4}-\d{2}/)?.[0]} to ${files.at(-1)?.match(/\d{4}-\d{2}/)?.[0]}) in ${((performance.now() - t0) / 1000).toFixed(1)} s; ${process.env.PEEL_TEST_PG_URL ? 'PostgreSQL' : 'SQLite'}`,
);

// ——— the browser ———

/** What the map page records on its window (see web/src/crime/MapView.tsx). */
interface MapTimes {
  __peelMapRendered?: number;
  __peelMapRenders?: number[];
  __peelBenchStart?: number;
}

const browser: Browser = await chromium.launch({
  executablePath: process.env.PEEL_CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
console.log(`Chromium ${browser.version()}, headless, software WebGL; window 1280×800`);

async function signedInPage(): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error('page error:', e.message));
  await page.goto(`${peel.url}/sign-in`);
  await page.getByLabel('Username').fill(analyst.username);
  await page.getByLabel('Password', { exact: true }).fill(TEST_PASSWORD);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByText(/Signed in as/).first().waitFor();
  return page;
}

/** Navigates to the map; the ms from navigation start until the first hexagons were drawn. */
async function openMap(page: Page): Promise<number> {
  await page.goto(`${peel.url}/crime`);
  await page.waitForFunction(() => (globalThis as unknown as MapTimes).__peelMapRendered !== undefined, null, { timeout: 30_000 });
  return page.evaluate(() => (globalThis as unknown as MapTimes).__peelMapRendered!);
}

/** Runs `change` in the page and waits for the hexagons to be redrawn; ms from the change. */
async function redraw(page: Page, change: () => Promise<void>): Promise<number> {
  const before = await page.evaluate(() => {
    const w = globalThis as unknown as MapTimes;
    w.__peelBenchStart = performance.now();
    return w.__peelMapRenders?.length ?? 0;
  });
  await change();
  await page.waitForFunction((n) => ((globalThis as unknown as MapTimes).__peelMapRenders?.length ?? 0) > n, before, { timeout: 30_000 });
  return page.evaluate(() => {
    const w = globalThis as unknown as MapTimes;
    return w.__peelMapRenders!.at(-1)! - w.__peelBenchStart!;
  });
}

// Once first, on its own: the server builds its in-memory summary of the data on the first query.
const firstPage = await signedInPage();
const afterStart = await openMap(firstPage);
await firstPage.context().close();

const cold: number[] = [];
const warm: number[] = [];
const typeChange: number[] = [];
const resChange: number[] = [];
const finestChange: number[] = [];
for (let i = 0; i < runs; i++) {
  // A new browser context each run: an empty HTTP cache, as on the first visit of the day.
  const page = await signedInPage();
  cold.push(await openMap(page));
  // The same again with the code in the cache, as on every later visit.
  warm.push(await openMap(page));
  // Tick one crime type: the map, chart, table and counts all update (after a 200 ms pause for more ticks).
  typeChange.push(await redraw(page, () => page.getByLabel(/^Burglary/).check()));
  // A different hexagon size: a new layer of cells.
  resChange.push(
    await redraw(page, async () => {
      await page.getByLabel('Hexagon size').selectOption('9');
    }),
  );
  // The smallest hexagons: the largest GeoJSON (tens of thousands of cells for a year).
  finestChange.push(
    await redraw(page, async () => {
      await page.getByLabel('Hexagon size').selectOption('10');
    }),
  );
  await page.context().close();
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (xs: number[]) => `median ${median(xs).toFixed(0)} ms (min ${Math.min(...xs).toFixed(0)}, max ${Math.max(...xs).toFixed(0)}; ${xs.length} runs)`;
console.log(`First map after the server started (it builds its summary of the data): ${afterStart.toFixed(0)} ms`);
console.log(`Navigation to hexagons drawn, empty cache:  ${fmt(cold)}`);
console.log(`Navigation to hexagons drawn, cached code:  ${fmt(warm)}`);
console.log(`Tick a crime type to redrawn (incl. 200 ms debounce): ${fmt(typeChange)}`);
console.log(`Hexagon size 8 → 9 to redrawn (incl. 200 ms debounce): ${fmt(resChange)}`);
console.log(`Hexagon size 9 → 10 to redrawn (incl. 200 ms debounce): ${fmt(finestChange)}`);
console.log(`Target: under 1,500 ms from navigation — ${median(cold) < 1500 ? 'met' : 'NOT met'} (empty cache).`);

await browser.close();
await peel.close();
