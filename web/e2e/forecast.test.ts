import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type Browser, type Page } from 'playwright-core';
import { launchChromium, signIn as signInAs } from './browser.ts';
import { systemActor } from '../../src/platform/actor.ts';
import { importPoliceUk, SAMPLE_DIR } from '../../src/modules/crime/service.ts';
import { startTestApp, type TestApp } from '../../src/test/harness.ts';

// The forecast layer, its accuracy card, a patrol plan and the briefing sheet, in a real
// Chromium against a real Peel holding four months of real Leicestershire street-level crime
// (the shipped sample, 2022-07 to 2022-10): the forecast is for 2022-11, from two training
// months, checked on the two months before it.

const WEB_DIR = resolve(import.meta.dirname, '../dist');
const STREET = join(SAMPLE_DIR, 'police-uk', 'leicestershire');
const MONTHS = ['2022-07', '2022-08', '2022-09', '2022-10'];

let browser: Browser;
let peel: TestApp;

before(async () => {
  assert.ok(existsSync(resolve(WEB_DIR, 'index.html')), 'build the web app first: npm run build');
  peel = await startTestApp({ PEEL_WEB_DIR: WEB_DIR, PEEL_RATE_LIMIT_LOGIN_PER_MINUTE: '1000' }, { listen: true });
  await importPoliceUk(
    peel.platform.db,
    systemActor,
    MONTHS.map((m) => join(STREET, `${m}-leicestershire-street.csv.gz`)),
  );
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await peel?.close();
});

const signIn = (page: Page, username: string) => signInAs(page, peel.url, username);

interface Dom {
  document: { querySelector(selector: string): { getAttribute(name: string): string | null } | null };
}

const mapAttribute = (page: Page, name: string, atLeast: number) =>
  page.waitForFunction(
    ([n, min]) => Number((globalThis as unknown as Dom).document.querySelector('[data-testid=crime-map]')?.getAttribute(n as string) ?? 0) >= (min as number),
    [name, atLeast],
    { timeout: 60_000 },
  );

const pct = (x: number) => (x * 100 < 9.95 && x > 0 ? `${(x * 100).toFixed(1)}%` : `${Math.round(x * 100)}%`);

