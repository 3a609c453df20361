import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { freePort, startTestApp, type TestApp } from '../../test/harness.ts';
import { startTestIdp, type TestIdp, type TestIdpAccount, type TestIdpOptions } from '../../test/oidc-provider.ts';
import { PeelError } from '../errors.ts';
import { mapRole, safeReturnTo } from './oidc.ts';

// Single sign-on end to end: Peel on a real port, a real OpenID provider (oidc-provider) on
// another, and a tiny cookie-keeping "browser" that follows redirects by hand.

const CLIENT = { clientId: 'peel-test', clientSecret: 'a-long-client-secret-for-tests' };
const LABEL = 'Sign in with your Test Constabulary account';
const ROLE_MAP = 'peel-admins=admin,peel-supervisors=supervisor,peel-analysts=analyst';

const ACCOUNTS: TestIdpAccount[] = [
  { sub: 'sub-ada', preferred_username: 'ada.lovelace@test-constabulary.example', name: 'Ada Lovelace', email: 'ada.lovelace@test-constabulary.example', roles: ['peel-analysts', 'all-staff'] },
  { sub: 'sub-bob', preferred_username: 'bob', name: 'Bob Visitor', email: 'bob@test-constabulary.example', roles: ['all-staff'] },
  { sub: 'sub-cy', preferred_username: 'cy', name: 'Cy Boss', email: 'cy@test-constabulary.example', roles: ['peel-admins'] },
];

/** A provider and a Peel that trusts it, both listening. */
async function startPair(idpOptions: Partial<TestIdpOptions> = {}, env: Record<string, string> = {}): Promise<{ idp: TestIdp; peel: TestApp; close(): Promise<void> }> {
  const port = await freePort();
  const publicUrl = `http://127.0.0.1:${port}`;
  const idp = await startTestIdp({ ...CLIENT, redirectUris: [`${publicUrl}/api/auth/sso/callback`], accounts: ACCOUNTS, ...idpOptions });
  const peel = await startTestApp({
    PEEL_OIDC_ISSUER: idp.issuer,
    PEEL_OIDC_CLIENT_ID: CLIENT.clientId,
    PEEL_OIDC_CLIENT_SECRET: CLIENT.clientSecret,
    PEEL_OIDC_LABEL: LABEL,
    PEEL_OIDC_ROLE_MAP: ROLE_MAP,
    PEEL_PUBLIC_URL: publicUrl,
    PEEL_RATE_LIMIT_LOGIN_PER_MINUTE: '1000',
    ...env,
  });
  await peel.app.listen({ port, host: '127.0.0.1' });
  peel.url = publicUrl;
  return {
    idp,
    peel,
    async close() {
      await peel.close();
      await idp.close();
    },
  };
}

/** Keeps cookies by name as a browser would for one host (ports share cookies; paths ignored), and never follows redirects itself. */
class Browser {
  readonly cookies = new Map<string, string>();

  async fetch(url: string | URL, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size) headers.set('cookie', [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '));
    const res = await fetch(url, { ...init, headers, redirect: 'manual' });
    for (const line of res.headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';').map((s) => s.trim());
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      const expired = attributes.some((a) => /^max-age=0$/i.test(a) || (/^expires=/i.test(a) && Date.parse(a.slice(8)) <= Date.now()));
      if (expired || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return res;
  }

  /**
   * Follows redirects until a page answers, or a redirect leaves the sign-in flow (back into
   * Peel's web app), or `stopAt` says to stop before fetching the next URL.
   */
  async follow(url: string | URL, init: RequestInit, peelUrl: string, stopAt: (next: URL) => boolean = () => false): Promise<{ res: Response; at: URL; next: URL | null }> {
    let at = new URL(url);
    let res = await this.fetch(at, init);
    for (let hops = 0; res.status >= 300 && res.status < 400; hops++) {
      assert.ok(hops < 20, 'too many redirects');
      const next = new URL(res.headers.get('location') ?? '', at);
      // The flow is Peel's /api/auth/sso/ routes and the provider (the other port on 127.0.0.1).
      const peel = new URL(peelUrl);
      const inFlow = next.origin === peel.origin ? next.pathname.startsWith('/api/auth/sso/') : next.hostname === peel.hostname;
      if (!inFlow || stopAt(next)) return { res, at, next };
      at = next;
      res = await this.fetch(at);
    }
    return { res, at, next: null };
  }
}

const isCallback = (u: URL) => u.pathname === '/api/auth/sso/callback';

/** Starts at Peel, fills in the provider's login form as a person would, and follows the redirects back. */
async function signInThroughProvider(
  peel: TestApp,
  username: string,
  options: { returnTo?: string; button?: 'sign-in' | 'cancel'; stopAt?: (u: URL) => boolean; browser?: Browser } = {},
) {
  const browser = options.browser ?? new Browser();
  const start = `${peel.url}/api/auth/sso/start${options.returnTo === undefined ? '' : `?returnTo=${encodeURIComponent(options.returnTo)}`}`;
  const page = await browser.follow(start, {}, peel.url);
  assert.equal(page.res.status, 200, `the provider's login page, at ${page.at.href}`);
  const html = await page.res.text();
  const form = /<form method="post" action="([^"]+)">/.exec(html);
  assert.ok(form?.[1], 'the login page has a form');
  assert.match(html, /<input[^>]* name="username"/);
  assert.match(html, /<button type="submit" name="action" value="sign-in">Sign in<\/button>/);
  const body = new URLSearchParams({ username, action: options.button ?? 'sign-in' });
  const end = await browser.follow(new URL(form[1], page.at), { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body }, peel.url, options.stopAt);
  return { browser, ...end };
}

