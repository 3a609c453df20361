import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Platform, PeelServer } from '../../platform/context.ts';
import { PeelError } from '../../platform/errors.ts';
import type { Role } from '../../platform/roles.ts';
import * as feeds from './feeds.ts';
import { areaSafety, publicCollection, staffCollection } from './area-safety.ts';
import type { H3Res } from '../crime/read-store.ts';
import { feedNotifier } from './notifier.ts';
import { MAX_PLACE_MATCHES, placeNamed, searchPlaces } from './places.ts';
import * as service from './service.ts';

/** Who works the feed, who may watch it, and who configures it. */
export const CONTROL_ROOM: readonly Role[] = ['control_room'];
export const FEED_READERS: readonly Role[] = ['control_room', 'supervisor'];
/** The staff area-safety map: the feed's readers and analysts. */
export const AREA_SAFETY_READERS: readonly Role[] = [...FEED_READERS, 'analyst'];
const ADMIN: readonly Role[] = ['admin'];
const ANYONE: readonly Role[] = ['public'];

/** A report's JSON is small; anything bigger is not a report. */
export const REPORT_BODY_LIMIT = 64 * 1024;

// ——— schemas ———

const text = (max: number) => z.string().trim().min(1).max(max);
const instant = z.iso.datetime({ offset: true, message: 'must be a date and time such as 2026-11-26T21:00:00Z' });

const newReport = z
  .object({
  category: z.string().min(1).max(60),
  description: text(5000),
  latitude: z.number({ message: 'must be a number' }).min(-90, 'must be between -90 and 90').max(90, 'must be between -90 and 90').optional(),
  longitude: z.number({ message: 'must be a number' }).min(-180, 'must be between -180 and 180').max(180, 'must be between -180 and 180').optional(),
  occurredAt: instant,
  locationPrecisionMetres: z.number().int().min(0).max(10_000).optional(),
  placeName: z.string().trim().max(200).optional(),
  contact: z
    .object({
      name: z.string().trim().max(200).optional(),
      email: z.string().trim().max(320).optional(),
      phone: z.string().trim().max(40).optional(),
    })
    .optional(),
  website: z.string().max(2000).optional().describe('leave empty: a field people never see'),
  })
  .superRefine((b, ctx) => {
    // A point on the map, or a place's name to find it by (its centre, marked as inferred).
    if ((b.latitude === undefined) !== (b.longitude === undefined)) {
      ctx.addIssue({ code: 'custom', path: [b.latitude === undefined ? 'latitude' : 'longitude'], message: 'give latitude and longitude together (or neither, with a placeName)' });
    } else if (b.latitude === undefined && !b.placeName) {
      ctx.addIssue({ code: 'custom', path: ['latitude'], message: 'is needed: give latitude and longitude (a point on the map), or a placeName to find the place by' });
    }
  });

const submitted = z.object({ reference: z.string(), statusUrl: z.string(), statusPage: z.string() });

const statusReply = z.object({
  reference: z.string(),
  status: z.string(),
  statusLabel: z.string(),
  category: z.string(),
  categoryLabel: z.string(),
  receivedAt: z.string(),
  occurredAt: z.string(),
  photos: z.number(),
  messages: z.array(z.object({ at: z.string(), kind: z.string(), text: z.string() })),
});

const photo = z.object({ id: z.number(), sha256: z.string(), type: z.string(), size: z.number(), locationShared: z.boolean() });

export const reportItem = z.object({
  reference: z.string(),
  channel: z.string(),
  source: z.string().nullable(),
  authorHandle: z.string().nullable(),
  category: z.string(),
  categoryLabel: z.string(),
  description: z.string(),
  latitude: z.number().nullable(),
  longitude: z.number().nullable(),
  locationPrecisionMetres: z.number().nullable(),
  locationInferred: z.boolean(),
  placeName: z.string().nullable(),
  occurredAt: z.string(),
  receivedAt: z.string(),
  updatedAt: z.string(),
  status: z.string(),
  flagged: z.boolean(),
  flagReason: z.string().nullable(),
  assignedTeam: z.string().nullable(),
  assignedOfficer: z.string().nullable(),
  links: z.array(z.object({ kind: z.string(), linkedReference: z.string() })),
  mergedInto: z.string().nullable(),
  threadId: z.number(),
  threadSize: z.number(),
  photos: z.number(),
  closedReason: z.string().nullable(),
});