test('an officer switches the forecast on, reads its accuracy, makes a patrol plan and opens the briefing sheet', async () => {
  const officer = await peel.user('officer', 'pc.forecast');
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`uncaught: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/status of 401/.test(m.text())) problems.push(`console: ${m.text()}`);
  });
  const forecastRequests: string[] = [];
  page.on('request', (r) => {
    if (r.url().includes('/api/forecast')) forecastRequests.push(r.url());
  });
  await signIn(page, officer.username);
  await page.getByRole('navigation', { name: 'Menu' }).getByRole('link', { name: 'Crime map' }).click();
  await page.getByRole('heading', { level: 1, name: 'Crime map' }).waitFor();
  await mapAttribute(page, 'data-renders', 1);
  assert.deepEqual(forecastRequests, [], 'nothing about the forecast is asked for until the layer is switched on');

  // Switch the layer on: Burglary by the peel method, for the month after the data.
  await page.getByLabel(/Show next month’s forecast hotspots/).check();
  const card = page.getByTestId('forecast-accuracy');
  await card.waitFor({ timeout: 120_000 });
  assert.match(await card.innerText(), /Forecast of burglaries for November 2022, from September 2022 to October 2022/);

  // The card's figures are the API's backtest figures, in words.
  const { token } = await peel.user('analyst', 'ana.forecast');
  const api = await peel.app.inject({ method: 'GET', url: '/api/forecast?type=Burglary&method=peel&top=0.01', headers: { authorization: `Bearer ${token}` } });
  const figures = api.json() as { accuracy: { methods: Array<{ method: string; coverage: Array<{ coverage: number; meanHitRate: number }> }> } };
  const rate = (method: string, coverage: number) => figures.accuracy.methods.find((m) => m.method === method)!.coverage.find((c) => c.coverage === coverage)!.meanHitRate;
  const five = await page.getByTestId('forecast-accuracy-5').innerText();
  assert.equal(
    five,
    `Over the 2 months September 2022 to October 2022, the 5% of cells this forecast picked each month held ${pct(rate('peel', 0.05))} of that month’s burglaries; last month’s counts alone would have found ${pct(rate('naive-last', 0.05))}, and the previous 2 months’ counts ${pct(rate('naive-all', 0.05))}.`,
  );
  assert.match(await page.getByTestId('forecast-accuracy-10').innerText(), new RegExp(`the 10% of cells this forecast picked each month held ${pct(rate('peel', 0.1))}`));

  // The map outlines the top 10% of cells.
  await mapAttribute(page, 'data-forecast-cells', 1);
  const cells = Number(await page.getByTestId('crime-map').getAttribute('data-forecast-cells'));
  assert.ok(cells > 50, `top-10% cells drawn: ${cells}`);

  // A patrol plan of two areas of at most six squares.
  await page.getByLabel('Areas', { exact: true }).fill('2');
  await page.getByLabel('Squares per area, at most').fill('6');
  await page.getByRole('button', { name: 'Make a patrol plan' }).click();
  const plan = page.getByTestId('patrol-plan');
  await plan.waitFor({ timeout: 60_000 });
  assert.match(await plan.innerText(), /2 areas of joined 250 m squares, together expected to hold [\d.]+% of November 2022’s burglaries/);
  assert.equal(await plan.locator('tbody tr').count(), 2);
  await mapAttribute(page, 'data-patrol-areas', 2);
  assert.equal(await page.locator('.peel-patrol-marker').count(), 2);

  // The briefing sheet: areas, shares, the accuracy in words, when and by whom.
  await plan.getByRole('link', { name: 'Open the briefing sheet to print' }).click();
  await page.getByRole('heading', { level: 1, name: '2 patrol areas for burglaries' }).waitFor({ timeout: 60_000 });
  assert.match(page.url(), /\/forecast\/briefing\?type=Burglary&method=peel&areas=2&maxCells=6&period=2022-11/);
  assert.match(await page.getByTestId('briefing-printed').innerText(), /^Printed .+ 2\d{3} at \d\d:\d\d by pc\.forecast\. Forecast by Peel ensemble/);
  const rows = page.getByTestId('briefing-areas').locator('tbody tr');
  assert.equal(await rows.count(), 2);
  for (const row of await rows.allInnerTexts()) assert.match(row, /^\d\s+[1-6]\s+[\d.]+%\s+\d+\s+52\.\d{5}, -1\.\d{5}$/);
  assert.equal(await page.getByTestId('briefing-accuracy').innerText(), five);
  assert.equal(await page.getByTestId('briefing-map').locator('path').count(), 2);

  // Printed, the sheet has no site header, menu or buttons.
  await page.emulateMedia({ media: 'print' });
  assert.equal(await page.locator('.govuk-generic-header').isVisible(), false);
  assert.equal(await page.getByRole('button', { name: 'Print this sheet' }).isVisible(), false);
  assert.equal(await page.getByTestId('briefing-map').isVisible(), true);
  const pdf = await page.pdf({ format: 'A4' });
  assert.ok(pdf.length > 10_000, `PDF of ${pdf.length} bytes`);

  assert.deepEqual(problems, []);
  await context.close();
});

test('on a phone the forecast, its accuracy card and the patrol plan fit the screen', async () => {
  const officer = await peel.user('officer', 'pc.phone.forecast');
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  const page = await context.newPage();
  await signIn(page, officer.username);
  await page.goto(`${peel.url}/crime`);
  await mapAttribute(page, 'data-renders', 1);
  await page.getByLabel(/Show next month’s forecast hotspots/).check();
  await page.getByTestId('forecast-accuracy').waitFor({ timeout: 120_000 });
  await page.getByRole('button', { name: 'Make a patrol plan' }).click();
  await page.getByTestId('patrol-plan').waitFor({ timeout: 60_000 });
  const overflow = await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth');
  assert.equal(overflow, 0, 'nothing wider than the screen');

  // By week needs records with dates; police.uk's have months only, and the panel says so.
  await page.getByLabel('Forecast by').selectOption('week');
  await page.getByLabel(/Show next week’s forecast hotspots/).waitFor();
  assert.match(await page.getByRole('alert').filter({ hasText: 'forecasting by week' }).innerText({ timeout: 30_000 }), /no located record has a date: forecasting by week needs records imported with their dates/);
  // Whose weeks: Europe/London unless another zone is chosen, which the request then carries.
  assert.equal(await page.getByLabel('Time zone').inputValue(), 'Europe/London');
  const asked = page.waitForRequest((r) => r.url().includes('/api/forecast?') && new URL(r.url()).searchParams.get('timeZone') === 'America/Chicago');
  await page.getByLabel('Time zone').selectOption('America/Chicago');
  await asked;
  assert.equal(await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth'), 0, 'the time zone choice fits the screen');
  await page.getByLabel('Forecast by').selectOption('month');
  assert.equal(await page.getByLabel('Time zone').count(), 0, 'no time zone by month');
  await context.close();
});
