import { randomBytes } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Actor } from '../../platform/actor.ts';
import * as audit from '../../platform/audit/service.ts';
import type { Platform, PeelServer } from '../../platform/context.ts';
import { nowIso, type Db } from '../../platform/db/index.ts';
import { PeelError, notFound } from '../../platform/errors.ts';
import type { Role } from '../../platform/roles.ts';
import type { TusHandlers } from './routes.ts';
import { createItem, type Item, type NewItem } from './service.ts';
import { tokenHash } from './shares.ts';
import * as store from './store.ts';
import type { UploadRequestRow } from './store.ts';
import { UPLOAD_ID, type Uploader } from './uploads.ts';
import { uploadRequest } from './replies.ts';

const DAY_MS = 86_400_000;
const GiB = 1024 ** 3;

export interface UploadRequest {
  id: number;
  incidentRef: string;
  description: string | null;
  maxBytes: number;
  maxFiles: number;
  filesReceived: number;
  expiresAt: string;
  createdBy: string | null;
  createdAt: string;
  revokedAt: string | null;
}

const toRequest = (r: UploadRequestRow): UploadRequest => ({
  id: r.id,
  incidentRef: r.incident_ref,
  description: r.description,
  maxBytes: r.max_bytes,
  maxFiles: r.max_files,
  filesReceived: r.files_received,
  expiresAt: r.expires_at,
  createdBy: r.created_by,
  createdAt: r.created_at,
  revokedAt: r.revoked_at,
});

export async function createRequest(
  db: Db,
  actor: Actor,
  input: { incidentRef: string; description?: string; expiresInDays: number; maxBytes: number; maxFiles: number },
  now = new Date(),
): Promise<{ request: UploadRequest; token: string }> {
  const token = randomBytes(32).toString('base64url');
  const row: Omit<UploadRequestRow, 'id'> = {
    token_hash: tokenHash(token),
    incident_ref: input.incidentRef,
    description: input.description ?? null,
    max_bytes: input.maxBytes,
    max_files: input.maxFiles,
    files_received: 0,
    expires_at: new Date(now.getTime() + input.expiresInDays * DAY_MS).toISOString(),
    created_by_user_id: actor.userId,
    created_by: actor.username,
    created_at: now.toISOString(),
    revoked_at: null,
  };
  const id = await db.transaction().execute(async (trx) => {
    const requestId = await store.insertUploadRequest(trx, row);
    await audit.record(trx, actor, { operation: 'alteration', action: 'evidence.upload_request.create', recordType: 'evidence_upload_request', recordIds: [requestId], details: { incidentRef: row.incident_ref, expiresAt: row.expires_at, maxBytes: row.max_bytes, maxFiles: row.max_files } });
    return requestId;
  });
  return { request: toRequest({ ...row, id }), token };
}

export const listRequests = async (db: Db) => (await store.listUploadRequests(db)).map(toRequest);

export async function revokeRequest(db: Db, actor: Actor, id: number): Promise<UploadRequest> {
  const row = await store.getUploadRequest(db, id);
  if (!row) throw notFound(`Upload request ${id}`);
  await db.transaction().execute(async (trx) => {
    await store.revokeUploadRequest(trx, id, nowIso());
    await audit.record(trx, actor, { operation: 'alteration', action: 'evidence.upload_request.revoke', recordType: 'evidence_upload_request', recordIds: [id], details: { incidentRef: row.incident_ref } });
  });
  return toRequest((await store.getUploadRequest(db, id))!);
}

/** The request a token opens, while it still takes files: 404 unknown, 410 withdrawn, expired or full. */
export async function openRequest(db: Db, token: string, now = new Date()): Promise<UploadRequestRow> {
  const row = await store.getUploadRequestByTokenHash(db, tokenHash(token));
  if (!row) throw notFound('This upload link');
  if (row.revoked_at) throw new PeelError('revoked', 'This upload link has been withdrawn.', 410);
  if (Date.parse(row.expires_at) <= now.getTime()) throw new PeelError('expired', `This upload link expired on ${row.expires_at}.`, 410);
  if (row.files_received >= row.max_files) throw new PeelError('full', `This upload link has taken the ${row.max_files} files it allows.`, 410);
  return row;
}

/** Whose upload it is: the request, by its id negated, and a public actor that names it in the audit log. */
export const requestUploader = (req: FastifyRequest, row: UploadRequestRow): Uploader => ({
  actor: { userId: null, username: `public-request:${row.id}`, role: 'public', ip: req.ip },
  owner: -row.id,
});

/** A public upload becomes an item for the incident, assigned to the officer who asked for it. */
export async function ingestPublic(db: Db, actor: Actor, requestId: number, fields: Omit<NewItem, 'source' | 'officer' | 'incidentRef'>): Promise<{ item: Item; created: boolean }> {
  const row = await store.getUploadRequest(db, requestId);
  if (!row) throw notFound(`Upload request ${requestId}`);
  if (!(await store.takeRequestFile(db, requestId))) throw new PeelError('full', `This upload link has taken the ${row.max_files} files it allows.`, 410);
  return createItem(db, actor, { ...fields, source: 'public', incidentRef: row.incident_ref, officer: row.created_by, derivedFrom: null });
}

