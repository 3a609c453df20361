import { sql } from 'kysely';
import type { MigrationSet } from '../../platform/db/migrate.ts';
import { withId } from '../../platform/db/migrate.ts';

/**
 * Crime records from data.police.uk and forces' own extracts, in one shape; outcomes as
 * published; stop and search with every published field. Months are 'YYYY-MM' text,
 * instants ISO 8601 UTC text, H3 cells 15-character hex strings.
 */
export const crimeMigrations: MigrationSet = {
  module: 'crime',
  migrations: [
    {
      name: '001_records',
      async up(db, dialect) {
        await withId(db.schema.createTable('crime_records'), dialect)
          // Where the record came from: 'police.uk' or the name of a CSV mapping.
          .addColumn('source', 'text', (c) => c.notNull())
          // The identity that makes re-import idempotent: the Crime ID where there is one,
          // else a hash of the row's content and its occurrence number within its file.
          .addColumn('record_key', 'text', (c) => c.notNull().unique())
          .addColumn('crime_id', 'text')
          .addColumn('month', 'text', (c) => c.notNull())
          .addColumn('occurred_at', 'text')
          .addColumn('reported_by', 'text')
          .addColumn('falls_within', 'text')
          .addColumn('longitude', 'double precision')
          .addColumn('latitude', 'double precision')
          .addColumn('easting', 'integer')
          .addColumn('northing', 'integer')
          .addColumn('location', 'text')
          .addColumn('lsoa_code', 'text')
          .addColumn('lsoa_name', 'text')
          .addColumn('crime_type', 'text', (c) => c.notNull())
          .addColumn('last_outcome', 'text')
          // The month of the file or outcome that last set last_outcome: a later one wins.
          .addColumn('outcome_month', 'text')
          .addColumn('context', 'text')
          .addColumn('located', 'integer', (c) => c.notNull())
          .addColumn('h3_7', 'text')
          .addColumn('h3_8', 'text')
          .addColumn('h3_9', 'text')
          .addColumn('h3_10', 'text')
          .addColumn('source_file', 'text', (c) => c.notNull())
          .addColumn('source_line', 'integer', (c) => c.notNull())
          .addColumn('imported_at', 'text', (c) => c.notNull())
          .addColumn('updated_at', 'text', (c) => c.notNull())
          // A Crime ID is the record's identity, so outcomes join their crime through the
          // record_key index: a second index on crime_id (random 64-character hashes) cost
          // about a seventh of an import's time to maintain.
          .addCheckConstraint('crime_records_crime_id_is_key', sql`crime_id is null or crime_id = record_key`)
          .execute();
        await db.schema.createIndex('crime_records_month_type').on('crime_records').columns(['month', 'crime_type']).execute();
        await db.schema.createIndex('crime_records_lsoa').on('crime_records').column('lsoa_code').execute();
        await db.schema.createIndex('crime_records_h3_10').on('crime_records').column('h3_10').execute();

        await withId(db.schema.createTable('crime_outcomes'), dialect)
          .addColumn('record_key', 'text', (c) => c.notNull().unique())
          .addColumn('crime_id', 'text', (c) => c.notNull())
          .addColumn('month', 'text', (c) => c.notNull())
          .addColumn('outcome_type', 'text', (c) => c.notNull())
          .addColumn('falls_within', 'text')
          .addColumn('source_file', 'text', (c) => c.notNull())
          .addColumn('source_line', 'integer', (c) => c.notNull())
          .addColumn('imported_at', 'text', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('crime_outcomes_crime_id').on('crime_outcomes').column('crime_id').execute();

        await withId(db.schema.createTable('stop_searches'), dialect)
          .addColumn('record_key', 'text', (c) => c.notNull().unique())
          .addColumn('force', 'text')
          .addColumn('search_type', 'text', (c) => c.notNull())
          .addColumn('occurred_at', 'text', (c) => c.notNull())
          .addColumn('month', 'text', (c) => c.notNull())
          .addColumn('part_of_operation', 'integer')
          .addColumn('operation_name', 'text')
          .addColumn('longitude', 'double precision')
          .addColumn('latitude', 'double precision')
          .addColumn('easting', 'integer')
          .addColumn('northing', 'integer')
          .addColumn('located', 'integer', (c) => c.notNull())
          .addColumn('h3_8', 'text')
          .addColumn('gender', 'text')
          .addColumn('age_range', 'text')
          .addColumn('ethnicity_self_defined', 'text')
          .addColumn('ethnicity_officer_defined', 'text')
          .addColumn('legislation', 'text')
          .addColumn('object_of_search', 'text')
          .addColumn('outcome', 'text')
          .addColumn('outcome_linked_to_object', 'integer')
          .addColumn('removal_of_more_than_outer_clothing', 'integer')
          .addColumn('source_file', 'text', (c) => c.notNull())
          .addColumn('source_line', 'integer', (c) => c.notNull())
          .addColumn('imported_at', 'text', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('stop_searches_month').on('stop_searches').column('month').execute();

        // Bumped by every import that changes anything: query caches compare it to know they are stale.
        await db.schema
          .createTable('crime_data_version')
          .addColumn('id', 'integer', (c) => c.primaryKey())
          .addColumn('version', 'bigint', (c) => c.notNull())
          .addColumn('changed_at', 'text', (c) => c.notNull())
          .execute();
        await db.insertInto('crime_data_version').values({ id: 1, version: 0, changed_at: new Date().toISOString() }).execute();
      },
    },
    {
      // ONS LSOA 2011 polygons (GeoJSON geometry text, WGS84), for maps and for placing
      // records that arrive with coordinates but no LSOA. The box is a cheap prefilter.
      name: '002_lsoa_boundaries',
      async up(db) {
        await db.schema
          .createTable('lsoa_boundaries')
          .addColumn('lsoa_code', 'text', (c) => c.primaryKey())
          .addColumn('lsoa_name', 'text', (c) => c.notNull())
          .addColumn('geometry', 'text', (c) => c.notNull())
          .addColumn('min_longitude', 'double precision', (c) => c.notNull())
          .addColumn('min_latitude', 'double precision', (c) => c.notNull())
          .addColumn('max_longitude', 'double precision', (c) => c.notNull())
          .addColumn('max_latitude', 'double precision', (c) => c.notNull())
          .addColumn('source_file', 'text', (c) => c.notNull())
          .addColumn('imported_at', 'text', (c) => c.notNull())
          .addColumn('updated_at', 'text', (c) => c.notNull())
          .execute();
      },
    },
    {
      // No query reads records by LSOA or by resolution-10 cell through SQL: the map and its
      // tables count from the in-memory cube (read whole, in id order), records are fetched
      // by id, and the SQL twins of the cube's counts filter by month. The two indexes were
      // kept up on every insert for nothing: inserting the 301,838 Leicestershire rows into
      // SQLite took 4.5–4.8 s of CPU with them and 3.7–3.9 s without.
      name: '003_drop_unread_record_indexes',
      async up(db) {
        await db.schema.dropIndex('crime_records_lsoa').ifExists().execute();
        await db.schema.dropIndex('crime_records_h3_10').ifExists().execute();
      },
    },
    {
      // A record's cells at resolutions 7–9 were always h3-js cellToParent of its resolution
      // 10 cell, so they are derived when read (read-store's cellParents, once per distinct
      // cell) instead of stored: 45 bytes and three values fewer per record to write.
      name: '004_record_cells_from_finest',
      async up(db) {
        for (const column of ['h3_7', 'h3_8', 'h3_9']) await db.schema.alterTable('crime_records').dropColumn(column).execute();
      },
    },
  ],
};
