import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import fastifyStatic from '@fastify/static';
import { z } from 'zod';
import type { Platform, PeelServer } from '../context.ts';
import { ping } from '../db/index.ts';
import { notFound } from '../errors.ts';

const check = z.object({ status: z.enum(['ok', 'error']), detail: z.string().optional() });

async function probe(fn: () => Promise<void>): Promise<z.infer<typeof check>> {
  try {
    await fn();
    return { status: 'ok' };
  } catch (err) {
    return { status: 'error', detail: (err as Error).message.slice(0, 200) };
  }
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** Health, the OpenAPI document, and the built web app. */
export async function systemRoutes(app: PeelServer, platform: Platform): Promise<void> {
  app.get('/api/health', {
    config: { roles: ['public'], rateLimit: false },
    schema: {
      summary: 'Is the service up, and can it reach its database and blob store?',
      tags: ['system'],
      response: { 200: z.object({ status: z.literal('ok'), checks: z.object({ database: check, blobs: check }) }), 503: z.object({ status: z.literal('error'), checks: z.object({ database: check, blobs: check }) }) },
    },
    handler: async (req, reply) => {
      const checks = { database: await probe(() => ping(platform.db)), blobs: await probe(() => platform.blobs.check()) };
      if (checks.database.status === 'ok' && checks.blobs.status === 'ok') return { status: 'ok' as const, checks };
      // What failed names hosts, buckets and settings: for the log and administrators, not for anyone who asks.
      req.log.warn({ database: checks.database.detail, blobs: checks.blobs.detail }, 'health check failed');
      if (req.user?.role !== 'admin') {
        for (const c of Object.values(checks)) delete c.detail;
      }
      return reply.status(503).send({ status: 'error' as const, checks });
    },
  });

  app.get('/api/openapi.json', {
    config: { roles: ['public'] },
    schema: { hide: true },
    handler: async () => app.swagger(),
  });

  const webRoot = resolve(platform.config.PEEL_WEB_DIR);
  const built = existsSync(resolve(webRoot, 'index.html'));
  if (built) await app.register(fastifyStatic, { root: webRoot, serve: false });

  // The single-page app: real files as they are, any other page path gets index.html.
  app.get('/*', {
    config: { roles: ['public'], rateLimit: false },
    schema: { hide: true },
    handler: async (req, reply) => {
      const path = (req.params as { '*': string })['*'];
      if (path.startsWith('api/') || path === 'api') throw notFound(`API route /${path}`);
      if (!built) return reply.type('text/plain').status(503).send('The web app is not built yet: run `npm run build`, then restart `peel serve`.');
      if (path && !path.split('/').includes('..') && isFile(resolve(webRoot, path))) {
        // Vite names built assets by content hash, so they never change under the same name.
        return path.startsWith('assets/') ? reply.sendFile(path, { maxAge: '365d', immutable: true }) : reply.sendFile(path);
      }
      return reply.header('Cache-Control', 'no-cache').sendFile('index.html', { cacheControl: false });
    },
  });

  app.setNotFoundHandler({}, (req, reply) => {
    reply.status(404).send({ error: { code: 'not_found', message: `There is no ${req.method} ${req.url.split('?')[0]}.` } });
  });
}
