import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LOCAL_FALSE_EASTING, LOCAL_FALSE_NORTHING, projectAll, projectionFor, projectionOf } from './projection.ts';

/** Great-circle distance on a sphere of the WGS84 mean radius (haversine), metres. */
function haversine(lon1: number, lat1: number, lon2: number, lat2: number): number {
  const r = 6_371_008.8;
  const rad = Math.PI / 180;
  const a = Math.sin(((lat2 - lat1) * rad) / 2) ** 2 + Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(((lon2 - lon1) * rad) / 2) ** 2;
  return 2 * r * Math.asin(Math.sqrt(a));
}

test('outside Great Britain: azimuthal equidistant at the median point, distances from it true', () => {
  const lon = Float64Array.from([-87.7, -87.6, -87.65, -87.9]);
  const lat = Float64Array.from([41.8, 41.9, 41.85, 41.7]);
  const p = projectionFor(lon, lat);
  assert.match(p.definition, /\+proj=aeqd \+lat_0=41\.850000 \+lon_0=-87\.650000/);
  const [x0, y0] = p.forward(-87.65, 41.85);
  assert.ok(Math.abs(x0 - LOCAL_FALSE_EASTING) < 1e-6 && Math.abs(y0 - LOCAL_FALSE_NORTHING) < 1e-6);
  // a point 0.25° west and 0.15° south: distance from the centre agrees with the sphere within 0.3%
  const [x, y] = p.forward(-87.9, 41.7);
  const d = Math.hypot(x - x0, y - y0);
  const expected = haversine(-87.65, 41.85, -87.9, 41.7);
  assert.ok(Math.abs(d / expected - 1) < 0.003, `${d} vs ${expected}`);
  // east is +x, north is +y
  const all = projectAll(p, lon, lat);
  assert.ok(all.easting[1]! > all.easting[0]! && all.northing[1]! > all.northing[0]!);
});

test('inside Great Britain: the British National Grid (Leicester clock tower ≈ 458,700 E, 304,500 N)', () => {
  const p = projectionFor(Float64Array.from([-1.1339]), Float64Array.from([52.6363]));
  const [e, n] = p.forward(-1.1339, 52.6363);
  assert.ok(Math.abs(e - 458_700) < 300 && Math.abs(n - 304_500) < 300, `${e}, ${n}`);
});

test('inverse undoes forward (to draw cells on the map), both kinds, within a centimetre', () => {
  for (const [lon, lat] of [
    [-87.9, 41.7],
    [-1.1339, 52.6363],
  ] as const) {
    const p = projectionOf(projectionFor(Float64Array.from([lon, lon + 0.2]), Float64Array.from([lat, lat + 0.1])).definition);
    const [x, y] = p.forward(lon + 0.05, lat + 0.03);
    const [lon2, lat2] = p.inverse(x, y);
    const [x2, y2] = p.forward(lon2, lat2);
    assert.ok(Math.abs(lon2 - (lon + 0.05)) < 1e-7 && Math.abs(lat2 - (lat + 0.03)) < 1e-7, `${lon2}, ${lat2}`);
    assert.ok(Math.hypot(x2 - x, y2 - y) < 1e-2);
  }
  // 1 km east of the Chicago centre is 1 km east on the ground: about 0.01204° of longitude at 41.85° N
  const c = projectionOf(projectionFor(Float64Array.from([-87.65]), Float64Array.from([41.85])).definition);
  const [east] = c.inverse(LOCAL_FALSE_EASTING + 1000, LOCAL_FALSE_NORTHING);
  assert.ok(Math.abs(east - -87.65 - 1000 / (111_320 * Math.cos((41.85 * Math.PI) / 180))) < 2e-5, String(east));
});