const detail = reportItem.extend({
  contact: z.object({ name: z.string().optional(), email: z.string().optional(), phone: z.string().optional() }).nullable(),
  messages: z.array(z.object({ at: z.string(), kind: z.string(), text: z.string(), public: z.boolean(), username: z.string().nullable() })),
  photoList: z.array(photo),
});

const repeatable = (values?: readonly [string, ...string[]]) => {
  const one = values ? z.enum(values) : z.string().min(1).max(60);
  return z
    .union([one, z.array(one).max(50)])
    .optional()
    .transform((v) => (v === undefined ? undefined : Array.isArray(v) ? v : [v]));
};

const bbox = z
  .string()
  .transform((s, ctx): [number, number, number, number] => {
    const p = s.split(',').map(Number);
    if (p.length !== 4 || p.some((n) => !Number.isFinite(n)) || p[0]! > p[2]! || p[1]! > p[3]! || Math.abs(p[0]!) > 180 || Math.abs(p[2]!) > 180 || Math.abs(p[1]!) > 90 || Math.abs(p[3]!) > 90) {
      ctx.addIssue({ code: 'custom', message: 'must be minLon,minLat,maxLon,maxLat within ±180, ±90, minimum first' });
      return z.NEVER;
    }
    return p as [number, number, number, number];
  })
  .optional();

const listQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
  channel: repeatable(service.CHANNELS),
  category: repeatable(),
  status: repeatable([...service.STATUSES, 'merged']),
  bbox,
  flagged: z.enum(['true', 'false']).optional().transform((v) => v === 'true'),
  thread: z.coerce.number().int().positive().optional(),
});

const referenceParams = z.object({ reference: z.string().max(40).describe('a report reference such as R-7K3M-Q9') });
const category = z.object({ code: z.string(), label: z.string(), active: z.boolean(), sortOrder: z.number() });

// ——— per-device limit ———

/**
 * Requests per device id per minute, beside the per-address limit the platform applies: one
 * phone cannot flood the form from many addresses, and many phones behind one address (a
 * mobile network's) are not all blocked for one of them.
 */
function deviceLimiter(perMinute: number) {
  const windows = new Map<string, { start: number; count: number }>();
  return (deviceId: string | undefined): void => {
    if (!deviceId) return;
    const now = Date.now();
    let w = windows.get(deviceId);
    if (!w || now - w.start >= 60_000) {
      if (windows.size > 50_000) for (const [k, v] of windows) if (now - v.start >= 60_000) windows.delete(k);
      w = { start: now, count: 0 };
      windows.set(deviceId, w);
    }
    if (++w.count > perMinute) throw new PeelError('rate_limited', `Too many reports from this device; try again in ${Math.ceil((w.start + 60_000 - now) / 1000)} seconds.`, 429);
  };
}

/** About 10 cm: a place's centre needs no more. */
const round6 = (x: number) => Math.round(x * 1e6) / 1e6;

const header = (req: FastifyRequest, name: string): string | undefined => {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
};

function origin(platform: Platform, req: FastifyRequest): string {
  return platform.config.PEEL_PUBLIC_URL ? platform.config.PEEL_PUBLIC_URL.replace(/\/$/, '') : `${req.protocol}://${req.host}`;
}

// ——— the live feed ———

const HEARTBEAT_MS = 15_000;
const POLL_MS = 1_000;
const PAGE = 500;

