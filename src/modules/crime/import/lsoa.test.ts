import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FeatureSplitter, inPolygon, isBngCrs, lsoaFinder, toBoundary, type Boundary } from './lsoa.ts';

const square = (x0: number, y0: number, size: number) => [
  [x0, y0],
  [x0 + size, y0],
  [x0 + size, y0 + size],
  [x0, y0 + size],
  [x0, y0],
];

const collection = {
  type: 'FeatureCollection',
  crs: { type: 'name', properties: { name: 'urn:ogc:def:crs:OGC:1.3:CRS84' } },
  features: [
    { type: 'Feature', properties: { LSOA11CD: 'E01000001', LSOA11NM: 'Alpha 001A', note: 'braces { and ] in "strings"' }, geometry: { type: 'Polygon', coordinates: [square(-1.2, 52.6, 0.1), square(-1.17, 52.63, 0.02)] } },
    { type: 'Feature', properties: { LSOA11CD: 'E01000002', LSOA11NM: 'Beta 001B' }, geometry: { type: 'MultiPolygon', coordinates: [[square(-1.1, 52.6, 0.05)], [square(-1.0, 52.6, 0.05)]] } },
  ],
};

test('features are split out of a FeatureCollection pushed in pieces of any size', () => {
  const text = JSON.stringify(collection, null, 1);
  for (const size of [1, 2, 3, 7, 64, text.length]) {
    const seen: unknown[] = [];
    const s = new FeatureSplitter((f) => seen.push(f));
    for (let i = 0; i < text.length; i += size) s.push(text.slice(i, i + size));
    s.end();
    assert.deepEqual(seen, collection.features, `pieces of ${size}`);
    assert.equal(isBngCrs(s.header), false);
  }
  assert.throws(() => {
    const s = new FeatureSplitter(() => {});
    s.push(text.slice(0, text.length - 10));
    s.end();
  }, /ends before/);
});

test('boundaries are checked; their boxes are computed', () => {
  const b = toBoundary(collection.features[1], false) as Boundary;
  assert.deepEqual([b.lsoaCode, b.lsoaName, b.minLongitude, b.maxLongitude, b.minLatitude, b.maxLatitude], ['E01000002', 'Beta 001B', -1.1, -0.95, 52.6, 52.65]);
  assert.match(toBoundary({ properties: { LSOA11NM: 'x' }, geometry: null }, false) as string, /no LSOA11CD/);
  assert.match(toBoundary({ properties: { LSOA11CD: 'E01000003', LSOA11NM: 'x' }, geometry: { type: 'Point', coordinates: [0, 0] } }, false) as string, /Polygon or MultiPolygon/);
  assert.match(toBoundary({ properties: { LSOA11CD: 'E01000003', LSOA11NM: 'x' }, geometry: { type: 'Polygon', coordinates: [square(458000, 304000, 100)] } }, false) as string, /not longitude\/latitude/);
  // The same square given on the British National Grid, with the CRS saying so, is converted.
  const bng = toBoundary({ properties: { LSOA11CD: 'E01000003', LSOA11NM: 'x' }, geometry: { type: 'Polygon', coordinates: [square(458000, 304000, 100)] } }, true) as Boundary;
  assert.ok(bng.minLongitude > -1.2 && bng.maxLongitude < -1.1 && bng.minLatitude > 52.6 && bng.maxLatitude < 52.7);
  assert.equal(isBngCrs('"crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::27700"}}'), true);
});

test('point in polygon: holes are outside; the finder picks the right LSOA', () => {
  const alpha = collection.features[0]!.geometry.coordinates as number[][][];
  assert.equal(inPolygon(-1.19, 52.61, alpha), true);
  assert.equal(inPolygon(-1.16, 52.64, alpha), false, 'inside the hole');
  assert.equal(inPolygon(-1.3, 52.61, alpha), false);
  const find = lsoaFinder(collection.features.map((f) => toBoundary(f, false) as Boundary));
  assert.deepEqual(find(-1.19, 52.61), { code: 'E01000001', name: 'Alpha 001A' });
  assert.deepEqual(find(-0.97, 52.62), { code: 'E01000002', name: 'Beta 001B' });
  assert.equal(find(-1.16, 52.64), null);
  assert.equal(find(0.5, 51.5), null);
});
