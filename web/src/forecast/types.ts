/** The forecast API's replies, as the map and the briefing sheet use them. */

export const METHODS = ['peel', 'naive-all', 'naive-last', 'kde', 'prospective', 'sepp'] as const;
export type Method = (typeof METHODS)[number];

export const METHOD_LABELS: Record<Method, string> = {
  peel: 'Peel ensemble (recommended)',
  'naive-all': 'Counts over the training months',
  'naive-last': 'Last month’s counts',
  kde: 'Kernel density',
  prospective: 'Prospective hotspotting',
  sepp: 'Self-exciting point process',
};

export interface CoverageFigures {
  coverage: number;
  meanHitRate: number | null;
  meanPai: number | null;
}

export interface Accuracy {
  method: string;
  trainMonths: number;
  testFrom: string;
  testTo: string;
  testPeriods: number;
  computedAt: string;
  seconds: number;
  methods: Array<{ method: string; coverage: CoverageFigures[] }>;
}

export interface ForecastWindow {
  period: string;
  trainMonths: number;
  trainFrom: string;
  trainTo: string;
  testFrom: string;
  testTo: string;
}

interface Header {
  types: string[];
  method: string;
  cellSize: number;
  window: ForecastWindow;
  studyCells: number;
  computedAt: string;
  accuracy: Accuracy;
}

export interface ForecastCell {
  type: 'Feature';
  geometry: { type: 'Polygon'; coordinates: number[][][] };
  properties: { cell: number; rank: number; score: number; share: number; recent: number; top5: boolean; top10: boolean };
}

export interface ForecastReply extends Header {
  type: 'FeatureCollection';
  features: ForecastCell[];
}

export type AreaGeometry = { type: 'Polygon'; coordinates: number[][][] } | { type: 'MultiPolygon'; coordinates: number[][][][] };

export interface PatrolArea {
  type: 'Feature';
  geometry: AreaGeometry;
  properties: { area: number; cells: number[]; share: number; recentCrimes: number; recentShare: number; centre: number[] };
}

export interface PatrolReply extends Header {
  type: 'FeatureCollection';
  features: PatrolArea[];
  areas: number;
  maxCells: number;
  connectivity: string;
  share: number;
  recentShare: number;
}

export interface ForecastChoice {
  type: string;
  method: Method;
}

export interface PatrolChoice extends ForecastChoice {
  areas: number;
  maxCells: number;
}