async function me(peel: TestApp, browser: Browser) {
  const res = await browser.fetch(`${peel.url}/api/auth/me`);
  return { status: res.status, body: (await res.json()) as { user?: { id: number; username: string; displayName: string; role: string; sso: boolean } } };
}

const ssoError = (u: URL | null) => {
  assert.ok(u, 'a redirect');
  assert.equal(u.pathname, '/sign-in', `sent back to sign in, not to ${u.href}`);
  return u.searchParams.get('sso_error') ?? '';
};

async function auditActions(peel: TestApp, userId: number): Promise<string[]> {
  const rows = await peel.platform.db.selectFrom('audit_log').select(['action', 'user_id']).orderBy('seq').execute();
  return rows.filter((r) => Number(r.user_id) === userId).map((r) => String(r.action));
}

const ssoUsers = async (peel: TestApp) => peel.platform.db.selectFrom('users').select(['id', 'username', 'role', 'sso_subject']).where('sso_subject', 'is not', null).execute();

describe('single sign-on against a real OpenID provider', () => {
  let pair: Awaited<ReturnType<typeof startPair>>;
  let peel: TestApp;
  let adaId = 0;
  before(async () => {
    pair = await startPair();
    peel = pair.peel;
  });
  after(() => pair.close());

  test('GET /api/auth/sso says single sign-on is on, with the label for its button', async () => {
    const res = await fetch(`${peel.url}/api/auth/sso`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { enabled: true, label: LABEL });
  });

  test('a first sign-in creates the user with the mapped role, signs them in and goes back where they were', async () => {
    const { browser, next } = await signInThroughProvider(peel, 'ada.lovelace@test-constabulary.example', { returnTo: '/crime?month=2022-10' });
    assert.equal(next?.href, `${peel.url}/crime?month=2022-10`);
    assert.ok(browser.cookies.get('peel_session'), 'a session cookie');
    assert.equal(browser.cookies.has('peel_sso_state'), false, 'the state cookie is cleared');

    const who = await me(peel, browser);
    assert.equal(who.status, 200);
    assert.equal(who.body.user?.username, 'ada.lovelace');
    assert.equal(who.body.user?.displayName, 'Ada Lovelace');
    assert.equal(who.body.user?.role, 'analyst');
    assert.equal(who.body.user?.sso, true);
    adaId = who.body.user.id;

    const actions = await auditActions(peel, adaId);
    assert.ok(actions.includes('users.create_sso'), actions.join(', '));
    assert.ok(actions.includes('auth.login'), actions.join(', '));
    const [row] = await peel.platform.db.selectFrom('users').select(['sso_issuer', 'sso_subject']).where('id', '=', adaId).execute();
    assert.deepEqual({ ...row }, { sso_issuer: pair.idp.issuer, sso_subject: 'sub-ada' });
  });

  test("a later sign-in brings the role into step with the provider's", async () => {
    assert.ok(adaId, 'runs after the first sign-in');
    pair.idp.setRoles('sub-ada', ['all-staff', 'peel-supervisors']);
    try {
      const { browser, next } = await signInThroughProvider(peel, 'sub-ada');
      assert.equal(next?.href, `${peel.url}/`, 'no returnTo: the home page');
      const who = await me(peel, browser);
      assert.equal(who.body.user?.id, adaId, 'the same user, not a new one');
      assert.equal(who.body.user?.role, 'supervisor');
      assert.ok((await auditActions(peel, adaId)).includes('users.sso_role_sync'));
      assert.equal((await ssoUsers(peel)).length, 1);
    } finally {
      pair.idp.setRoles('sub-ada', ['peel-analysts', 'all-staff']);
    }
  });

  test('an account with no mapped role, and no default role, is refused and no user is made', async () => {
    const before = await ssoUsers(peel);
    const { browser, next } = await signInThroughProvider(peel, 'bob');
    assert.match(ssoError(next), /^sso_no_role$/);
    assert.equal(browser.cookies.has('peel_session'), false);
    assert.equal((await me(peel, browser)).status, 401);
    assert.deepEqual(await ssoUsers(peel), before);
    assert.ok(!(await ssoUsers(peel)).some((u) => u.sso_subject === 'sub-bob'));
  });

  test('cancelling at the provider comes back as a refusal, not a crash', async () => {
    const { browser, next } = await signInThroughProvider(peel, '', { button: 'cancel' });
    assert.match(ssoError(next), /^sso_refused$/);
    assert.equal(browser.cookies.has('peel_session'), false);
  });

  test('a callback without the state cookie, or with another one, is refused; the right one works once only', async () => {
    const { browser, next } = await signInThroughProvider(peel, 'cy', { stopAt: isCallback });
    assert.ok(next && isCallback(next), 'stopped before the callback');
    const state = browser.cookies.get('peel_sso_state');
    assert.ok(state, 'the state cookie set at start');
    assert.equal(next.searchParams.get('state'), state);

    // Another browser (no state cookie) lands on the callback: e.g. a link sent by an attacker.
    const stranger = new Browser();
    const noCookie = await stranger.follow(next, {}, peel.url);
    assert.match(ssoError(noCookie.next), /^sso_state$/);
    assert.equal(stranger.cookies.has('peel_session'), false);

    // A state cookie from some other sign-in does not match.
    const other = new Browser();
    other.cookies.set('peel_sso_state', 'some-other-state');
    const wrong = await other.follow(next, {}, peel.url);
    assert.match(ssoError(wrong.next), /^sso_state$/);
    assert.equal(other.cookies.has('peel_session'), false);

    // The browser that started it gets in.
    const ok = await browser.follow(next, {}, peel.url);
    assert.equal(ok.next?.href, `${peel.url}/`);
    assert.equal((await me(peel, browser)).body.user?.role, 'admin');

    // Replaying the same callback with the same state cookie is refused.
    const replay = new Browser();
    replay.cookies.set('peel_sso_state', state);
    const again = await replay.follow(next, {}, peel.url);
    assert.match(ssoError(again.next), /^sso_expired$/);
    assert.equal(replay.cookies.has('peel_session'), false);
  });

  test('returnTo cannot send the browser to another site', async () => {
    for (const returnTo of ['//evil.example/x', '/\\evil.example/x', 'https://evil.example/x', '/\t/evil.example', '/..//evil.example/x', 'javascript:alert(1)']) {
      const { next } = await signInThroughProvider(peel, 'cy', { returnTo });
      assert.ok(next);
      assert.equal(next.origin, peel.url, `returnTo ${JSON.stringify(returnTo)} went to ${next.href}`);
      assert.equal(next.pathname, '/', `returnTo ${JSON.stringify(returnTo)} went to ${next.href}`);
    }
  });

  test('a callback that is not part of any flow is refused with a message', async () => {
    const res = await new Browser().follow(`${peel.url}/api/auth/sso/callback?code=made-up&state=made-up`, {}, peel.url);
    assert.match(ssoError(res.next), /^sso_state$/);
  });
});

