import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { REASON_CODES } from '../../platform/audit/service.ts';
import type { Platform, PeelServer } from '../../platform/context.ts';
import type { Role } from '../../platform/roles.ts';
import type { AreaGeometry, Bbox } from '../../lib/geometry.ts';
import * as query from './query.ts';
import { STOP_SEARCH_GROUPINGS, type H3Res, type StopSearchGrouping } from './read-store.ts';

/** The crime map and its charts are for the people who allocate and patrol. */
export const CRIME_ROLES: readonly Role[] = ['analyst', 'supervisor', 'officer'];

// ——— query parameters ———

const month = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be a month as YYYY-MM');

/** A parameter that may be repeated (?type=A&type=B): always a list. */
const repeatable = (what: string) =>
  z
    .union([z.string().min(1).max(300), z.array(z.string().min(1).max(300)).max(200)])
    .optional()
    .transform((v) => (v === undefined ? undefined : Array.isArray(v) ? v : [v]))
    .describe(`${what}; repeat the parameter for more than one`);

const bbox = z
  .string()
  .transform((text, ctx): Bbox => {
    const parts = text.split(',').map((s) => Number(s.trim()));
    const [minLon, minLat, maxLon, maxLat] = parts as [number, number, number, number];
    const problem =
      parts.length !== 4 || parts.some((n) => !Number.isFinite(n))
        ? 'must be minLon,minLat,maxLon,maxLat (four numbers)'
        : minLon < -180 || maxLon > 180 || minLat < -90 || maxLat > 90
          ? 'longitudes must be within ±180 and latitudes within ±90'
          : minLon > maxLon || minLat > maxLat
            ? 'the minimum must not exceed the maximum'
            : null;
    if (problem) {
      ctx.addIssue({ code: 'custom', message: problem });
      return z.NEVER;
    }
    return [minLon, minLat, maxLon, maxLat];
  })
  .optional()
  .describe('minLon,minLat,maxLon,maxLat (WGS84): only located records inside the box');

const position = z
  .array(z.number())
  .min(2)
  .max(3)
  .refine((p) => Math.abs(p[0]!) <= 180 && Math.abs(p[1]!) <= 90, 'positions are [longitude, latitude] within ±180, ±90');
const ring = z.array(position).min(3).max(100_000);
const areaGeometry = z.discriminatedUnion('type', [
  z.object({ type: z.literal('Polygon'), coordinates: z.array(ring).min(1).max(1000) }),
  z.object({ type: z.literal('MultiPolygon'), coordinates: z.array(z.array(ring).min(1).max(1000)).min(1).max(1000) }),
]);

const polygon = z
  .string()
  .max(1_000_000)
  .transform((text, ctx): AreaGeometry => {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be a GeoJSON Polygon or MultiPolygon geometry as JSON text' });
      return z.NEVER;
    }
    if (value && typeof value === 'object' && (value as { type?: unknown }).type === 'Feature') value = (value as { geometry?: unknown }).geometry;
    const parsed = areaGeometry.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      ctx.addIssue({ code: 'custom', message: `not a GeoJSON Polygon or MultiPolygon geometry (${issue.path.join('.') || 'type'}: ${issue.message})` });
      return z.NEVER;
    }
    return parsed.data as AreaGeometry;
  })
  .optional()
  .describe('a GeoJSON Polygon or MultiPolygon geometry as JSON text: only located records inside it');

const filterFields = {
  from: month.optional().describe('first month, YYYY-MM, inclusive; default: 11 months before `to`, or the last 12 months that have data'),
  to: month.optional().describe('last month, YYYY-MM, inclusive; default: the last month with data'),
  type: repeatable('crime type, exactly as data.police.uk names it'),
  outcome: repeatable('last outcome as published; `none` for records with no outcome recorded'),
  source: repeatable('source of the records, e.g. police.uk'),
  bbox,
  polygon,
};
const filters = z.object(filterFields);
type FilterQuery = z.infer<typeof filters>;

const format = (...extra: string[]) => z.enum(['json', 'csv', ...extra] as [string, ...string[]]).default('json').describe('json (the default) or csv');
const res = z.coerce.number().int().min(7).max(10).default(8).describe('H3 resolution, 7 (about 5 km²) to 10 (about 0.015 km²)');

