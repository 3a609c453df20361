import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { unzipSync } from 'fflate';
import { type Browser, type BrowserContext, type Page, type Request } from 'playwright-core';
import { launchChromium, signIn as signInAs, reportCspViolations } from './browser.ts';
import { startTestApp, type TestApp } from '../../src/test/harness.ts';

// The evidence store in a real Chromium against a real Peel: an evidence officer uploads
// real videos over tus (one interrupted, its tab closed, and resumed), categorises them,
// plays one, shares it, and a recipient with no account downloads it and checks its hash.

const WEB_DIR = resolve(import.meta.dirname, '../dist');
/** The upload page's chunk size (web/src/evidence/tus.ts): the large file needs more than one. */
const CHUNK = 8 * 1024 * 1024;

let browser: Browser;
let peel: TestApp;
let dir: string;
const videos: Record<'bike' | 'car' | 'long', string> = { bike: '', car: '', long: '' };

/** Set PEEL_E2E_SCREENSHOTS to a folder to keep a picture of each page, to look at by eye. */
const SHOTS = process.env.PEEL_E2E_SCREENSHOTS;
async function shot(page: Page, name: string) {
  if (SHOTS) await page.screenshot({ path: join(SHOTS, `evidence-${name}.png`), fullPage: true });
}

// axe-core's WCAG 2.2 A and AA rules, run inside the page (evaluated over the DevTools
// protocol, which the page's Content-Security-Policy does not govern).
const AXE = readFileSync(resolve(import.meta.dirname, '../../node_modules/axe-core/axe.min.js'), 'utf8');
async function assertAccessible(page: Page, where: string) {
  await page.evaluate(AXE);
  const violations = (await page.evaluate(
    `axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] } })
      .then((r) => r.violations.map((v) => v.id + ': ' + v.help + ' at ' + v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join('; ')))`,
  )) as string[];
  assert.deepEqual(violations, [], `accessibility problems on ${where}`);
}

const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

/** A short real H.264 MP4 from ffmpeg's test source. */
function makeVideo(name: string, seconds: number, size: string, extra: string[] = []): string {
  const path = join(dir, name);
  execFileSync('ffmpeg', [
    '-hide_banner', '-loglevel', 'error', '-y',
    '-f', 'lavfi', '-i', `testsrc2=duration=${seconds}:size=${size}:rate=25`,
    // The title makes each file's bytes its own: identical bytes would be one item, not two.
    '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-movflags', '+faststart', '-metadata', `title=${name}`, ...extra, path,
  ]);
  return path;
}

before(async () => {
  assert.ok(existsSync(resolve(WEB_DIR, 'index.html')), 'build the web app first: npm run build');
  dir = mkdtempSync(join(tmpdir(), 'peel-evidence-e2e-'));
  videos.bike = makeVideo('bwv-0042-bike-stop.mp4', 2, '320x240');
  videos.car = makeVideo('bwv-0042-car-stop.mp4', 3, '320x240');
  // Lossless, so that it is big enough for two chunks: the second is the one that fails.
  videos.long = makeVideo('cctv-high-street.mp4', 8, '1280x720', ['-preset', 'ultrafast', '-qp', '0']);
  assert.ok(statSync(videos.long).size > CHUNK, `the large video is ${statSync(videos.long).size} bytes`);
  peel = await startTestApp({ PEEL_WEB_DIR: WEB_DIR, PEEL_RATE_LIMIT_LOGIN_PER_MINUTE: '1000' }, { listen: true });
  browser = await launchChromium(['--autoplay-policy=no-user-gesture-required']);
});

