import { cellToParent, latLngToCell } from 'h3-js';
import proj4 from 'proj4';

/**
 * British National Grid (EPSG:27700) with the OS seven-parameter Helmert shift from
 * WGS84/ETRS89 to OSGB36 instead of the OSTN15 grid: good to a few metres, which is far
 * finer than police.uk's snap points, and needs no grid file.
 */
export const BNG_PROJ =
  '+proj=tmerc +lat_0=49 +lon_0=-2 +k=0.9996012717 +x_0=400000 +y_0=-100000 +ellps=airy +towgs84=446.448,-125.157,542.06,0.15,0.247,0.842,-20.489 +units=m +no_defs';

const bng = proj4('WGS84', BNG_PROJ);

/** WGS84 longitude/latitude to BNG easting/northing, rounded to the metre. */
export function toBng(longitude: number, latitude: number): { easting: number; northing: number } {
  const [e, n] = bng.forward([longitude, latitude]) as [number, number];
  return { easting: Math.round(e), northing: Math.round(n) };
}

/** BNG easting/northing to WGS84 longitude/latitude. */
export function fromBng(easting: number, northing: number): { longitude: number; latitude: number } {
  const [lon, lat] = bng.inverse([easting, northing]) as [number, number];
  return { longitude: lon, latitude: lat };
}

const utmConverters = new Map<string, proj4.Converter>();

/** UTM x/y (metres) to WGS84, for sources outside Britain (e.g. Vancouver's zone 10N, NAD83). */
export function fromUtm(x: number, y: number, zone: number, south: boolean, datum: 'WGS84' | 'NAD83'): { longitude: number; latitude: number } {
  const key = `${zone}${south ? 'S' : 'N'}${datum}`;
  let c = utmConverters.get(key);
  if (!c) {
    c = proj4(`+proj=utm +zone=${zone}${south ? ' +south' : ''} +datum=${datum} +units=m +no_defs`, 'WGS84');
    utmConverters.set(key, c);
  }
  const [lon, lat] = c.forward([x, y]) as [number, number];
  return { longitude: lon, latitude: lat };
}

/** H3 cells at resolutions 7, 8, 9 and 10: the finest from the point, the others its ancestors. */
export function h3Cells(latitude: number, longitude: number): [string, string, string, string] {
  const h10 = latLngToCell(latitude, longitude, 10);
  return [cellToParent(h10, 7), cellToParent(h10, 8), cellToParent(h10, 9), h10];
}

/** A plausible area for coordinates; a point outside it is a data error, not a place. */
export interface Area {
  minLongitude: number;
  maxLongitude: number;
  minLatitude: number;
  maxLatitude: number;
}

/** Great Britain with its islands, generously: police.uk's snap points all fall inside. */
export const GREAT_BRITAIN: Area = { minLongitude: -9, maxLongitude: 2.5, minLatitude: 49, maxLatitude: 61 };

export const inArea = (a: Area, longitude: number, latitude: number): boolean =>
  longitude >= a.minLongitude && longitude <= a.maxLongitude && latitude >= a.minLatitude && latitude <= a.maxLatitude;

/** Finds the LSOA a point falls in, when boundaries are loaded. */
export type LsoaFinder = (longitude: number, latitude: number) => { code: string; name: string } | null;

/** A point checked and placed: what a located record stores. */
export interface PlaceInfo {
  located: true;
  longitude: number;
  latitude: number;
  easting: number | null;
  northing: number | null;
  /** the resolution 10 cell; coarser ones are its ancestors (cellToParent) */
  h3_10: string;
  /** the LSOA found from boundaries (only when a finder is given) */
  lsoa: { code: string; name: string } | null;
  /** the number the encoder gave this place (encode.ts), a hint it checks before use */
  code?: number;
}

/**
 * Police.uk coordinates are snap points, so the same pair recurs thousands of times:
 * the grid reference and cell are computed once per pair, and every row at the point shares
 * the one object. It is found by the coordinates' text as read (so a point met before is
 * not parsed again), else by their numbers. Bounded so that a national import cannot grow
 * it without limit.
 */
export class PlaceCache {
  private readonly map = new Map<number, Map<number, PlaceInfo>>();
  private readonly texts = new Map<string, Map<string, PlaceInfo>>();
  private size = 0;
  private readonly limit: number;
  private readonly findLsoa: LsoaFinder | null;
  constructor(findLsoa: LsoaFinder | null = null, limit = 500_000) {
    this.findLsoa = findLsoa;
    this.limit = limit;
  }

  /** The place met before with exactly this longitude and latitude text. */
  byText(longitude: string, latitude: string): PlaceInfo | undefined {
    return this.texts.get(longitude)?.get(latitude);
  }

  /** Remembers the text a place was read as. */
  rememberText(longitude: string, latitude: string, info: PlaceInfo): void {
    // Copies: the texts read are slices of a whole decoded piece of the file, which they would keep alive.
    const lon = (' ' + longitude).slice(1);
    let byLatitude = this.texts.get(lon);
    if (!byLatitude) this.texts.set(lon, (byLatitude = new Map()));
    byLatitude.set((' ' + latitude).slice(1), info);
  }

  /** BNG is computed only inside Great Britain. */
  get(longitude: number, latitude: number): PlaceInfo {
    let byLatitude = this.map.get(longitude);
    let info = byLatitude?.get(latitude);
    if (info === undefined) {
      const grid = inArea(GREAT_BRITAIN, longitude, latitude) ? toBng(longitude, latitude) : null;
      info = {
        located: true,
        longitude,
        latitude,
        easting: grid?.easting ?? null,
        northing: grid?.northing ?? null,
        h3_10: latLngToCell(latitude, longitude, 10),
        lsoa: this.findLsoa ? this.findLsoa(longitude, latitude) : null,
      };
      if (this.size >= this.limit) {
        this.map.clear();
        this.texts.clear();
        this.size = 0;
        byLatitude = undefined;
      }
      if (!byLatitude) this.map.set(longitude, (byLatitude = new Map()));
      byLatitude.set(latitude, info);
      this.size++;
    }
    return info;
  }
}