test('a provider that puts the claims in the ID token and allows only client_secret_basic works too', async () => {
  const pair = await startPair({ claimsInIdToken: true, tokenEndpointAuthMethod: 'client_secret_basic' });
  try {
    const { browser, next } = await signInThroughProvider(pair.peel, 'cy');
    assert.equal(next?.href, `${pair.peel.url}/`);
    const who = await me(pair.peel, browser);
    assert.equal(who.body.user?.username, 'cy');
    assert.equal(who.body.user?.role, 'admin');
  } finally {
    await pair.close();
  }
});

test("a wrong client secret is refused with the provider's reason", async () => {
  const pair = await startPair({}, { PEEL_OIDC_CLIENT_SECRET: 'not-the-secret' });
  try {
    const { browser, next } = await signInThroughProvider(pair.peel, 'cy');
    assert.match(ssoError(next), /^sso_failed$/);
    assert.equal(browser.cookies.has('peel_session'), false);
  } finally {
    await pair.close();
  }
});

test('the default role lets in an account with no mapped role', async () => {
  const pair = await startPair({}, { PEEL_OIDC_DEFAULT_ROLE: 'officer' });
  try {
    const { browser } = await signInThroughProvider(pair.peel, 'bob');
    assert.equal((await me(pair.peel, browser)).body.user?.role, 'officer');
  } finally {
    await pair.close();
  }
});

