import { allParts } from '../../app.ts';
import { openDatabase, type Db } from '../../platform/db/index.ts';
import { migrate } from '../../platform/db/migrate.ts';
import { insertCrimeRecords } from '../crime/store.ts';

/**
 * A small synthetic force for the backtest tests, written straight into the crime records: twenty
 * 250 m cells in a row (cell j centred at easting 450 125 + 250 j, northing 300 125), a theft in
 * every cell in 2022-01 (so all twenty are the study area), and burglaries placed so the naive
 * methods' hit rates can be worked by hand (see service.test.ts).
 */

export const FIXTURE_EASTING = 450_125;
export const FIXTURE_NORTHING = 300_125;

interface Row {
  month: string;
  type: string;
  /** the cell, 0–19; null for a record with no location */
  cell: number | null;
  /** located by longitude/latitude but with no British National Grid point (outside GB) */
  noBng?: boolean;
}

const burglaries = (month: string, cells: Record<number, number>): Row[] =>
  Object.entries(cells).flatMap(([cell, count]) => Array.from({ length: count }, () => ({ month, type: 'Burglary', cell: Number(cell) })));

export const FIXTURE_ROWS: Row[] = [
  ...Array.from({ length: 20 }, (_, cell) => ({ month: '2022-01', type: 'Theft from the person', cell })),
  // older than any training window used in the tests: must never be counted
  ...burglaries('2021-12', { 15: 4 }),
  ...burglaries('2022-01', { 3: 3, 7: 1 }),
  ...burglaries('2022-02', { 7: 2, 12: 1 }),
  ...burglaries('2022-03', { 7: 1, 3: 1, 15: 2 }),
  ...burglaries('2022-04', { 12: 2, 3: 1, 0: 1 }),
  // left out of every count: no location, another type, a point off the national grid
  { month: '2022-03', type: 'Burglary', cell: null },
  { month: '2022-03', type: 'Robbery', cell: 0 },
  { month: '2022-04', type: 'Burglary', cell: 5, noBng: true },
];

export async function insertForecastFixture(db: Db): Promise<void> {
  const now = new Date().toISOString();
  const values = FIXTURE_ROWS.map((r, i) => {
    const located = r.cell !== null;
    const bng = located && !r.noBng;
    return {
      source: 'police.uk',
      record_key: `forecast-fixture-${i}`,
      crime_id: null,
      month: r.month,
      occurred_at: null,
      reported_by: 'Testshire Police',
      falls_within: 'Testshire Police',
      longitude: located ? -1.1 : null,
      latitude: located ? 52.6 : null,
      easting: bng ? FIXTURE_EASTING + 250 * r.cell! : null,
      northing: bng ? FIXTURE_NORTHING : null,
      location: located ? 'On or near Fixture Street' : 'No location',
      lsoa_code: null,
      lsoa_name: null,
      crime_type: r.type,
      last_outcome: null,
      outcome_month: null,
      context: null,
      located: located ? 1 : 0,
      h3_10: null,
      source_file: 'forecast-fixture.csv',
      source_line: i + 2,
      imported_at: now,
      updated_at: now,
    };
  });
  await insertCrimeRecords(db, values);
}

/** Migrates the database at `url` and writes the fixture force into it (for tests that run `peel`). */
export async function seedForecastFixture(url: string): Promise<void> {
  const database = openDatabase(url);
  try {
    await migrate(database.db, database.dialect, allParts().flatMap((m) => (m.migrations ? [m.migrations] : [])));
    await insertForecastFixture(database.db);
  } finally {
    await database.close();
  }
}
