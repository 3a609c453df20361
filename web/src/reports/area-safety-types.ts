/** GET /api/public/area-safety and GET /api/reports/area-safety replies. */

export type SafetyLevel = 'higher' | 'typical' | 'lower';

export interface Period {
  from: string;
  to: string;
}

export interface AreaSafetyFeature {
  type: 'Feature';
  geometry: { type: 'Polygon'; coordinates: number[][][] };
  properties: {
    cell: string;
    count: number;
    level: SafetyLevel;
    /** staff version only: the inputs and the score */
    crimes?: number;
    reports?: number;
    rate?: number;
    score?: number;
  };
}

export interface AreaSafety {
  type: 'FeatureCollection';
  suppressBelow: number;
  res: number;
  crimePeriod: Period | null;
  reportPeriod: Period;
  method: string;
  features: AreaSafetyFeature[];
  /** staff version only */
  average?: number;
  suppressedCells?: number;
}
