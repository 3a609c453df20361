import { z } from 'zod';
import type { FastifyRequest } from 'fastify';
import type { Platform, PeelServer } from '../context.ts';
import { PeelError } from '../errors.ts';
import { STAFF_ROLES, type Role } from '../roles.ts';
import { SESSION_COOKIE, sessionCookieOptions } from '../http/session-cookie.ts';
import { SsoClient } from './oidc.ts';
import { navItem, pending, role, roleSetting, token, user } from './replies.ts';
import * as auth from './service.ts';

const STAFF: readonly Role[] = STAFF_ROLES;
const ADMIN: readonly Role[] = ['admin'];
const SSO_STATE_COOKIE = 'peel_sso_state';

const idParams = z.object({ id: z.coerce.number().int().positive() });

function publicBase(platform: Platform, req: FastifyRequest): string {
  return platform.config.PEEL_PUBLIC_URL?.replace(/\/$/, '') ?? `${req.protocol}://${req.host}`;
}

export function authRoutes(app: PeelServer, platform: Platform): void {
  const { db, config } = platform;
  const sso = config.oidc ? new SsoClient(config.oidc) : null;

  app.post('/api/auth/login', {
    config: { roles: ['public'], csrf: false, rateLimit: { max: config.PEEL_RATE_LIMIT_LOGIN_PER_MINUTE, timeWindow: '1 minute' } },
    schema: {
      summary: 'Sign in with a username and password (and a TOTP code when the account has one)',
      tags: ['auth'],
      body: z.object({ username: z.string().min(1).max(64), password: z.string().min(1).max(256), totp: z.string().max(10).optional() }),
      response: { 200: z.object({ user, csrfToken: z.string(), pending }) },
    },
    handler: async (req, reply) => {
      const signedIn = await auth.login(db, config, req.body, req.ip);
      reply.setCookie(SESSION_COOKIE, signedIn.token, { ...sessionCookieOptions(config, req), maxAge: config.PEEL_SESSION_ABSOLUTE_HOURS * 3600 });
      return { user: auth.publicUser(signedIn.user), csrfToken: signedIn.session.csrf_token, pending: signedIn.session.pending as auth.Pending };
    },
  });

  app.post('/api/auth/logout', {
    config: { roles: STAFF, allowPending: true },
    schema: { summary: 'Sign out: ends this session', tags: ['auth'], response: { 204: z.null() } },
    handler: async (req, reply) => {
      if (req.session) await auth.logout(db, req.actor, req.session.id_hash);
      reply.clearCookie(SESSION_COOKIE, sessionCookieOptions(config, req));
      return reply.status(204).send(null);
    },
  });

  app.get('/api/auth/me', {
    config: { roles: STAFF, allowPending: true },
    schema: {
      summary: 'Who is signed in, what they must do first, and the navigation their role may use',
      tags: ['auth'],
      response: {
        200: z.object({
          user,
          csrfToken: z.string().nullable(),
          pending,
          navigation: z.array(navItem),
        }),
      },
    },
    handler: async (req) => {
      const u = req.user!;
      const p = (req.session?.pending ?? null) as auth.Pending;
      const navigation = p ? [] : platform.navigation.filter((n) => n.roles.includes(u.role as Role)).map(({ id, title, path, description }) => ({ id, title, path, description }));
      return { user: auth.publicUser(u), csrfToken: req.session?.csrf_token ?? null, pending: p, navigation };
    },
  });

  app.post('/api/auth/password', {
    config: { roles: STAFF, allowPending: true },
    schema: {
      summary: 'Change your own password',
      tags: ['auth'],
      body: z.object({ currentPassword: z.string().min(1).max(256), newPassword: z.string().min(1).max(256) }),
      response: { 200: z.object({ pending }) },
    },
    handler: async (req) => ({ pending: await auth.changePassword(db, req.actor, req.session?.id_hash ?? null, req.body.currentPassword, req.body.newPassword) }),
  });

  app.post('/api/auth/totp/setup', {
    config: { roles: STAFF, allowPending: true },
    schema: { summary: 'Start setting up an authenticator app: a new secret', tags: ['auth'], response: { 200: z.object({ secret: z.string(), uri: z.string() }) } },
    handler: async (req) => auth.totpSetup(db, req.actor),
  });

  app.post('/api/auth/totp/confirm', {
    config: { roles: STAFF, allowPending: true },
    schema: { summary: 'Finish setting up an authenticator app with a code from it', tags: ['auth'], body: z.object({ code: z.string().min(6).max(10) }), response: { 200: z.object({ pending }) } },
    handler: async (req) => ({ pending: await auth.totpConfirm(db, req.actor, req.session?.id_hash ?? null, req.body.code) }),
  });

  // ——— single sign-on ———

  app.get('/api/auth/sso', {
    config: { roles: ['public'] },
    schema: { summary: 'Whether single sign-on is configured, and the label for its button', tags: ['auth'], response: { 200: z.object({ enabled: z.boolean(), label: z.string().optional() }) } },
    handler: async () => (sso ? { enabled: true, label: sso.settings.label } : { enabled: false }),
  });

  app.get('/api/auth/sso/start', {
    config: { roles: ['public'], rateLimit: { max: config.PEEL_RATE_LIMIT_LOGIN_PER_MINUTE, timeWindow: '1 minute' } },
    schema: { summary: 'Start single sign-on: redirects to the provider', tags: ['auth'], querystring: z.object({ returnTo: z.string().max(500).optional() }) },
    handler: async (req, reply) => {
      if (!sso) throw new PeelError('sso_not_configured', 'Single sign-on is not set up on this server.', 404);
      const { url, state } = await sso.start(db, `${publicBase(platform, req)}/api/auth/sso/callback`, req.query.returnTo);
      reply.setCookie(SSO_STATE_COOKIE, state, { ...sessionCookieOptions(config, req), path: '/api/auth/sso', maxAge: 600 });
      return reply.redirect(url, 302);
    },
  });

  app.get('/api/auth/sso/callback', {
    config: { roles: ['public'], rateLimit: { max: config.PEEL_RATE_LIMIT_LOGIN_PER_MINUTE, timeWindow: '1 minute' } },
    schema: { summary: 'Where the provider sends the browser back; signs in and redirects to the app', tags: ['auth'], querystring: z.record(z.string(), z.string()) },
    handler: async (req, reply) => {
      if (!sso) throw new PeelError('sso_not_configured', 'Single sign-on is not set up on this server.', 404);
      reply.clearCookie(SSO_STATE_COOKIE, { ...sessionCookieOptions(config, req), path: '/api/auth/sso' });
      try {
        const base = publicBase(platform, req);
        const identity = await sso.finish(db, new URL(req.url, base), `${base}/api/auth/sso/callback`, req.cookies[SSO_STATE_COOKIE]);
        const signedIn = await auth.ssoSignIn(db, config, identity, req.ip);
        reply.setCookie(SESSION_COOKIE, signedIn.token, { ...sessionCookieOptions(config, req), maxAge: config.PEEL_SESSION_ABSOLUTE_HOURS * 3600 });
        return reply.redirect(identity.returnTo, 302);
      } catch (err) {
        // A person is looking at this: back to the sign-in page with a reason code the app words
        // itself (free text in the URL would let anyone put their words on our page).
        if (!(err instanceof PeelError)) throw err;
        req.log.warn({ code: err.code, detail: err.message }, 'single sign-on failed');
        return reply.redirect(`/sign-in?sso_error=${encodeURIComponent(err.code)}`, 302);
      }
    },
  });

  // ——— API tokens: your own ———

  app.get('/api/tokens', {
    config: { roles: STAFF },
    schema: { summary: 'Your API tokens', tags: ['tokens'], response: { 200: z.object({ tokens: z.array(token) }) } },
    handler: async (req) => ({ tokens: await auth.listTokens(db, req.user!.id) }),
  });

  app.post('/api/tokens', {
    config: { roles: STAFF },
    schema: {
      summary: 'Create an API token for a machine client; the token is shown once',
      tags: ['tokens'],
      body: z.object({ name: z.string().min(1).max(100), expiresInDays: z.number().int().min(1).max(366).default(config.PEEL_TOKEN_DEFAULT_DAYS) }),
      response: { 200: token.extend({ token: z.string() }) },
    },
    handler: async (req) => auth.createToken(db, req.actor, req.user!.id, req.body.name, req.body.expiresInDays),
  });

  app.delete('/api/tokens/:id', {
    config: { roles: STAFF },
    schema: { summary: 'Revoke an API token', tags: ['tokens'], params: idParams, response: { 204: z.null() } },
    handler: async (req, reply) => {
      await auth.revokeToken(db, req.actor, req.params.id);
      return reply.status(204).send(null);
    },
  });

  // ——— user administration ———

  app.get('/api/users', {
    config: { roles: ADMIN },
    schema: { summary: 'Every user account', tags: ['users'], response: { 200: z.object({ users: z.array(user) }) } },
    handler: async (req) => ({ users: await auth.listUsers(db, req.actor) }),
  });

  app.post('/api/users', {
    config: { roles: ADMIN },
    schema: {
      summary: 'Add a user; answers with a one-time password to give them, shown once',
      tags: ['users'],
      body: z.object({ username: z.string().min(2).max(64), displayName: z.string().max(200).optional(), role }),
      response: { 200: z.object({ user, oneTimePassword: z.string() }) },
    },
    handler: async (req) => {
      const r = await auth.createUser(db, req.actor, req.body);
      return { user: r.user, oneTimePassword: r.oneTimePassword! };
    },
  });

  app.patch('/api/users/:id', {
    config: { roles: ADMIN },
    schema: {
      summary: "Change a user's role, name, or disable or enable them",
      tags: ['users'],
      params: idParams,
      body: z.object({ role: role.optional(), disabled: z.boolean().optional(), displayName: z.string().min(1).max(200).optional() }),
      response: { 200: z.object({ user }) },
    },
    handler: async (req) => ({ user: await auth.updateUser(db, req.actor, req.params.id, req.body) }),
  });

  app.post('/api/users/:id/reset-password', {
    config: { roles: ADMIN },
    schema: { summary: 'Give a user a new one-time password and end their sessions', tags: ['users'], params: idParams, response: { 200: z.object({ oneTimePassword: z.string() }) } },
    handler: async (req) => ({ oneTimePassword: await auth.resetPassword(db, req.actor, req.params.id) }),
  });

  app.post('/api/users/:id/reset-totp', {
    config: { roles: ADMIN },
    schema: { summary: "Remove a user's authenticator so they can set up a new one", tags: ['users'], params: idParams, response: { 204: z.null() } },
    handler: async (req, reply) => {
      await auth.resetTotp(db, req.actor, req.params.id);
      return reply.status(204).send(null);
    },
  });

  app.post('/api/users/:id/unlock', {
    config: { roles: ADMIN },
    schema: { summary: 'Unlock an account locked after failed sign-ins', tags: ['users'], params: idParams, response: { 204: z.null() } },
    handler: async (req, reply) => {
      await auth.unlockUser(db, req.actor, req.params.id);
      return reply.status(204).send(null);
    },
  });

  app.get('/api/roles', {
    config: { roles: ADMIN },
    schema: { summary: 'The roles and whether each must use a second factor', tags: ['users'], response: { 200: z.object({ roles: z.array(roleSetting) }) } },
    handler: async () => ({ roles: await auth.listRoles(db) }),
  });

  app.put('/api/roles/:role', {
    config: { roles: ADMIN },
    schema: { summary: 'Require (or stop requiring) a TOTP second factor for a role', tags: ['users'], params: z.object({ role }), body: z.object({ totpRequired: z.boolean() }), response: { 200: roleSetting } },
    handler: async (req) => auth.setRoleTotp(db, req.actor, req.params.role, req.body.totpRequired),
  });
}
