/** What the browser tests share: starting Chromium, watching a page for CSP violations, signing in. */
import { chromium, type Browser, type Page } from 'playwright-core';
import { TEST_PASSWORD } from '../../src/test/harness.ts';

export const CHROMIUM = process.env.PEEL_CHROMIUM ?? '/usr/bin/chromium';

/** Headless Chromium, quiet: no GPU, no network of its own (updates, sync, QUIC). */
export function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', ...extraArgs],
  });
}

/** Content-Security-Policy violations are events in the page; this makes each a console error the tests see. */
export const reportCspViolations = (page: Page) =>
  page.addInitScript("document.addEventListener('securitypolicyviolation', (e) => console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI))");

/** Signs in with the test password through the sign-in page, and waits until the app says who is signed in. */
export async function signIn(page: Page, baseUrl: string, username: string): Promise<void> {
  await page.goto(`${baseUrl}/`);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password', { exact: true }).fill(TEST_PASSWORD);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByText(/Signed in as/).first().waitFor();
}
