import type { Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { REASON_CODES } from '../../platform/audit/service.ts';
import type { Platform, PeelServer } from '../../platform/context.ts';
import { PeelError } from '../../platform/errors.ts';
import type { Role } from '../../platform/roles.ts';
import { checkUploadMetadata, contentDisposition, itemFields, servedType } from './metadata.ts';
import * as service from './service.ts';
import { shareRoutes } from './share-routes.ts';
import { encodeMetadata, parseChecksum, parseMetadata, staffUploader, TUS_EXTENSIONS, TUS_VERSION, UPLOAD_ID, Uploads, uploadsDir, type Ingest, type Uploader } from './uploads.ts';

export { uploadsDir };
import { ingestPublic, publicUploadRoutes } from './public-uploads.ts';
import { rm } from 'node:fs/promises';
import { MediaProber } from './ingest.ts';
import { scheduleSweep } from './schedule.ts';
import { category, itemSchema, member, teamFigure, workItem } from './replies.ts';

export const UPLOAD_ROLES: readonly Role[] = ['officer', 'supervisor', 'evidence_officer'];
export const STAFF: readonly Role[] = ['officer', 'supervisor', 'evidence_officer'];
export const MANAGE: readonly Role[] = ['supervisor', 'evidence_officer'];
const CUSTODY: readonly Role[] = ['supervisor', 'evidence_officer', 'auditor'];
const ADMIN: readonly Role[] = ['admin'];

// ——— schemas ———

const reason = {
  reasonCode: z.enum(REASON_CODES).optional().describe('why you are looking (logged); default operational_policing'),
  justification: z.string().max(1000).optional().describe('why you are looking, in words (logged)'),
};
const idParam = z.object({ id: z.coerce.number().int().positive() });
const categoryFields = {
  name: z.string().trim().min(1).max(100),
  description: z.string().max(1000).optional(),
  action: z.enum(['delete', 'review']).describe('delete: deleted `days` after recording; review: kept, reviewed `days` after recording'),
  days: z.number().int().min(1).max(36_525),
  mopiGroup: z.number().int().min(1).max(4).nullable().optional(),
};

/** tus replies carry its version; a mismatch is 412 with the versions served. */
function tusHeaders(reply: FastifyReply): void {
  reply.header('Tus-Resumable', TUS_VERSION);
}

function requireTus(headers: Record<string, unknown>, reply: FastifyReply): void {
  if (headers['tus-resumable'] !== TUS_VERSION) {
    reply.header('Tus-Version', TUS_VERSION);
    throw new PeelError('tus_version', `Send Tus-Resumable: ${TUS_VERSION}; this server speaks tus ${TUS_VERSION}.`, 412);
  }
}

const header = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v);