const MANAGE: readonly Role[] = ['supervisor', 'evidence_officer'];
const PUBLIC: readonly Role[] = ['public'];
const tokenParams = z.object({ token: z.string().min(1).max(100) });
const uploadParams = tokenParams.extend({ id: z.string().regex(UPLOAD_ID, 'is not an upload id') });
/** tus sends many requests per file; more headroom than other public routes. */
const PUBLIC_TUS_LIMIT = { max: 600, timeWindow: '1 minute' };

/** Staff create links; the public send files through them with tus, with no account. Registered inside the tus scope. */
export async function publicUploadRoutes(scope: PeelServer, platform: Platform, tus: TusHandlers): Promise<void> {
  const { db, config } = platform;
  const base = (req: FastifyRequest) => (config.PEEL_PUBLIC_URL ?? `${req.protocol}://${req.host}`).replace(/\/$/, '');

  scope.post('/api/evidence/upload-requests', {
    config: { roles: MANAGE },
    schema: {
      summary: 'A link for the public or a business to send footage for one incident, with size and number limits',
      tags: ['evidence'],
      body: z.object({
        incidentRef: z.string().trim().min(1).max(100),
        description: z.string().trim().max(1000).optional().describe('shown to the sender: what footage is wanted'),
        expiresInDays: z.number().int().min(1).max(90).default(14),
        maxBytes: z.number().int().min(1).max(64 * GiB).default(4 * GiB),
        maxFiles: z.number().int().min(1).max(100).default(10),
      }),
      response: { 200: uploadRequest.extend({ url: z.string(), uploadUrl: z.string() }) },
    },
    handler: async (req) => {
      const r = await createRequest(db, req.actor, { ...req.body, maxBytes: Math.min(req.body.maxBytes, config.PEEL_UPLOAD_MAX_BYTES) });
      return { ...r.request, url: `${base(req)}/send-footage/${r.token}`, uploadUrl: `${base(req)}/api/evidence/public-uploads/${r.token}` };
    },
  });

  scope.get('/api/evidence/upload-requests', {
    config: { roles: MANAGE },
    schema: { summary: 'Upload request links, newest first', tags: ['evidence'], response: { 200: z.object({ requests: z.array(uploadRequest) }) } },
    handler: async () => ({ requests: await listRequests(db) }),
  });

  scope.delete('/api/evidence/upload-requests/:id', {
    config: { roles: MANAGE },
    schema: { summary: 'Withdraw an upload request link', tags: ['evidence'], params: z.object({ id: z.coerce.number().int().positive() }), response: { 200: uploadRequest } },
    handler: async (req) => revokeRequest(db, req.actor, req.params.id),
  });

  scope.get('/api/evidence/public-uploads/:token', {
    config: { roles: PUBLIC },
    schema: {
      summary: 'What an upload link asks for and allows',
      tags: ['evidence'],
      params: tokenParams,
      response: { 200: z.object({ incidentRef: z.string(), description: z.string().nullable(), maxBytes: z.number(), filesLeft: z.number(), expiresAt: z.string(), accepts: z.array(z.string()) }) },
    },
    handler: async (req) => {
      const r = await openRequest(db, req.params.token);
      return {
        incidentRef: r.incident_ref,
        description: r.description,
        maxBytes: r.max_bytes,
        filesLeft: r.max_files - r.files_received,
        expiresAt: r.expires_at,
        accepts: ['video/mp4', 'video/quicktime', 'video/x-msvideo', 'video/x-matroska', 'video/webm', 'video/mp2t', 'image/jpeg', 'image/png'],
      };
    },
  });

  scope.post('/api/evidence/public-uploads/:token', {
    config: { roles: PUBLIC, rateLimit: PUBLIC_TUS_LIMIT },
    schema: { summary: 'tus creation through an upload link (no account)', tags: ['evidence'], params: tokenParams },
    handler: async (req, reply) => {
      const r = await openRequest(db, req.params.token);
      return tus.create(req, reply, requestUploader(req, r), `/api/evidence/public-uploads/${req.params.token}`, { maxSize: r.max_bytes });
    },
  });

  scope.route({
    method: 'HEAD',
    url: '/api/evidence/public-uploads/:token/:id',
    config: { roles: PUBLIC, rateLimit: PUBLIC_TUS_LIMIT },
    schema: { summary: 'tus: the durable offset of a public upload', tags: ['evidence'], params: uploadParams },
    handler: async (req, reply) => tus.head(req, reply, requestUploader(req, await openRequest(db, req.params.token)), req.params.id),
  });

  scope.patch('/api/evidence/public-uploads/:token/:id', {
    config: { roles: PUBLIC, rateLimit: PUBLIC_TUS_LIMIT },
    compress: false,
    decompress: false,
    schema: { summary: 'tus: append bytes to a public upload', tags: ['evidence'], params: uploadParams },
    handler: async (req, reply) => tus.patch(req, reply, requestUploader(req, await openRequest(db, req.params.token)), req.params.id),
  });

  scope.delete('/api/evidence/public-uploads/:token/:id', {
    config: { roles: PUBLIC, rateLimit: PUBLIC_TUS_LIMIT },
    schema: { summary: 'tus termination of a public upload', tags: ['evidence'], params: uploadParams },
    handler: async (req, reply) => tus.terminate(req, reply, requestUploader(req, await openRequest(db, req.params.token)), req.params.id),
  });
}