function toFilter(q: FilterQuery): query.CrimeFilter {
  return {
    from: q.from,
    to: q.to,
    types: q.type,
    outcomes: q.outcome?.map((o) => (o === 'none' ? null : o)),
    sources: q.source,
    bbox: q.bbox,
    polygon: q.polygon,
  };
}

// ——— replies ———

const period = z.object({ from: z.string(), to: z.string() });
const polygonGeometry = z.object({ type: z.literal('Polygon'), coordinates: z.array(z.array(z.array(z.number()))) });
const anyAreaGeometry = z.union([polygonGeometry, z.object({ type: z.literal('MultiPolygon'), coordinates: z.array(z.array(z.array(z.array(z.number())))) })]);
const change = { change: z.number(), percentChange: z.number().nullable(), z: z.number(), pValue: z.number() };

export const hexCollection = z.object({
  type: z.literal('FeatureCollection'),
  features: z.array(z.object({ type: z.literal('Feature'), geometry: polygonGeometry, properties: z.object({ cell: z.string(), count: z.number() }) })),
  res: z.number(),
  period,
  total: z.number().describe('records matching the filters, located or not'),
  unlocated: z.number().describe('of those, records with no location (in no cell)'),
});
const lsoaCounts = z.object({
  period,
  lsoas: z.array(z.object({ lsoaCode: z.string(), lsoaName: z.string().nullable(), count: z.number() })),
  total: z.number(),
  withoutLsoa: z.number(),
});
const lsoaCollection = z.object({
  type: z.literal('FeatureCollection'),
  features: z.array(z.object({ type: z.literal('Feature'), geometry: anyAreaGeometry, properties: z.object({ lsoaCode: z.string(), lsoaName: z.string(), count: z.number() }) })),
  period,
  total: z.number(),
  hasBoundaries: z.boolean(),
  withoutBoundary: z.number(),
});
const hotspot = z.object({ cell: z.string(), count: z.number(), share: z.number(), previousCount: z.number(), ...change });
const hotspotsReply = z.object({ res: z.number(), period, previousPeriod: period, total: z.number(), previousTotal: z.number(), cells: z.array(hotspot) });
const hotspotCollection = z.object({
  type: z.literal('FeatureCollection'),
  features: z.array(z.object({ type: z.literal('Feature'), geometry: polygonGeometry, properties: hotspot.extend({ rank: z.number() }) })),
  res: z.number(),
  period,
  previousPeriod: period,
  total: z.number(),
  previousTotal: z.number(),
});
const compareReply = z.object({
  by: z.enum(['type', 'cell', 'lsoa']),
  res: z.number().nullable(),
  a: period,
  b: period,
  totalA: z.number(),
  totalB: z.number(),
  totalRows: z.number(),
  rows: z.array(z.object({ key: z.string(), label: z.string().optional(), a: z.number(), b: z.number(), ...change })),
});
const byType = z.array(z.object({ crimeType: z.string(), count: z.number() }));
const byOutcome = z.array(z.object({ outcome: z.string().nullable(), count: z.number() }));
const byMonth = z.array(z.object({ month: z.string(), count: z.number() }));
const cellReply = z.object({ cell: z.string(), res: z.number(), period, count: z.number(), byType, byOutcome, byMonth });
const record = z.object({
  id: z.number(),
  crimeId: z.string().nullable(),
  source: z.string(),
  month: z.string(),
  occurredAt: z.string().nullable(),
  crimeType: z.string(),
  lastOutcome: z.string().nullable(),
  outcomeMonth: z.string().nullable(),
  location: z.string().nullable(),
  lsoaCode: z.string().nullable(),
  lsoaName: z.string().nullable(),
  longitude: z.number().nullable(),
  latitude: z.number().nullable(),
  context: z.string().nullable(),
});
const recordsReply = z.object({ cell: z.string(), res: z.number(), period, total: z.number(), limit: z.number(), offset: z.number(), records: z.array(record) });
const metaReply = z.object({
  firstMonth: z.string().nullable(),
  lastMonth: z.string().nullable(),
  defaultPeriod: period,
  total: z.number(),
  unlocated: z.number(),
  crimeTypes: z.array(z.string()),
  outcomes: z.array(z.string().nullable()),
  sources: z.array(z.string()),
  version: z.number(),
  mapStyleUrl: z.string().nullable(),
  hasLsoaBoundaries: z.boolean(),
  resolutions: z.array(z.number()),
});
const stopSearchReply = z.object({
  by: z.string(),
  period,
  groups: z.array(
    z.object({ group: z.string().nullable(), searches: z.number(), arrests: z.number(), noFurtherAction: z.number(), arrestRate: z.number(), noFurtherActionRate: z.number() }),
  ),
  total: z.number(),
});

