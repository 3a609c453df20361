import { z } from 'zod';

/**
 * What the audit routes reply: the schemas they validate and document their replies with.
 * The web app takes its types from these (type-only imports), so they cannot drift apart.
 */

export const entry = z.object({
  seq: z.number(),
  at: z.string(),
  userId: z.number().nullable(),
  username: z.string().nullable(),
  role: z.string(),
  operation: z.string(),
  action: z.string(),
  recordType: z.string(),
  recordIds: z.array(z.string()),
  justification: z.string().nullable(),
  reasonCode: z.string().nullable(),
  clientIp: z.string().nullable(),
  details: z.record(z.string(), z.unknown()).nullable(),
  prevHash: z.string(),
  hash: z.string(),
});

export const auditPage = z.object({ entries: z.array(entry), nextCursor: z.number().nullable() });

export const chainCheck = z.object({
  ok: z.boolean(),
  entries: z.number(),
  firstBad: z.number().nullable().describe('sequence number of the first entry that is missing, altered or out of chain'),
  problem: z.string().nullable(),
});

export type AuditEntry = z.infer<typeof entry>;
export type AuditPage = z.infer<typeof auditPage>;
export type ChainCheck = z.infer<typeof chainCheck>;
