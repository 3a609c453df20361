import { z } from 'zod';
import type { Platform, PeelServer } from '../../platform/context.ts';
import type { Role } from '../../platform/roles.ts';
import { PERIOD_KINDS } from '../../lib/forecast/periods.ts';
import { DEFAULTS, METHODS, type Method } from './service.ts';
import * as product from './surface.ts';
import { patrolsReply, surfaceReply } from './replies.ts';
import { scheduleForecastWarmUp } from './warm.ts';

/** Forecasts are for the people who allocate and patrol, as the crime map is. */
export const FORECAST_ROLES: readonly Role[] = ['analyst', 'supervisor', 'officer'];

const types = z
  .union([z.string().min(1).max(300), z.array(z.string().min(1).max(300)).min(1).max(50)], { error: 'is required: the crime type(s) to forecast, e.g. type=Burglary' })
  .transform((v) => (Array.isArray(v) ? v : [v]))
  .describe('crime type, exactly as data.police.uk names it; repeat the parameter for more than one');

const forecastQuery = z.object({
  type: types,
  by: z.enum(PERIOD_KINDS).default('month').describe('forecast by month (police.uk records), or by week (Monday to Sunday) or day from records imported with their date and time'),
  period: z
    .string()
    .regex(/^\d{4}-\d{2}(-\d{2})?$/, 'must be a month YYYY-MM, or by week or day a date YYYY-MM-DD')
    .optional()
    .describe('the period to forecast: YYYY-MM by month, a date YYYY-MM-DD by day or week (any day of the week); default: the one after the last record'),
  timeZone: z.string().min(1).max(60).optional().describe('by week or day: the IANA time zone whose calendar days count (Europe/London by default)'),
  method: z.enum(METHODS).default('peel').describe(`the forecasting method: ${METHODS.join(', ')}`),
  cell: z.coerce.number().int().min(100).max(2000).default(DEFAULTS.cellSize).describe('grid cell size in metres (British National Grid squares in Great Britain), 100 to 2000'),
});
type ForecastQuery = z.infer<typeof forecastQuery>;


const request = (q: ForecastQuery): product.ForecastRequest => ({ types: q.type, by: q.by, timeZone: q.timeZone, period: q.period, method: q.method as Method, cellSize: q.cell });
const nullable = (a: product.Accuracy) => ({
  ...a,
  methods: a.methods.map((m) => ({ method: m.method, coverage: m.coverage.map((c) => ({ coverage: c.coverage, meanHitRate: Number.isFinite(c.meanHitRate) ? c.meanHitRate : null, meanPai: Number.isFinite(c.meanPai) ? c.meanPai : null })) })),
});
const header = (s: product.Surface, a: product.Accuracy) => ({
  types: s.types,
  method: s.method,
  cellSize: s.cellSize,
  window: s.window,
  studyCells: s.studyCells,
  computedAt: s.computedAt,
  accuracy: nullable(a),
});

export function forecastRoutes(app: PeelServer, platform: Platform): void {
  const config = { roles: FORECAST_ROLES };
  const tags = ['forecast'];

  app.get('/api/forecast', {
    config,
    schema: {
      summary: 'The risk surface for a month, week or day as GeoJSON grid cells (score, rank, top 5% and 10% flags) with the method’s backtest figures over the periods before it',
      tags,
      querystring: forecastQuery.extend({
        top: z.coerce.number().gt(0).max(1).default(1).describe('only the highest-ranked share of the study cells, e.g. 0.1 for the top 10%; 1 (all) by default'),
      }),
      response: { 200: surfaceReply },
    },
    handler: async (req) => {
      const r = request(req.query);
      const [surface, accuracy] = await Promise.all([product.forecastSurface(platform.db, r), product.forecastAccuracy(platform.db, r)]);
      return { type: 'FeatureCollection' as const, features: product.surfaceFeatures(surface, req.query.top), ...header(surface, accuracy) };
    },
  });

  app.get('/api/forecast/patrols', {
    config,
    schema: {
      summary: 'A patrol plan: N compact, 4-connected areas of at most M cells that together cover the most forecast risk, as GeoJSON polygons with each one’s expected share of crime',
      tags,
      querystring: forecastQuery.extend({
        areas: z.coerce.number().int().min(1).max(50).default(3).describe('how many patrol areas'),
        maxCells: z.coerce.number().int().min(1).max(100).default(12).describe('at most this many grid cells per area'),
      }),
      response: { 200: patrolsReply },
    },
    handler: async (req) => {
      const r = { ...request(req.query), areas: req.query.areas, maxCells: req.query.maxCells };
      const [plan, accuracy] = await Promise.all([product.patrolPlan(platform.db, r), product.forecastAccuracy(platform.db, r)]);
      return {
        type: 'FeatureCollection' as const,
        features: plan.areas.map((a) => ({
          type: 'Feature' as const,
          geometry: a.geometry,
          properties: { area: a.area, cells: a.cells, share: a.share, recentCrimes: a.recentCrimes, recentShare: a.recentShare, centre: a.centre },
        })),
        ...header(plan.surface, accuracy),
        areas: r.areas,
        maxCells: r.maxCells,
        connectivity: '4-connected (cells share an edge)' as const,
        share: plan.share,
        recentShare: plan.recentShare,
      };
    },
  });

  // The forecasts people open first are computed in the background after start and after each import.
  const warm = platform.config.PEEL_FORECAST_WARM;
  if (warm.length) {
    const stop = scheduleForecastWarmUp(platform, warm, (r) => {
      if (r instanceof Error) app.log.error({ err: r.message }, 'forecast warm-up failed');
      else app.log.info({ dataVersion: r.version, warmed: r.warmed, skipped: r.skipped.length }, 'forecast warm-up');
    });
    app.addHook('onClose', async () => stop());
  }
}