after(async () => {
  await browser?.close();
  await peel?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

interface Watched {
  page: Page;
  problems: string[];
}

/** A page that collects uncaught errors, console errors and CSP violations. */
async function watch(context: BrowserContext, ignore: RegExp = /status of 401/): Promise<Watched> {
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`uncaught: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && !ignore.test(m.text())) problems.push(`console: ${m.text()} (${m.location().url})`);
  });
  await reportCspViolations(page);
  return { page, problems };
}

const signIn = (page: Page, username: string) => signInAs(page, peel.url, username);

const row = (page: Page, file: string) => page.locator(`[data-testid=evidence-upload-row][data-file="${basename(file)}"]`);

async function waitForStatus(page: Page, file: string, status: string, timeout = 30_000) {
  await page.locator(`[data-testid=evidence-upload-row][data-file="${basename(file)}"][data-status=${status}]`).waitFor({ timeout });
}

/** The item id a finished upload row links to. */
async function itemIdOf(page: Page, file: string): Promise<number> {
  const href = await row(page, file).getByRole('link', { name: `View ${basename(file)}` }).getAttribute('href');
  const id = Number(href?.match(/\/evidence\/items\/(\d+)$/)?.[1]);
  assert.ok(id > 0, `item link of ${file}: ${href}`);
  return id;
}

/** The little of the DOM read inside the page (the project's types are Node's, not the browser's). */
interface VideoElement {
  readyState: number;
  currentTime: number;
  muted: boolean;
  play(): Promise<void>;
}

test('an evidence officer uploads footage (resuming one after a dropped connection and a closed tab), categorises, plays and shares it; the recipient downloads it and checks its hash', async () => {
  const officer = await peel.user('evidence_officer', 'eve.dence');
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  // Aborted requests are the point of the first part; Chromium logs each one.
  const first = await watch(context, /status of 401|net::ERR_FAILED|Failed to load resource/);
  const page = first.page;
  await signIn(page, officer.username);

  await page.getByRole('navigation', { name: 'Menu' }).getByRole('link', { name: /Evidence/ }).first().click();
  await page.getByRole('heading', { level: 1, name: 'Evidence' }).waitFor();
  await page.getByRole('button', { name: 'Upload footage' }).click();
  await page.getByRole('heading', { level: 1, name: 'Upload footage' }).waitFor();
  assert.equal(await page.title(), 'Upload footage – Peel');

  // Nothing chosen: the error summary says so and links to the file input.
  await page.getByRole('button', { name: 'Upload', exact: true }).click();
  const summary = page.locator('.govuk-error-summary');
  await summary.waitFor();
  assert.match(await summary.innerText(), /Choose at least one file to upload/);
  assert.equal(await page.title(), 'Error: Upload footage – Peel');
  await assertAccessible(page, 'the upload page with an error');

  // What the officer knows about the footage: recorded two days ago, so deleted in 29 unless categorised.
  const recorded = new Date(Date.now() - 2 * 86_400_000);
  recorded.setUTCSeconds(0, 0);
  await page.getByLabel('Camera serial number').fill('BWV-0042');
  await page.getByLabel('Recording started (UTC)').fill(recorded.toISOString().slice(0, 16));
  await page.getByLabel('Incident reference').fill('INC-2025-0412');

  // The connection drops after the large file's first chunk: every later PATCH fails.
  let dropping = true;
  const patchOffsets: number[] = [];
  await page.route('**/api/evidence/uploads/**', async (route) => {
    const request = route.request();
    const offset = Number(request.headers()['upload-offset'] ?? 0);
    if (request.method() === 'PATCH' && offset >= CHUNK && dropping) return route.abort('connectionreset');
    return route.continue();
  });

  await page.locator('#evidence-files').setInputFiles([videos.bike, videos.car, videos.long]);
  await page.getByRole('button', { name: 'Upload 3 files' }).click();
  await waitForStatus(page, videos.bike, 'done');
  await waitForStatus(page, videos.car, 'done');
  // tus retries on its own (0, 1, 3 and 5 seconds), then the page says it stopped.
  await waitForStatus(page, videos.long, 'stopped', 30_000);
  assert.match(await row(page, videos.long).innerText(), /Stopped/);
  assert.match(await row(page, videos.long).innerText(), /Resume/);
  // At least the first chunk is counted as sent, and not the whole file.
  const percent = Number((await row(page, videos.long).innerText()).match(/(\d+)%/)?.[1]);
  assert.ok(percent >= Math.floor((CHUNK / statSync(videos.long).size) * 100) && percent < 100, `${percent}% shown`);
  const ids = { bike: await itemIdOf(page, videos.bike), car: await itemIdOf(page, videos.car) };
  await shot(page, 'upload-stopped');
  await assertAccessible(page, 'the upload page with uploads in progress');

  // The officer closes the tab. tus-js-client kept the upload's address in localStorage.
  await page.close();
  const second = await watch(context);
  const resumed = second.page;
  const sent: Request[] = [];
  resumed.on('request', (r) => {
    if (r.method() === 'PATCH' && r.url().includes('/api/evidence/uploads/')) sent.push(r);
  });
  dropping = false;
  await resumed.goto(`${peel.url}/evidence/upload`);
  const unfinished = resumed.getByRole('region', { name: 'Uploads not finished in this browser' });
  await unfinished.waitFor();
  assert.match(await unfinished.innerText(), /cctv-high-street\.mp4/);

  // Choosing the same file again carries on from the server's offset, not from the start.
  await resumed.locator('#evidence-files').setInputFiles([videos.long]);
  await resumed.getByRole('button', { name: 'Upload', exact: true }).click();
  await waitForStatus(resumed, videos.long, 'done', 60_000);
  assert.ok(sent.length > 0, 'PATCH requests after resuming');
  for (const r of sent) patchOffsets.push(Number(r.headers()['upload-offset']));
  assert.equal(Math.min(...patchOffsets), CHUNK, `offsets sent after resuming: ${patchOffsets.join(', ')}`);
  assert.match(await row(resumed, videos.long).getByTestId('evidence-resumed').innerText(), /Carried on from 8 MB/);
  // Each chunk carried its SHA-256 (the tus checksum extension).
  for (const r of sent) assert.match(r.headers()['upload-checksum'] ?? '', /^sha256 [A-Za-z0-9+/]{43}=$/);
  const longId = await itemIdOf(resumed, videos.long);
  await shot(resumed, 'upload-resumed');
  await unfinished.waitFor({ state: 'detached' });

  // Every file is stored whole: the server's SHA-256 is the file's.
  for (const [name, id] of [[videos.bike, ids.bike], [videos.car, ids.car], [videos.long, longId]] as const) {
    const found = await resumed.evaluate(async (hash) => (await (await fetch(`/api/evidence/items?sha256=${hash}`)).json()) as { items: { id: number }[] }, sha256(name));
    assert.deepEqual(found.items.map((i) => i.id), [id], basename(name));
  }

  // The worklist: three uncategorised items, deleted 31 days after recording.
  await resumed.goto(`${peel.url}/evidence/worklist`);
  const worklist = resumed.getByTestId('evidence-worklist');
  await worklist.waitFor();
  const lines = await worklist.locator('tbody tr').allInnerTexts();
  assert.equal(lines.length, 3, lines.join('\n'));
  for (const line of lines) assert.match(line, /29 days|28 days/);
  await shot(resumed, 'worklist');
  await assertAccessible(resumed, 'the worklist');

  // Categorise the bike stop as stop and search and evidential.
  await resumed.goto(`${peel.url}/evidence/items/${ids.bike}`);
  await resumed.getByRole('heading', { level: 1, name: 'bwv-0042-bike-stop.mp4' }).waitFor();
  const facts = await resumed.getByTestId('evidence-facts').innerText();
  assert.match(facts, new RegExp(sha256(videos.bike)));
  assert.match(facts, /BWV-0042/);
  assert.match(facts, /INC-2025-0412/);
  assert.match(facts, /Deleted on/);
  await resumed.getByLabel('Evidential', { exact: true }).check();
  await resumed.getByLabel('Stop and search', { exact: true }).check();
  await resumed.getByRole('button', { name: 'Save categories' }).click();
  await resumed.getByText('Categories saved').waitFor();
  assert.doesNotMatch(await resumed.getByTestId('evidence-facts').innerText(), /Deleted on/);
  assert.match(await resumed.getByTestId('evidence-facts').innerText(), /review on/i);

  // It plays: the <video> streams from the content route with Range requests.
  const player = resumed.getByTestId('evidence-player');
  await player.evaluate((v: unknown) => {
    const video = v as VideoElement;
    video.muted = true;
    return video.play();
  });
  await resumed.waitForFunction(
    () => {
      const v = (globalThis as unknown as { document: { querySelector(s: string): unknown } }).document.querySelector('[data-testid=evidence-player]') as VideoElement | null;
      return v !== null && v.readyState >= 2 && v.currentTime > 0.2;
    },
    undefined,
    { timeout: 15_000 },
  );
  await shot(resumed, 'item');
  await assertAccessible(resumed, 'the item page');

  // The other two, from the list.
  for (const [id, category] of [[ids.car, 'Vehicle stop'], [longId, 'Not evidential']] as const) {
    await resumed.goto(`${peel.url}/evidence/items/${id}`);
    await resumed.getByLabel(category, { exact: true }).check();
    await resumed.getByRole('button', { name: 'Save categories' }).click();
    await resumed.getByText('Categories saved').waitFor();
  }
  await resumed.goto(`${peel.url}/evidence/worklist`);
  await resumed.getByText('Nothing to categorise').waitFor();

  // The list, filtered by category: the address keeps the filter.
  await resumed.getByRole('navigation', { name: 'Menu' }).getByRole('link', { name: /Evidence/ }).first().click();
  await resumed.getByTestId('evidence-item-row').first().waitFor();
  assert.equal(await resumed.getByTestId('evidence-item-row').count(), 3);
  await resumed.getByLabel('Category').selectOption({ label: 'Stop and search' });
  await resumed.getByRole('button', { name: 'Apply filters' }).click();
  await resumed.waitForURL(/category=stop-and-search/);
  await resumed.getByText('Showing 1 item.').waitFor();
  assert.match(await resumed.getByTestId('evidence-item-row').innerText(), /bwv-0042-bike-stop\.mp4[\s\S]*Evidential[\s\S]*Stop and search/);
  await shot(resumed, 'list');
  await assertAccessible(resumed, 'the evidence list');

  // Share the bike stop with the CPS: the link is shown once.
  await resumed.goto(`${peel.url}/evidence/items/${ids.bike}`);
  // The dialog closes with Escape and gives focus back to the button that opened it.
  await resumed.getByRole('button', { name: 'Share by link' }).click();
  const dialog = resumed.getByRole('dialog');
  await dialog.waitFor();
  await resumed.keyboard.press('Escape');
  await dialog.waitFor({ state: 'hidden' });
  assert.equal(await resumed.evaluate('document.activeElement?.textContent'), 'Share by link');
  await resumed.getByRole('button', { name: 'Share by link' }).click();
  await dialog.getByRole('button', { name: 'Create link' }).click();
  assert.match(await dialog.locator('.govuk-error-summary').innerText(), /Enter who the link is for/);
  await dialog.getByLabel('Who is it for?').fill('CPS East Midlands, reviewing lawyer');
  await dialog.getByLabel('Days until the link expires').fill('7');
  await dialog.getByLabel('Most times the link may be used (optional)').fill('3');
  await dialog.getByRole('button', { name: 'Create link' }).click();
  const link = await resumed.getByTestId('evidence-share-url').innerText();
  await shot(resumed, 'shared-link');
  await assertAccessible(resumed, 'the item page with a new link');
  assert.match(link, /^http:\/\/127\.0\.0\.1:\d+\//);
  assert.match(await resumed.getByTestId('evidence-shares').innerText(), /CPS East Midlands/);

  // The recipient: a browser with no Peel session.
  const recipientContext = await browser.newContext({ acceptDownloads: true });
  // After the revocation below the link answers 410, which Chromium logs.
  const recipient = await watch(recipientContext, /status of 4(01|10)/);
  await recipient.page.goto(link);
  await recipient.page.getByRole('heading', { level: 1, name: 'Evidence shared with you' }).waitFor();
  const shared = await recipient.page.getByTestId('shared-summary').innerText();
  assert.match(shared, /CPS East Midlands/);
  assert.match(shared, /View and download/);
  assert.equal((await recipient.page.getByTestId('shared-sha256').innerText()).trim(), sha256(videos.bike));
  assert.match(await recipient.page.locator('main').innerText(), /sha256sum -c/);
  await shot(recipient.page, 'recipient');
  await assertAccessible(recipient.page, 'the recipient’s page');
  const [download] = await Promise.all([recipient.page.waitForEvent('download'), recipient.page.getByTestId('shared-download').click()]);
  const saved = join(dir, 'downloaded.mp4');
  await download.saveAs(saved);
  assert.equal(download.suggestedFilename(), 'bwv-0042-bike-stop.mp4');
  assert.equal(sha256(saved), sha256(videos.bike), 'the downloaded file is the original, byte for byte');
  assert.deepEqual(recipient.problems, []);

  // Revoked, the link stops working.
  await resumed.reload();
  await resumed.getByRole('button', { name: /^Revoke/ }).click();
  await resumed.getByTestId('evidence-shares').getByText('Revoked').waitFor();
  await recipient.page.reload();
  await recipient.page.getByText(/expired, been revoked/).waitFor();

  // The custody trail lists the upload, the categorisation, the share and the disclosure.
  await resumed.goto(`${peel.url}/evidence/items/${ids.bike}/custody`);
  const timeline = resumed.getByTestId('custody-timeline');
  await timeline.waitFor();
  const trail = await timeline.innerText();
  assert.match(trail, /categor/i);
  assert.match(trail, /share/i);
  assert.match(await resumed.getByTestId('custody-chain').innerText(), /Intact/);
  await shot(resumed, 'custody');
  await assertAccessible(resumed, 'the custody trail');

  // Two items as one bundle, chosen from the list: the recipient gets a zip whose SHA256SUMS checks out.
  await resumed.goto(`${peel.url}/evidence`);
  await resumed.getByLabel('Select bwv-0042-bike-stop.mp4').check();
  await resumed.getByLabel('Select bwv-0042-car-stop.mp4').check();
  await resumed.getByRole('button', { name: 'Share selected footage (2)' }).click();
  const bundleDialog = resumed.getByRole('dialog');
  assert.match(await bundleDialog.getByRole('heading').innerText(), /Share 2 items as one bundle/);
  await bundleDialog.getByLabel('Who is it for?').fill('CPS East Midlands, case file');
  await bundleDialog.getByRole('button', { name: 'Create link' }).click();
  const bundleLink = await resumed.getByTestId('evidence-share-url').innerText();
  await recipient.page.goto(bundleLink);
  await recipient.page.getByRole('link', { name: 'Download all (zip)' }).waitFor();
  assert.match(await recipient.page.locator('main').innerText(), /sha256sum -c SHA256SUMS/);
  const [zip] = await Promise.all([recipient.page.waitForEvent('download'), recipient.page.getByTestId('shared-download').click()]);
  const zipPath = join(dir, 'bundle.zip');
  await zip.saveAs(zipPath);
  const files = unzipSync(readFileSync(zipPath));
  const sums = new TextDecoder().decode(files['SHA256SUMS']);
  for (const video of [videos.bike, videos.car]) {
    assert.match(sums, new RegExp(`^${sha256(video)}  \\S*${basename(video).replace(/\./g, '\\.')}$`, 'm'), sums);
    const entry = Object.entries(files).find(([name]) => name.endsWith(basename(video)));
    assert.ok(entry, `${basename(video)} in the zip: ${Object.keys(files).join(', ')}`);
    assert.equal(createHash('sha256').update(entry[1]).digest('hex'), sha256(video));
  }

  assert.deepEqual(first.problems, []);
  assert.deepEqual(second.problems, []);
  assert.deepEqual(recipient.problems, []);
  await recipientContext.close();
  await context.close();
});

test('an administrator changes a retention rule, which is audited; an officer sees only their own footage and cannot share', async () => {
  const admin = await peel.user('admin', 'ada.rules');
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const { page, problems } = await watch(context);
  await signIn(page, admin.username);
  await page.goto(`${peel.url}/evidence/categories`);
  await page.getByRole('heading', { level: 1, name: 'Categories and retention' }).waitFor();
  const table = page.getByTestId('evidence-categories');
  assert.match(await table.innerText(), /Not evidential\s+not-evidential[\s\S]*Deleted 31 days after recording/);
  await table.getByRole('button', { name: 'Change Not evidential' }).click();
  await page.getByLabel('Days after recording').fill('');
  await page.getByRole('button', { name: 'Save' }).first().click();
  assert.match(await page.locator('.govuk-error-summary').innerText(), /Enter the number of days/);
  await page.getByLabel('Days after recording').fill('45');
  await page.getByRole('button', { name: 'Save' }).first().click();
  await page.getByText(/Not evidential: deleted 45 days after recording/).waitFor();
  // The table reloads after the notice shows.
  await table.getByRole('row', { name: /Not evidential.*Deleted 45 days after recording/ }).waitFor();
  await shot(page, 'categories');
  await assertAccessible(page, 'the categories page');
  const entries = await peel.platform.db.selectFrom('audit_log').selectAll().where('username', '=', admin.username).where('operation', '=', 'alteration').execute();
  assert.ok(entries.some((e) => /categor/.test(e.action)), entries.map((e) => e.action).join(', '));
  assert.deepEqual(problems, []);
  await context.close();

  // An officer: their worklist holds only their own footage, and the item page offers no sharing.
  const officer = await peel.user('officer', 'pc.own');
  const officerContext = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  // The refused file below is answered 415, which Chromium logs.
  const watched = await watch(officerContext, /status of (401|415)/);
  await signIn(watched.page, officer.username);
  await watched.page.goto(`${peel.url}/evidence/upload`);
  const own = makeVideo('pc-own-foot-patrol.mp4', 1, '320x240');
  // Dragged and dropped onto the drop zone this time, as from a file manager.
  const dropped = await watched.page.evaluateHandle(`(() => {
    const bytes = Uint8Array.from(atob(${JSON.stringify(readFileSync(own).toString('base64'))}), (c) => c.charCodeAt(0));
    const transfer = new DataTransfer();
    transfer.items.add(new File([bytes], ${JSON.stringify(basename(own))}, { type: 'video/mp4' }));
    return transfer;
  })()`);
  await watched.page.getByTestId('evidence-dropzone').dispatchEvent('dragover', { dataTransfer: dropped });
  await watched.page.getByTestId('evidence-dropzone').dispatchEvent('drop', { dataTransfer: dropped });
  await watched.page.getByRole('button', { name: 'Upload', exact: true }).click();
  await waitForStatus(watched.page, own, 'done');
  const ownId = await itemIdOf(watched.page, own);

  // A file named as video that is not: refused with the server's reason, and not offered to resume.
  const fake = join(dir, 'not-really-video.mp4');
  writeFileSync(fake, 'These are notes about an incident, not footage.\n'.repeat(50));
  await watched.page.locator('#evidence-files').setInputFiles([fake]);
  await watched.page.getByRole('button', { name: 'Upload', exact: true }).click();
  await waitForStatus(watched.page, fake, 'failed');
  assert.match(await row(watched.page, fake).getByTestId('evidence-upload-message').innerText(), /its bytes are not video.*it was not stored/);
  assert.equal(await row(watched.page, fake).getByRole('button', { name: /Resume/ }).count(), 0);
  await row(watched.page, fake).getByRole('button', { name: 'Remove not-really-video.mp4' }).click();
  await row(watched.page, fake).waitFor({ state: 'detached' });
  // tus-js-client keeps uploads to resume under "tus::" keys; neither the finished nor the refused one is left.
  await watched.page.waitForFunction("Object.keys(localStorage).filter((k) => k.startsWith('tus::')).length === 0", undefined, { timeout: 5000 });
  await watched.page.goto(`${peel.url}/evidence/worklist`);
  const worklist = watched.page.getByTestId('evidence-worklist');
  await worklist.waitFor();
  const lines = await worklist.locator('tbody tr').allInnerTexts();
  assert.equal(lines.length, 1, lines.join('\n'));
  assert.match(lines[0]!, /pc-own-foot-patrol\.mp4\s+pc\.own/);
  await watched.page.goto(`${peel.url}/evidence/items/${ownId}`);
  await watched.page.getByRole('button', { name: 'Save categories' }).waitFor();
  assert.equal(await watched.page.getByRole('button', { name: 'Share by link' }).count(), 0);
  assert.equal(await watched.page.getByRole('button', { name: 'Place a hold' }).count(), 0);
  assert.equal(await watched.page.getByRole('link', { name: 'Custody trail' }).count(), 0);
  await watched.page.goto(`${peel.url}/evidence/categories`);
  await watched.page.getByRole('heading', { name: 'Page not found' }).waitFor();
  assert.deepEqual(watched.problems, []);
  await officerContext.close();
});

test('a view-only link with a PIN: the recipient must give the PIN, can play the footage and is offered no download', async () => {
  const officer = await peel.user('evidence_officer', 'ev.pin');
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const { page, problems } = await watch(context);
  await signIn(page, officer.username);
  await page.goto(`${peel.url}/evidence/upload`);
  const clip = makeVideo('bwv-0077-doorstep.mp4', 2, '320x240');
  await page.locator('#evidence-files').setInputFiles([clip]);
  await page.getByRole('button', { name: 'Upload', exact: true }).click();
  await waitForStatus(page, clip, 'done');
  await page.goto(`${peel.url}/evidence/items/${await itemIdOf(page, clip)}`);

  // A legal hold: the retention says so until it is released.
  await page.getByRole('button', { name: 'Place a hold' }).click();
  await page.getByRole('button', { name: 'Place hold' }).click();
  const holdErrors = await page.locator('.govuk-error-summary').innerText();
  assert.match(holdErrors, /Select what the hold is for/);
  assert.match(holdErrors, /Enter the reference/);
  await page.getByLabel('Complaint').check();
  await page.getByLabel('Reference').fill('IOPC-2025-117');
  await page.getByLabel('Why must it be kept?').fill('Complaint about the doorstep conversation');
  await page.getByRole('button', { name: 'Place hold' }).click();
  await page.getByRole('cell', { name: 'Complaint IOPC-2025-117' }).waitFor();
  assert.match(await page.getByTestId('evidence-facts').innerText(), /Legal hold/);
  await page.getByRole('button', { name: 'Release hold IOPC-2025-117' }).click();
  await page.getByText('No holds.').waitFor();
  assert.match(await page.getByTestId('evidence-facts').innerText(), /Deleted on/);

  await page.getByRole('button', { name: 'Share by link' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByLabel('Who is it for?').fill('Defence solicitor, R v Example');
  await dialog.getByLabel('No, view only').check();
  await dialog.getByLabel('PIN (optional)').fill('12');
  await dialog.getByRole('button', { name: 'Create link' }).click();
  assert.match(await dialog.locator('.govuk-error-summary').innerText(), /A PIN is 4 to 12 digits/);
  await dialog.getByLabel('PIN (optional)').fill('482913');
  await dialog.getByRole('button', { name: 'Create link' }).click();
  const link = await page.getByTestId('evidence-share-url').innerText();
  assert.match(await page.getByRole('region', { name: 'Link created' }).innerText(), /Send the PIN separately/);
  assert.deepEqual(problems, []);

  // The recipient is on a phone.
  const recipientContext = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  // The wrong PIN is answered 401, which Chromium logs; that is the point here.
  const recipient = await watch(recipientContext, /status of 401/);
  await recipient.page.goto(link);
  await recipient.page.getByLabel('PIN').fill('111111');
  await recipient.page.getByRole('button', { name: 'Continue' }).click();
  await recipient.page.locator('.govuk-error-summary').waitFor();
  await recipient.page.getByLabel('PIN').fill('482913');
  await recipient.page.getByRole('button', { name: 'Continue' }).click();
  await recipient.page.getByTestId('shared-summary').waitFor();
  assert.match(await recipient.page.getByTestId('shared-summary').innerText(), /View only/);
  assert.equal(await recipient.page.getByTestId('shared-download').count(), 0);
  assert.equal((await recipient.page.getByTestId('shared-sha256').innerText()).trim(), sha256(clip));
  const overflow = await recipient.page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth');
  assert.equal(overflow, 0, 'nothing wider than the phone, the hash and the command included');
  await shot(recipient.page, 'recipient-phone');
  await recipient.page.getByTestId('shared-player').evaluate((v: unknown) => {
    const video = v as VideoElement;
    video.muted = true;
    return video.play();
  });
  await recipient.page.waitForFunction(
    () => {
      const v = (globalThis as unknown as { document: { querySelector(s: string): unknown } }).document.querySelector('[data-testid=shared-player]') as VideoElement | null;
      return v !== null && v.readyState >= 2 && v.currentTime > 0.2;
    },
    undefined,
    { timeout: 15_000 },
  );
  // Playing was a disclosure to the named recipient.
  const disclosures = await peel.platform.db.selectFrom('audit_log').selectAll().where('action', '=', 'evidence.share.access').execute();
  assert.ok(disclosures.some((e) => /Defence solicitor/.test(String(e.justification ?? '') + JSON.stringify(e))), 'the play is logged as a disclosure to the recipient');
  assert.deepEqual(recipient.problems, []);
  await recipientContext.close();
  await context.close();
});

test('an upload that loses the network carries on by itself when the browser is back online', async () => {
  const officer = await peel.user('supervisor', 'sgt.offline');
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const { page, problems } = await watch(context, /status of 401|net::ERR_|Failed to load resource/);
  await signIn(page, officer.username);
  await page.goto(`${peel.url}/evidence/upload`);

  // Hold the second chunk until the network is gone, then let it fail as a dropped connection would.
  let release: () => void = () => undefined;
  const offline = new Promise<void>((resolve) => (release = resolve));
  let held = false;
  await page.route('**/api/evidence/uploads/**', async (route) => {
    const request = route.request();
    if (request.method() === 'PATCH' && Number(request.headers()['upload-offset'] ?? 0) >= CHUNK && !held) {
      held = true;
      await offline;
      return route.abort('internetdisconnected');
    }
    return route.continue();
  });
  const market = makeVideo('cctv-market-square.mp4', 8, '1280x720', ['-preset', 'ultrafast', '-qp', '0']);
  await page.locator('#evidence-files').setInputFiles([market]);
  await page.getByRole('button', { name: 'Upload', exact: true }).click();
  while (!held) await new Promise((r) => setTimeout(r, 50));
  await context.setOffline(true);
  release();
  await waitForStatus(page, market, 'stopped');
  assert.match(await row(page, market).getByTestId('evidence-upload-message').innerText(), /connection was lost.*back online/);

  const after: number[] = [];
  page.on('request', (r) => {
    if (r.method() === 'PATCH') after.push(Number(r.headers()['upload-offset']));
  });
  await context.setOffline(false);
  await waitForStatus(page, market, 'done', 60_000);
  assert.equal(after[0], CHUNK, `carried on from the first chunk's end, not the start: ${after.join(', ')}`);
  const id = await itemIdOf(page, market);
  const found = await page.evaluate(async (hash) => (await (await fetch(`/api/evidence/items?sha256=${hash}`)).json()) as { items: { id: number }[] }, sha256(market));
  assert.deepEqual(found.items.map((i) => i.id), [id]);
  assert.deepEqual(problems, []);
  await context.close();
});

test('an evidence officer asks the public for footage; a shop sends CCTV through the link with no account, and it arrives for the incident', async () => {
  const officer = await peel.user('evidence_officer', 'ev.public');
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const { page, problems } = await watch(context);
  await signIn(page, officer.username);
  await page.goto(`${peel.url}/evidence`);
  await page.getByRole('link', { name: 'Ask the public for footage' }).click();
  await page.getByRole('heading', { level: 1, name: 'Ask the public for footage' }).waitFor();
  await page.getByLabel('Most files they may send').fill('0');
  await page.getByRole('button', { name: 'Create upload link' }).click();
  const errors = await page.locator('.govuk-error-summary').innerText();
  assert.match(errors, /Enter the incident reference/);
  assert.match(errors, /from 1 to 100/);
  await page.getByLabel('Incident reference').fill('INC-2025-0999');
  await page.getByLabel('What footage do you want? (optional)').fill('The camera over the shop door, 14:00 to 15:00');
  await page.getByLabel('Most files they may send').fill('2');
  await page.getByRole('button', { name: 'Create upload link' }).click();
  const link = await page.getByTestId('upload-request-url').innerText();
  assert.match(link, /\/send-footage\//);
  await assertAccessible(page, 'the upload requests page');

  // The shop: no account, on a phone.
  const shop = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  const sender = await watch(shop);
  await sender.page.goto(link);
  await sender.page.getByRole('heading', { level: 1, name: 'Send footage to the police' }).waitFor();
  const summary = await sender.page.getByTestId('send-summary').innerText();
  assert.match(summary, /INC-2025-0999/);
  assert.match(summary, /The camera over the shop door/);
  assert.match(summary, /Up to 2 files/);
  const cctv = makeVideo('shop-door-cam.mp4', 2, '640x360');
  await sender.page.getByLabel('Footage').setInputFiles([cctv]);
  await sender.page.getByRole('button', { name: 'Send footage' }).click();
  await waitForStatus(sender.page, cctv, 'done');
  await sender.page.getByText('1 file received').waitFor();
  assert.equal(await row(sender.page, cctv).getByRole('link').count(), 0, 'no link into Peel for the public');
  assert.equal(await sender.page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth'), 0, 'nothing wider than the phone');
  await shot(sender.page, 'send-footage-phone');
  await assertAccessible(sender.page, 'the public upload page');
  assert.deepEqual(sender.problems, []);
  await shop.close();

  // It is evidence for the incident, on the officer's worklist, and the link counts it.
  const found = await page.evaluate(async (hash) => (await (await fetch(`/api/evidence/items?sha256=${hash}`)).json()) as { items: { source: string; incidentRef: string; officer: string }[] }, sha256(cctv));
  assert.equal(found.items.length, 1);
  assert.deepEqual([found.items[0]!.source, found.items[0]!.incidentRef, found.items[0]!.officer], ['public', 'INC-2025-0999', officer.username]);
  await page.reload();
  assert.match(await page.getByTestId('upload-requests').innerText(), /INC-2025-0999[\s\S]*1 of 2[\s\S]*Open/);
  await page.getByRole('button', { name: 'Withdraw the link for INC-2025-0999' }).click();
  await page.getByTestId('upload-requests').getByText('Withdrawn').waitFor();
  assert.deepEqual(problems, []);
  await context.close();
});
