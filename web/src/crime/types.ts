/** The crime API's replies, as the map page uses them. */

export interface CrimeMeta {
  firstMonth: string | null;
  lastMonth: string | null;
  total: number;
  unlocated: number;
  crimeTypes: string[];
  /** outcome categories as published; null (or absent) stands for "no outcome recorded" */
  outcomes: Array<string | null>;
  mapStyleUrl: string | null;
  hasLsoaBoundaries: boolean;
  /** the period a query without from/to covers: the last 12 months with data */
  defaultPeriod?: Period;
  resolutions?: number[];
}

export interface HexProperties {
  cell: string;
  count: number;
}

export interface HexFeature {
  type: 'Feature';
  geometry: { type: 'Polygon'; coordinates: number[][][] };
  properties: HexProperties;
}

export interface HexCollection {
  type: 'FeatureCollection';
  features: HexFeature[];
  res: number;
  period: Period;
  /** crimes matching the filters, located or not */
  total: number;
  /** of those, how many have no location and so are not on the map */
  unlocated: number;
}

export interface MonthCount {
  month: string;
  count: number;
}

export interface TypeCount {
  crimeType: string;
  count: number;
}

export interface OutcomeCount {
  outcome: string | null;
  count: number;
}

export interface Period {
  from: string;
  to: string;
}

export interface Hotspot {
  cell: string;
  count: number;
  /** of the period's located crimes */
  share: number;
  /** in the equal-length period just before */
  previousCount: number;
  change: number;
  /** null when there were none before */
  percentChange: number | null;
  /** (count − previousCount) / √(count + previousCount): the test for a change in a Poisson rate */
  z: number;
  pValue: number;
}

export interface HotspotReply {
  res: number;
  period: Period;
  previousPeriod: Period;
  total: number;
  previousTotal: number;
  cells: Hotspot[];
}

export interface CellDetail {
  cell: string;
  res: number;
  period: Period;
  count: number;
  byType: TypeCount[];
  byOutcome: OutcomeCount[];
  byMonth: MonthCount[];
}

export interface CrimeRecord {
  id: number;
  crimeId: string | null;
  month: string;
  crimeType: string;
  location: string | null;
  lastOutcome: string | null;
  lsoaCode: string | null;
  lsoaName: string | null;
}

export interface RecordsPage {
  cell: string;
  period: Period;
  records: CrimeRecord[];
  total: number;
  limit: number;
  offset: number;
}

/** What the analyst has chosen in the filter panel. */
export interface CrimeFilters {
  from: string;
  to: string;
  /** crime types to include; empty means every type */
  types: string[];
  /** '' for every outcome, 'none' for no outcome recorded, else one outcome category */
  outcome: string;
  res: number;
}

export const RESOLUTIONS = [7, 8, 9, 10] as const;
export const DEFAULT_RES = 8;
