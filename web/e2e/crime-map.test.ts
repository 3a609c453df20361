import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type Browser, type Page } from 'playwright-core';
import { launchChromium, signIn as signInAs, reportCspViolations } from './browser.ts';
import { systemActor } from '../../src/platform/actor.ts';
import { importLsoaBoundaries, importPoliceUk, SAMPLE_DIR } from '../../src/modules/crime/service.ts';
import { startTestApp, type TestApp } from '../../src/test/harness.ts';

// The crime map in a real Chromium against a real Peel holding two months of real
// Leicestershire street-level crime (the shipped sample) and the LSOA boundaries.

const WEB_DIR = resolve(import.meta.dirname, '../dist');
const STREET = join(SAMPLE_DIR, 'police-uk', 'leicestershire');
const MONTHS = ['2022-09', '2022-10'];

let browser: Browser;
let peel: TestApp;

before(async () => {
  assert.ok(existsSync(resolve(WEB_DIR, 'index.html')), 'build the web app first: npm run build');
  peel = await startTestApp({ PEEL_WEB_DIR: WEB_DIR, PEEL_RATE_LIMIT_LOGIN_PER_MINUTE: '1000' }, { listen: true });
  await importLsoaBoundaries(peel.platform.db, systemActor, join(SAMPLE_DIR, 'boundaries', 'leicestershire_force_area_lsoa2011.geojson.gz'));
  const summary = await importPoliceUk(
    peel.platform.db,
    systemActor,
    MONTHS.map((m) => join(STREET, `${m}-leicestershire-street.csv.gz`)),
  );
  assert.ok(summary.imported > 10_000, `imported ${summary.imported}`);
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await peel?.close();
});

interface Watched {
  page: Page;
  /** console errors, uncaught exceptions and Content-Security-Policy violations */
  problems: string[];
}

async function newPage(): Promise<Watched> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`uncaught: ${e.message}`));
  page.on('console', (m) => {
    // The only 401 is the app asking whether anyone is signed in, before sign-in.
    if (m.type() === 'error' && !/status of 401/.test(m.text())) problems.push(`console: ${m.text()}`);
  });
  // CSP violations are reported to the page as events as well as to the console.
  await reportCspViolations(page);
  return { page, problems };
}

const signIn = (page: Page, username: string) => signInAs(page, peel.url, username);

/** The little of the DOM these tests read inside the page (the project's types are Node's, not the browser's). */
interface Dom {
  document: {
    querySelector(selector: string): { getAttribute(name: string): string | null } | null;
    activeElement: { textContent: string | null } | null;
  };
}

/** Waits until the map has drawn hexagons `renders` times; returns what it reports. */
async function mapDrawn(page: Page, renders: number) {
  const map = page.getByTestId('crime-map');
  await page.waitForFunction(
    (n) => Number((globalThis as unknown as Dom).document.querySelector('[data-testid=crime-map]')?.getAttribute('data-renders') ?? 0) >= n,
    renders,
    { timeout: 15_000 },
  );
  return { features: Number(await map.getAttribute('data-features')), drawn: Number(await map.getAttribute('data-drawn')) };
}

const chartLabel = (page: Page) => page.locator('#crime-chart').getAttribute('aria-label');
const hotspotRows = (page: Page) => page.getByRole('region', { name: 'Hotspots table' }).locator('tbody tr');