function streamFeed(platform: Platform, req: FastifyRequest, reply: FastifyReply, after: number | null, replayOnly: boolean, open: Set<() => void>): void {
  const { db } = platform;
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, {
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-store',
    Connection: 'keep-alive',
    'X-Accel-Buffering': 'no',
    'X-Content-Type-Options': 'nosniff',
  });
  res.write('retry: 2000\n\n');
  let last = after;
  let busy = false;
  let again = false;
  let closed = false;

  // One reader at a time per stream; a wake during a read makes it read again afterwards.
  const pump = async (): Promise<void> => {
    if (closed) return;
    if (busy) {
      again = true;
      return;
    }
    busy = true;
    try {
      if (last === null) last = await service.feedPosition(db);
      do {
        again = false;
        for (;;) {
          const events = await service.feedEvents(db, last, PAGE);
          if (closed) return;
          // One write a page: a burst is hundreds of events, and a write each is a system call each.
          if (events.length) res.write(events.map((e) => `id: ${e.seq}\ndata: ${JSON.stringify(e)}\n\n`).join(''));
          if (events.length) last = events[events.length - 1]!.seq;
          if (events.length < PAGE) break;
        }
      } while (again && !closed);
    } catch (err) {
      req.log.warn({ err: { message: (err as Error).message } }, 'report feed: read failed; will retry');
    } finally {
      busy = false;
    }
  };

  const stop = () => {
    if (closed) return;
    closed = true;
    clearInterval(poll);
    clearInterval(beat);
    unsubscribe();
    open.delete(stop);
    res.end();
  };
  const unsubscribe = feedNotifier(db).subscribe(() => void pump());
  const poll = setInterval(() => void pump(), POLL_MS);
  const beat = setInterval(() => res.write(': heartbeat\n\n'), HEARTBEAT_MS);
  open.add(stop);
  req.raw.on('close', stop);
  void pump().then(() => {
    if (replayOnly) stop();
  });
}

// ——— routes ———

