import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A person the test identity provider knows; `sub` is what they type to sign in (or their preferred_username). */
export interface TestIdpAccount {
  sub: string;
  preferred_username: string;
  name: string;
  email: string;
  roles: string[];
}

export interface TestIdpOptions {
  clientId: string;
  clientSecret: string;
  redirectUris: string[];
  accounts: TestIdpAccount[];
  /**
   * How the client must authenticate at the token endpoint; with `client_secret_basic` the
   * provider advertises only that method. Default `client_secret_post`.
   */
  tokenEndpointAuthMethod?: 'client_secret_post' | 'client_secret_basic';
  /**
   * Put every claim in the ID token too. By default the provider follows the core spec
   * strictly: the ID token of a code flow carries only `sub`, the rest is in UserInfo.
   */
  claimsInIdToken?: boolean;
}

export interface TestIdp {
  /** http://127.0.0.1:PORT */
  issuer: string;
  /** Changes an account's `roles` claim from the next token on. */
  setRoles(sub: string, roles: string[]): void;
  close(): Promise<void>;
}

// The few parts of oidc-provider (which ships no types) used here.
interface Interaction {
  uid: string;
  prompt: { name: string };
}
interface Provider {
  callback(): (req: IncomingMessage, res: ServerResponse) => void;
  interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<Interaction>;
  interactionFinished(req: IncomingMessage, res: ServerResponse, result: object, options: { mergeWithLastSubmission: boolean }): Promise<void>;
}
interface Grant {
  addOIDCScope(scope: string): void;
  addOIDCClaims(claims: string[]): void;
  save(): Promise<string>;
}
interface GrantContext {
  oidc: {
    client: { clientId: string };
    session: { accountId: string; grantIdFor(clientId: string): string | undefined };
    result?: { consent?: { grantId?: string } };
    requestParamScopes: Set<string>;
    requestParamClaims: Set<string>;
    provider: { Grant: { new (init: { accountId: string; clientId: string }): Grant; find(id: string): Promise<Grant | undefined> } };
  };
}
const PACKAGE: string = 'oidc-provider';

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * The login page: a real form a browser can drive. Fields: `username` (text), and two
 * submit buttons named `action`: "Sign in" (value `sign-in`) and "Cancel" (value `cancel`,
 * which ends the flow with `error=access_denied`).
 */
const loginPage = (uid: string, error?: string) => `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Test identity provider: sign in</title></head>
<body>
<main>
<h1>Test identity provider</h1>
${error ? `<p role="alert">${escapeHtml(error)}</p>\n` : ''}<form method="post" action="/interaction/${escapeHtml(uid)}">
<label for="username">Username</label>
<input id="username" name="username" type="text" autocomplete="username" required autofocus>
<button type="submit" name="action" value="sign-in">Sign in</button>
<button type="submit" name="action" value="cancel" formnovalidate>Cancel</button>
</form>
</main>
</body>
</html>
`;

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  let body = '';
  for await (const chunk of req) body += String(chunk);
  return new URLSearchParams(body);
}

/**
 * A real OpenID provider (panva's oidc-provider) on 127.0.0.1 over plain http, with one
 * confidential client (authorization code, PKCE required) and the given accounts. The
 * login step is a one-field form; consent is implied for the client.
 */
