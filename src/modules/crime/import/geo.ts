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
  private readonly texts = new PointTexts();
  private size = 0;
  private readonly limit: number;
  private readonly findLsoa: LsoaFinder | null;
  constructor(findLsoa: LsoaFinder | null = null, limit = 500_000) {
    this.findLsoa = findLsoa;
    this.limit = limit;
  }

  /** The place met before with exactly this longitude and latitude text. */
  byText(longitude: string, latitude: string): PlaceInfo | undefined {
    return this.texts.get(longitude, latitude);
  }

  /** Remembers the text a place was read as. */
  rememberText(longitude: string, latitude: string, info: PlaceInfo): void {
    this.texts.set(longitude, latitude, info);
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

/**
 * Places by the text of their coordinates: open addressing on a hash of the characters,
 * which the reader computes faster than Map looks up two freshly read texts.
 */
class PointTexts {
  private slots = new Int32Array(1 << 12);
  private hashes: number[] = [0];
  private longitudes: string[] = [''];
  private latitudes: string[] = [''];
  private infos: Array<PlaceInfo | null> = [null];

  private static hash(a: string, b: string): number {
    let h = 0x811c9dc5;
    for (let i = 0; i < a.length; i++) h = Math.imul(h ^ a.charCodeAt(i), 16777619);
    h = Math.imul(h ^ 44, 16777619);
    for (let i = 0; i < b.length; i++) h = Math.imul(h ^ b.charCodeAt(i), 16777619);
    return h | 0;
  }

  get(a: string, b: string): PlaceInfo | undefined {
    const h = PointTexts.hash(a, b);
    const mask = this.slots.length - 1;
    for (let s = h & mask; ; s = (s + 1) & mask) {
      const e = this.slots[s]!;
      if (e === 0) return undefined;
      if (this.hashes[e] === h && this.longitudes[e] === a && this.latitudes[e] === b) return this.infos[e]!;
    }
  }

  set(a: string, b: string, info: PlaceInfo): void {
    if (this.get(a, b) !== undefined) return;
    if (this.infos.length * 2 > this.slots.length) this.grow();
    const e = this.infos.length;
    // Copies: the texts read are slices of a whole decoded piece of the file, which they would keep alive.
    this.longitudes.push((' ' + a).slice(1));
    this.latitudes.push((' ' + b).slice(1));
    this.hashes.push(PointTexts.hash(a, b));
    this.infos.push(info);
    this.place(e);
  }

  private place(e: number): void {
    const mask = this.slots.length - 1;
    let s = this.hashes[e]! & mask;
    while (this.slots[s] !== 0) s = (s + 1) & mask;
    this.slots[s] = e;
  }

  private grow(): void {
    this.slots = new Int32Array(this.slots.length * 2);
    for (let e = 1; e < this.infos.length; e++) this.place(e);
  }

  clear(): void {
    this.slots = new Int32Array(1 << 12);
    this.hashes = [0];
    this.longitudes = [''];
    this.latitudes = [''];
    this.infos = [null];
  }
}
