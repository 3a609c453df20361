// Upload of a large file through the web app's upload page in a real Chromium (tus-js-client,
// 8 MiB chunks, each with its SHA-256 checksum) into a local-folder Peel, and what hashing one
// chunk costs in the browser. Prints figures; never part of `npm test`. Build the web app first.
// Usage: node bench/evidence-web.ts [MiB=256]
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';
import { startTestApp, TEST_PASSWORD } from '../src/test/harness.ts';

const MiB = 1024 * 1024;
const sizeMiB = Number(process.argv[2] ?? 256);
const WEB_DIR = resolve(import.meta.dirname, '../web/dist');
if (!existsSync(join(WEB_DIR, 'index.html'))) throw new Error('Build the web app first: npm run build');

const dir = mkdtempSync(join(process.env.PEEL_BENCH_DIR ?? tmpdir(), 'peel-bench-evidence-web-'));
// A real MP4 at the start (the server takes only what is video by its first bytes), then random bytes.
const file = join(dir, 'bench-footage.mp4');
execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=duration=2:size=320x240:rate=25', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', file]);
const block = randomBytes(16 * MiB);
for (let done = 0; done < sizeMiB * MiB; done += block.length) {
  block.writeUInt32LE(done / block.length, 0);
  appendFileSync(file, block);
}

const peel = await startTestApp({ PEEL_WEB_DIR: WEB_DIR, PEEL_RATE_LIMIT_LOGIN_PER_MINUTE: '1000' }, { listen: true });
const browser = await chromium.launch({ executablePath: process.env.PEEL_CHROMIUM ?? '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
try {
  const user = await peel.user('evidence_officer', 'bench.officer');
  const page = await browser.newPage();
  await page.goto(`${peel.url}/`);
  await page.getByLabel('Username').fill(user.username);
  await page.getByLabel('Password', { exact: true }).fill(TEST_PASSWORD);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByText(/Signed in as/).first().waitFor();
  await page.goto(`${peel.url}/evidence/upload`);

  // What one chunk's checksum costs the browser (Web Crypto, 8 MiB).
  const hashMs = (await page.evaluate(`(async () => {
    const chunk = new Uint8Array(8 * 1024 * 1024);
    crypto.getRandomValues(chunk.subarray(0, 65536));
    const runs = 10;
    const start = performance.now();
    for (let i = 0; i < runs; i++) await crypto.subtle.digest('SHA-256', await new Blob([chunk]).arrayBuffer());
    return (performance.now() - start) / runs;
  })()`)) as number;

  await page.locator('#evidence-files').setInputFiles([file]);
  const start = performance.now();
  await page.getByRole('button', { name: 'Upload', exact: true }).click();
  await page.locator('[data-testid=evidence-upload-row][data-status=done]').waitFor({ timeout: 30 * 60_000 });
  const seconds = (performance.now() - start) / 1000;
  const bytes = sizeMiB * MiB;
  console.log(`browser upload of ${sizeMiB} MiB (+ a 2 s MP4 header) through tus, 8 MiB chunks with SHA-256 each: ${seconds.toFixed(1)} s, ${(bytes / MiB / seconds).toFixed(1)} MiB/s`);
  console.log(`SHA-256 of one 8 MiB chunk in Chromium: ${hashMs.toFixed(1)} ms (${((8 / hashMs) * 1000).toFixed(0)} MiB/s)`);
} finally {
  await browser.close();
  await peel.close();
  rmSync(dir, { recursive: true, force: true });
}