/** The tus requests, shared by staff uploads and public upload requests; `who` says whose upload it is. */
export function tusHandlers(uploads: Uploads) {
  return {
    async create(req: FastifyRequest, reply: FastifyReply, who: Uploader, base: string, limits: { maxSize?: number } = {}) {
      tusHeaders(reply);
      requireTus(req.headers, reply);
      if (req.headers['upload-defer-length'] !== undefined) throw new PeelError('defer_length_unsupported', 'Upload-Defer-Length is not supported; send Upload-Length.', 400);
      const lengthText = header(req.headers['upload-length']);
      if (!lengthText || !/^\d{1,16}$/.test(lengthText)) throw new PeelError('bad_length', 'Upload-Length must be the file size in bytes, a whole number.', 400);
      const meta = parseMetadata(header(req.headers['upload-metadata']));
      const checked = checkUploadMetadata(meta);
      // A public sender's officer or derivedFrom is ignored (the request decides), and never looked up: no probing for usernames.
      if (who.owner > 0) await service.checkNewItem(uploads.db, checked);
      const row = await uploads.create(who, Number(lengthText), meta, limits.maxSize);
      reply.header('Location', `${base}/${row.id}`);
      reply.header('Upload-Offset', String(row.upload_offset));
      if (row.item_id !== null) reply.header('Peel-Item-Id', String(row.item_id));
      return reply.status(201).send();
    },
    async head(req: FastifyRequest, reply: FastifyReply, who: Uploader, id: string) {
      tusHeaders(reply);
      requireTus(req.headers, reply);
      const row = await uploads.status(who, id);
      reply.header('Upload-Offset', String(row.upload_offset));
      reply.header('Upload-Length', String(row.length));
      reply.header('Upload-Metadata', encodeMetadata(JSON.parse(row.metadata) as Record<string, string>));
      reply.header('Cache-Control', 'no-store');
      if (row.item_id !== null) reply.header('Peel-Item-Id', String(row.item_id));
      return reply.status(200).send();
    },
    async patch(req: FastifyRequest, reply: FastifyReply, who: Uploader, id: string) {
      tusHeaders(reply);
      requireTus(req.headers, reply);
      const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
      if (type !== 'application/offset+octet-stream') throw new PeelError('unsupported_media_type', 'A tus PATCH body must be sent as Content-Type: application/offset+octet-stream.', 415);
      const encoding = header(req.headers['content-encoding']);
      if (encoding && encoding !== 'identity') throw new PeelError('unsupported_media_type', 'Send the bytes as they are, without Content-Encoding: the store keeps exactly what was sent.', 415);
      const offsetText = header(req.headers['upload-offset']);
      if (!offsetText || !/^\d{1,16}$/.test(offsetText)) throw new PeelError('bad_offset', 'Upload-Offset must be a whole number of bytes.', 400);
      const checksum = parseChecksum(header(req.headers['upload-checksum']));
      const lengthHeader = header(req.headers['content-length']);
      const row = await uploads.append(who, id, Number(offsetText), req.body as Readable, {
        contentLength: lengthHeader !== undefined ? Number(lengthHeader) : undefined,
        checksum,
      });
      reply.header('Upload-Offset', String(row.upload_offset));
      if (row.item_id !== null) reply.header('Peel-Item-Id', String(row.item_id));
      return reply.status(204).send();
    },
    async terminate(req: FastifyRequest, reply: FastifyReply, who: Uploader, id: string) {
      tusHeaders(reply);
      requireTus(req.headers, reply);
      await uploads.terminate(who, id);
      return reply.status(204).send();
    },
  };
}
export type TusHandlers = ReturnType<typeof tusHandlers>;