test('with single sign-on not configured, it says so and the start route answers 404', async () => {
  const peel = await startTestApp();
  try {
    const status = await peel.app.inject({ method: 'GET', url: '/api/auth/sso' });
    assert.equal(status.statusCode, 200);
    assert.deepEqual(status.json(), { enabled: false });
    const start = await peel.app.inject({ method: 'GET', url: '/api/auth/sso/start?returnTo=/' });
    assert.equal(start.statusCode, 404);
    assert.equal((start.json() as { error: { code: string } }).error.code, 'sso_not_configured');
    const callback = await peel.app.inject({ method: 'GET', url: '/api/auth/sso/callback?code=x&state=y' });
    assert.equal(callback.statusCode, 404);
  } finally {
    await peel.close();
  }
});

test('safeReturnTo keeps paths on this site and turns everything else into /', () => {
  assert.equal(safeReturnTo('/crime?month=2022-10#map'), '/crime?month=2022-10#map');
  assert.equal(safeReturnTo('/'), '/');
  assert.equal(safeReturnTo('/a/../b'), '/b');
  for (const bad of ['', 'crime', '//evil.example', '/\\evil.example', '/\t/evil.example', '/\n/evil.example', '/..//evil.example', '/%2e%2e//evil.example', 'https://evil.example/', 'javascript:alert(1)']) {
    assert.equal(safeReturnTo(bad), '/', JSON.stringify(bad));
  }
});

describe('mapRole', () => {
  const settings = { roleClaim: 'roles', defaultRole: undefined, roleMap: [['Peel.Admins', 'admin'], ['Peel.Supervisors', 'supervisor'], ['Peel.Analysts', 'analyst']] as Array<[string, string]> };

  test("the map's order is the order of preference, whatever the claim's order", () => {
    assert.equal(mapRole(['Peel.Analysts', 'Peel.Admins'], settings), 'admin');
    assert.equal(mapRole(['Peel.Analysts', 'Peel.Supervisors'], settings), 'supervisor');
    assert.equal(mapRole(['other', 'Peel.Analysts'], settings), 'analyst');
  });

  test('a single string claim works like a one-element array', () => {
    assert.equal(mapRole('Peel.Supervisors', settings), 'supervisor');
    assert.equal(mapRole(['Peel.Supervisors'], settings), 'supervisor');
  });

  test('values match exactly (case and whole value)', () => {
    assert.throws(() => mapRole('peel.admins', settings), PeelError);
    assert.throws(() => mapRole('Peel.Admins Peel.Analysts', settings), PeelError);
  });

  test('the default role applies only when nothing maps', () => {
    const withDefault = { ...settings, defaultRole: 'officer' };
    assert.equal(mapRole(['unrelated'], withDefault), 'officer');
    assert.equal(mapRole(undefined, withDefault), 'officer');
    assert.equal(mapRole([], withDefault), 'officer');
    assert.equal(mapRole(['Peel.Analysts'], withDefault), 'analyst');
  });

  test('with no mapped value and no default role, the user is refused with a 403 that names the claim', () => {
    for (const claim of [undefined, null, [], 'unrelated', ['unrelated', 'other']]) {
      assert.throws(
        () => mapRole(claim, settings),
        (err: unknown) => err instanceof PeelError && err.code === 'sso_no_role' && err.status === 403 && err.message.includes('"roles"'),
        JSON.stringify(claim),
      );
    }
  });
});