export function reportsRoutes(app: PeelServer, platform: Platform): void {
  const { db, blobs } = platform;
  const tags = ['reports'];
  const checkDevice = deviceLimiter(platform.config.PEEL_RATE_LIMIT_PUBLIC_PER_MINUTE);
  const streams = new Set<() => void>();
  // Open feeds would hold the server open at shutdown: end them first.
  app.addHook('preClose', async () => {
    for (const stop of [...streams]) stop();
  });

  app.get('/api/reports/categories', {
    config: { roles: ANYONE },
    schema: { summary: 'The categories a report can have, in order (active ones only)', tags, response: { 200: z.object({ categories: z.array(z.object({ code: z.string(), label: z.string() })) }) } },
    handler: async () => ({ categories: (await service.categories(db, true)).map(({ code, label }) => ({ code, label })) }),
  });

  app.get('/api/public/map', {
    config: { roles: ANYONE },
    schema: {
      summary: "The basemap the report pages' maps draw under their own layers: PEEL_MAP_STYLE_URL, or null for none",
      tags,
      response: { 200: z.object({ styleUrl: z.string().nullable() }) },
    },
    handler: async () => ({ styleUrl: platform.config.PEEL_MAP_STYLE_URL ?? null }),
  });

  app.get('/api/public/places', {
    config: { roles: ANYONE },
    schema: {
      summary: `Places in the force area whose name matches what is typed (its LSOAs and districts): up to ${MAX_PLACE_MATCHES}, each with its centre in WGS84`,
      tags,
      querystring: z.object({ q: z.string().max(100).describe('what the person has typed; fewer than two letters finds nothing') }),
      response: { 200: z.object({ places: z.array(z.object({ name: z.string(), kind: z.string(), latitude: z.number(), longitude: z.number() })) }) },
    },
    handler: async (req) => ({
      places: (await searchPlaces(db, req.query.q)).map((p) => ({ name: p.name, kind: p.kind, latitude: round6(p.latitude), longitude: round6(p.longitude) })),
    }),
  });

  app.post('/api/reports', {
    config: { roles: ANYONE },
    bodyLimit: REPORT_BODY_LIMIT,
    schema: {
      summary: 'File a report (no account needed); an Idempotency-Key header makes a retry safe',
      tags,
      body: newReport,
      headers: z.object({
        'idempotency-key': z.string().min(1).max(200).regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces').optional(),
        'x-device-id': z.string().min(1).max(200).optional(),
      }),
      response: { 201: submitted, 200: submitted },
    },
    handler: async (req, reply) => {
      checkDevice(req.headers['x-device-id']);
      const body = req.body;
      let located = { latitude: body.latitude ?? null, longitude: body.longitude ?? null, inferred: false };
      if (located.latitude === null && body.placeName) {
        const place = await placeNamed(db, body.placeName);
        if (!place) throw new PeelError('invalid_request', `body.placeName: "${body.placeName.slice(0, 80)}" is not a place we recognise; choose one of the places offered, or show where it happened on the map.`, 400);
        located = { latitude: place.latitude, longitude: place.longitude, inferred: true };
      }
      const r = await service.submitReport(db, req.actor, { ...body, latitude: located.latitude, longitude: located.longitude }, { channel: 'web', idempotencyKey: req.headers['idempotency-key'], locationInferred: located.inferred });
      const base = origin(platform, req);
      return reply.status(201).send({ reference: r.reference, statusUrl: `${base}/api/reports/status/${r.statusToken}`, statusPage: `${base}/report/status/${r.statusToken}` });
    },
  });

  app.get('/api/reports/status/:token', {
    config: { roles: ANYONE },
    // The path holds the reporter's secret: keep it out of the request log.
    logLevel: 'warn',
    schema: { summary: "A report's progress, for its reporter (no account: the link is the key)", tags, params: z.object({ token: z.string().max(100) }), response: { 200: statusReply } },
    handler: async (req, reply) => {
      const view = await service.statusView(db, req.params.token);
      const accept = header(req, 'accept') ?? '';
      // A person who opens the link in a browser gets the page rather than JSON.
      if (/text\/html/.test(accept) && !/application\/json/.test(accept)) return reply.redirect(`/report/status/${req.params.token}`, 303);
      return view;
    },
  });

  app.register(async (scope) => {
    // Photos arrive as their own bytes; the type is decided from the bytes, not this header.
    scope.addContentTypeParser(['image/jpeg', 'image/png', 'image/webp', 'application/octet-stream'], { parseAs: 'buffer', bodyLimit: service.MAX_PHOTO_BYTES }, (_req, body, done) => done(null, body));
    scope.withTypeProvider<ZodTypeProvider>().post('/api/reports/status/:token/photos', {
      config: { roles: ANYONE },
      logLevel: 'warn',
      bodyLimit: service.MAX_PHOTO_BYTES,
      schema: {
        summary: 'Add a photo to a report through its status link: JPEG, PNG or WebP, at most 8 MiB, 5 a report; location metadata removed unless shareLocation=true',
        tags,
        params: z.object({ token: z.string().max(100) }),
        querystring: z.object({ shareLocation: z.enum(['true', 'false']).default('false').transform((v) => v === 'true') }),
        response: { 201: z.object({ photo }) },
      },
      handler: async (req, reply) => {
        checkDevice(req.headers['x-device-id'] as string | undefined);
        const bytes = Buffer.isBuffer(req.body) ? req.body : null;
        const stored = await service.addPhoto(db, blobs, req.actor, req.params.token, bytes, req.query.shareLocation);
        return reply.status(201).send({ photo: stored });
      },
    });
  });

  // ——— the control room ———

  app.get('/api/reports', {
    config: { roles: FEED_READERS },
    schema: {
      summary: 'Reports newest first, with filters; lastEventId is where the live feed should carry on from',
      tags,
      querystring: listQuery,
      response: { 200: z.object({ items: z.array(reportItem), total: z.number(), lastEventId: z.number() }) },
    },
    handler: async (req) => {
      const q = req.query;
      const merged = q.status?.includes('merged');
      const statuses = q.status?.filter((s) => s !== 'merged');
      return service.listReports(db, { channels: q.channel, categories: q.category, statuses: merged && !statuses?.length ? undefined : statuses, bbox: q.bbox, held: q.flagged, threadId: q.thread, includeMerged: merged }, q.limit, q.offset);
    },
  });

  app.get('/api/reports/stream', {
    config: { roles: FEED_READERS },
    schema: {
      summary: 'The live feed as Server-Sent Events; reconnect with Last-Event-ID (or ?after=N) to resume with nothing lost',
      tags,
      querystring: z.object({
        after: z.coerce.number().int().min(0).optional().describe('replay events after this id first'),
        replayOnly: z.enum(['true', 'false']).default('false').transform((v) => v === 'true').describe('send the backlog, then end'),
      }),
      headers: z.object({ 'last-event-id': z.string().regex(/^\d{1,15}$/, 'must be an event id').optional() }),
    },
    handler: async (req, reply) => {
      const fromHeader = req.headers['last-event-id'];
      const after = fromHeader !== undefined ? Number(fromHeader) : (req.query.after ?? null);
      streamFeed(platform, req, reply, after, req.query.replayOnly, streams);
    },
  });

  app.get('/api/reports/moderation', {
    config: { roles: CONTROL_ROOM },
    schema: {
      summary: 'Reports held for moderation (honeypot and other flags), newest first',
      tags,
      querystring: z.object({ limit: z.coerce.number().int().min(1).max(500).default(50), offset: z.coerce.number().int().min(0).default(0) }),
      response: { 200: z.object({ items: z.array(reportItem), total: z.number() }) },
    },
    handler: async (req) => service.moderationQueue(db, req.query.limit, req.query.offset),
  });

  app.get('/api/reports/:reference', {
    config: { roles: FEED_READERS },
    schema: { summary: 'One report in full, with contact details, messages and photos; audited', tags, params: referenceParams, response: { 200: detail } },
    handler: async (req) => service.reportDetail(db, req.actor, req.params.reference),
  });

  app.get('/api/reports/:reference/photos/:photoId', {
    config: { roles: FEED_READERS },
    schema: { summary: "A report's photo; audited", tags, params: referenceParams.extend({ photoId: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER) }) },
    handler: async (req, reply) => {
      const p = await service.photoFile(db, blobs, req.actor, req.params.reference, req.params.photoId);
      return reply.type(p.type).header('Content-Length', p.size).header('Cache-Control', 'private, no-store').header('Content-Disposition', 'inline').send(p.stream);
    },
  });

  const step = (path: string, summary: string, body: z.ZodType, run: (req: FastifyRequest<{ Params: { reference: string }; Body: never }>) => Promise<service.ReportItem>) =>
    app.post(`/api/reports/:reference/${path}`, {
      config: { roles: CONTROL_ROOM },
      schema: { summary: `${summary}; audited`, tags, params: referenceParams, body, response: { 200: reportItem } },
      handler: (req) => run(req as never),
    });

  step('acknowledge', 'Acknowledge a report: status "being looked at", and the reporter is told', z.object({}).optional(), (req) => service.acknowledge(db, req.actor, req.params.reference));
  const assignBody = z.object({ team: text(100).optional(), officer: text(100).optional() });
  step('assign', 'Pass a report to a team or officer: status "passed to a team", and the reporter is told', assignBody, (req) => {
    const b = req.body as z.infer<typeof assignBody>;
    return service.assign(db, req.actor, req.params.reference, b);
  });
  const linkBody = z.object({ kind: z.enum(['incident', 'crime']), linkedReference: text(100) });
  step('link', 'Link a report to an incident or crime reference', linkBody, (req) => {
    const b = req.body as z.infer<typeof linkBody>;
    return service.link(db, req.actor, req.params.reference, b.kind, b.linkedReference);
  });
  const mergeBody = z.object({ into: z.string().max(40) });
  step('merge', 'Merge a duplicate into another report; replies with the report that carries on', mergeBody, (req) => service.merge(db, req.actor, req.params.reference, (req.body as z.infer<typeof mergeBody>).into));
  const replyBody = z.object({ message: text(2000) });
  step('reply', "Reply to the reporter: the message shows on the report's status page", replyBody, (req) => service.reply(db, req.actor, req.params.reference, (req.body as z.infer<typeof replyBody>).message));
  const closeBody = z.object({ reason: text(500), message: text(2000).optional() });
  step('close', 'Close a report with a reason; the message (or a standard one) shows on its status page', closeBody, (req) => {
    const b = req.body as z.infer<typeof closeBody>;
    return service.close(db, req.actor, req.params.reference, b.reason, b.message);
  });
  const moderateBody = z.object({ decision: z.enum(['release', 'reject']), note: text(500).optional() });
  step('moderate', 'Release a held report into the feed, or reject it', moderateBody, (req) => {
    const b = req.body as z.infer<typeof moderateBody>;
    return service.moderate(db, req.actor, req.params.reference, b.decision, b.note);
  });

  // ——— area safety ———

  const geometry = z.union([
    z.object({ type: z.literal('Polygon'), coordinates: z.array(z.array(z.array(z.number()))) }),
    z.object({ type: z.literal('MultiPolygon'), coordinates: z.array(z.array(z.array(z.array(z.number())))) }),
  ]);
  const period = z.object({ from: z.string(), to: z.string() });
  const safetyQuery = z.object({
    by: z.enum(['cell', 'lsoa']).default('cell').describe('H3 cells (the default) or LSOAs (needs the boundaries loaded)'),
    res: z.coerce.number().int().min(7).max(9).default(8).describe('H3 resolution: 7 (about 5 km²), 8 (0.7 km²) or 9 (0.1 km²)'),
    months: z.coerce.number().int().min(1).max(24).default(3).describe('months of recorded crime, ending with the latest month that has data'),
    days: z.coerce.number().int().min(1).max(365).default(90).describe('days of reports, ending now'),
  });
  const level = z.enum(['higher', 'typical', 'lower']);
  const areaIdentity = { cell: z.string().optional(), lsoaCode: z.string().optional(), lsoaName: z.string().optional() };
  const common = { suppressBelow: z.number(), by: z.enum(['cell', 'lsoa']), res: z.number().nullable(), crimePeriod: period.nullable(), reportPeriod: period, method: z.string() };
  const safetyOptions = (q: z.infer<typeof safetyQuery>) => ({ by: q.by, res: q.res as H3Res, months: q.months, days: q.days });

  app.get('/api/public/area-safety', {
    config: { roles: ANYONE },
    schema: {
      summary: 'Areas with more or less known crime than average, as GeoJSON (H3 hexagons or LSOAs): counts only, no area under suppressBelow',
      tags,
      querystring: safetyQuery,
      response: {
        200: z.object({
          type: z.literal('FeatureCollection'),
          ...common,
          features: z.array(z.object({ type: z.literal('Feature'), geometry, properties: z.object({ ...areaIdentity, count: z.number(), level }) })),
        }),
      },
    },
    handler: async (req) => publicCollection(await areaSafety(db, safetyOptions(req.query))),
  });

  app.get('/api/reports/area-safety', {
    config: { roles: AREA_SAFETY_READERS },
    schema: {
      summary: 'Area safety for staff: per area the crimes, reports, rate and score behind the level, and the method',
      tags,
      querystring: safetyQuery,
      response: {
        200: z.object({
          type: z.literal('FeatureCollection'),
          ...common,
          average: z.number(),
          suppressedAreas: z.number(),
          features: z.array(
            z.object({
              type: z.literal('Feature'),
              geometry,
              properties: z.object({ ...areaIdentity, count: z.number(), crimes: z.number(), reports: z.number(), rate: z.number(), score: z.number(), level }),
            }),
          ),
        }),
      },
    },
    handler: async (req) => staffCollection(await areaSafety(db, safetyOptions(req.query))),
  });

  // ——— administration ———

  app.get('/api/reports/admin/categories', {
    config: { roles: ADMIN },
    schema: { summary: 'Every report category, active or not', tags, response: { 200: z.object({ categories: z.array(category) }) } },
    handler: async () => ({ categories: await service.categories(db, false) }),
  });

  app.post('/api/reports/admin/categories', {
    config: { roles: ADMIN },
    schema: {
      summary: 'Add a report category; audited',
      tags,
      body: z.object({ code: z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'must be lower-case words joined by dashes').max(60), label: text(100), sortOrder: z.number().int().min(0).max(1_000_000).optional() }),
      response: { 201: category },
    },
    handler: async (req, reply) => reply.status(201).send(await service.addCategory(db, req.actor, req.body)),
  });

  app.patch('/api/reports/admin/categories/:code', {
    config: { roles: ADMIN },
    schema: {
      summary: 'Rename, reorder, retire or restore a report category; audited',
      tags,
      params: z.object({ code: z.string().max(60) }),
      body: z.object({ label: text(100).optional(), active: z.boolean().optional(), sortOrder: z.number().int().min(0).max(1_000_000).optional() }),
      response: { 200: category },
    },
    handler: async (req) => service.changeCategory(db, req.actor, req.params.code, req.body),
  });

  // ——— other channels ———

  const source = z.object({
    id: z.number(),
    name: z.string(),
    kind: z.string(),
    url: z.string().nullable(),
    pollSeconds: z.number(),
    defaultCategory: z.string(),
    active: z.boolean(),
    lastPolledAt: z.string().nullable(),
    lastError: z.string().nullable(),
  });
  const ingestReply = z.object({
    accepted: z.array(z.object({ id: z.string(), reference: z.string() })),
    duplicates: z.array(z.object({ id: z.string(), reference: z.string() })),
    rejected: z.array(z.object({ index: z.number(), id: z.string().nullable(), problem: z.string() })),
  });
  const sourceId = z.object({ id: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER) });
  const feedUrl = z.url({ protocol: /^https?$/, message: 'must be an http or https address' }).max(2000);

  app.get('/api/reports/admin/sources', {
    config: { roles: ADMIN },
    schema: { summary: 'Feeds and webhooks that bring messages in (webhook secrets are never shown again)', tags, response: { 200: z.object({ sources: z.array(source) }) } },
    handler: async () => ({ sources: await feeds.listSources(db) }),
  });

  app.post('/api/reports/admin/sources', {
    config: { roles: ADMIN },
    schema: {
      summary: "Add an RSS, Atom or JSON Feed source to poll, or a webhook for a partner to push to (its secret is in this reply only); audited",
      tags,
      body: z.object({
        name: text(100),
        kind: z.enum(feeds.SOURCE_KINDS),
        url: feedUrl.optional(),
        pollSeconds: z.number().int().min(1).max(86_400).optional(),
        defaultCategory: z.string().max(60).optional(),
      }),
      response: { 201: z.object({ source, secret: z.string().nullable() }) },
    },
    handler: async (req, reply) => reply.status(201).send(await feeds.addSource(db, req.actor, req.body)),
  });

  app.patch('/api/reports/admin/sources/:id', {
    config: { roles: ADMIN },
    schema: {
      summary: 'Change or switch off a source; audited',
      tags,
      params: sourceId,
      body: z.object({ name: text(100).optional(), url: feedUrl.optional(), pollSeconds: z.number().int().min(1).max(86_400).optional(), active: z.boolean().optional(), defaultCategory: z.string().max(60).optional() }),
      response: { 200: z.object({ source }) },
    },
    handler: async (req) => ({ source: await feeds.changeSource(db, req.actor, req.params.id, req.body) }),
  });

  app.post('/api/reports/admin/sources/:id/poll', {
    config: { roles: ADMIN },
    schema: { summary: 'Poll a feed now: what was taken in, what was seen before, and what was rejected and why', tags, params: sourceId, body: z.object({}).optional(), response: { 200: ingestReply } },
    handler: async (req) => feeds.pollSource(db, req.actor, req.params.id),
  });

  app.register(async (scope) => {
    // The signature covers the body's exact bytes: keep them, and parse only once it checks out.
    scope.removeContentTypeParser('application/json');
    scope.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit: 1024 * 1024 }, (_req, body, done) => done(null, body));
    scope.withTypeProvider<ZodTypeProvider>().post('/api/reports/webhook/:sourceId', {
      config: { roles: ANYONE },
      schema: {
        summary: 'A partner pushes messages: JSON {"messages":[…]}, signed with X-Peel-Timestamp and X-Peel-Signature (HMAC-SHA256 with the source\'s secret)',
        tags,
        params: z.object({ sourceId: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER).or(z.string().max(40)) }),
        response: { 202: ingestReply },
      },
      handler: async (req, reply) => {
        const id = typeof req.params.sourceId === 'number' ? req.params.sourceId : NaN;
        if (!Number.isFinite(id)) throw new PeelError('not_found', 'Webhook source was not found.', 404);
        const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.from(req.body === undefined ? '' : JSON.stringify(req.body));
        const result = await feeds.receiveWebhook(db, req.actor, id, raw, header(req, 'x-peel-signature'), header(req, 'x-peel-timestamp'));
        return reply.status(202).send(result);
      },
    });
  });

  // Feeds are polled by the server that is listening; tests and the CLI poll on demand.
  let polling = false;
  let timer: NodeJS.Timeout | null = null;
  app.addHook('onListen', async () => {
    timer = setInterval(() => {
      if (polling) return;
      polling = true;
      feeds
        .pollDue(db)
        .catch((err: Error) => app.log.warn({ err: { message: err.message } }, 'report feeds: poll failed'))
        .finally(() => (polling = false));
    }, 1000);
    timer.unref();
  });
  app.addHook('onClose', async () => {
    if (timer) clearInterval(timer);
  });
}
