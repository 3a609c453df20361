/** GET /api/public/area-safety and GET /api/reports/area-safety replies. */

export type SafetyLevel = 'higher' | 'typical' | 'lower';

export interface Period {
  from: string;
  to: string;
}

export interface AreaSafetyFeature {
  type: 'Feature';
  geometry: { type: 'Polygon'; coordinates: number[][][] } | { type: 'MultiPolygon'; coordinates: number[][][][] };
  properties: {
    /** by=cell: the H3 cell */
    cell?: string;
    /** by=lsoa: the neighbourhood */
    lsoaCode?: string;
    lsoaName?: string;
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
  by: 'cell' | 'lsoa';
  res: number | null;
  crimePeriod: Period | null;
  reportPeriod: Period;
  method: string;
  features: AreaSafetyFeature[];
  /** staff version only */
  average?: number;
  suppressedAreas?: number;
}

/** An area's key and its name for people: the H3 cell, or the LSOA code and name. */
export function areaKey(f: AreaSafetyFeature): string {
  return f.properties.cell ?? f.properties.lsoaCode ?? '';
}

export function areaName(f: AreaSafetyFeature): string {
  return f.properties.lsoaName ? `${f.properties.lsoaName} (${f.properties.lsoaCode})` : (f.properties.cell ?? '');
}

/** Every corner of an area's outline (a Polygon or a MultiPolygon). */
export function cornersOf(f: AreaSafetyFeature): number[][] {
  return f.geometry.type === 'Polygon' ? f.geometry.coordinates.flat() : f.geometry.coordinates.flat(2);
}
