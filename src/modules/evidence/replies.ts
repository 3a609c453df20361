import { z } from 'zod';

/**
 * What the evidence routes reply: the schemas they validate and document their replies
 * with. The web app takes its types from these (type-only imports), so they cannot drift.
 */

export const retention = z.object({ action: z.enum(['delete', 'review']), rule: z.string(), deleteOn: z.string().nullable(), reviewOn: z.string().nullable(), held: z.boolean() });
/** What a legal hold can be for: it stops deletion while it stands. */
export const HOLD_KINDS = ['case', 'complaint', 'misconduct', 'subject_access'] as const;
export const hold = z.object({ id: z.number(), kind: z.enum(HOLD_KINDS), reference: z.string(), reason: z.string().nullable(), placedBy: z.string().nullable(), placedAt: z.string() });
export const itemSchema = z.object({
  id: z.number(),
  sha256: z.string(),
  size: z.number(),
  filename: z.string().nullable(),
  title: z.string().nullable(),
  mimeType: z.string().nullable(),
  source: z.string(),
  uploadedBy: z.string().nullable(),
  officer: z.string().nullable(),
  deviceSerial: z.string().nullable(),
  recordedStart: z.string().nullable(),
  recordedEnd: z.string().nullable(),
  latitude: z.number().nullable(),
  longitude: z.number().nullable(),
  location: z.string().nullable(),
  incidentRef: z.string().nullable(),
  crimeRef: z.string().nullable(),
  media: z
    .object({
      durationSeconds: z.number().nullable(),
      codec: z.string().nullable(),
      width: z.number().nullable(),
      height: z.number().nullable(),
      container: z.string().nullable(),
      audioCodec: z.string().nullable(),
      problem: z.string().nullable(),
    })
    .nullable(),
  posterSha256: z.string().nullable(),
  derivedFrom: z.number().nullable(),
  derivation: z.string().nullable(),
  createdAt: z.string(),
  status: z.enum(['stored', 'deleted']),
  deletedAt: z.string().nullable(),
  deletedRule: z.string().nullable(),
  categories: z.array(z.string()),
  holds: z.array(hold),
  retention,
});
export const category = z.object({
  code: z.string(),
  name: z.string(),
  description: z.string(),
  action: z.enum(['delete', 'review']),
  days: z.number(),
  mopiGroup: z.number().nullable(),
  assignable: z.boolean(),
  updatedAt: z.string(),
});
export const member = z.object({ userId: z.number(), username: z.string(), team: z.string().nullable() });

/** An upload request link for a member of the public or a business (its secret address only when made). */
export const uploadRequest = z.object({
  id: z.number(),
  incidentRef: z.string(),
  description: z.string().nullable(),
  maxBytes: z.number(),
  maxFiles: z.number(),
  filesReceived: z.number(),
  expiresAt: z.string(),
  createdBy: z.string().nullable(),
  createdAt: z.string(),
  revokedAt: z.string().nullable(),
});

/** A share link. Its addresses are in the reply only when it is made (`createdShare`): Peel keeps only a hash of the token. */
export const share = z.object({
  id: z.number(),
  itemIds: z.array(z.number()),
  recipient: z.string(),
  expiresAt: z.string(),
  allowDownload: z.boolean(),
  maxAccesses: z.number().nullable(),
  accessCount: z.number(),
  pinRequired: z.boolean(),
  revokedAt: z.string().nullable(),
  createdBy: z.string().nullable(),
  createdAt: z.string(),
});
export const createdShare = share.extend({ url: z.string(), downloadUrl: z.string() });

/** Uncategorised footage on a worklist, and when it will be deleted. */
export const workItem = z.object({ id: z.number(), filename: z.string().nullable(), officer: z.string().nullable(), recordedStart: z.string().nullable(), deleteOn: z.string().nullable(), daysLeft: z.number().nullable() });
/** A team's categorisation: items, how many have a category, and the rate (null with no items); team null for footage of officers in no team. */
export const teamFigure = z.object({ team: z.string().nullable(), items: z.number(), categorised: z.number(), rate: z.number().nullable() });

/** What a recipient with no account sees of a share link. */
export const sharedView = z.object({
  items: z.array(z.object({ id: z.number(), filename: z.string().nullable(), size: z.number(), sha256: z.string(), mimeType: z.string().nullable(), status: z.string() })),
  recipient: z.string(),
  expiresAt: z.string(),
  allowDownload: z.boolean(),
  accessesLeft: z.number().nullable(),
  sharedBy: z.string().nullable(),
  downloadUrl: z.string().nullable(),
});

export type Item = z.infer<typeof itemSchema>;
export type MediaFacts = NonNullable<Item['media']>;
export type Hold = z.infer<typeof hold>;
export type HoldKind = Hold['kind'];
export type Retention = z.infer<typeof retention>;
export type Category = z.infer<typeof category>;
export type TeamMember = z.infer<typeof member>;
export type UploadRequest = z.infer<typeof uploadRequest>;
export type Share = z.infer<typeof share>;
export type CreatedShare = z.infer<typeof createdShare>;
export type WorkItem = z.infer<typeof workItem>;
export type TeamFigure = z.infer<typeof teamFigure>;
export type SharedView = z.infer<typeof sharedView>;