export async function evidenceRoutes(app: PeelServer, platform: Platform): Promise<void> {
  const { db, blobs, config } = platform;
  const prober = new MediaProber(db, blobs);
  app.addHook('onClose', async () => prober.settled());
  const ingest: Ingest = async (actor, upload, meta, stored, found) => {
    const m = checkUploadMetadata(meta);
    const fields = { sha256: stored.sha256, size: stored.size, mimeType: found.mimeType, ...itemFields(m) };
    // Negative owners are public upload requests (see Uploader).
    const { item, created } = upload.user_id < 0 ? await ingestPublic(db, actor, -upload.user_id, fields) : await service.createItem(db, actor, { ...fields, source: 'upload' });
    // ffprobe reads the whole file: it runs after the reply, on a hard link to the staged bytes.
    if (found.probePath) {
      if (created) prober.later(item.id, found.probePath, true);
      else await rm(found.probePath, { force: true });
    }
    return item.id;
  };
  const uploads = new Uploads({ db, blobs, dir: uploadsDir(config), maxSize: config.PEEL_UPLOAD_MAX_BYTES, ingest });
  const tus = tusHandlers(uploads);

  await app.register(async (scope: PeelServer) => {
    // tus bodies stream straight to disk: no parser reads them, so no body limit applies and memory stays flat.
    scope.addContentTypeParser('application/offset+octet-stream', (_req, payload, done) => done(null, payload));

    const uploadParams = z.object({ id: z.string().regex(UPLOAD_ID, 'is not an upload id') });
    const options = {
      config: { roles: ['public'] as Role[] },
      schema: { summary: 'tus: what this server supports', tags: ['evidence'] },
      handler: async (_req: unknown, reply: FastifyReply) => {
        tusHeaders(reply);
        reply.header('Tus-Version', TUS_VERSION);
        reply.header('Tus-Extension', TUS_EXTENSIONS);
        reply.header('Tus-Checksum-Algorithm', 'sha256');
        reply.header('Tus-Max-Size', String(config.PEEL_UPLOAD_MAX_BYTES));
        return reply.status(204).send();
      },
    };
    scope.options('/api/evidence/uploads', options);
    scope.options('/api/evidence/uploads/:id', options);

    scope.post('/api/evidence/uploads', {
      config: { roles: UPLOAD_ROLES },
      schema: { summary: 'tus creation: start an upload (Upload-Length, Upload-Metadata)', tags: ['evidence'] },
      handler: async (req, reply) => tus.create(req, reply, staffUploader(req.actor), '/api/evidence/uploads'),
    });

    scope.route({
      method: 'HEAD',
      url: '/api/evidence/uploads/:id',
      config: { roles: UPLOAD_ROLES },
      schema: { summary: 'tus: the durable offset of an upload', tags: ['evidence'], params: uploadParams },
      handler: async (req, reply) => tus.head(req, reply, staffUploader(req.actor), req.params.id),
    });

    scope.patch('/api/evidence/uploads/:id', {
      config: { roles: UPLOAD_ROLES },
      compress: false,
      decompress: false,
      schema: { summary: 'tus: append bytes at Upload-Offset (Content-Type application/offset+octet-stream; Upload-Checksum sha256 optional)', tags: ['evidence'], params: uploadParams },
      handler: async (req, reply) => tus.patch(req, reply, staffUploader(req.actor), req.params.id),
    });

    scope.delete('/api/evidence/uploads/:id', {
      config: { roles: UPLOAD_ROLES },
      schema: { summary: 'tus termination: abandon an upload and remove its bytes', tags: ['evidence'], params: uploadParams },
      handler: async (req, reply) => tus.terminate(req, reply, staffUploader(req.actor), req.params.id),
    });

    await publicUploadRoutes(scope, platform, tus);
  });

  // ——— items ———

  app.get('/api/evidence/items', {
    config: { roles: STAFF },
    schema: {
      summary: 'Find evidence items (by content hash, officer, category, due date); logged as a consultation',
      tags: ['evidence'],
      querystring: z.object({
        sha256: z.string().regex(/^[0-9a-fA-F]{64}$/, 'must be 64 hexadecimal digits').transform((s) => s.toLowerCase()).optional(),
        officer: z.string().max(64).optional(),
        category: z.string().max(64).optional(),
        uncategorised: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
        dueBefore: z.iso.datetime({ offset: true }).optional().describe('only items whose deletion falls before this instant'),
        status: z.enum(['stored', 'deleted']).optional(),
        limit: z.coerce.number().int().min(1).max(500).default(100),
        offset: z.coerce.number().int().min(0).default(0),
        ...reason,
      }),
      response: { 200: z.object({ items: z.array(itemSchema) }) },
    },
    handler: async (req) => {
      const { reasonCode, justification, ...filter } = req.query;
      return { items: await service.listItems(db, req.actor, filter, { reasonCode, justification }) };
    },
  });

  app.get('/api/evidence/items/:id', {
    config: { roles: STAFF },
    schema: {
      summary: 'One evidence item with its categories, holds, retention and derived copies; logged as a consultation',
      tags: ['evidence'],
      params: idParam,
      querystring: z.object(reason),
      response: { 200: itemSchema.extend({ derived: z.array(itemSchema) }) },
    },
    handler: async (req) => service.getItem(db, req.actor, req.params.id, req.query),
  });

  app.get('/api/evidence/items/:id/content', {
    config: { roles: STAFF },
    compress: false,
    schema: {
      summary: 'The bytes, with HTTP Range for playback (206/416); ETag is the SHA-256; logged as play or download',
      tags: ['evidence'],
      params: idParam,
      querystring: z.object({ download: z.enum(['true', 'false']).transform((v) => v === 'true').optional(), ...reason }),
    },
    handler: async (req, reply) => {
      const { download, ...why } = req.query;
      const content = await service.openContent(db, blobs, req.actor, req.params.id, header(req.headers.range), !!download, why);
      return sendBytes(reply, content, !!download);
    },
  });

  app.get('/api/evidence/items/:id/poster', {
    config: { roles: STAFF },
    compress: false,
    schema: { summary: 'A still from the footage (JPEG), when ffmpeg could make one; logged like playing', tags: ['evidence'], params: idParam, querystring: z.object(reason) },
    handler: async (req, reply) => {
      const body = await service.openPoster(db, blobs, req.actor, req.params.id, req.query);
      reply.header('Content-Type', 'image/jpeg');
      reply.header('Cache-Control', 'private, no-store');
      return reply.send(body);
    },
  });

  app.post('/api/evidence/items/:id/categories', {
    config: { roles: STAFF },
    schema: {
      summary: 'Set the categories of an item (replaces them; [] leaves it uncategorised); audited',
      tags: ['evidence'],
      params: idParam,
      body: z.object({ categories: z.array(z.string().min(1).max(64)).max(20) }),
      response: { 200: itemSchema },
    },
    handler: async (req) => service.setCategories(db, req.actor, req.params.id, req.body.categories),
  });

  app.post('/api/evidence/items/:id/holds', {
    config: { roles: MANAGE },
    schema: {
      summary: 'Place a legal hold (case, complaint, misconduct, subject access): the item is not deleted while it stands',
      tags: ['evidence'],
      params: idParam,
      body: z.object({ kind: z.enum(service.HOLD_KINDS), reference: z.string().trim().min(1).max(100), reason: z.string().max(1000).optional() }),
      response: { 200: itemSchema },
    },
    handler: async (req) => service.placeHold(db, req.actor, req.params.id, req.body),
  });

  app.delete('/api/evidence/holds/:id', {
    config: { roles: MANAGE },
    schema: { summary: 'Release a legal hold', tags: ['evidence'], params: idParam, response: { 200: itemSchema } },
    handler: async (req) => service.releaseHold(db, req.actor, req.params.id),
  });

  app.get('/api/evidence/items/:id/custody', {
    config: { roles: CUSTODY },
    compress: false,
    schema: {
      summary: 'Chain of custody: every audit entry about the item, with hashes; ?format=html for a printable page',
      tags: ['evidence'],
      params: idParam,
      querystring: z.object({ format: z.enum(['json', 'html']).default('json'), ...reason }),
    },
    handler: async (req, reply) => {
      const { format, ...why } = req.query;
      const report = await service.custody(db, req.actor, req.params.id, why);
      if (format === 'html') return reply.type('text/html; charset=utf-8').send(custodyHtml(report));
      return reply.send(report);
    },
  });

  // ——— categories ———

  app.get('/api/evidence/categories', {
    config: { roles: [...STAFF, 'admin', 'auditor'] },
    schema: { summary: 'Categories and their retention rules', tags: ['evidence'], response: { 200: z.object({ categories: z.array(category) }) } },
    handler: async () => ({ categories: await service.listCategories(db) }),
  });

  app.post('/api/evidence/categories', {
    config: { roles: ADMIN },
    schema: {
      summary: 'Add a category with its retention rule; audited',
      tags: ['evidence'],
      body: z.object({ code: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'must be lower-case letters, digits and hyphens'), ...categoryFields }),
      response: { 200: category },
    },
    handler: async (req) => service.createCategory(db, req.actor, req.body),
  });

  app.put('/api/evidence/categories/:code', {
    config: { roles: ADMIN },
    schema: {
      summary: 'Change a category or its retention rule; audited with the old and new values',
      tags: ['evidence'],
      params: z.object({ code: z.string().max(64) }),
      body: z.object({ name: categoryFields.name.optional(), description: categoryFields.description, action: categoryFields.action.optional(), days: categoryFields.days.optional(), mopiGroup: categoryFields.mopiGroup }),
      response: { 200: category },
    },
    handler: async (req) => service.updateCategory(db, req.actor, req.params.code, req.body),
  });

  // ——— worklist, figures, teams ———

  app.get('/api/evidence/worklist', {
    config: { roles: STAFF },
    schema: {
      summary: "Uncategorised footage and when it will be deleted: the caller's, a supervisor's team's, or everyone's for evidence officers",
      tags: ['evidence'],
      response: {
        200: z.object({ items: z.array(workItem) }),
      },
    },
    handler: async (req) => ({ items: await service.worklist(db, req.actor) }),
  });

  app.get('/api/evidence/figures', {
    config: { roles: MANAGE },
    schema: {
      summary: 'Categorisation rate per team',
      tags: ['evidence'],
      response: { 200: z.object({ teams: z.array(teamFigure) }) },
    },
    handler: async () => ({ teams: await service.categorisationFigures(db) }),
  });

  app.get('/api/evidence/teams', {
    config: { roles: [...MANAGE, 'admin'] },
    schema: { summary: 'Who is in which team', tags: ['evidence'], response: { 200: z.object({ members: z.array(member) }) } },
    handler: async () => ({ members: await service.listTeamMembers(db) }),
  });

  app.put('/api/evidence/teams/:id', {
    config: { roles: ADMIN },
    schema: { summary: "Set a user's team (null: none); audited", tags: ['evidence'], params: idParam, body: z.object({ team: z.string().trim().min(1).max(100).nullable() }), response: { 200: member } },
    handler: async (req) => service.setTeam(db, req.actor, req.params.id, req.body.team),
  });

  await shareRoutes(app, platform);

  // The retention sweep runs daily inside the server; it stops when the server closes.
  const stop = scheduleSweep(platform, (r) => {
    if (r instanceof Error) app.log.error({ err: r.message }, 'evidence retention sweep failed');
    else app.log.info({ deleted: r.deleted.length, leftoversRemoved: r.leftoversRemoved }, 'evidence retention sweep');
  });
  app.addHook('onClose', async () => stop());
}