export async function startTestIdp(options: TestIdpOptions): Promise<TestIdp> {
  const accounts = new Map(options.accounts.map((a) => [a.sub, { ...a, roles: [...a.roles] }]));
  let provider: Provider | undefined;

  const server = createServer((req, res) => {
    const fail = (err: unknown) => {
      if (!res.headersSent) res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(`The test identity provider could not go on: ${(err as Error).message}`);
    };
    if (!provider) return fail(new Error('not started'));
    const p = provider;
    if (!req.url?.startsWith('/interaction/')) return p.callback()(req, res);
    (async () => {
      const { uid, prompt } = await p.interactionDetails(req, res);
      if (prompt.name !== 'login') throw new Error(`unexpected prompt ${prompt.name}`);
      if (req.method === 'GET') {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
        return res.end(loginPage(uid));
      }
      const form = await readForm(req);
      if (form.get('action') === 'cancel') {
        return p.interactionFinished(req, res, { error: 'access_denied', error_description: 'The user cancelled the sign-in' }, { mergeWithLastSubmission: false });
      }
      const name = (form.get('username') ?? '').trim();
      const account = accounts.get(name) ?? [...accounts.values()].find((a) => a.preferred_username === name);
      if (!account) {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
        return res.end(loginPage(uid, `There is no account "${name}".`));
      }
      await p.interactionFinished(req, res, { login: { accountId: account.sub } }, { mergeWithLastSubmission: false });
    })().catch(fail);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const method = options.tokenEndpointAuthMethod ?? 'client_secret_post';
  const configuration = {
    clients: [
      {
        client_id: options.clientId,
        client_secret: options.clientSecret,
        redirect_uris: options.redirectUris,
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: method,
      },
    ],
    clientAuthMethods: method === 'client_secret_basic' ? ['client_secret_basic'] : ['client_secret_basic', 'client_secret_post'],
    pkce: { required: () => true },
    ttl: { AccessToken: 600, AuthorizationCode: 60, Grant: 3600, IdToken: 600, Interaction: 600, Session: 3600 },
    cookies: { keys: ['peel-test-idp-cookie-key'] },
    claims: { openid: ['sub'], profile: ['name', 'preferred_username', 'roles'], email: ['email', 'email_verified'] },
    conformIdTokenClaims: !options.claimsInIdToken,
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx: unknown, interaction: Interaction) => `/interaction/${interaction.uid}` },
    findAccount: (_ctx: unknown, sub: string) => {
      const account = accounts.get(sub);
      if (!account) return undefined;
      return {
        accountId: sub,
        claims: () => ({
          sub,
          preferred_username: account.preferred_username,
          name: account.name,
          email: account.email,
          email_verified: true,
          roles: [...account.roles],
        }),
      };
    },
    // The client is first-party: every scope it asks for is granted without a consent page.
    loadExistingGrant: async (ctx: GrantContext) => {
      const { oidc } = ctx;
      const grantId = oidc.result?.consent?.grantId ?? oidc.session.grantIdFor(oidc.client.clientId);
      if (grantId) return oidc.provider.Grant.find(grantId);
      const grant = new oidc.provider.Grant({ accountId: oidc.session.accountId, clientId: oidc.client.clientId });
      grant.addOIDCScope([...oidc.requestParamScopes].join(' '));
      if (oidc.requestParamClaims.size) grant.addOIDCClaims([...oidc.requestParamClaims]);
      await grant.save();
      return grant;
    },
  };

  // oidc-provider announces its development-only defaults (the in-memory store, generated
  // signing keys) on the console; those are what a test wants, so keep them out of the output.
  const { warn, info } = console;
  const quiet =
    (original: (...args: unknown[]) => void) =>
    (...args: unknown[]) => {
      if (typeof args[0] !== 'string' || !args[0].startsWith('oidc-provider ')) original(...args);
    };
  console.warn = quiet(warn);
  console.info = quiet(info);
  try {
    const { default: ProviderClass } = (await import(PACKAGE)) as { default: new (issuer: string, configuration: object) => Provider };
    provider = new ProviderClass(issuer, configuration);
  } catch (err) {
    server.close();
    throw err;
  } finally {
    console.warn = warn;
    console.info = info;
  }

  return {
    issuer,
    setRoles(sub, roles) {
      const account = accounts.get(sub);
      if (!account) throw new Error(`no test account ${sub}`);
      account.roles = [...roles];
    },
    async close() {
      const closed = new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
      server.closeAllConnections();
      await closed;
    },
  };
}
