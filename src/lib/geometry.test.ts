import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileArea, pointInArea, type AreaGeometry } from './geometry.ts';

const square: AreaGeometry = { type: 'Polygon', coordinates: [[[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]]] };
const withHole: AreaGeometry = {
  type: 'Polygon',
  coordinates: [
    [[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]],
    [[4, 4], [6, 4], [6, 6], [4, 6], [4, 4]],
  ],
};
// An L shape: the notch at the top right is outside.
const ell: AreaGeometry = { type: 'Polygon', coordinates: [[[0, 0], [10, 0], [10, 5], [5, 5], [5, 10], [0, 10], [0, 0]]] };
const two: AreaGeometry = {
  type: 'MultiPolygon',
  coordinates: [[[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]], [[[5, 5], [6, 5], [6, 6], [5, 6], [5, 5]]]],
};

test('points inside and outside a square', () => {
  assert.equal(pointInArea(square, 5, 5), true);
  assert.equal(pointInArea(square, 0.001, 9.999), true);
  assert.equal(pointInArea(square, -1, 5), false);
  assert.equal(pointInArea(square, 5, 10.5), false);
});

test('holes are outside', () => {
  assert.equal(pointInArea(withHole, 5, 5), false);
  assert.equal(pointInArea(withHole, 2, 2), true);
  assert.equal(pointInArea(withHole, 7, 5), true);
});

test('concave polygons', () => {
  assert.equal(pointInArea(ell, 2, 8), true);
  assert.equal(pointInArea(ell, 8, 2), true);
  assert.equal(pointInArea(ell, 8, 8), false);
});

test('multipolygons: inside any part', () => {
  assert.equal(pointInArea(two, 0.5, 0.5), true);
  assert.equal(pointInArea(two, 5.5, 5.5), true);
  assert.equal(pointInArea(two, 3, 3), false);
});

test('the bounding box of an area', () => {
  assert.deepEqual(compileArea(two).bbox, [0, 0, 6, 6]);
  assert.deepEqual(compileArea(ell).bbox, [0, 0, 10, 10]);
});

test('real lon/lat: a triangle over Leicester city centre', () => {
  const tri: AreaGeometry = { type: 'Polygon', coordinates: [[[-1.15, 52.62], [-1.11, 52.62], [-1.13, 52.65], [-1.15, 52.62]]] };
  assert.equal(pointInArea(tri, -1.13, 52.63), true); // clock tower-ish
  assert.equal(pointInArea(tri, -1.145, 52.645), false); // west of the left edge
});
