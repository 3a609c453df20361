import { sql } from 'kysely';
import type { Db } from '../../platform/db/index.ts';
import type { MigrationSet } from '../../platform/db/migrate.ts';
import { withId } from '../../platform/db/migrate.ts';
import { LABEL_COLUMNS } from './import/encode.ts';
import { identityHash, probeSlot } from './import/identity.ts';
import type { CrimeRecordRow } from './import/rows.ts';
import { internLabels, internPlaces, placeOf } from './store.ts';

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
    {
      // Compact records. Repeated texts (crime type, outcome, forces, location, LSOA, file,
      // times) become ids of `crime_labels`, the point with its grid reference and cell an id
      // of `crime_places`, and the unique key the identity's 53-bit hash (import/identity.ts)
      // instead of the 64-character text: a record took about 470 bytes and two B-trees of
      // long random keys, now about 170, and inserting the 301,838 Leicestershire records
      // cost SQLite about half the CPU. The view `crime_records` shows the records as the
      // table of that name did, for every reader; writers go through store.ts.
      name: '005_compact_records',
      async up(db, dialect) {
        await db.schema.alterTable('crime_records').renameTo('crime_records_004').execute();
        const serial = dialect === 'sqlite' ? 'integer' : 'serial';
        await db.schema
          .createTable('crime_labels')
          .addColumn('id', serial, (c) => c.primaryKey())
          .addColumn('label', 'text', (c) => c.notNull().unique())
          .execute();
        await db.schema
          .createTable('crime_places')
          .addColumn('id', serial, (c) => c.primaryKey())
          // import/encode.ts placeKey: the values below as text, so a point is stored once.
          .addColumn('place_key', 'text', (c) => c.notNull().unique())
          .addColumn('longitude', 'double precision', (c) => c.notNull())
          .addColumn('latitude', 'double precision', (c) => c.notNull())
          .addColumn('easting', 'integer')
          .addColumn('northing', 'integer')
          .addColumn('h3_10', 'text')
          .execute();
        // No foreign keys on the label and place ids: checking eleven of them on every insert
        // would cost more than the rest of the row; only store.ts writes them.
        await withId(db.schema.createTable('crime_record_rows'), dialect)
          // The slot of the identity (its hash, or the next free one after it).
          .addColumn('key_hash', 'bigint', (c) => c.notNull().unique())
          // The identity: the Crime ID, or for a record without one its content key or reference.
          .addColumn('crime_id', 'text')
          .addColumn('row_key', 'text')
          .addColumn('month', 'text', (c) => c.notNull())
          .addColumn('occurred_at', 'text')
          .addColumn('outcome_month', 'text')
          .addColumn('context', 'text')
          .addColumn('located', 'integer', (c) => c.notNull())
          .addColumn('place', 'integer')
          .addColumn('source_line', 'integer', (c) => c.notNull())
          .addColumn('source', 'integer', (c) => c.notNull())
          .addColumn('reported_by', 'integer')
          .addColumn('falls_within', 'integer')
          .addColumn('location', 'integer')
          .addColumn('lsoa_code', 'integer')
          .addColumn('lsoa_name', 'integer')
          .addColumn('crime_type', 'integer', (c) => c.notNull())
          .addColumn('last_outcome', 'integer')
          .addColumn('source_file', 'integer', (c) => c.notNull())
          .addColumn('imported_at', 'integer', (c) => c.notNull())
          .addColumn('updated_at', 'integer', (c) => c.notNull())
          .addCheckConstraint('crime_record_rows_one_identity', sql`(crime_id is null) <> (row_key is null)`)
          .execute();
        await db.schema.createIndex('crime_record_rows_month_type').on('crime_record_rows').columns(['month', 'crime_type']).execute();
        await copyRecords(db);
        // Ids are never reused (the audit log names records by id): carry the counter over.
        if (dialect === 'sqlite') {
          await sql`insert into sqlite_sequence (name, seq) select 'crime_record_rows', seq from sqlite_sequence where name = 'crime_records_004' and seq > coalesce((select max(seq) from sqlite_sequence where name = 'crime_record_rows'), 0)`.execute(db);
          await sql`delete from sqlite_sequence where name = 'crime_record_rows' and seq < (select max(seq) from sqlite_sequence where name = 'crime_record_rows')`.execute(db);
        } else {
          const { rows } = await sql<{ seq: string }>`select pg_get_serial_sequence('crime_records_004', 'id') as seq`.execute(db);
          const { rows: state } = await sql<{ last_value: number; is_called: boolean }>`select last_value, is_called from ${sql.raw(rows[0]!.seq)}`.execute(db);
          await sql`select setval(pg_get_serial_sequence('crime_record_rows', 'id'), greatest(${state[0]!.last_value}::bigint, coalesce((select max(id) from crime_record_rows), 1)), ${state[0]!.is_called})`.execute(db);
        }
        await db.schema.dropTable('crime_records_004').execute();
        const label = (column: string) => `left join crime_labels l_${column} on l_${column}.id = r.${column}`;
        await sql`
          create view crime_records as
          select r.id, l_source.label as source, coalesce(r.crime_id, r.row_key) as record_key, r.crime_id, r.month, r.occurred_at,
            l_reported_by.label as reported_by, l_falls_within.label as falls_within,
            p.longitude, p.latitude, p.easting, p.northing,
            l_location.label as location, l_lsoa_code.label as lsoa_code, l_lsoa_name.label as lsoa_name,
            l_crime_type.label as crime_type, l_last_outcome.label as last_outcome, r.outcome_month, r.context, r.located, p.h3_10,
            l_source_file.label as source_file, r.source_line, l_imported_at.label as imported_at, l_updated_at.label as updated_at
          from crime_record_rows r
          left join crime_places p on p.id = r.place
          ${sql.raw(LABEL_COLUMNS.map(label).join('\n          '))}
        `.execute(db);
      },
    },
  ],
};

