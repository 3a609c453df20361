/** Plane geometry on lon/lat positions, for filtering points by a drawn area. */

export type Position = number[];
export interface PolygonGeometry {
  type: 'Polygon';
  coordinates: Position[][];
}
export interface MultiPolygonGeometry {
  type: 'MultiPolygon';
  coordinates: Position[][][];
}
export type AreaGeometry = PolygonGeometry | MultiPolygonGeometry;

/** [minLon, minLat, maxLon, maxLat] */
export type Bbox = [number, number, number, number];

/** A polygon ready for many point tests: its rings flattened into typed arrays, and its bounding box. */
export interface CompiledArea {
  bbox: Bbox;
  /** per polygon, its rings (outer first, then holes) as [x0, y0, x1, y1, …] */
  polygons: Float64Array[][];
}

export function compileArea(geometry: AreaGeometry): CompiledArea {
  const polys = geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates;
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  const polygons = polys.map((rings) =>
    rings.map((ring) => {
      const flat = new Float64Array(ring.length * 2);
      ring.forEach((p, i) => {
        const x = p[0]!;
        const y = p[1]!;
        flat[2 * i] = x;
        flat[2 * i + 1] = y;
        if (x < minX) minX = x;
        if (x > maxX) maxX = x;
        if (y < minY) minY = y;
        if (y > maxY) maxY = y;
      });
      return flat;
    }),
  );
  return { bbox: [minX, minY, maxX, maxY], polygons };
}

/**
 * Whether (x, y) lies inside the area: inside some polygon's outer ring and outside its holes.
 * Ray casting with the even–odd rule (W. Randolph Franklin's PNPOLY); a point exactly on
 * an edge may fall either side, as with any such test.
 */
export function areaContains(area: CompiledArea, x: number, y: number): boolean {
  const b = area.bbox;
  if (x < b[0] || x > b[2] || y < b[1] || y > b[3]) return false;
  for (const rings of area.polygons) {
    if (!ringContains(rings[0]!, x, y)) continue;
    let inHole = false;
    for (let r = 1; r < rings.length && !inHole; r++) inHole = ringContains(rings[r]!, x, y);
    if (!inHole) return true;
  }
  return false;
}

export function ringContains(ring: Float64Array, x: number, y: number): boolean {
  let inside = false;
  const n = ring.length / 2;
  for (let i = 0, j = n - 1; i < n; j = i++) {
    const xi = ring[2 * i]!;
    const yi = ring[2 * i + 1]!;
    const xj = ring[2 * j]!;
    const yj = ring[2 * j + 1]!;
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

export const pointInArea = (geometry: AreaGeometry, x: number, y: number): boolean => areaContains(compileArea(geometry), x, y);
