import zlib from 'node:zlib';
import Fastify, { type FastifyError, type FastifyReply, type FastifyRequest } from 'fastify';
import compress from '@fastify/compress';
import cookie from '@fastify/cookie';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError, jsonSchemaTransform, serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Actor } from '../actor.ts';
import { PeelError } from '../errors.ts';
import type { Role } from '../roles.ts';
import type { Platform, PeelServer } from '../context.ts';
import type { SessionRow, UserRow } from '../auth/store.ts';
import { authenticate } from './authenticate.ts';
import { SESSION_COOKIE } from './session-cookie.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** who may call the route; `public` lets anyone in. A route without roles cannot be registered. */
    roles?: readonly Role[];
    /** reachable while a one-time password or second-factor enrolment is still pending */
    allowPending?: boolean;
    /** false only for sign-in, which has no session yet to hold a CSRF token */
    csrf?: boolean;
  }
  interface FastifyRequest {
    actor: Actor;
    user: UserRow | null;
    session: SessionRow | null;
  }
}

/** Same-origin only, but for a configured basemap's servers, which the map must reach. */
function contentSecurityPolicy(config: Platform['config']): string {
  const map = [...new Set([...(config.PEEL_MAP_STYLE_URL ? [new URL(config.PEEL_MAP_STYLE_URL).origin] : []), ...config.PEEL_MAP_ORIGINS])].join(' ');
  const plus = map ? ` ${map}` : '';
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    `img-src 'self' data: blob:${plus}`,
    "font-src 'self'",
    `connect-src 'self'${plus}`,
    "worker-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

export interface RouteEntry {
  method: string;
  url: string;
  roles: readonly Role[];
}
const routeTables = new WeakMap<object, RouteEntry[]>();

/** Every route registered on an app with the roles it declared: what the role-matrix test walks. */
export const routeTable = (app: object): RouteEntry[] => routeTables.get(app) ?? [];

/** The Fastify app with Peel's rules: declared roles on every route, zod schemas, plain errors, security headers. */
export async function createServer(platform: Platform): Promise<PeelServer> {
  const { config } = platform;
  const csp = contentSecurityPolicy(config);
  const app = Fastify({
    trustProxy: config.PEEL_TRUST_PROXY,
    bodyLimit: config.PEEL_BODY_LIMIT_BYTES,
    logger: {
      level: config.PEEL_LOG_LEVEL,
      // Paths only: query strings can carry names and references, which stay out of logs.
      serializers: {
        req: (req: { method: string; url: string; id: string }) => ({ method: req.method, path: req.url.split('?')[0], id: req.id }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
      redact: ['req.headers.authorization', 'req.headers.cookie'],
    },
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  // Every route says who may call it, and public routes are rate-limited unless they say otherwise.
  const table: RouteEntry[] = [];
  routeTables.set(app, table);
  app.addHook('onRoute', (route) => {
    const roles = route.config?.roles;
    if (!roles || roles.length === 0) throw new Error(`Route ${route.method} ${route.url} declares no roles; every route must say who may call it.`);
    for (const method of [route.method].flat()) if (method !== 'HEAD') table.push({ method, url: route.url, roles });
    if (roles.includes('public') && route.config && !('rateLimit' in route.config)) {
      (route.config as Record<string, unknown>).rateLimit = { max: config.PEEL_RATE_LIMIT_PUBLIC_PER_MINUTE, timeWindow: '1 minute' };
    }
  });

  await app.register(cookie);
  // Map layers are large GeoJSON; compression cuts them about fivefold on the wire. Middling
  // levels: the top ones cost more time per reply than they save on a police network.
  await app.register(compress, {
    global: true,
    threshold: 2048,
    encodings: ['br', 'gzip'],
    brotliOptions: { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 4 } },
    zlibOptions: { level: 4 },
  });
  await app.register(rateLimit, {
    global: false,
    errorResponseBuilder: (_req, ctx) => new PeelError('rate_limited', `Too many requests; try again in ${Math.ceil(ctx.ttl / 1000)} seconds.`, 429),
  });
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Peel API', version: '0.1.0', description: 'Open-source policing data platform. Every route lists the roles that may call it.' },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'An API token from `peel tokens create` or the account page.' },
          session: { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE, description: 'The web app session; writes also need the X-CSRF-Token header.' },
        },
      },
    },
    transform: jsonSchemaTransform,
    transformObject: (doc) => {
      const spec = (doc as { openapiObject: Record<string, unknown> }).openapiObject;
      return spec as never;
    },
  });
  app.addHook('onRoute', (route) => {
    // State the roles in the OpenAPI description, where client authors will look.
    const roles = route.config?.roles ?? [];
    const schema = (route.schema ??= {}) as Record<string, unknown>;
    schema.description = `${schema.description ? `${String(schema.description)}\n\n` : ''}Roles: ${roles.join(', ')}.`;
    if (!roles.includes('public')) schema.security = [{ bearer: [] }, { session: [] }];
  });

  app.decorateRequest('actor', null as unknown as Actor);
  app.decorateRequest('user', null);
  app.decorateRequest('session', null);
  app.addHook('onRequest', (req, reply) => authenticate(platform, req, reply));
  app.addHook('onSend', async (req, reply, payload) => {
    reply.header('Content-Security-Policy', csp);
    reply.header('X-Content-Type-Options', 'nosniff');
    reply.header('Referrer-Policy', 'no-referrer');
    reply.header('X-Frame-Options', 'DENY');
    reply.header('Cross-Origin-Opener-Policy', 'same-origin');
    reply.header('Cross-Origin-Resource-Policy', 'same-origin');
    reply.header('Permissions-Policy', 'camera=(), microphone=(), geolocation=(self)');
    if (config.PEEL_PUBLIC_URL?.startsWith('https:')) reply.header('Strict-Transport-Security', 'max-age=31536000');
    if (req.url.startsWith('/api/') && !reply.hasHeader('Cache-Control')) reply.header('Cache-Control', 'no-store');
    return payload;
  });

  app.setErrorHandler((err: FastifyError, req: FastifyRequest, reply: FastifyReply) => {
    const send = (status: number, code: string, message: string) => reply.status(status).send({ error: { code, message } });
    if (hasZodFastifySchemaValidationErrors(err)) {
      const where = err.validationContext ?? 'request';
      const problems = err.validation.map((v) => {
        const path = v.instancePath.replace(/^\//, '').replace(/\//g, '.');
        return `${where}${path ? `.${path}` : ''}: ${v.message}`;
      });
      return send(400, 'invalid_request', problems.join('; '));
    }
    if (err instanceof PeelError) return send(err.status, err.code, err.message);
    if (isResponseSerializationError(err)) {
      req.log.error({ err: { message: err.message } }, 'reply did not match its schema');
      return send(500, 'internal', `Something went wrong on our side; it has been logged as ${req.id}.`);
    }
    const status = err.statusCode ?? 500;
    if (status === 413) return send(413, 'too_large', `The request is larger than the ${req.routeOptions.bodyLimit ?? config.PEEL_BODY_LIMIT_BYTES} bytes allowed.`);
    if (status === 415) return send(415, 'unsupported_media_type', err.message);
    if (status < 500) return send(status, (err.code ?? 'bad_request').toLowerCase(), err.message);
    req.log.error({ err }, 'unhandled error');
    return send(500, 'internal', `Something went wrong on our side; it has been logged as ${req.id}.`);
  });

  return app;
}
