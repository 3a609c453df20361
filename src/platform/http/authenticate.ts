import type { FastifyReply, FastifyRequest } from 'fastify';
import { anonymous } from '../actor.ts';
import { sessionFromCookie, userFromToken } from '../auth/service.ts';
import type { Platform } from '../context.ts';
import { PeelError, forbidden, unauthenticated } from '../errors.ts';
import { SESSION_COOKIE } from './session-cookie.ts';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Who is calling (API token or session cookie), and may they call this route?
 * Runs before body parsing, so a caller without the role learns nothing from validation.
 */
export async function authenticate(platform: Platform, req: FastifyRequest, _reply: FastifyReply): Promise<void> {
  req.actor = anonymous(req.ip);
  if (req.is404) return;
  const { db, config } = platform;
  const roles = req.routeOptions.config.roles ?? [];

  const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
  if (req.headers.authorization !== undefined) {
    const user = bearer ? await userFromToken(db, bearer) : null;
    if (!user) throw new PeelError('invalid_token', 'The API token is not valid: it may be wrong, revoked or expired.', 401);
    req.user = user;
  } else {
    const cookie = req.cookies[SESSION_COOKIE];
    const found = cookie ? await sessionFromCookie(db, config, cookie) : null;
    if (found) {
      req.user = found.user;
      req.session = found.session;
    }
  }
  if (req.user) req.actor = { userId: req.user.id, username: req.user.username, role: req.user.role, ip: req.ip };

  if (req.session && !SAFE_METHODS.has(req.method) && req.routeOptions.config.csrf !== false) {
    if (req.headers['x-csrf-token'] !== req.session.csrf_token) {
      throw new PeelError('csrf_failed', 'This request is missing its X-CSRF-Token header; reload the page and try again.', 403);
    }
  }
  if (roles.includes('public')) return;
  if (!req.user) throw unauthenticated();
  if (req.session?.pending && !req.routeOptions.config.allowPending) {
    const what = req.session.pending === 'change_password' ? 'change your one-time password' : 'set up your authenticator app';
    throw new PeelError(req.session.pending === 'change_password' ? 'password_change_required' : 'totp_enrolment_required', `First ${what}.`, 403);
  }
  if (!roles.includes(req.user.role as never)) throw forbidden();
}