/**
 * Migration 005's copy of every record into the compact table, a page at a time, with the
 * same ids. The old table's unique record_key makes identities distinct; a hash that two of
 * them share sends the later one to the next free slot, as an import does.
 */
async function copyRecords(db: Db): Promise<void> {
  let after = -1;
  for (;;) {
    const page = (await db.selectFrom('crime_records_004').selectAll().where('id', '>', after).orderBy('id').limit(1000).execute()) as Array<CrimeRecordRow & { id: number }>;
    if (page.length === 0) return;
    after = Number(page.at(-1)!.id);
    const labels = await internLabels(db, page.flatMap((r) => LABEL_COLUMNS.map((c) => r[c]).filter((v): v is string => v !== null)));
    const located = page.filter((r) => r.longitude !== null && r.latitude !== null);
    const places = await internPlaces(db, located.map(placeOf));
    const values = page.map((r) => ({
      id: Number(r.id),
      key_hash: identityHash(r.record_key),
      crime_id: r.crime_id,
      row_key: r.crime_id === null ? r.record_key : null,
      month: r.month,
      occurred_at: r.occurred_at,
      outcome_month: r.outcome_month,
      context: r.context,
      located: Number(r.located),
      place: r.longitude !== null && r.latitude !== null ? places.get(placeOf(r).key)! : null,
      source_line: Number(r.source_line),
      ...Object.fromEntries(LABEL_COLUMNS.map((c) => [c, r[c] === null ? null : labels.get(r[c])!])),
    }));
    const taken = new Set<number>();
    const free: typeof values = [];
    for (const v of values) {
      if (taken.has(v.key_hash)) free.push(v);
      else taken.add(v.key_hash);
    }
    const first = values.filter((v) => !free.includes(v));
    const result = await db.insertInto('crime_record_rows').values(first).onConflict((oc) => oc.column('key_hash').doNothing()).executeTakeFirst();
    if (Number(result.numInsertedOrUpdatedRows ?? 0) !== first.length) {
      const stored = new Set((await db.selectFrom('crime_record_rows').select('id').where('id', 'in', first.map((v) => v.id)).execute()).map((r) => Number(r.id)));
      free.push(...first.filter((v) => !stored.has(v.id)));
    }
    for (const v of free) {
      for (let k = 1; ; k++) {
        const slot = probeSlot(v.key_hash, k);
        if (await db.selectFrom('crime_record_rows').select('id').where('key_hash', '=', slot).executeTakeFirst()) continue;
        await db.insertInto('crime_record_rows').values({ ...v, key_hash: slot }).execute();
        break;
      }
    }
  }
}
