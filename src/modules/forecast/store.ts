import type { Kysely } from 'kysely';
import type { Db } from '../../platform/db/index.ts';

/** Data access for computed forecasts (the only SQL of the forecast module). */

interface ResultsTable {
  kind: string;
  crime_types: string;
  period: string;
  method: string;
  cell_size: number;
  data_version: number;
  computed_at: string;
  seconds: number;
  payload: string;
}

const t = (db: Db) => db as Kysely<{ forecast_results: ResultsTable }>;

export type ResultKind = 'surface' | 'accuracy';

export interface ResultKey {
  kind: ResultKind;
  /** sorted */
  types: readonly string[];
  period: string;
  method: string;
  cellSize: number;
}

export interface StoredResult {
  dataVersion: number;
  computedAt: string;
  seconds: number;
  payload: string;
}

const where = (key: ResultKey) => ({ kind: key.kind, crime_types: JSON.stringify(key.types), period: key.period, method: key.method, cell_size: key.cellSize });

/** The stored result for a request, whatever data version it was computed from. */
export async function readResult(db: Db, key: ResultKey): Promise<StoredResult | null> {
  const w = where(key);
  const row = await t(db)
    .selectFrom('forecast_results')
    .select(['data_version', 'computed_at', 'seconds', 'payload'])
    .where('kind', '=', w.kind)
    .where('crime_types', '=', w.crime_types)
    .where('period', '=', w.period)
    .where('method', '=', w.method)
    .where('cell_size', '=', w.cell_size)
    .executeTakeFirst();
  return row ? { dataVersion: Number(row.data_version), computedAt: row.computed_at, seconds: Number(row.seconds), payload: row.payload } : null;
}

/** Stores a result, replacing any for the same request; drops results of older data versions. */
export async function writeResult(db: Db, key: ResultKey, result: StoredResult): Promise<void> {
  const w = where(key);
  await db.transaction().execute(async (trx) => {
    await t(trx).deleteFrom('forecast_results').where('data_version', '<', result.dataVersion).execute();
    await t(trx)
      .insertInto('forecast_results')
      .values({ ...w, data_version: result.dataVersion, computed_at: result.computedAt, seconds: result.seconds, payload: result.payload })
      .onConflict((oc) =>
        oc.columns(['kind', 'crime_types', 'period', 'method', 'cell_size']).doUpdateSet({
          data_version: result.dataVersion,
          computed_at: result.computedAt,
          seconds: result.seconds,
          payload: result.payload,
        }),
      )
      .execute();
  });
}

export async function countResults(db: Db): Promise<number> {
  const row = await t(db).selectFrom('forecast_results').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}
