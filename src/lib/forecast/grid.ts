/**
 * A regular square grid in British National Grid metres (EPSG:27700), and the study area
 * on it: the cells that held at least one event over the whole period.
 *
 * Cell ids are row-major from a fixed origin, so the same place keeps the same id across
 * runs, periods and crime types: id = row × columns + column, with
 * column = ⌊(easting − originEasting) / cellSize⌋ and row = ⌊(northing − originNorthing) / cellSize⌋.
 * The grid spans the whole of Great Britain's grid (eastings 0–700 km, northings 0–1300 km),
 * so ids do not depend on which events happen to be loaded.
 */

/** Eastings and northings of Great Britain's national grid, in metres. */
export const BNG_MAX_EASTING = 700_000;
export const BNG_MAX_NORTHING = 1_300_000;

export interface Grid {
  cellSize: number;
  originEasting: number;
  originNorthing: number;
  columns: number;
  rows: number;
}

export interface GridOptions {
  /** metres; 250 by default */
  cellSize?: number;
  /** south-west corner of cell 0; 0 by default, −cellSize/2 for a half-cell shift */
  originEasting?: number;
  originNorthing?: number;
}

export function makeGrid(options: GridOptions = {}): Grid {
  const cellSize = options.cellSize ?? 250;
  const originEasting = options.originEasting ?? 0;
  const originNorthing = options.originNorthing ?? 0;
  // Ids are Int32: at 25 m the national grid already has 1.5e9 cells.
  if (!(cellSize >= 25)) throw new RangeError(`cell size must be at least 25 m, not ${cellSize}`);
  if (originEasting > 0 || originEasting <= -cellSize || originNorthing > 0 || originNorthing <= -cellSize) {
    throw new RangeError('grid origin must lie within one cell south-west of (0, 0)');
  }
  return {
    cellSize,
    originEasting,
    originNorthing,
    columns: Math.ceil((BNG_MAX_EASTING - originEasting) / cellSize),
    rows: Math.ceil((BNG_MAX_NORTHING - originNorthing) / cellSize),
  };
}

/**
 * The four grids of the grid-offset sensitivity test: the default grid and the same grid
 * shifted by half a cell east, north, and both (the modifiable areal unit problem).
 */
export function halfCellShiftedGrids(cellSize = 250): Grid[] {
  const half = -cellSize / 2;
  return [
    makeGrid({ cellSize }),
    makeGrid({ cellSize, originEasting: half }),
    makeGrid({ cellSize, originNorthing: half }),
    makeGrid({ cellSize, originEasting: half, originNorthing: half }),
  ];
}

/** The id of the cell holding a point, or −1 when it lies off the national grid. */
export function cellOf(grid: Grid, easting: number, northing: number): number {
  const column = Math.floor((easting - grid.originEasting) / grid.cellSize);
  const row = Math.floor((northing - grid.originNorthing) / grid.cellSize);
  if (!(column >= 0 && column < grid.columns && row >= 0 && row < grid.rows)) return -1;
  return row * grid.columns + column;
}

/** The cell ids of many points at once (−1 for points off the grid). */
export function cellsOf(grid: Grid, eastings: ArrayLike<number>, northings: ArrayLike<number>): Int32Array {
  const ids = new Int32Array(eastings.length);
  for (let i = 0; i < eastings.length; i++) ids[i] = cellOf(grid, eastings[i]!, northings[i]!);
  return ids;
}

export function cellRow(grid: Grid, id: number): number {
  return Math.floor(id / grid.columns);
}

export function cellColumn(grid: Grid, id: number): number {
  return id % grid.columns;
}

export function cellCentre(grid: Grid, id: number): { easting: number; northing: number } {
  return {
    easting: grid.originEasting + (cellColumn(grid, id) + 0.5) * grid.cellSize,
    northing: grid.originNorthing + (cellRow(grid, id) + 0.5) * grid.cellSize,
  };
}

/**
 * The cells that held at least one event, ascending by id. Predictors score these cells
 * in this order (index i ↔ cells[i]), so ranking ties broken by index are broken by cell id.
 */
export interface StudyArea {
  cells: Int32Array;
  /** cell id → its index in `cells` */
  indexOfCell: Map<number, number>;
}

/** The study area from every event's cell id over the whole period (off-grid ids, −1, are ignored). */
export function studyAreaOf(cellIds: ArrayLike<number>): StudyArea {
  const unique = new Set<number>();
  for (let i = 0; i < cellIds.length; i++) if (cellIds[i]! >= 0) unique.add(cellIds[i]!);
  const cells = Int32Array.from(unique).sort();
  const indexOfCell = new Map<number, number>();
  cells.forEach((id, i) => indexOfCell.set(id, i));
  return { cells, indexOfCell };
}

/** Each event's index in the study area, or −1 for events outside it. */
export function studyIndexesOf(study: StudyArea, cellIds: ArrayLike<number>): Int32Array {
  const out = new Int32Array(cellIds.length);
  for (let i = 0; i < cellIds.length; i++) out[i] = study.indexOfCell.get(cellIds[i]!) ?? -1;
  return out;
}

/**
 * The study index of the cell `dRow` rows and `dColumn` columns from study cell `source`, or
 * undefined when that cell is off the grid or outside the study area.
 */
export function studyNeighbour(grid: Grid, study: StudyArea, source: number, dRow: number, dColumn: number): number | undefined {
  const id = study.cells[source]!;
  const r = cellRow(grid, id) + dRow;
  const c = cellColumn(grid, id) + dColumn;
  if (r < 0 || r >= grid.rows || c < 0 || c >= grid.columns) return undefined;
  return study.indexOfCell.get(r * grid.columns + c);
}

/** Events per study cell (events outside the study area are not counted). */
export function countByCell(studyCells: number, studyIndexes: ArrayLike<number>): Float64Array {
  const counts = new Float64Array(studyCells);
  for (let i = 0; i < studyIndexes.length; i++) {
    const c = studyIndexes[i]!;
    if (c >= 0) counts[c]! += 1;
  }
  return counts;
}

/**
 * One id per distinct point across all the point sets given (the same easting and northing,
 * exactly, give the same id in every set): for CellEvents.place.
 */
export function pointIds(...sets: ReadonlyArray<{ easting: ArrayLike<number>; northing: ArrayLike<number> }>): Int32Array[] {
  const ids = new Map<number, Map<number, number>>();
  let next = 0;
  return sets.map(({ easting, northing }) => {
    const out = new Int32Array(easting.length);
    for (let i = 0; i < easting.length; i++) {
      let column = ids.get(easting[i]!);
      if (!column) ids.set(easting[i]!, (column = new Map()));
      let id = column.get(northing[i]!);
      if (id === undefined) column.set(northing[i]!, (id = next++));
      out[i] = id;
    }
    return out;
  });
}
