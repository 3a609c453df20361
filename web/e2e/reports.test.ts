import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { launchChromium, signIn as signInAs, reportCspViolations } from './browser.ts';
import { readPhotoFacts } from '../src/reports/photo-metadata.ts';
import { systemActor } from '../../src/platform/actor.ts';
import { importLsoaBoundaries, importPoliceUk, SAMPLE_DIR } from '../../src/modules/crime/service.ts';
import { startTestApp, type TestApp } from '../../src/test/harness.ts';
import { jpegWithLocation } from './photo-fixture.ts';

// Citizen reports in a real Chromium against a real Peel: a member of the public on a
// phone files a report with a photo while offline, the phone sends it when back online,
// the control room sees it arrive live in the feed and on the map, assigns it and
// replies, and the reporter reads the reply on the private status page.

const WEB_DIR = resolve(import.meta.dirname, '../dist');
/** Leicester's Clock Tower: where the reporter's phone says it is. */
const HERE = { latitude: 52.63654, longitude: -1.13606 };
/** Where the photo says it was taken (a different place, so a leak would be plain). */
const PHOTO_PLACE = { latitude: 52.62011, longitude: -1.12492 };

let browser: Browser;
let peel: TestApp;
const contexts: BrowserContext[] = [];

before(async () => {
  assert.ok(existsSync(resolve(WEB_DIR, 'index.html')), 'build the web app first: npm run build');
  peel = await startTestApp({ PEEL_WEB_DIR: WEB_DIR, PEEL_RATE_LIMIT_LOGIN_PER_MINUTE: '1000', PEEL_PUBLIC_RATE_LIMIT: '1000' }, { listen: true });
  // Two months of real Leicestershire street-level crime (the shipped sample) and the force's LSOAs, for area safety.
  await importLsoaBoundaries(peel.platform.db, systemActor, join(SAMPLE_DIR, 'boundaries', 'leicestershire_force_area_lsoa2011.geojson.gz'));
  const street = join(SAMPLE_DIR, 'police-uk', 'leicestershire');
  const summary = await importPoliceUk(peel.platform.db, systemActor, ['2022-09', '2022-10'].map((m) => join(street, `${m}-leicestershire-street.csv.gz`)));
  assert.ok(summary.imported > 10_000, `imported ${summary.imported}`);
  browser = await launchChromium();
});

after(async () => {
  for (const context of contexts) await context.close().catch(() => undefined);
  await browser?.close();
  await peel?.close();
});

interface Watched {
  context: BrowserContext;
  page: Page;
  /** error replies, console errors, uncaught exceptions, CSP violations and dialogs (a script run from report text would open one) */
  problems: string[];
}

async function open(options: Parameters<Browser['newContext']>[0], expected: RegExp[] = []): Promise<Watched> {
  const context = await browser.newContext(options);
  contexts.push(context);
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`uncaught: ${e.message}`));
  page.on('dialog', (d) => {
    problems.push(`dialog: ${d.message()}`);
    void d.dismiss();
  });
  page.on('response', (r) => {
    const problem = `${r.status()} ${new URL(r.url()).pathname}`;
    if (r.status() >= 400 && r.status() !== 401 && !expected.some((e) => e.test(problem))) problems.push(problem);
  });
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    const text = m.text();
    // Asking whether anyone is signed in answers 401 to the public; offline, requests fail by design.
    if (/status of \d+/.test(text) || expected.some((e) => e.test(text))) return;
    problems.push(`console: ${text}`);
  });
  await reportCspViolations(page);
  return { context, page, problems };
}

const signIn = (page: Page, username: string) => signInAs(page, peel.url, username);

async function apiGet<T>(path: string, token: string): Promise<T> {
  const response = await fetch(`${peel.url}${path}`, { headers: { Authorization: `Bearer ${token}` } });
  assert.equal(response.status, 200, `${path}: ${response.status}`);
  return (await response.json()) as T;
}

/** The little of the DOM read inside the page (the project's types are Node's). */
interface Dom {
  document: { querySelector(selector: string): { getAttribute(name: string): string | null } | null };
}

