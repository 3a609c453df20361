import type { FastifyRequest } from 'fastify';
import type { Config } from '../config.ts';

export const SESSION_COOKIE = 'peel_session';

/** httpOnly so scripts cannot read it; SameSite=Lax so it survives the redirect back from single sign-on. */
export const sessionCookieOptions = (config: Config, req: FastifyRequest) => ({
  path: '/',
  httpOnly: true,
  sameSite: 'lax' as const,
  secure: config.PEEL_PUBLIC_URL?.startsWith('https:') === true || req.protocol === 'https',
});
