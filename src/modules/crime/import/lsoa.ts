import { fromBng, type LsoaFinder } from './geo.ts';

/**
 * LSOA boundaries: ONS GeoJSON read a feature at a time, checked, and a point-in-polygon
 * index over them for sources whose rows carry coordinates but no LSOA.
 */

type Ring = number[][];
type PolygonCoords = Ring[];
export interface Geometry {
  type: 'Polygon' | 'MultiPolygon';
  coordinates: PolygonCoords | PolygonCoords[];
}

export interface Boundary {
  lsoaCode: string;
  lsoaName: string;
  geometry: Geometry;
  minLongitude: number;
  minLatitude: number;
  maxLongitude: number;
  maxLatitude: number;
}

/**
 * Splits a GeoJSON FeatureCollection, pushed as text in pieces, into its features: each
 * element of the top-level "features" array is handed on as parsed JSON, so a national
 * boundary file never sits in memory whole. Also notes a top-level "crs" naming EPSG:27700.
 */
export class FeatureSplitter {
  private readonly onFeature: (feature: unknown, index: number) => void;
  private depth = 0;
  private inString = false;
  private escaped = false;
  /** the last string seen at depth 1 (a top-level key) */
  private lastKey = '';
  private keyStart = -1;
  private inFeatures = false;
  private featureStart = -1;
  private buffer = '';
  private count = 0;
  private topText = '';
  constructor(onFeature: (feature: unknown, index: number) => void) {
    this.onFeature = onFeature;
  }

  get features(): number {
    return this.count;
  }

  /** the collection's own members other than its features (for "crs") */
  get header(): string {
    return this.topText;
  }

  push(text: string): void {
    const s = this.buffer + text;
    let i = this.buffer.length;
    for (; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === 92) this.escaped = true;
        else if (c === 34) {
          this.inString = false;
          if (this.depth === 1 && this.keyStart >= 0) {
            this.lastKey = s.slice(this.keyStart, i);
            this.keyStart = -1;
          }
        }
        continue;
      }
      if (c === 34) {
        this.inString = true;
        if (this.depth === 1) this.keyStart = i + 1;
      } else if (c === 123 || c === 91) {
        // { or [
        this.depth++;
        if (this.depth === 2 && c === 91 && this.lastKey === 'features') this.inFeatures = true;
        else if (this.depth === 3 && this.inFeatures && c === 123) this.featureStart = i;
      } else if (c === 125 || c === 93) {
        if (this.depth === 3 && this.inFeatures && c === 125 && this.featureStart >= 0) {
          this.onFeature(JSON.parse(s.slice(this.featureStart, i + 1)), this.count++);
          this.featureStart = -1;
        }
        if (this.depth === 2 && this.inFeatures) this.inFeatures = false;
        this.depth--;
      }
    }
    if (this.topText.length < 10_000) this.topText += s.slice(this.buffer.length, this.buffer.length + 10_000 - this.topText.length);
    // Keep only an unfinished feature, or an unfinished top-level key.
    const keep = this.featureStart >= 0 ? this.featureStart : this.inString && this.keyStart >= 0 ? this.keyStart : -1;
    if (keep >= 0) {
      this.buffer = s.slice(keep);
      if (this.featureStart >= 0) this.featureStart -= keep;
      if (this.keyStart >= 0) this.keyStart -= keep;
    } else {
      this.buffer = '';
    }
  }

  end(): void {
    if (this.depth !== 0 || this.inString) throw new Error('the GeoJSON ends before its last feature is complete');
  }
}

/** A CRS naming British National Grid (EPSG:27700) means coordinates are eastings/northings. */
export const isBngCrs = (header: string): boolean => /EPSG:+(?:\d+:)*27700\b|EPSG::27700|"27700"/i.test(header);

function prop(props: Record<string, unknown>, name: string): string | null {
  for (const [k, v] of Object.entries(props)) if (k.toLowerCase() === name.toLowerCase()) return typeof v === 'string' ? v.trim() : typeof v === 'number' ? String(v) : null;
  return null;
}