/** Sends stored bytes: 206 for a range, 416 when it cannot be met; the SHA-256 is the ETag. */
export function sendBytes(reply: FastifyReply, content: Awaited<ReturnType<typeof service.openContent>>, download: boolean, fallbackName = 'evidence'): FastifyReply {
  reply.header('Accept-Ranges', 'bytes');
  if ('unsatisfiable' in content) {
    reply.header('Content-Range', `bytes */${content.size}`);
    throw new PeelError('range_not_satisfiable', `The range asked for is outside the ${content.size} bytes of this item.`, 416);
  }
  const { item, range, size, body } = content;
  const served = servedType(item.mime_type);
  reply.header('ETag', `"${item.sha256}"`);
  reply.header('Content-Type', served.type);
  reply.header('Cache-Control', 'private, no-store');
  reply.header('Content-Disposition', contentDisposition(download || !served.inline ? 'attachment' : 'inline', item.filename, `${fallbackName}-${item.id}`));
  if (range) {
    reply.header('Content-Range', `bytes ${range.start}-${range.end}/${size}`);
    reply.header('Content-Length', String(range.end - range.start + 1));
    return reply.status(206).send(body);
  }
  reply.header('Content-Length', String(size));
  return reply.status(200).send(body);
}

const esc = (s: unknown) => String(s ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** A printable custody report; print it to PDF from the browser. */
function custodyHtml(r: Awaited<ReturnType<typeof service.custody>>): string {
  const rows = r.entries
    .map((e) => `<tr><td>${esc(e.seq)}</td><td>${esc(e.at)}</td><td>${esc(e.username ?? e.role)}</td><td>${esc(e.role)}</td><td>${esc(e.action)}</td><td>${esc(e.reasonCode ?? e.justification ?? '')}</td><td><code>${esc(e.hash)}</code></td></tr>`)
    .join('\n');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Chain of custody: evidence item ${esc(r.item.id)}</title></head>
<body><h1>Chain of custody: evidence item ${esc(r.item.id)}</h1>
<dl><dt>File</dt><dd>${esc(r.item.filename)}</dd><dt>SHA-256</dt><dd><code>${esc(r.item.sha256)}</code></dd><dt>Size</dt><dd>${esc(r.item.size)} bytes</dd>
<dt>Officer</dt><dd>${esc(r.item.officer)}</dd><dt>Status</dt><dd>${esc(r.item.status)}</dd><dt>Audit chain</dt><dd>${r.chain.ok ? 'verified intact' : `BROKEN: ${esc(r.chain.problem)}`}</dd></dl>
<table><thead><tr><th>Entry</th><th>When (UTC)</th><th>Who</th><th>Role</th><th>Action</th><th>Reason</th><th>Entry hash</th></tr></thead><tbody>
${rows}
</tbody></table></body></html>`;
}
