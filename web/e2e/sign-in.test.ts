import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { type Browser, type Page } from 'playwright-core';
import { launchChromium } from './browser.ts';
import { freePort, startTestApp, type TestApp, TEST_PASSWORD } from '../../src/test/harness.ts';
import { startTestIdp, type TestIdp } from '../../src/test/oidc-provider.ts';
import { base32Decode, totp } from '../../src/lib/totp.ts';

// The web app in a real Chromium against a real Peel, and single sign-on through a real OpenID provider.

const WEB_DIR = resolve(import.meta.dirname, '../dist');
const CLIENT = { clientId: 'peel-e2e', clientSecret: 'e2e-client-secret-long-enough' };

let browser: Browser;
let idp: TestIdp;
let peel: TestApp;

before(async () => {
  assert.ok(existsSync(resolve(WEB_DIR, 'index.html')), 'build the web app first: npm run build');
  const port = await freePort();
  const publicUrl = `http://127.0.0.1:${port}`;
  idp = await startTestIdp({
    ...CLIENT,
    redirectUris: [`${publicUrl}/api/auth/sso/callback`],
    accounts: [
      { sub: 'sub-sam', preferred_username: 'sam.okafor', name: 'Sam Okafor', email: 'sam.okafor@force.example', roles: ['peel-supervisors'] },
      { sub: 'sub-kim', preferred_username: 'kim.visitor', name: 'Kim Visitor', email: 'kim@force.example', roles: ['canteen'] },
    ],
  });
  peel = await startTestApp({
    PEEL_WEB_DIR: WEB_DIR,
    PEEL_PUBLIC_URL: publicUrl,
    PEEL_OIDC_ISSUER: idp.issuer,
    PEEL_OIDC_CLIENT_ID: CLIENT.clientId,
    PEEL_OIDC_CLIENT_SECRET: CLIENT.clientSecret,
    PEEL_OIDC_LABEL: 'Sign in with Force account',
    PEEL_OIDC_ROLE_MAP: 'peel-supervisors=supervisor',
    PEEL_RATE_LIMIT_LOGIN_PER_MINUTE: '1000',
  });
  await peel.app.listen({ port, host: '127.0.0.1' });
  peel.url = publicUrl;
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await peel?.close();
  await idp?.close();
});

async function newPage(): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/status of 401/.test(m.text())) errors.push(m.text());
  });
  (page as Page & { errors: string[] }).errors = errors;
  return page;
}

const navLinks = async (page: Page) =>
  (await page.getByRole('navigation', { name: /menu|navigation/i }).getByRole('link').allInnerTexts()).map((s) => s.trim());

