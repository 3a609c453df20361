import { Readable } from 'node:stream';
import { z } from 'zod';
import type { Platform, PeelServer } from '../context.ts';
import type { Role } from '../roles.ts';
import { auditPage, chainCheck } from './replies.ts';
import * as audit from './service.ts';

const AUDITOR: readonly Role[] = ['auditor'];

const filters = z.object({
  username: z.string().max(64).optional(),
  userId: z.coerce.number().int().positive().optional(),
  action: z.string().max(100).optional(),
  operation: z.enum(audit.OPERATIONS).optional(),
  recordType: z.string().max(100).optional(),
  recordId: z.string().max(200).optional(),
  from: z.iso.datetime({ offset: true }).optional().describe('UTC instant, inclusive'),
  to: z.iso.datetime({ offset: true }).optional().describe('UTC instant, exclusive'),
});

const utc = (s: string | undefined) => (s ? new Date(s).toISOString() : undefined);
const toFilter = (q: z.infer<typeof filters>) => ({ ...q, from: utc(q.from), to: utc(q.to) });


/** The audit log is for auditors and data-protection officers; administrators are audited, not auditors. */
export function auditRoutes(app: PeelServer, platform: Platform): void {
  const { db } = platform;

  app.get('/api/audit', {
    config: { roles: AUDITOR },
    schema: {
      summary: 'Search the audit log, newest first; the search is itself logged',
      tags: ['audit'],
      querystring: filters.extend({ limit: z.coerce.number().int().min(1).max(500).default(50), cursor: z.coerce.number().int().positive().optional() }),
      response: { 200: auditPage },
    },
    handler: async (req) => {
      const { limit, cursor, ...rest } = req.query;
      return audit.search(db, req.actor, { ...toFilter(rest), before: cursor }, limit);
    },
  });

  app.get('/api/audit/export', {
    config: { roles: AUDITOR },
    schema: {
      summary: 'Export matching entries, oldest first, as CSV or JSON Lines; needs a justification, and is logged as a disclosure',
      tags: ['audit'],
      querystring: filters.extend({ format: z.enum(['csv', 'jsonl']).default('csv'), justification: z.string().max(1000).optional() }),
    },
    handler: async (req, reply) => {
      const { format, justification, ...rest } = req.query;
      const lines = await audit.exportEntries(db, req.actor, toFilter(rest), format, justification ?? null);
      const stamp = new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-');
      reply.header('Content-Type', format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8');
      reply.header('Content-Disposition', `attachment; filename="peel-audit-${stamp}.${format === 'csv' ? 'csv' : 'jsonl'}"`);
      return reply.send(Readable.from(lines));
    },
  });

  app.get('/api/audit/verify', {
    config: { roles: AUDITOR },
    schema: {
      summary: 'Walk the hash chain and name the first missing or altered entry',
      tags: ['audit'],
      response: { 200: chainCheck },
    },
    handler: async () => audit.verify(db),
  });
}