// ——— CSV ———

function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return String(value);
  const text = String(value);
  // Neutralise spreadsheet formulas, so an export cannot run code when opened.
  const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return /[",\r\n']/.test(safe) || safe !== text ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function toCsv(columns: readonly string[], rows: ReadonlyArray<readonly unknown[]>): string {
  return [columns.join(','), ...rows.map((r) => r.map(csvCell).join(','))].join('\r\n') + '\r\n';
}

function sendCsv(reply: FastifyReply, name: string, columns: readonly string[], rows: ReadonlyArray<readonly unknown[]>): FastifyReply {
  const safeName = name.replace(/[^A-Za-z0-9._-]+/g, '-');
  return reply
    .header('Content-Type', 'text/csv; charset=utf-8')
    .header('Content-Disposition', `attachment; filename="${safeName}.csv"`)
    .send(toCsv(columns, rows));
}

const span = (p: { from: string; to: string }) => `${p.from}-to-${p.to}`;

export function crimeQueryRoutes(app: PeelServer, platform: Platform): void {
  const data = query.crimeData(platform.db);
  const config = { roles: CRIME_ROLES };
  const tags = ['crime'];

  // Build the cube in the background once the server is listening, so the first map is not the
  // one that waits (and apps that never listen, such as tests through inject, build it on demand).
  app.addHook('onListen', async () => {
    data.cubes.get().catch((err: Error) => app.log.warn({ err: { message: err.message } }, 'crime cube: could not build it in advance'));
  });

  app.get('/api/crime/hexes', {
    config,
    schema: {
      summary: 'Record counts by H3 cell, as a GeoJSON FeatureCollection of hexagons (properties.cell, properties.count)',
      tags,
      querystring: filters.extend({ res, format: format() }),
      response: { 200: hexCollection },
    },
    handler: async (req, reply) => {
      const r = await query.hexes(data, toFilter(req.query), req.query.res as H3Res);
      if (req.query.format === 'csv') {
        return sendCsv(reply, `peel-crime-hexes-res${r.res}-${span(r.period)}`, ['cell', 'res', 'count'], r.features.map((f) => [f.properties.cell, r.res, f.properties.count]));
      }
      // The map's hot path: copied together from cached per-cell JSON rather than validated
      // and serialised object by object (the tests hold this reply to its schema).
      const raw: FastifyReply = reply;
      return raw.type('application/json; charset=utf-8').send(query.hexCollectionJson(r));
    },
  });

  app.get('/api/crime/lsoas', {
    config,
    schema: {
      summary: 'Record counts by LSOA; format=geojson gives the boundaries (when loaded) with their counts',
      tags,
      querystring: filters.extend({ format: format('geojson') }),
      response: { 200: z.union([lsoaCounts, lsoaCollection]) },
    },
    handler: async (req, reply) => {
      const filter = toFilter(req.query);
      if (req.query.format === 'geojson') return query.lsoaFeatures(data, filter);
      const r = await query.lsoas(data, filter);
      if (req.query.format === 'csv') return sendCsv(reply, `peel-crime-lsoas-${span(r.period)}`, ['lsoaCode', 'lsoaName', 'count'], r.lsoas.map((l) => [l.lsoaCode, l.lsoaName, l.count]));
      return r;
    },
  });

  app.get('/api/crime/timeseries', {
    config,
    schema: {
      summary: 'Records per month over the period, every month present (zero when none)',
      tags,
      querystring: filters.extend({ format: format() }),
      response: { 200: z.object({ period, series: byMonth, total: z.number() }) },
    },
    handler: async (req, reply) => {
      const r = await query.timeseries(data, toFilter(req.query));
      if (req.query.format === 'csv') return sendCsv(reply, `peel-crime-timeseries-${span(r.period)}`, ['month', 'count'], r.series.map((s) => [s.month, s.count]));
      return r;
    },
  });

  app.get('/api/crime/types', {
    config,
    schema: { summary: 'Records by crime type, most first', tags, querystring: filters.extend({ format: format() }), response: { 200: z.object({ period, types: byType, total: z.number() }) } },
    handler: async (req, reply) => {
      const r = await query.types(data, toFilter(req.query));
      if (req.query.format === 'csv') return sendCsv(reply, `peel-crime-types-${span(r.period)}`, ['crimeType', 'count'], r.types.map((x) => [x.crimeType, x.count]));
      return r;
    },
  });

  app.get('/api/crime/outcomes', {
    config,
    schema: {
      summary: 'Records by last outcome, most first (outcome null: none recorded)',
      tags,
      querystring: filters.extend({ format: format() }),
      response: { 200: z.object({ period, outcomes: byOutcome, total: z.number() }) },
    },
    handler: async (req, reply) => {
      const r = await query.outcomes(data, toFilter(req.query));
      if (req.query.format === 'csv') return sendCsv(reply, `peel-crime-outcomes-${span(r.period)}`, ['outcome', 'count'], r.outcomes.map((x) => [x.outcome ?? 'none', x.count]));
      return r;
    },
  });

  app.get('/api/crime/hotspots', {
    config,
    schema: {
      summary: 'The n cells with most records in the period, with the change from the equal-length period before and its Poisson z; format=geojson adds the hexagons',
      tags,
      querystring: filters.extend({ res, n: z.coerce.number().int().min(1).max(1000).default(10).describe('how many cells'), format: format('geojson') }),
      response: { 200: z.union([hotspotsReply, hotspotCollection]) },
    },
    handler: async (req, reply) => {
      const r = await query.hotspots(data, toFilter(req.query), req.query.res as H3Res, req.query.n);
      if (req.query.format === 'csv') {
        const cols = ['rank', 'cell', 'count', 'share', 'previousCount', 'change', 'percentChange', 'z', 'pValue'] as const;
        return sendCsv(reply, `peel-crime-hotspots-res${r.res}-${span(r.period)}`, cols, r.cells.map((c, i) => [i + 1, c.cell, c.count, c.share, c.previousCount, c.change, c.percentChange, c.z, c.pValue]));
      }
      if (req.query.format === 'geojson') {
        const { cells, ...rest } = r;
        return { type: 'FeatureCollection' as const, features: cells.map((c, i) => ({ type: 'Feature' as const, geometry: query.cellGeometry(c.cell), properties: { rank: i + 1, ...c } })), ...rest };
      }
      return r;
    },
  });

  const { from: _from, to: _to, ...compareFilterFields } = filterFields;
  app.get('/api/crime/compare', {
    config,
    schema: {
      summary: 'Counts in period a (baseline) and period b by crime type, cell or LSOA, with the change b − a and its Poisson z, largest |z| first',
      tags,
      querystring: z.object({
        ...compareFilterFields,
        aFrom: month.optional().describe('baseline period start; default: the equal-length period just before b'),
        aTo: month.optional(),
        bFrom: month.optional().describe('comparison period start; default: the last 12 months with data'),
        bTo: month.optional(),
        by: z.enum(['type', 'cell', 'lsoa']).default('type'),
        res,
        limit: z.coerce.number().int().min(1).max(10_000).default(500),
        format: format(),
      }),
      response: { 200: compareReply },
    },
    handler: async (req, reply) => {
      const q = req.query;
      const { from: _f, to: _t, ...filter } = toFilter({ ...q, from: undefined, to: undefined });
      const r = await query.compare(data, filter, { aFrom: q.aFrom, aTo: q.aTo, bFrom: q.bFrom, bTo: q.bTo }, q.by, q.res as H3Res, q.limit);
      if (q.format === 'csv') {
        return sendCsv(
          reply,
          `peel-crime-compare-by-${r.by}-${span(r.a)}-vs-${span(r.b)}`,
          ['key', 'label', 'a', 'b', 'change', 'percentChange', 'z', 'pValue'],
          r.rows.map((x) => [x.key, x.label, x.a, x.b, x.change, x.percentChange, x.z, x.pValue]),
        );
      }
      return r;
    },
  });

  const cellParams = z.object({ cell: z.string().max(32).describe('an H3 cell id of resolution 7 to 10') });

  app.get('/api/crime/cells/:cell', {
    config,
    schema: {
      summary: "A cell's records counted by type, outcome and month (aggregates only)",
      tags,
      params: cellParams,
      querystring: filters.extend({ format: format() }),
      response: { 200: cellReply },
    },
    handler: async (req, reply) => {
      const r = await query.cellBreakdown(data, req.params.cell, toFilter(req.query));
      if (req.query.format === 'csv') {
        const rows = [
          ...r.byType.map((x) => ['crimeType', x.crimeType, x.count]),
          ...r.byOutcome.map((x) => ['outcome', x.outcome ?? 'none', x.count]),
          ...r.byMonth.map((x) => ['month', x.month, x.count]),
        ];
        return sendCsv(reply, `peel-crime-cell-${r.cell}-${span(r.period)}`, ['dimension', 'value', 'count'], rows);
      }
      return r;
    },
  });

  app.get('/api/crime/cells/:cell/records', {
    config,
    schema: {
      summary: "The records in a cell, newest first; needs a justification or reason code and is written to the audit log",
      tags,
      params: cellParams,
      querystring: filters.extend({
        limit: z.coerce.number().int().min(1).max(1000).default(100),
        offset: z.coerce.number().int().min(0).default(0),
        justification: z.string().max(1000).optional().describe('why you need to see these records'),
        reasonCode: z.enum(REASON_CODES).optional().describe('a stated reason, instead of a justification'),
        format: format(),
      }),
      response: { 200: recordsReply },
    },
    handler: async (req, reply) => {
      const q = req.query;
      const r = await query.cellRecords(data, req.actor, req.params.cell, toFilter(q), { limit: q.limit, offset: q.offset }, { justification: q.justification, reasonCode: q.reasonCode });
      if (q.format === 'csv') {
        const cols = ['id', 'crimeId', 'source', 'month', 'occurredAt', 'crimeType', 'lastOutcome', 'outcomeMonth', 'location', 'lsoaCode', 'lsoaName', 'longitude', 'latitude', 'context'] as const;
        return sendCsv(reply, `peel-crime-records-${r.cell}-${span(r.period)}`, cols, r.records.map((x) => cols.map((c) => x[c])));
      }
      return r;
    },
  });

  app.get('/api/crime/meta', {
    config,
    schema: {
      summary: 'What the crime data holds: months, totals, types, outcomes, sources, data version, map style',
      tags,
      querystring: z.object({ format: format() }),
      response: { 200: metaReply },
    },
    handler: async (req, reply) => {
      const r = await query.meta(data, platform.config.PEEL_MAP_STYLE_URL ?? null);
      if (req.query.format === 'csv') {
        const rows: unknown[][] = [
          ['firstMonth', r.firstMonth],
          ['lastMonth', r.lastMonth],
          ['total', r.total],
          ['unlocated', r.unlocated],
          ['version', r.version],
          ['hasLsoaBoundaries', r.hasLsoaBoundaries],
          ...r.crimeTypes.map((x) => ['crimeType', x]),
          ...r.outcomes.map((x) => ['outcome', x ?? 'none']),
          ...r.sources.map((x) => ['source', x]),
        ];
        return sendCsv(reply, 'peel-crime-meta', ['field', 'value'], rows);
      }
      return r;
    },
  });

  app.get('/api/crime/stop-search', {
    config,
    schema: {
      summary: 'Stop and search by a grouping, with arrest and no-further-action rates',
      tags,
      querystring: z.object({
        from: filterFields.from,
        to: filterFields.to,
        by: z.enum(Object.keys(STOP_SEARCH_GROUPINGS) as [StopSearchGrouping, ...StopSearchGrouping[]]).default('ethnicity'),
        format: format(),
      }),
      response: { 200: stopSearchReply },
    },
    handler: async (req, reply) => {
      const r = await query.stopSearch(platform.db, req.query.by, req.query.from, req.query.to);
      if (req.query.format === 'csv') {
        return sendCsv(
          reply,
          `peel-stop-search-by-${r.by}-${span(r.period)}`,
          ['group', 'searches', 'arrests', 'noFurtherAction', 'arrestRate', 'noFurtherActionRate'],
          r.groups.map((g) => [g.group, g.searches, g.arrests, g.noFurtherAction, g.arrestRate, g.noFurtherActionRate]),
        );
      }
      return r;
    },
  });
}
