import * as client from 'openid-client';
import type { OidcConfig } from '../config.ts';
import type { Db } from '../db/index.ts';
import { PeelError } from '../errors.ts';
import type { StaffRole } from '../roles.ts';
import type { SsoIdentity } from './service.ts';
import { sha256 } from './password.ts';
import * as store from './store.ts';

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);
const REQUEST_MINUTES = 10;

/**
 * OpenID Connect sign-in with the authorization code flow and PKCE. The provider's
 * metadata is discovered on first use and cached; a failed discovery is retried next time.
 */
export class SsoClient {
  readonly settings: OidcConfig;
  #config: Promise<client.Configuration> | null = null;

  constructor(settings: OidcConfig) {
    this.settings = settings;
  }

  private configuration(): Promise<client.Configuration> {
    if (!this.#config) {
      const issuer = new URL(this.settings.issuer);
      // Plain http is allowed only for a provider on this machine (development and tests).
      const insecure = issuer.protocol === 'http:' && LOOPBACK.has(issuer.hostname);
      this.#config = client
        .discovery(issuer, this.settings.clientId, this.settings.clientSecret, clientAuthentication(this.settings.clientSecret), insecure ? { execute: [client.allowInsecureRequests] } : {})
        .catch((err: Error) => {
          this.#config = null;
          throw new PeelError('sso_unavailable', `The single sign-on provider could not be reached (${err.message}). Try again, or sign in with a password.`, 502);
        });
    }
    return this.#config;
  }

  /** The provider's URL to send the browser to, and the state to bind to the browser in a cookie. */
  async start(db: Db, redirectUri: string, returnTo = '/'): Promise<{ url: string; state: string }> {
    const config = await this.configuration();
    const codeVerifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const nonce = client.randomNonce();
    await store.insertSsoRequest(db, {
      state_hash: sha256(state),
      code_verifier: codeVerifier,
      nonce,
      return_to: safeReturnTo(returnTo),
      expires_at: new Date(Date.now() + REQUEST_MINUTES * 60_000).toISOString(),
    });
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: this.settings.scopes,
      code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    return { url: url.href, state };
  }

  /** Completes the flow from the callback URL; `browserState` is the state cookie set at start. */
  async finish(db: Db, callbackUrl: URL, redirectUri: string, browserState: string | undefined): Promise<SsoIdentity & { returnTo: string }> {
    const providerError = callbackUrl.searchParams.get('error');
    if (providerError) {
      const description = callbackUrl.searchParams.get('error_description');
      throw new PeelError('sso_refused', `The single sign-on provider did not sign you in: ${description ?? providerError}.`, 401);
    }
    const state = callbackUrl.searchParams.get('state');
    if (!state || !browserState || state !== browserState) {
      throw new PeelError('sso_state', 'This sign-in did not start in this browser, or took too long. Start again.', 400);
    }
    const pending = await store.takeSsoRequest(db, sha256(state));
    if (!pending || pending.expires_at < new Date().toISOString()) {
      throw new PeelError('sso_expired', 'This sign-in has expired or was already used. Start again.', 400);
    }
    const config = await this.configuration();
    // openid-client compares the callback URL with the redirect URI, so rebuild it on that base.
    const current = new URL(redirectUri);
    current.search = callbackUrl.search;
    let tokens: Awaited<ReturnType<typeof client.authorizationCodeGrant>>;
    try {
      tokens = await client.authorizationCodeGrant(config, current, {
        pkceCodeVerifier: pending.code_verifier,
        expectedState: state,
        expectedNonce: pending.nonce,
        idTokenExpected: true,
      });
    } catch (err) {
      throw failed(err);
    }
    const idClaims = tokens.claims();
    if (!idClaims) throw new PeelError('sso_failed', 'The provider sent no ID token.', 401);
    let claims: Record<string, unknown> = { ...idClaims };
    // Providers that follow the core spec strictly put profile claims in UserInfo, not the ID token.
    if (!(this.settings.roleClaim in claims) && tokens.access_token) {
      let info: client.UserInfoResponse;
      try {
        info = await client.fetchUserInfo(config, tokens.access_token, idClaims.sub);
      } catch (err) {
        throw failed(err);
      }
      claims = { ...info, ...claims };
    }
    const role = mapRole(claims[this.settings.roleClaim], this.settings);
    const username = String(claims.preferred_username ?? claims.email ?? claims.upn ?? idClaims.sub);
    return {
      issuer: String(idClaims.iss),
      subject: idClaims.sub,
      username,
      displayName: String(claims.name ?? username),
      role,
      returnTo: pending.return_to,
    };
  }
}

/**
 * How Peel proves itself at the token endpoint: `client_secret_post` where the provider
 * offers it (openid-client's default, which Entra ID accepts), otherwise
 * `client_secret_basic`, which is also what a provider that lists no methods supports.
 */
function clientAuthentication(secret: string | undefined): client.ClientAuth {
  if (!secret) return client.None();
  const post = client.ClientSecretPost(secret);
  const basic = client.ClientSecretBasic(secret);
  return (as, c, body, headers) => {
    const offered = as.token_endpoint_auth_methods_supported ?? ['client_secret_basic'];
    return (offered.includes('client_secret_post') ? post : basic)(as, c, body, headers);
  };
}

/** A failure talking to the provider, with the provider's own error code and description when it gave them. */
function failed(err: unknown): PeelError {
  const e = err as Error & { error?: unknown; error_description?: unknown };
  const said = typeof e.error === 'string' ? ` (${e.error}${typeof e.error_description === 'string' ? `: ${e.error_description}` : ''})` : '';
  return new PeelError('sso_failed', `Single sign-on could not be completed: ${e.message.replace(/\.$/, '')}${said}.`, 401);
}

/**
 * Where to go after signing in: a path on this site only. Browsers read `/\host`, and
 * `/<tab>/host` once tabs and newlines are dropped, as `//host`: another site.
 */
export function safeReturnTo(returnTo: string): string {
  const unsafe = [...returnTo].some((ch) => ch === '\\' || ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f);
  if (!returnTo.startsWith('/') || unsafe) return '/';
  const base = new URL('http://peel.invalid');
  const url = new URL(returnTo, base);
  // Dot segments can collapse to a leading `//` (`/..//host`), so check what comes out too.
  if (url.origin !== base.origin || url.pathname.startsWith('//')) return '/';
  return `${url.pathname}${url.search}${url.hash}`;
}

/** The first mapped claim value the user holds decides the role; the map's order is the order of preference. */
export function mapRole(claim: unknown, settings: Pick<OidcConfig, 'roleMap' | 'defaultRole' | 'roleClaim'>): StaffRole {
  const held = new Set((Array.isArray(claim) ? claim : claim === undefined || claim === null ? [] : [claim]).map(String));
  for (const [value, role] of settings.roleMap) if (held.has(value)) return role as StaffRole;
  if (settings.defaultRole) return settings.defaultRole as StaffRole;
  throw new PeelError('sso_no_role', `Your single sign-on account has no Peel role (claim "${settings.roleClaim}"). Ask an administrator to grant one.`, 403);
}
