import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cellToBoundary, cellToParent, getResolution, latLngToCell } from 'h3-js';
import proj4 from 'proj4';
import { BNG_PROJ, fromBng, fromUtm, h3Cells, PlaceCache, toBng } from './geo.ts';

const dms = (d: number, m: number, s: number) => d + m / 60 + s / 3600;
const near = (actual: number, expected: number, tolerance: number, what: string) =>
  assert.ok(Math.abs(actual - expected) <= tolerance, `${what}: ${actual} is not within ${tolerance} of ${expected}`);

test('BNG projection: the Ordnance Survey worked example, to the millimetre', () => {
  // OS, "A guide to coordinate systems in Great Britain", Annex C: OSGB36 (Airy 1830)
  // 52°39′27.2531″N 1°43′4.5177″E projects to E 651409.903, N 313177.270.
  const tm = proj4('+proj=longlat +ellps=airy +no_defs', BNG_PROJ.replace(/ \+towgs84=\S+/, ''));
  const [e, n] = tm.forward([dms(1, 43, 4.5177), dms(52, 39, 27.2531)]) as [number, number];
  near(e, 651409.903, 0.001, 'easting');
  near(n, 313177.27, 0.001, 'northing');
});

test('WGS84 to BNG with the Helmert shift: the same point (Caister water tower) within a few metres', () => {
  // The OS example point's WGS84/ETRS89 position, 52°39′28.723″N 1°42′57.787″E, as published
  // with its grid reference (651409.903, 313177.270) in C. Veness's OS grid reference pages.
  const g = toBng(dms(1, 42, 57.787), dms(52, 39, 28.723));
  near(g.easting, 651409.903, 3, 'easting');
  near(g.northing, 313177.27, 3, 'northing');
  const back = fromBng(651409.903, 313177.27);
  near(back.longitude, dms(1, 42, 57.787), 0.00005, 'longitude');
  near(back.latitude, dms(52, 39, 28.723), 0.00005, 'latitude');
});

test('H3 cells against published values', () => {
  // h3-js README; H3 documentation (CLI example); Snowflake's H3_LATLNG_TO_CELL_STRING example
  // for the Brandenburg Gate; the h3r package example (Melbourne).
  assert.equal(latLngToCell(37.3615593, -122.0553238, 7), '87283472bffffff');
  assert.equal(latLngToCell(45, 40, 2), '822d57fffffffff');
  assert.equal(latLngToCell(-37.820197, 144.983324, 12), '8cbe63562a54bff');
  const [h7, h8, h9, h10] = h3Cells(52.516262, 13.377704);
  assert.equal(h8, '881f1d4887fffff');
  assert.deepEqual([h7, h8, h9, h10].map(getResolution), [7, 8, 9, 10]);
});

test('a record gets its resolution-10 cell and that cell’s ancestors', () => {
  const lat = 52.634;
  const lon = -1.133;
  const [h7, h8, h9, h10] = h3Cells(lat, lon);
  assert.equal(h10, latLngToCell(lat, lon, 10));
  assert.deepEqual([h7, h8, h9], [cellToParent(h10, 7), cellToParent(h10, 8), cellToParent(h10, 9)]);
  // The point lies inside its cell's outline (ray casting, done here independently).
  const ring = cellToBoundary(h10, true);
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i]!;
    const [xj, yj] = ring[j]!;
    if (yi! > lat !== yj! > lat && lon < ((xj! - xi!) * (lat - yi!)) / (yj! - yi!) + xi!) inside = !inside;
  }
  assert.ok(inside);
});

test('UTM zone 10N (NAD83) to WGS84', () => {
  // Easting 500,000 is the zone's central meridian, 123°W, at every northing.
  near(fromUtm(500000, 5_400_000, 10, false, 'NAD83').longitude, -123, 1e-9, 'central meridian');
  // Vancouver City Hall (453 W 12th Ave, about 49.2609 N 123.1139 W) is near E 491,730, N 5,456,480.
  const p = fromUtm(491730, 5456480, 10, false, 'NAD83');
  near(p.latitude, 49.2609, 0.001, 'latitude');
  near(p.longitude, -123.1139, 0.001, 'longitude');
});

test('the place cache computes once per coordinate pair and only grids points in Great Britain', () => {
  let lookups = 0;
  const cache = new PlaceCache(() => {
    lookups++;
    return { code: 'E01000001', name: 'Somewhere 001A' };
  });
  const a = cache.get(-1.133, 52.634);
  const b = cache.get(-1.133, 52.634);
  assert.equal(a, b);
  assert.equal(lookups, 1);
  assert.notEqual(cache.get(-1.133, 52.635), a);
  assert.equal(lookups, 2);
  assert.ok(a.easting! > 400_000 && a.easting! < 500_000);
  const abroad = cache.get(13.377704, 52.516262);
  assert.equal(abroad.easting, null);
  assert.equal(cellToParent(abroad.h3_10, 8), '881f1d4887fffff');
});