/** Checks one feature and computes its bounding box; converts eastings/northings when the file is in BNG. */
export function toBoundary(feature: unknown, bng: boolean): Boundary | string {
  if (!feature || typeof feature !== 'object') return 'not a GeoJSON feature';
  const f = feature as { properties?: Record<string, unknown> | null; geometry?: { type?: string; coordinates?: unknown } | null };
  const props = f.properties ?? {};
  const code = prop(props, 'LSOA11CD');
  const name = prop(props, 'LSOA11NM');
  if (!code) return 'no LSOA11CD property (an LSOA 2011 code such as E01025631)';
  if (!/^[EW]0\d{7}$/.test(code)) return `LSOA11CD "${code}" is not an LSOA code (E01… or W01…)`;
  if (!name) return `LSOA ${code}: no LSOA11NM property`;
  const g = f.geometry;
  if (!g || (g.type !== 'Polygon' && g.type !== 'MultiPolygon') || !Array.isArray(g.coordinates)) return `LSOA ${code}: geometry must be a Polygon or MultiPolygon`;
  const polygons = (g.type === 'Polygon' ? [g.coordinates] : g.coordinates) as unknown[];
  let minLon = Infinity;
  let minLat = Infinity;
  let maxLon = -Infinity;
  let maxLat = -Infinity;
  const out: PolygonCoords[] = [];
  for (const poly of polygons) {
    if (!Array.isArray(poly) || poly.length === 0) return `LSOA ${code}: an empty polygon`;
    const rings: PolygonCoords = [];
    for (const ring of poly) {
      if (!Array.isArray(ring) || ring.length < 4) return `LSOA ${code}: a ring with fewer than 4 positions`;
      const r: Ring = [];
      for (const pos of ring) {
        if (!Array.isArray(pos) || typeof pos[0] !== 'number' || typeof pos[1] !== 'number') return `LSOA ${code}: a position that is not [longitude, latitude]`;
        let lon = pos[0];
        let lat = pos[1];
        if (bng) ({ longitude: lon, latitude: lat } = fromBng(lon, lat));
        if (lon < -180 || lon > 180 || lat < -90 || lat > 90) return `LSOA ${code}: coordinates [${pos[0]}, ${pos[1]}] are not longitude/latitude (is the file in British National Grid without saying so?)`;
        if (lon < minLon) minLon = lon;
        if (lon > maxLon) maxLon = lon;
        if (lat < minLat) minLat = lat;
        if (lat > maxLat) maxLat = lat;
        r.push(bng ? [lon, lat] : pos.slice(0, 2));
      }
      rings.push(r);
    }
    out.push(rings);
  }
  const geometry: Geometry = g.type === 'Polygon' ? { type: 'Polygon', coordinates: out[0]! } : { type: 'MultiPolygon', coordinates: out };
  return { lsoaCode: code, lsoaName: name, geometry, minLongitude: minLon, minLatitude: minLat, maxLongitude: maxLon, maxLatitude: maxLat };
}

/** Even-odd ray casting over every ring: holes subtract. */
export function inPolygon(lon: number, lat: number, rings: PolygonCoords): boolean {
  let inside = false;
  for (const ring of rings) {
    for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      const xi = ring[i]![0]!;
      const yi = ring[i]![1]!;
      const xj = ring[j]![0]!;
      const yj = ring[j]![1]!;
      if (yi > lat !== yj > lat && lon < ((xj - xi) * (lat - yi)) / (yj - yi) + xi) inside = !inside;
    }
  }
  return inside;
}

const CELL = 0.02; // degrees: about 1.4 km by 2.2 km in Britain

/** A finder over boundaries: a coarse grid of bounding boxes, then exact tests. */
export function lsoaFinder(boundaries: Iterable<Pick<Boundary, 'lsoaCode' | 'lsoaName' | 'geometry'> & Partial<Boundary>>): LsoaFinder {
  const grid = new Map<string, Array<{ code: string; name: string; polygons: PolygonCoords[]; box: [number, number, number, number] }>>();
  for (const b of boundaries) {
    const polygons = (b.geometry.type === 'Polygon' ? [b.geometry.coordinates] : b.geometry.coordinates) as PolygonCoords[];
    let box = [b.minLongitude, b.minLatitude, b.maxLongitude, b.maxLatitude] as [number, number, number, number];
    if (box.some((v) => v === undefined)) {
      box = [Infinity, Infinity, -Infinity, -Infinity];
      for (const p of polygons) for (const pos of p[0] ?? []) box = [Math.min(box[0], pos[0]!), Math.min(box[1], pos[1]!), Math.max(box[2], pos[0]!), Math.max(box[3], pos[1]!)];
    }
    const entry = { code: b.lsoaCode, name: b.lsoaName, polygons, box };
    for (let x = Math.floor(box[0] / CELL); x <= Math.floor(box[2] / CELL); x++) {
      for (let y = Math.floor(box[1] / CELL); y <= Math.floor(box[3] / CELL); y++) {
        const key = `${x}:${y}`;
        const list = grid.get(key);
        if (list) list.push(entry);
        else grid.set(key, [entry]);
      }
    }
  }
  return (lon, lat) => {
    const list = grid.get(`${Math.floor(lon / CELL)}:${Math.floor(lat / CELL)}`);
    if (!list) return null;
    for (const e of list) {
      if (lon < e.box[0] || lon > e.box[2] || lat < e.box[1] || lat > e.box[3]) continue;
      if (e.polygons.some((p) => inPolygon(lon, lat, p))) return { code: e.code, name: e.name };
    }
    return null;
  };
}
