import type { MigrationSet } from '../../platform/db/migrate.ts';

/**
 * The forecast module's one table: computed risk surfaces and backtest figures, kept until
 * the crime data changes. A row is good only while its data_version equals the crime
 * module's current one; a later computation for the same request replaces it.
 */
export const forecastMigrations: MigrationSet = {
  module: 'forecast',
  migrations: [
    {
      name: '001_results',
      async up(db) {
        await db.schema
          .createTable('forecast_results')
          // 'surface' (the risk surface) or 'accuracy' (the method's recent backtest figures)
          .addColumn('kind', 'text', (c) => c.notNull())
          // the crime types as a JSON array, sorted
          .addColumn('crime_types', 'text', (c) => c.notNull())
          // the month forecast, YYYY-MM
          .addColumn('period', 'text', (c) => c.notNull())
          .addColumn('method', 'text', (c) => c.notNull())
          .addColumn('cell_size', 'integer', (c) => c.notNull())
          .addColumn('data_version', 'bigint', (c) => c.notNull())
          .addColumn('computed_at', 'text', (c) => c.notNull())
          .addColumn('seconds', 'double precision', (c) => c.notNull())
          // the result as JSON text
          .addColumn('payload', 'text', (c) => c.notNull())
          .addPrimaryKeyConstraint('forecast_results_pk', ['kind', 'crime_types', 'period', 'method', 'cell_size'])
          .execute();
      },
    },
  ],
};