test('a report filed offline on a phone reaches the control room live; assigned and answered, the reporter reads the reply', async () => {
  const operator = await peel.user('control_room', 'cora.room');

  // The control room is watching before the report is made.
  const room = await open({ viewport: { width: 1280, height: 900 } });
  await signIn(room.page, operator.username);
  await room.page.getByRole('navigation', { name: 'Menu' }).getByRole('link', { name: 'Control room' }).click();
  await room.page.getByRole('heading', { level: 1, name: 'Control room' }).waitFor();
  await room.page.getByTestId('feed-connection').filter({ hasText: /^Live/ }).waitFor();

  // A member of the public, on a phone, with no account.
  const phone = await open(
    {
      viewport: { width: 390, height: 844 },
      deviceScaleFactor: 2,
      isMobile: true,
      hasTouch: true,
      geolocation: HERE,
      permissions: ['geolocation'],
    },
    // Offline, requests fail by design (the sign-in check among them).
    [/Failed to load resource: net::ERR_INTERNET_DISCONNECTED/, /Peel could not be reached/],
  );
  const { page } = phone;
  await page.goto(`${peel.url}/report`);
  await page.getByRole('heading', { level: 1, name: 'Report something to the police' }).waitFor();
  assert.match(await page.locator('.peel-report__emergency').innerText(), /If this is an emergency, call 999/);
  // The installable app: the manifest is linked and the service worker takes charge.
  assert.equal(await page.locator('link[rel="manifest"]').getAttribute('href'), '/manifest.webmanifest');
  await page.waitForFunction(() => (globalThis as unknown as { navigator: { serviceWorker: { controller: unknown } } }).navigator.serviceWorker.controller !== null, null, { timeout: 10_000 });
  const manifest = await fetch(`${peel.url}/manifest.webmanifest`);
  assert.equal(manifest.status, 200);
  assert.equal(((await manifest.json()) as { start_url: string }).start_url, '/report');

  // The phone fits the form: nothing wider than the screen.
  const scrollWidth = await page.evaluate(() => (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } }).document.documentElement.scrollWidth);
  assert.ok(scrollWidth <= 390, `page is ${scrollWidth}px wide on a 390px screen`);

  // Few mandatory fields: sending an empty form names exactly those.
  await page.getByRole('button', { name: 'Send report' }).click();
  const summary = page.locator('.govuk-error-summary');
  await summary.waitFor();
  const problems = await summary.innerText();
  assert.match(problems, /Select what happened/);
  assert.match(problems, /Tell us what happened/);
  assert.match(problems, /Show where it happened/);

  await page.getByLabel('What happened?').selectOption({ label: 'Antisocial behaviour' });
  await page.getByRole('button', { name: 'Use my location' }).click();
  await page.getByText(/We will be told only the blue square around your spot/).waitFor();
  const description = 'Group shouting and throwing bottles by the Clock Tower. <script>alert("x")</script>';
  await page.getByLabel('Tell us what happened').fill(description);
  // The draft is kept on the phone as the reporter types: closing the page, even at once, loses nothing.
  await page.reload();
  assert.equal(await page.getByLabel('Tell us what happened').inputValue(), description);
  assert.equal(await page.getByLabel('What happened?').inputValue(), 'antisocial-behaviour');
  await page.getByText(/We will be told only the blue square around your spot/).waitFor();
  await page.getByLabel('Or type a place').fill('Clock Tower');
  await page.getByText(/Draft saved on this phone at/).waitFor();
  await page.getByLabel('Photos (optional)').setInputFiles({ name: 'bottles.jpg', mimeType: 'image/jpeg', buffer: jpegWithLocation(PHOTO_PLACE.latitude, PHOTO_PLACE.longitude) });
  await page.getByText(/^bottles\.jpg \(/).waitFor();
  assert.match(await page.locator('.peel-report__photos').innerText(), /records where it was taken/);
  assert.equal(await page.getByLabel('Share where the photos were taken').isChecked(), false);

  // No signal: the report is kept on the phone, not lost.
  await phone.context.setOffline(true);
  await page.getByRole('button', { name: 'Send report' }).click();
  await page.getByTestId('report-waiting').filter({ hasText: /You are offline\. Your report will be sent by itself/ }).waitFor();
  const before = await apiGet<{ total: number }>('/api/reports?limit=1', operator.token);
  assert.equal(before.total, 0, 'nothing reached the server while offline');

  // Still offline, the app opens again from the service worker, the report still waiting.
  await page.reload();
  await page.getByTestId('report-waiting').filter({ hasText: /You are offline/ }).waitFor();

  // Back online: the phone sends it by itself, and shows the reference and the private link.
  await phone.context.setOffline(false);
  const reference = (await page.getByTestId('report-reference').innerText({ timeout: 15_000 })).trim();
  assert.match(reference, /^R-/);
  const statusLink = page.getByTestId('status-link');
  const statusPath = new URL((await statusLink.innerText()).trim()).pathname;
  assert.match(statusPath, /^\/report\/status\/.+/);

  // Exactly one report, with the blurred point (not the exact one), and its photo without the photo's location.
  const list = await apiGet<{ total: number; items: Array<{ reference: string; latitude: number; longitude: number; locationPrecisionMetres: number; photos: number }> }>(
    '/api/reports?limit=10',
    operator.token,
  );
  assert.equal(list.total, 1);
  const stored = list.items[0]!;
  assert.equal(stored.reference, reference);
  assert.equal(stored.locationPrecisionMetres, 100);
  assert.notEqual(stored.latitude, HERE.latitude);
  assert.ok(Math.abs(stored.latitude - HERE.latitude) < 0.001 && Math.abs(stored.longitude - HERE.longitude) < 0.002, 'blurred to within about 100 m');
  assert.equal(stored.photos, 1);
  const detail = await apiGet<{ photoList: Array<{ id: number; locationShared: boolean }> }>(`/api/reports/${reference}`, operator.token);
  const photo = await fetch(`${peel.url}/api/reports/${reference}/photos/${detail.photoList[0]!.id}`, { headers: { Authorization: `Bearer ${operator.token}` } });
  const facts = readPhotoFacts(new Uint8Array(await photo.arrayBuffer()));
  assert.equal(facts.location, null, 'the photo arrived without where it was taken');
  assert.equal(detail.photoList[0]!.locationShared, false);

  // The control room sees it arrive in the feed, live, with its text shown as text.
  const row = room.page.getByTestId('feed-item').filter({ hasText: reference });
  await row.waitFor({ timeout: 5_000 });
  assert.match(await row.innerText(), /<script>alert\("x"\)<\/script>/);
  // ...and on the map.
  await room.page.waitForFunction(
    (ref) => ((globalThis as unknown as Dom).document.querySelector('[data-testid=reports-map]')?.getAttribute('data-shown') ?? '').split(' ').includes(ref),
    reference,
    { timeout: 10_000 },
  );

  // Choosing it in the feed selects it on the map and opens it.
  await row.getByRole('button').click();
  assert.equal(await room.page.getByTestId('reports-map').getAttribute('data-selected'), reference);
  const triage = room.page.getByTestId('triage');
  await triage.getByRole('heading', { name: reference }).waitFor();
  await triage.getByText('Where it was taken was removed').waitFor();

  await triage.getByLabel('Team').fill('Leicester City Centre neighbourhood team');
  await triage.getByRole('button', { name: 'Assign', exact: true }).click();
  await room.page.getByText(`${reference} assigned.`).waitFor();
  await row.getByText('Passed to a team').waitFor();

  const reply = 'Thank you. Officers from the city centre team will patrol the Clock Tower tonight.';
  await triage.getByLabel('Reply', { exact: true }).fill(reply);
  await triage.getByRole('button', { name: 'Send reply' }).click();
  await room.page.getByText(/Reply sent/).waitFor();

  // The reporter opens the private link and reads the reply.
  await statusLink.click();
  await page.getByRole('heading', { level: 1, name: reference }).waitFor();
  assert.equal((await page.getByTestId('report-status').innerText()).trim(), 'Passed to a team');
  await page.getByTestId('status-messages').getByText(reply).waitFor();

  // With no signal, the status page still opens, with what it last showed.
  await phone.context.setOffline(true);
  await page.reload();
  await page.getByText(/Showing what was last loaded/).waitFor();
  await page.getByTestId('status-messages').getByText(reply).waitFor();
  await phone.context.setOffline(false);

  assert.deepEqual(room.problems, []);
  assert.deepEqual(phone.problems, []);
});

