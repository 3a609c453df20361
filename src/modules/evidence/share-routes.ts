import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Platform, PeelServer } from '../../platform/context.ts';
import type { Role } from '../../platform/roles.ts';
import { contentDisposition } from './metadata.ts';
import { createdShare as created, share, sharedView } from './replies.ts';
import { sendBytes } from './routes.ts';
import * as shares from './shares.ts';

const MANAGE: readonly Role[] = ['supervisor', 'evidence_officer'];
const PUBLIC: readonly Role[] = ['public'];
/** A player fetches a video in many ranges: more headroom than other public routes. */
const PUBLIC_BYTES_LIMIT = { max: 600, timeWindow: '1 minute' };

const shareFields = {
  expiresInDays: z.number().int().min(1).max(365).default(30),
  allowDownload: z.boolean().default(true),
  maxAccesses: z.number().int().min(1).max(10_000).nullable().default(null),
  recipient: z.string().trim().min(1).max(200).optional().describe('who the link is for, e.g. "CPS Wessex, J. Smith"'),
  pin: z.string().regex(/^\d{4,12}$/, 'must be 4 to 12 digits').optional().describe('sent to the recipient separately'),
};
const tokenParams = z.object({ token: z.string().min(1).max(100) });
const pinQuery = z.object({ pin: z.string().max(12).optional() });

const pinOf = (req: FastifyRequest, query: { pin?: string }) => {
  const h = req.headers['peel-share-pin'];
  return (Array.isArray(h) ? h[0] : h) ?? query.pin;
};

export async function shareRoutes(app: PeelServer, platform: Platform): Promise<void> {
  const { db, blobs, config } = platform;
  const base = (req: FastifyRequest) => (config.PEEL_PUBLIC_URL ?? `${req.protocol}://${req.host}`).replace(/\/$/, '');
  const links = (req: FastifyRequest, s: shares.Share, token: string) => ({
    ...s,
    url: `${base(req)}/shared/${token}`,
    downloadUrl: `${base(req)}/api/evidence/shared/${token}/download`,
  });

  app.post('/api/evidence/items/:id/shares', {
    config: { roles: MANAGE },
    schema: {
      summary: 'Share an item by link (expiring, revocable, optional PIN and access cap); logged as a disclosure',
      tags: ['evidence'],
      params: z.object({ id: z.coerce.number().int().positive() }),
      body: z.object(shareFields),
      response: { 200: created },
    },
    handler: async (req) => {
      const r = await shares.createShare(db, req.actor, { ...req.body, itemIds: [req.params.id] });
      return links(req, r.share, r.token);
    },
  });

  app.post('/api/evidence/shares', {
    config: { roles: MANAGE },
    schema: {
      summary: 'Share several items as one link; the download is a zip with a SHA256SUMS manifest',
      tags: ['evidence'],
      body: z.object({ itemIds: z.array(z.number().int().positive()).min(1).max(200), ...shareFields }),
      response: { 200: created },
    },
    handler: async (req) => {
      const r = await shares.createShare(db, req.actor, req.body);
      return links(req, r.share, r.token);
    },
  });

  app.get('/api/evidence/shares', {
    config: { roles: MANAGE },
    schema: { summary: 'Share links, newest first (tokens are not kept, so not shown)', tags: ['evidence'], querystring: z.object({ itemId: z.coerce.number().int().positive().optional() }), response: { 200: z.object({ shares: z.array(share) }) } },
    handler: async (req) => ({ shares: await shares.listShares(db, req.query.itemId) }),
  });

  app.delete('/api/evidence/shares/:id', {
    config: { roles: MANAGE },
    schema: { summary: 'Withdraw a share link: it answers 410 from now on', tags: ['evidence'], params: z.object({ id: z.coerce.number().int().positive() }), response: { 200: share } },
    handler: async (req) => shares.revokeShare(db, req.actor, req.params.id),
  });

  // ——— for the recipient, with no account ———

  app.get('/api/evidence/shared/:token', {
    config: { roles: PUBLIC },
    schema: {
      summary: 'What a share link holds (not counted as an access); PIN as Peel-Share-Pin header or ?pin=',
      tags: ['evidence'],
      params: tokenParams,
      querystring: pinQuery,
      response: {
        200: sharedView,
      },
    },
    handler: async (req) => {
      const d = await shares.describeShare(db, req.params.token, pinOf(req, req.query));
      return { ...d, downloadUrl: d.allowDownload ? `${base(req)}/api/evidence/shared/${req.params.token}/download` : null };
    },
  });

  const sendShared = (reply: FastifyReply, r: shares.SharedBytes, download: boolean) => {
    if (r.kind === 'zip') {
      reply.header('Content-Type', 'application/zip');
      reply.header('Content-Disposition', contentDisposition('attachment', `evidence-${r.shareId}.zip`, 'evidence.zip'));
      reply.header('Cache-Control', 'private, no-store');
      return reply.send(r.body);
    }
    if (r.kind === 'unsatisfiable') return sendBytes(reply, { unsatisfiable: true, size: r.size }, download);
    return sendBytes(reply, { item: r.item, size: r.size, range: r.range, body: r.body }, download);
  };

  app.get('/api/evidence/shared/:token/items/:itemId/content', {
    config: { roles: PUBLIC, rateLimit: PUBLIC_BYTES_LIMIT },
    compress: false,
    schema: { summary: 'One shared item inline, with Range, for viewing', tags: ['evidence'], params: tokenParams.extend({ itemId: z.coerce.number().int().positive() }), querystring: pinQuery },
    handler: async (req, reply) => {
      const r = await shares.sharedBytes(db, blobs, req.actor, req.params.token, pinOf(req, req.query), { itemId: req.params.itemId, download: false, range: req.headers.range });
      return sendShared(reply, r, false);
    },
  });

  app.get('/api/evidence/shared/:token/download', {
    config: { roles: PUBLIC, rateLimit: PUBLIC_BYTES_LIMIT },
    compress: false,
    schema: { summary: 'Download what a link shares: one file (with Range) or a zip of a bundle with SHA256SUMS', tags: ['evidence'], params: tokenParams, querystring: pinQuery },
    handler: async (req, reply) => {
      const r = await shares.sharedBytes(db, blobs, req.actor, req.params.token, pinOf(req, req.query), { download: true, range: req.headers.range });
      // A bundle's zip is made as it is sent, so it is always sent whole (200), Range or not.
      return sendShared(reply, r, true);
    },
  });
}
