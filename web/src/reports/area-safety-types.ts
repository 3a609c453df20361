/** GET /api/public/area-safety and GET /api/reports/area-safety replies. */

export type SafetyLevel = 'higher' | 'typical' | 'lower';

export interface AreaSafetyFeature {
  type: 'Feature';
  geometry: { type: 'Polygon'; coordinates: number[][][] };
  properties: {
    cell: string;
    count: number;
    level: SafetyLevel;
    /** staff version only */
    crimes?: number;
    reports?: number;
    score?: number;
    [input: string]: unknown;
  };
}

export interface AreaSafety {
  type: 'FeatureCollection';
  suppressBelow: number;
  res: number;
  period: { from: string; to: string };
  features: AreaSafetyFeature[];
  method: string;
  [extra: string]: unknown;
}