test('the public area-safety page shows only aggregates, and no area below the suppression minimum', async () => {
  const analyst = await peel.user('analyst', 'ana.safety');
  const staff = await apiGet<{ suppressBelow: number; suppressedAreas: number; features: unknown[] }>('/api/reports/area-safety?res=8&months=3', analyst.token);
  assert.ok(staff.suppressedAreas > 0, 'some areas have too few events to show: the test would catch them');

  const { page, problems } = await open({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  await page.goto(`${peel.url}/area-safety`);
  await page.getByRole('heading', { level: 1, name: 'Crime in your area' }).waitFor();
  const summary = page.getByTestId('safety-summary');
  await summary.waitFor();
  const publicData = (await (await fetch(`${peel.url}/api/public/area-safety?res=8&months=3&days=90`)).json()) as {
    suppressBelow: number;
    features: Array<{ properties: Record<string, unknown> }>;
  };
  const minimum = publicData.suppressBelow;
  assert.ok(minimum >= 2, `suppression minimum ${minimum}`);
  assert.match(await summary.innerText(), new RegExp(`Areas with fewer than ${minimum} events are not shown`));
  // Counts and levels only: no report text, reference or point in what the public gets.
  for (const feature of publicData.features) assert.deepEqual(Object.keys(feature.properties).sort(), ['cell', 'count', 'level']);

  // The map holds every area the server sent, the smallest at or above the minimum...
  const map = page.getByTestId('safety-map');
  await page.waitForFunction(() => ((globalThis as unknown as Dom).document.querySelector('[data-testid=safety-map]')?.getAttribute('data-cells') ?? '') !== '', null, { timeout: 10_000 });
  assert.equal(Number(await map.getAttribute('data-cells')), publicData.features.length);
  assert.ok(publicData.features.length > 10, `areas shown: ${publicData.features.length}`);
  assert.ok(Number(await map.getAttribute('data-min-count')) >= minimum, `smallest area on the map: ${await map.getAttribute('data-min-count')}`);
  // ...and so does every row of the table.
  const counts = await page.getByTestId('safety-table').locator('tbody tr').evaluateAll((rows) => rows.map((r) => Number((r as unknown as { dataset: { count: string } }).dataset.count)));
  assert.ok(counts.length > 0);
  for (const count of counts) assert.ok(count >= minimum, `an area with ${count} events is shown (minimum ${minimum})`);
  // The method is explained on the page.
  await page.getByRole('heading', { name: 'How this is worked out' }).waitFor();

  // By neighbourhood (LSOA) instead of hexagon: named areas, and still none under the minimum.
  await page.getByLabel('Areas', { exact: true }).selectOption('lsoa');
  await page.getByRole('columnheader', { name: 'Neighbourhood' }).waitFor();
  const lsoaData = (await (await fetch(`${peel.url}/api/public/area-safety?by=lsoa&months=3&days=90`)).json()) as { suppressBelow: number; features: Array<{ properties: { count: number } }> };
  assert.ok(lsoaData.features.length > 0);
  await page.waitForFunction((n) => (globalThis as unknown as Dom).document.querySelector('[data-testid=safety-map]')?.getAttribute('data-cells') === String(n), lsoaData.features.length);
  assert.ok(Number(await map.getAttribute('data-min-count')) >= lsoaData.suppressBelow);
  const lsoaCounts = await page.getByTestId('safety-table').locator('tbody tr').evaluateAll((rows) => rows.map((r) => Number((r as unknown as { dataset: { count: string } }).dataset.count)));
  for (const count of lsoaCounts) assert.ok(count >= lsoaData.suppressBelow, `a neighbourhood with ${count} events is shown`);
  assert.match(await page.getByTestId('safety-table').locator('tbody tr').first().innerText(), /Leicester|Charnwood|Blaby|Oadby|Hinckley|Harborough|Melton|Rutland|Leicestershire|\(E0\d+\)/);
  assert.deepEqual(problems, []);
});

const NEW_REPORT = (description: string, extra: Record<string, unknown> = {}) => ({
  category: 'antisocial-behaviour',
  description,
  latitude: 52.6341,
  longitude: -1.1312,
  occurredAt: new Date().toISOString(),
  ...extra,
});

test('the feed picks up where it left off after its connection drops, and held reports join it only when released', async () => {
  const operator = await peel.user('control_room', 'cole.room');
  // The dropped connection is reported by the browser; that is the point of the test.
  const room = await open({ viewport: { width: 1280, height: 900 } }, [/Failed to load resource: net::ERR_/]);
  await signIn(room.page, operator.username);
  await room.page.goto(`${peel.url}/control-room`);
  const status = room.page.getByTestId('feed-connection');
  await status.filter({ hasText: /^Live/ }).waitFor();
  // The map's worker script must have loaded first: the drop is of the feed, not of the page's own files.
  await room.page.locator('[data-testid="reports-map"][data-clusters]').waitFor();

  // Every connection to the server drops; a report arrives before the browser is back.
  peel.app.server.closeAllConnections();
  const missed = await peel.app.inject({ method: 'POST', url: '/api/reports', payload: NEW_REPORT('Report made while the control room was disconnected') });
  assert.equal(missed.statusCode, 201);
  const missedRef = (missed.json() as { reference: string }).reference;
  await room.page.getByTestId('feed-item').filter({ hasText: missedRef }).waitFor({ timeout: 20_000 });
  await status.filter({ hasText: /^Live/ }).waitFor();

  // A report that filled in the honeypot looks accepted, but is held back from the feed.
  const held = await peel.app.inject({ method: 'POST', url: '/api/reports', payload: NEW_REPORT('Cheap watches, click here', { website: 'http://spam.example' }) });
  assert.equal(held.statusCode, 201);
  const heldRef = (held.json() as { reference: string }).reference;
  const later = await peel.app.inject({ method: 'POST', url: '/api/reports', payload: NEW_REPORT('A later, genuine report') });
  const laterRef = (later.json() as { reference: string }).reference;
  await room.page.getByTestId('feed-item').filter({ hasText: laterRef }).waitFor();
  assert.equal(await room.page.getByTestId('feed-item').filter({ hasText: heldRef }).count(), 0);

  // Released after a look, it joins the feed.
  await room.page.getByRole('link', { name: 'Held for checking' }).click();
  await room.page.getByRole('heading', { level: 1, name: 'Held for checking' }).waitFor();
  await room.page.getByText('Cheap watches, click here').waitFor();
  await room.page.getByRole('button', { name: `Release into the feed (${heldRef})` }).click();
  await room.page.getByText(`${heldRef} released into the feed.`).waitFor();
  await room.page.getByRole('link', { name: 'Control room' }).first().click();
  await room.page.getByTestId('feed-item').filter({ hasText: heldRef }).waitFor();
  assert.deepEqual(room.problems, []);
});

test('a report whose reply was lost on the way is sent again with the same key and stored once', async () => {
  const operator = await peel.user('control_room', 'kit.room');
  const before = await apiGet<{ total: number }>('/api/reports?limit=1', operator.token);
  const phone = await open({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, geolocation: HERE, permissions: ['geolocation'] }, [
    /Failed to load resource: net::ERR_CONNECTION_RESET/,
    /Failed to load resource: net::ERR_INTERNET_DISCONNECTED/,
  ]);
  const { page } = phone;
  // The first attempt reaches the server, which stores the report, but its answer never arrives.
  let attempts = 0;
  const keys: string[] = [];
  await page.route('**/api/reports', async (route) => {
    attempts++;
    keys.push(route.request().headers()['idempotency-key'] ?? '');
    if (attempts === 1) {
      await route.fetch();
      await route.abort('connectionreset');
    } else await route.continue();
  });
  await page.goto(`${peel.url}/report`);
  await page.getByLabel('What happened?').selectOption({ label: 'Antisocial behaviour' });
  await page.getByRole('button', { name: 'Use my location' }).click();
  await page.getByLabel('Tell us what happened').fill('Car alarm going off for an hour outside number 12.');
  await page.getByRole('button', { name: 'Send report' }).click();
  // The phone tries again by itself: straight away if asked while the first attempt was out,
  // else when it is next back online.
  await page.getByTestId('report-waiting').or(page.getByTestId('report-reference')).waitFor();
  if (await page.getByTestId('report-waiting').isVisible()) {
    await phone.context.setOffline(true);
    await phone.context.setOffline(false);
  }
  const reference = (
    await page
      .getByTestId('report-reference')
      .innerText({ timeout: 15_000 })
      .catch(async (e: unknown) => {
        throw new Error(`no reference after ${attempts} attempts; the page says: ${await page.locator('main').innerText()}`, { cause: e });
      })
  ).trim();
  assert.ok(attempts >= 2, `attempts: ${attempts}`);
  assert.ok(keys.every((k) => k === keys[0]), 'the same Idempotency-Key every time');
  assert.match(keys[0]!, /^[0-9a-f-]{36}$/);
  const after = await apiGet<{ total: number; items: Array<{ reference: string }> }>('/api/reports?limit=1', operator.token);
  assert.equal(after.total, before.total + 1, 'stored once');
  assert.equal(after.items[0]!.reference, reference);
  assert.deepEqual(phone.problems, []);
});

test('with no map point, a reporter types a place and chooses it; a place nobody knows is refused with a way on', async () => {
  const operator = await peel.user('control_room', 'pat.room');
  const phone = await open({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true }, [/^400 \/api\/reports$/]);
  const { page } = phone;
  await page.goto(`${peel.url}/report`);
  await page.getByLabel('What happened?').selectOption({ label: 'Antisocial behaviour' });
  await page.getByLabel('Tell us what happened').fill('Fly-tipping again behind the shops.');
  await page.getByLabel('Or type a place').fill('charn');
  const matches = page.getByTestId('place-matches');
  await matches.getByText(/places? match/).waitFor();
  // The district comes first, then its neighbourhoods (LSOAs), at most ten.
  const offered = await matches.getByRole('button').allInnerTexts();
  assert.ok(offered.length >= 2 && offered.length <= 10, offered.join(' | '));
  assert.match(offered[0]!, /^Charnwood\s*,?\s*district$/);
  await matches.getByRole('button', { name: /^Charnwood\s*,?\s*district$/ }).click();
  await page.getByText('We will be told the place you chose, Charnwood, and put it at its centre (marked on the map).').waitFor();
  assert.equal(await page.getByTestId('place-matches').count(), 0);
  await page.getByRole('button', { name: 'Send report' }).click();
  const reference = (await page.getByTestId('report-reference').innerText({ timeout: 15_000 })).trim();
  const item = await apiGet<{ locationInferred: boolean; placeName: string; latitude: number; longitude: number; locationPrecisionMetres: number | null }>(`/api/reports/${reference}`, operator.token);
  assert.equal(item.locationInferred, true);
  assert.equal(item.placeName, 'Charnwood');
  const places = (await (await fetch(`${peel.url}/api/public/places?q=Charnwood`)).json()) as { places: Array<{ latitude: number; longitude: number }> };
  assert.ok(Math.abs(item.latitude - places.places[0]!.latitude) < 1e-5 && Math.abs(item.longitude - places.places[0]!.longitude) < 1e-5, 'at the district\'s centre');

  // A name that matches nothing: the form says so, and the server's refusal names the way on.
  await page.goto(`${peel.url}/report`);
  await page.getByLabel('What happened?').selectOption({ label: 'Antisocial behaviour' });
  await page.getByLabel('Tell us what happened').fill('Fly-tipping again.');
  await page.getByLabel('Or type a place').fill('Atlantis');
  await page.getByTestId('place-matches').getByText('No place in the force area has that name. Try another name, or show where it happened on the map.').waitFor();
  await page.getByRole('button', { name: 'Send report' }).click();
  await page.getByText(/"Atlantis" is not a place we recognise; choose one of the places offered, or show where it happened on the map/).waitFor({ timeout: 15_000 });
  assert.deepEqual(phone.problems, []);
});

test('a configured basemap is drawn under the report pages\' maps', async () => {
  // A basemap style, served over real HTTP from another origin, as a tile provider would.
  const asked: string[] = [];
  const tiles = createServer((req, res) => {
    asked.push(req.url ?? '');
    res.writeHead(200, { 'Content-Type': 'application/json', 'Access-Control-Allow-Origin': '*' });
    res.end(JSON.stringify({ version: 8, sources: {}, layers: [{ id: 'land', type: 'background', paint: { 'background-color': '#dfe8d0' } }] }));
  });
  await new Promise<void>((done) => tiles.listen(0, '127.0.0.1', done));
  const styleUrl = `http://127.0.0.1:${(tiles.address() as AddressInfo).port}/basemap/style.json`;
  const styled = await startTestApp({ PEEL_WEB_DIR: WEB_DIR, PEEL_PUBLIC_RATE_LIMIT: '1000', PEEL_MAP_STYLE_URL: styleUrl }, { listen: true });
  try {
    const visitor = await open({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    await visitor.page.goto(`${styled.url}/report`);
    await visitor.page.getByTestId('location-picker').locator('canvas').waitFor();
    for (let i = 0; i < 50 && !asked.includes('/basemap/style.json'); i++) await new Promise((r) => setTimeout(r, 100));
    assert.ok(asked.includes('/basemap/style.json'), 'the report form\'s map loads the configured style');
    const before = asked.length;
    await visitor.page.goto(`${styled.url}/area-safety`);
    await visitor.page.getByTestId('safety-map').locator('canvas').waitFor();
    for (let i = 0; i < 50 && asked.length === before; i++) await new Promise((r) => setTimeout(r, 100));
    assert.ok(asked.length > before, 'the area-safety map loads it too');
    // Allowed by the page's content security policy: no violation, no error.
    assert.deepEqual(visitor.problems, []);
  } finally {
    await styled.close();
    tiles.close();
  }
});

test('an administrator adds a category, which the public form then offers, and turns it off again', async () => {
  const admin = await peel.user('admin', 'ada.admin');
  // Feeds and webhooks may not be on this server yet; the page says so, and that is not a fault.
  const desk = await open({ viewport: { width: 1280, height: 900 } }, [/^404 \/api\/reports\/admin\/sources$/]);
  await signIn(desk.page, admin.username);
  await desk.page.getByRole('navigation', { name: 'Menu' }).getByRole('link', { name: 'Report settings' }).click();
  await desk.page.getByRole('heading', { level: 1, name: 'Report settings' }).waitFor();
  await desk.page.getByLabel('Add a category').fill('Fly-tipping');
  await desk.page.getByRole('button', { name: 'Add category' }).click();
  await desk.page.getByText('Fly-tipping added.').waitFor();
  await desk.page.getByTestId('categories').getByText('fly-tipping', { exact: true }).waitFor();

  const phone = await open({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  await phone.page.goto(`${peel.url}/report`);
  const options = () => phone.page.getByLabel('What happened?').locator('option').allInnerTexts();
  await phone.page.getByLabel('What happened?').waitFor();
  assert.ok((await options()).includes('Fly-tipping'), `offered: ${(await options()).join(', ')}`);

  await desk.page.getByRole('button', { name: 'Turn off Fly-tipping' }).click();
  await desk.page.getByText('Fly-tipping turned off.').waitFor();
  await phone.page.reload();
  await phone.page.getByLabel('What happened?').waitFor();
  assert.ok(!(await options()).includes('Fly-tipping'));
  assert.deepEqual(desk.problems, []);
  assert.deepEqual(phone.problems, []);
});

test('two reports of the same thing are merged from their thread, then closed with a reason; both reporters are told', async () => {
  const operator = await peel.user('control_room', 'max.room');
  const file = async (description: string) => {
    const r = await peel.app.inject({
      method: 'POST',
      url: '/api/reports',
      payload: { category: 'antisocial-behaviour', description, latitude: 52.6502, longitude: -1.0904, occurredAt: new Date().toISOString() },
    });
    assert.equal(r.statusCode, 201);
    return r.json() as { reference: string; statusUrl: string };
  };
  const first = await file('Motorbikes racing round the playing field on Humberstone Lane again');
  const second = await file('Motorbikes racing round the playing field on Humberstone Lane, very loud');

  const room = await open({ viewport: { width: 1280, height: 900 } });
  await signIn(room.page, operator.username);
  await room.page.goto(`${peel.url}/control-room`);
  await room.page.getByTestId('feed-item').filter({ hasText: second.reference }).getByRole('button').click();
  const triage = room.page.getByTestId('triage');
  await triage.getByRole('heading', { name: second.reference }).waitFor();
  await triage.getByTestId('thread').getByRole('button', { name: first.reference, exact: true }).waitFor();
  await triage.getByRole('button', { name: `Merge ${second.reference} into ${first.reference}` }).click();
  // The duplicate leaves the feed; the one kept is open.
  await triage.getByRole('heading', { name: first.reference }).waitFor();
  await room.page.getByTestId('feed-item').filter({ hasText: second.reference }).waitFor({ state: 'detached' });

  await triage.getByLabel('Reason (internal)').fill('Advice given; passed to the council');
  await triage.getByLabel('Message to the reporter (optional)').fill('Thank you. We have passed this to the city council, who manage the field.');
  await triage.getByRole('button', { name: 'Close report' }).click();
  await room.page.getByText(`${first.reference} closed.`).waitFor();
  await room.page.getByTestId('feed-item').filter({ hasText: first.reference }).getByText('Closed').waitFor();
  // A closed report can still be replied to and linked, not assigned or closed again.
  await triage.getByRole('button', { name: 'Send reply' }).waitFor();
  assert.equal(await triage.getByRole('button', { name: 'Assign', exact: true }).count(), 0);
  assert.equal(await triage.getByRole('button', { name: 'Close report' }).count(), 0);

  const status = async (statusUrl: string) => (await (await fetch(`${peel.url}${new URL(statusUrl).pathname}`)).json()) as { status: string; messages: Array<{ kind: string; text: string }> };
  const kept = await status(first.statusUrl);
  assert.equal(kept.status, 'closed');
  assert.ok(kept.messages.some((m) => m.text.includes('passed this to the city council')));
  const merged = await status(second.statusUrl);
  assert.equal(merged.status, 'closed');
  assert.deepEqual(room.problems, []);
});

test('an administrator adds an RSS feed and checks it; its messages join the control room feed, marked as from the feed', async () => {
  // A residents' group's feed, served over real HTTP.
  const rss = readFileSync(resolve(import.meta.dirname, '../../src/modules/reports/fixtures/rss.xml'));
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/rss+xml' });
    res.end(rss);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const feedUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/alerts.xml`;
  try {
    const admin = await peel.user('admin', 'ade.admin');
    const operator = await peel.user('control_room', 'fee.room');
    const room = await open({ viewport: { width: 1280, height: 900 } });
    await signIn(room.page, operator.username);
    await room.page.goto(`${peel.url}/control-room`);
    await room.page.getByTestId('feed-connection').filter({ hasText: /^Live/ }).waitFor();

    const desk = await open({ viewport: { width: 1280, height: 900 } });
    await signIn(desk.page, admin.username);
    await desk.page.goto(`${peel.url}/reports/settings`);
    await desk.page.getByLabel('Name', { exact: true }).fill('Leicester community alerts');
    await desk.page.getByLabel('RSS feed').check();
    await desk.page.getByLabel('Feed address').fill(feedUrl);
    await desk.page.getByLabel('Check every (minutes)').fill('60');
    await desk.page.getByRole('button', { name: 'Add source' }).click();
    await desk.page.getByText('Leicester community alerts added.').waitFor();
    await desk.page.getByRole('button', { name: 'Check now (Leicester community alerts)' }).click();
    // The listening server polls due feeds by itself every second, so it may have taken the
    // feed's two good items in before the click: then the check finds them already seen.
    const result = await desk.page.getByText(/^Leicester community alerts: \d+ new/).innerText();
    const [, fresh, seen] = /: (\d+) new, (\d+) already seen/.exec(result)!;
    const accepted = Number(fresh) + Number(seen);
    assert.equal(accepted, 2, result);

    const fromFeed = room.page.getByTestId('feed-item').filter({ hasText: 'RSS feed' });
    await fromFeed.filter({ hasText: '@westend_watch' }).waitFor();
    await room.page.getByLabel('Channel').selectOption('rss');
    await room.page.waitForFunction(
      (n) => (globalThis as unknown as { document: { querySelectorAll(s: string): { length: number } } }).document.querySelectorAll('[data-testid=feed-item]').length === n,
      accepted,
    );
    assert.equal(await room.page.getByTestId('feed-item').filter({ hasNotText: 'RSS feed' }).count(), 0);
    assert.deepEqual(desk.problems, []);
    assert.deepEqual(room.problems, []);
  } finally {
    server.close();
  }
});

test('a supervisor reads the control room feed and a report in full, but has no triage steps', async () => {
  const supervisor = await peel.user('supervisor', 'sue.pervisor');
  const filed = await peel.app.inject({
    method: 'POST',
    url: '/api/reports',
    payload: { category: 'antisocial-behaviour', description: 'Fireworks let off towards houses on Saffron Lane', latitude: 52.6102, longitude: -1.1418, occurredAt: new Date().toISOString() },
  });
  const { reference } = filed.json() as { reference: string };
  const desk = await open({ viewport: { width: 1280, height: 900 } });
  await signIn(desk.page, supervisor.username);
  await desk.page.getByRole('navigation', { name: 'Menu' }).getByRole('link', { name: 'Control room' }).click();
  await desk.page.getByTestId('feed-item').filter({ hasText: reference }).getByRole('button').click();
  const triage = desk.page.getByTestId('triage');
  await triage.getByRole('heading', { name: reference }).waitFor();
  await triage.getByText('Supervisors can read reports here; triage is done by control room staff.').waitFor();
  await triage.getByTestId('triage-messages').getByText('the reporter sees this').first().waitFor();
  for (const name of ['Acknowledge', 'Assign', 'Send reply', 'Link', 'Merge', 'Close report']) {
    assert.equal(await triage.getByRole('button', { name, exact: true }).count(), 0, `no ${name} button`);
  }
  assert.equal(await desk.page.getByRole('link', { name: 'Held for checking' }).count(), 0);
  assert.deepEqual(desk.problems, []);
});