async function signIn(page: Page, username: string, password = TEST_PASSWORD) {
  await page.goto(`${peel.url}/`);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

test('an analyst signs in with a password, sees only what the role may use, and signs out', async () => {
  const u = await peel.user('analyst', 'ana.lyst');
  const page = await newPage();
  await signIn(page, u.username);
  await page.getByText(/Signed in as/).first().waitFor();
  const links = await navLinks(page);
  assert.ok(links.includes('Your account'), `nav: ${links.join(', ')}`);
  assert.ok(!links.includes('Users') && !links.includes('Audit log'), `nav: ${links.join(', ')}`);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('heading', { name: 'Sign in to Peel' }).waitFor();
  const me = await page.evaluate(async () => (await fetch('/api/auth/me')).status);
  assert.equal(me, 401, 'the session is gone on the server');
  assert.deepEqual((page as Page & { errors: string[] }).errors, []);
  await page.context().close();
});

test('navigation follows the role: an administrator sees Users, an auditor the Audit log', async () => {
  const admin = await peel.user('admin', 'ada.min');
  const auditor = await peel.user('auditor', 'audrey.dpo');
  for (const [u, want, notWant] of [[admin, 'Users', 'Audit log'], [auditor, 'Audit log', 'Users']] as const) {
    const page = await newPage();
    await signIn(page, u.username);
    await page.getByText(/Signed in as/).first().waitFor();
    const links = await navLinks(page);
    assert.ok(links.includes(want) && !links.includes(notWant), `${u.username} nav: ${links.join(', ')}`);
    await page.getByRole('navigation', { name: /menu|navigation/i }).getByRole('link', { name: want }).click();
    await page.getByRole('heading', { level: 1, name: want }).waitFor();
    assert.deepEqual((page as Page & { errors: string[] }).errors, []);
    await page.context().close();
  }
});

test('a wrong password shows an error summary and keeps the user on the sign-in page', async () => {
  const u = await peel.user('officer', 'pc.wrong');
  const page = await newPage();
  await signIn(page, u.username, 'not my password at all');
  const summary = page.getByRole('alert');
  await summary.waitFor();
  assert.match(await summary.innerText(), /username or password is not right/);
  await page.context().close();
});

test('a new user signs in with a one-time password and must choose their own first', async () => {
  const { oneTimePassword } = await (await import('../../src/platform/auth/service.ts')).createUser(peel.platform.db, { userId: null, username: 'test', role: 'cli', ip: null }, { username: 'new.recruit', role: 'officer' });
  const page = await newPage();
  await signIn(page, 'new.recruit', oneTimePassword!);
  await page.waitForURL(/\/account\/password/);
  await page.getByLabel('One-time password').fill(oneTimePassword!);
  await page.getByLabel('New password', { exact: true }).fill('kettle orbit lantern');
  await page.getByLabel(/Confirm new password|new password again/i).fill('kettle orbit lantern');
  await page.getByRole('button', { name: /Change password|Save/i }).click();
  await page.getByText(/Signed in as/).first().waitFor();
  assert.ok((await navLinks(page)).includes('Your account'));
  await page.context().close();
});

test('a user sets up two-factor authentication, then signs in with a code from the app', async () => {
  const u = await peel.user('analyst', 'tess.factor');
  const page = await newPage();
  await signIn(page, u.username);
  await page.getByText(/Signed in as/).first().waitFor();
  await page.goto(`${peel.url}/account/totp`);
  const secret = base32Decode((await page.locator('#totp-secret code').innerText()).replace(/\s/g, ''));
  const codeBox = page.getByLabel('Code from your authenticator app');
  const confirm = page.getByRole('button', { name: 'Confirm code' });

  // Checked in the browser first: an empty code, then one too short, each on the summary and the field.
  await confirm.click();
  assert.match(await page.getByRole('alert').innerText(), /Enter the code from your authenticator app/);
  assert.equal(await codeBox.getAttribute('aria-describedby'), 'code-error');
  await codeBox.fill('123 45');
  await confirm.click();
  await page.getByRole('alert').getByText('The code must be 6 digits').waitFor();
  assert.match(await page.locator('#code-error').innerText(), /The code must be 6 digits/);

  // A wrong code the server refuses empties the box; the right one (spaces allowed) finishes the set-up.
  const now = Date.now() / 1000;
  await codeBox.fill(totp(secret, now) === '000000' ? '111111' : '000000');
  await confirm.click();
  await page.locator('#code-error').waitFor();
  assert.equal(await codeBox.inputValue(), '');
  const code = totp(secret, now);
  await codeBox.fill(`${code.slice(0, 3)} ${code.slice(3)}`);
  await confirm.click();
  await page.getByText('Two-factor authentication is set up.').waitFor();
  await page.context().close();

  // Signing in now asks for a code after the password (a later one: a code is good once).
  const next = await newPage();
  await signIn(next, u.username);
  const totpBox = next.getByLabel('Code from your authenticator app');
  await totpBox.waitFor();
  assert.equal(await totpBox.getAttribute('aria-describedby'), 'totp-hint');
  assert.equal(await next.locator('#totp:focus').count(), 1, 'the code box takes focus');
  await totpBox.fill('12');
  await next.getByRole('button', { name: 'Sign in', exact: true }).click();
  assert.match(await next.getByRole('alert').innerText(), /The code must be 6 digits/);
  assert.equal(await totpBox.getAttribute('aria-describedby'), 'totp-hint totp-error');
  await totpBox.fill(totp(secret, now + 30));
  await next.getByRole('button', { name: 'Sign in', exact: true }).click();
  await next.getByText(/Signed in as/).first().waitFor();
  assert.deepEqual((next as Page & { errors: string[] }).errors, []);
  await next.context().close();
});

test('single sign-on through the OpenID provider creates the user with the mapped role', async () => {
  const page = await newPage();
  await page.goto(`${peel.url}/sign-in`);
  await page.getByRole('link', { name: 'Sign in with Force account' }).click();
  await page.getByLabel('Username').fill('sam.okafor');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByText(/Signed in as/).first().waitFor();
  assert.equal(new URL(page.url()).origin, peel.url);
  const me = await page.evaluate(async () => (await (await fetch('/api/auth/me')).json()) as { user: { username: string; role: string; sso: boolean } });
  assert.deepEqual([me.user.username, me.user.role, me.user.sso], ['sam.okafor', 'supervisor', true]);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('heading', { name: 'Sign in to Peel' }).waitFor();
  await page.context().close();
});

test('a single sign-on account with no Peel role comes back to the sign-in page with the reason', async () => {
  const page = await newPage();
  await page.goto(`${peel.url}/sign-in`);
  await page.getByRole('link', { name: 'Sign in with Force account' }).click();
  await page.getByLabel('Username').fill('kim.visitor');
  await page.getByRole('button', { name: 'Sign in' }).click();
  const summary = page.getByRole('alert');
  await summary.waitFor();
  assert.match(await summary.innerText(), /has no Peel role/);
  assert.equal(await page.evaluate(async () => (await fetch('/api/auth/me')).status), 401);
  await page.context().close();
});
