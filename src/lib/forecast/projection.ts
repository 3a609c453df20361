/**
 * Metric coordinates for the grid. The grid is in metres with cell ids over a fixed
 * 700 km × 1300 km extent from (0, 0) (grid.ts): British National Grid eastings and northings
 * fit it exactly. Elsewhere (Chicago, Vancouver) points are projected to a local azimuthal
 * equidistant projection centred on the data (distances from the centre are true, and within
 * a city's few tens of kilometres distortion is below 0.01%), with a false origin of
 * (350 km, 650 km) so every point within 350 km of the centre lands inside the grid.
 */
import proj4 from 'proj4';

export const LOCAL_FALSE_EASTING = 350_000;
export const LOCAL_FALSE_NORTHING = 650_000;

/** The British National Grid (OSGB36 transverse Mercator, with the usual 7-parameter shift to WGS84). */
export const BRITISH_NATIONAL_GRID =
  '+proj=tmerc +lat_0=49 +lon_0=-2 +k=0.9996012717 +x_0=400000 +y_0=-100000 +ellps=airy +towgs84=446.448,-125.157,542.06,0.15,0.247,0.842,-20.489 +units=m +no_defs';

export interface Projection {
  /** a proj4 definition of the projected system */
  definition: string;
  /** WGS84 longitude, latitude → metres (easting, northing) */
  forward(longitude: number, latitude: number): [number, number];
  /** metres → WGS84 longitude, latitude (to draw grid cells on a map) */
  inverse(easting: number, northing: number): [number, number];
}

/** Great Britain, roughly: points all inside use the British National Grid. */
const inGreatBritain = (lon: number, lat: number) => lon >= -9 && lon <= 2.5 && lat >= 49 && lat <= 61;

function median(values: Float64Array): number {
  const s = Float64Array.from(values).sort();
  return s.length ? s[Math.floor(s.length / 2)]! : 0;
}

/**
 * The projection for a set of points: the British National Grid when every point is in
 * Great Britain (so a timestamped British source shares police.uk's cells), otherwise an
 * azimuthal equidistant projection centred on the points' median longitude and latitude.
 */
export function projectionFor(longitude: Float64Array, latitude: Float64Array): Projection {
  let british = longitude.length > 0;
  for (let i = 0; i < longitude.length && british; i++) british = inGreatBritain(longitude[i]!, latitude[i]!);
  const definition = british
    ? BRITISH_NATIONAL_GRID
    : `+proj=aeqd +lat_0=${median(latitude).toFixed(6)} +lon_0=${median(longitude).toFixed(6)} +x_0=${LOCAL_FALSE_EASTING} +y_0=${LOCAL_FALSE_NORTHING} +datum=WGS84 +units=m +no_defs`;
  return projectionOf(definition);
}

/** The projection a proj4 definition describes (one made by projectionFor, kept with a result). */
export function projectionOf(definition: string): Projection {
  const converter = proj4('WGS84', definition);
  return { definition, forward: (lon, lat) => converter.forward([lon, lat]) as [number, number], inverse: (x, y) => converter.inverse([x, y]) as [number, number] };
}

/** Projects every point (easting and northing arrays in metres). */
export function projectAll(projection: Projection, longitude: Float64Array, latitude: Float64Array): { easting: Float64Array; northing: Float64Array } {
  const easting = new Float64Array(longitude.length);
  const northing = new Float64Array(longitude.length);
  for (let i = 0; i < longitude.length; i++) {
    const [x, y] = projection.forward(longitude[i]!, latitude[i]!);
    easting[i] = x;
    northing[i] = y;
  }
  return { easting, northing };
}