test('an analyst maps crime, filters it, opens a hotspot and sees its records only after giving a reason, which is audited', async () => {
  const analyst = await peel.user('analyst', 'ana.lyst');
  const { page, problems } = await newPage();
  await signIn(page, analyst.username);

  await page.getByRole('navigation', { name: 'Menu' }).getByRole('link', { name: 'Crime map' }).click();
  await page.getByRole('heading', { level: 1, name: 'Crime map' }).waitFor();
  assert.equal(await page.title(), 'Crime map – Peel');

  // The map draws hexagons (MapLibre's own count of features drawn), with a legend.
  const first = await mapDrawn(page, 1);
  assert.ok(first.features > 100, `hexagons in the data: ${first.features}`);
  assert.ok(first.drawn > 0, 'hexagons drawn on the map');
  const legend = await page.locator('.peel-legend').innerText();
  assert.match(legend, /Crimes per hexagon/);
  assert.match(legend, /1 to \d+/);
  await page.getByRole('status').filter({ hasText: /crimes, Sep 2022 to Oct 2022, in [\d,]+ hexagons/ }).waitFor();
  assert.equal(await hotspotRows(page).count(), 10);

  // One month, so that there is an earlier month to compare with: the table gives z-scores.
  await page.getByLabel('From', { exact: true }).selectOption('2022-10');
  await page.getByText(/Change is against Sep 2022/).waitFor();
  await mapDrawn(page, 2);
  assert.match(await page.getByRole('region', { name: 'Hotspots table' }).innerText(), /z = /);

  // Only burglaries: the chart, the hotspots, the map and the address all follow.
  const chartBefore = await chartLabel(page);
  const hotspotsBefore = await hotspotRows(page).allInnerTexts();
  const burglary = page.getByLabel(/^Burglary \([\d,]+\)$/);
  await burglary.check();
  await page.waitForFunction((before) => (globalThis as unknown as Dom).document.querySelector('#crime-chart')?.getAttribute('aria-label') !== before, chartBefore);
  const drawn = await mapDrawn(page, 3);
  assert.ok(drawn.features > 0 && drawn.features < first.features, `burglary hexagons: ${drawn.features}`);
  const hotspotsAfter = await hotspotRows(page).allInnerTexts();
  assert.notDeepEqual(hotspotsAfter, hotspotsBefore, 'the hotspots changed with the filter');
  assert.match(page.url(), /type=Burglary/);
  const burglaries = Number((await burglary.locator('xpath=..').innerText()).match(/\(([\d,]+)\)/)![1]!.replace(/,/g, ''));
  assert.match((await chartLabel(page)) ?? '', new RegExp(`${burglaries.toLocaleString('en-GB')} in all`));

  // Choosing the first hotspot (a click anywhere on its row) opens its panel and moves focus there.
  const top = hotspotRows(page).first();
  const topCount = (await top.locator('td').first().innerText()).trim();
  await top.locator('td').first().click();
  const heading = page.getByRole('heading', { name: 'Selected hexagon' });
  await heading.waitFor();
  await page.waitForFunction(() => (globalThis as unknown as Dom).document.activeElement?.textContent === 'Selected hexagon');
  const panel = page.locator('section.peel-cell-panel');
  await panel.getByText(new RegExp(`^${topCount} crimes? here`)).waitFor();
  await panel.getByRole('table', { name: 'By crime type' }).getByText('Burglary').waitFor();

  // Records need a reason first; the page says the look is audited.
  assert.match(await panel.innerText(), /recorded in the audit log/);
  await panel.getByRole('button', { name: 'Show records' }).click();
  await panel.getByRole('button', { name: 'Show records' }).click();
  const summary = panel.locator('.govuk-error-summary');
  await summary.waitFor();
  assert.match(await summary.innerText(), /Select why you need to see these records/);
  assert.match(await summary.innerText(), /Enter the reference/);
  await panel.getByLabel('Why do you need to see these records?').selectOption('operational_policing');
  await panel.getByLabel('Reference or details').fill('Tasking 2022/10 burglary patrol plan');
  await panel.getByRole('button', { name: 'Show records' }).click();
  await panel.getByText(new RegExp(`Showing \\d+ of ${topCount} records?`)).waitFor();
  const records = panel.getByRole('list', { name: /Crime records in this hexagon/ }).getByRole('listitem');
  const shown = await records.count();
  assert.ok(shown > 0);
  for (const text of await records.allInnerTexts()) assert.match(text, /^Burglary, Oct 2022/);

  // The look is in the audit log with the reason, the user and the records shown.
  const entries = await peel.platform.db.selectFrom('audit_log').selectAll().where('action', '=', 'crime.records.view').execute();
  assert.equal(entries.length, 1);
  const entry = entries[0]!;
  assert.equal(entry.username, analyst.username);
  assert.equal(entry.reason_code, 'operational_policing');
  assert.equal(entry.justification, 'Tasking 2022/10 burglary patrol plan');

  // Closing the panel returns focus to the hotspot.
  await panel.getByRole('button', { name: /Close/ }).click();
  await heading.waitFor({ state: 'detached' });
  assert.match(String(await page.evaluate('document.activeElement?.textContent')), /Hotspot 1/);

  assert.deepEqual(problems, []);
  await page.context().close();
});

test('the map page is laid out for a phone: the map first, the panel under it', async () => {
  const officer = await peel.user('officer', 'pc.phone');
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  const page = await context.newPage();
  await signIn(page, officer.username);
  await page.goto(`${peel.url}/crime`);
  await mapDrawn(page, 1);
  const map = await page.getByTestId('crime-map').boundingBox();
  const filters = await page.getByRole('heading', { name: 'Filters' }).boundingBox();
  assert.ok(map && filters && map.width >= 380 && filters.y > map.y + map.height, `map ${JSON.stringify(map)}, filters ${JSON.stringify(filters)}`);
  const overflow = await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth');
  assert.equal(overflow, 0, 'nothing wider than the screen');
  await context.close();
});

test('the crime map is not for roles outside analyst, supervisor and officer', async () => {
  const auditor = await peel.user('auditor', 'audrey.map');
  const { page } = await newPage();
  await signIn(page, auditor.username);
  const links = await page.getByRole('navigation', { name: 'Menu' }).getByRole('link').allInnerTexts();
  assert.ok(!links.some((l) => l.includes('Crime map')), links.join(', '));
  await page.goto(`${peel.url}/crime`);
  await page.getByRole('heading', { name: 'Page not found' }).waitFor();
  await page.context().close();
});
