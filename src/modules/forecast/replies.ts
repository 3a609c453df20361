import { z } from 'zod';

/**
 * What GET /api/forecast and /api/forecast/patrols reply: the schemas the routes validate
 * and document their replies with. The web app takes its types from these (type-only
 * imports), so the map and the briefing sheet cannot drift from the server.
 */

const position = z.array(z.number());
const polygon = z.object({ type: z.literal('Polygon'), coordinates: z.array(z.array(position)) });
const areaGeometry = z.union([polygon, z.object({ type: z.literal('MultiPolygon'), coordinates: z.array(z.array(z.array(position))) })]);
const coverage = z.object({ coverage: z.number(), meanHitRate: z.number().nullable(), meanPai: z.number().nullable() });
const by = z.enum(['month', 'week', 'day']);
const windowSchema = z.object({ by, period: z.string(), trainPeriods: z.number(), trainFrom: z.string(), trainTo: z.string(), testFrom: z.string(), testTo: z.string() });
const accuracySchema = z.object({
  method: z.string(),
  by,
  trainPeriods: z.number(),
  testFrom: z.string(),
  testTo: z.string(),
  testPeriods: z.number(),
  computedAt: z.string().describe('when these figures were computed (they are kept until new crime data is imported)'),
  seconds: z.number(),
  methods: z.array(z.object({ method: z.string(), coverage: z.array(coverage) })),
});
const forecastHeader = {
  types: z.array(z.string()),
  method: z.string(),
  cellSize: z.number(),
  window: windowSchema,
  studyCells: z.number(),
  computedAt: z.string().describe('when the surface was computed'),
  accuracy: accuracySchema,
};
export const surfaceReply = z.object({
  type: z.literal('FeatureCollection'),
  features: z.array(
    z.object({
      type: z.literal('Feature'),
      geometry: polygon,
      properties: z.object({ cell: z.number(), rank: z.number(), score: z.number(), share: z.number(), recent: z.number(), top5: z.boolean(), top10: z.boolean() }),
    }),
  ),
  ...forecastHeader,
});
export const patrolsReply = z.object({
  type: z.literal('FeatureCollection'),
  features: z.array(
    z.object({
      type: z.literal('Feature'),
      geometry: areaGeometry,
      properties: z.object({ area: z.number(), cells: z.array(z.number()), share: z.number(), recentCrimes: z.number(), recentShare: z.number(), centre: position }),
    }),
  ),
  ...forecastHeader,
  areas: z.number(),
  maxCells: z.number(),
  connectivity: z.literal('4-connected (cells share an edge)'),
  share: z.number().describe('the areas together: their share of the forecast risk'),
  recentShare: z.number().describe('the areas together: their share of the crimes of the training periods'),
});

export type ForecastReply = z.infer<typeof surfaceReply>;
export type ForecastCell = ForecastReply['features'][number];
export type Accuracy = ForecastReply['accuracy'];
export type ForecastWindow = ForecastReply['window'];
export type PatrolReply = z.infer<typeof patrolsReply>;
export type PatrolArea = PatrolReply['features'][number];
export type AreaGeometry = PatrolArea['geometry'];
