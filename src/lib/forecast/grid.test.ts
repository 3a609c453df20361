import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cellCentre, cellOf, cellsOf, countByCell, halfCellShiftedGrids, makeGrid, pointIds, studyAreaOf, studyIndexesOf } from './grid.ts';

test('the default grid has 250 m cells over the whole national grid', () => {
  const grid = makeGrid();
  assert.deepEqual(grid, { cellSize: 250, originEasting: 0, originNorthing: 0, columns: 2800, rows: 5200 });
  assert.equal(makeGrid({ cellSize: 300 }).columns, 2334); // ⌈700000 / 300⌉ = ⌈2333.3⌉
});

test('cell ids are row-major from the origin', () => {
  const grid = makeGrid();
  assert.equal(cellOf(grid, 0, 0), 0);
  assert.equal(cellOf(grid, 249.99, 0), 0);
  assert.equal(cellOf(grid, 250, 0), 1);
  assert.equal(cellOf(grid, 0, 250), 2800);
  // Leicester: column ⌊460123/250⌋ = 1840, row ⌊305987/250⌋ = 1223 → 1223 × 2800 + 1840
  assert.equal(cellOf(grid, 460123, 305987), 3426240);
  assert.deepEqual(cellCentre(grid, 3426240), { easting: 460125, northing: 305875 });
  assert.deepEqual(Array.from(cellsOf(grid, [0, 460123], [250, 305987])), [2800, 3426240]);
});

test('points off the national grid have no cell', () => {
  const grid = makeGrid();
  assert.equal(cellOf(grid, -1, 5), -1);
  assert.equal(cellOf(grid, 700000, 0), -1);
  assert.equal(cellOf(grid, 5, 1300000), -1);
  assert.equal(cellOf(grid, NaN, 5), -1);
});

test('a half-cell shift moves the origin south-west and renumbers the cells', () => {
  const grids = halfCellShiftedGrids(250);
  assert.deepEqual(grids.map((g) => [g.originEasting, g.originNorthing]), [[0, 0], [-125, 0], [0, -125], [-125, -125]]);
  const both = grids[3]!;
  assert.equal(both.columns, 2801); // ⌈700125 / 250⌉
  // column ⌊460248/250⌋ = 1840, row ⌊306112/250⌋ = 1224 → 1224 × 2801 + 1840
  assert.equal(cellOf(both, 460123, 305987), 3430264);
  assert.deepEqual(cellCentre(both, 3430264), { easting: 460000, northing: 306000 });
  // two points 20 m apart either side of a default cell edge share a cell on the east-shifted grid
  assert.notEqual(cellOf(grids[0]!, 490, 10), cellOf(grids[0]!, 510, 10));
  assert.equal(cellOf(grids[1]!, 490, 10), cellOf(grids[1]!, 510, 10));
});

test('grids that would renumber or overflow are refused', () => {
  assert.throws(() => makeGrid({ cellSize: 10 }), RangeError);
  assert.throws(() => makeGrid({ originEasting: 10 }), RangeError);
  assert.throws(() => makeGrid({ originNorthing: -250 }), RangeError);
});

test('the study area is the cells holding at least one event, ascending by id', () => {
  const study = studyAreaOf([5000, 30, 5000, -1, 1000, 30]);
  assert.deepEqual(Array.from(study.cells), [30, 1000, 5000]);
  assert.deepEqual(Array.from(studyIndexesOf(study, [1000, 5000, 31, 30])), [1, 2, -1, 0]);
  assert.deepEqual(Array.from(countByCell(3, [2, 0, 2, -1, 2])), [1, 0, 3]);
});

test('pointIds gives the same id to the same point in every set, and different ids otherwise', () => {
  const [a, b] = pointIds({ easting: [460000.5, 460000.5, 460000.5, 1], northing: [300000, 300000.25, 300000, 1] }, { easting: [1, 460000.5, 7], northing: [1, 300000.25, 7] });
  // a: (460000.5, 300000) → 0, (460000.5, 300000.25) → 1, again 0, (1, 1) → 2; b: (1, 1) → 2, then 1, (7, 7) → 3
  assert.deepEqual(Array.from(a!), [0, 1, 0, 2]);
  assert.deepEqual(Array.from(b!), [2, 1, 3]);
  assert.deepEqual(pointIds({ easting: [], northing: [] }).map((x) => x.length), [0]);
});
