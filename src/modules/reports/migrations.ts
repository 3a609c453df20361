import type { MigrationSet } from '../../platform/db/migrate.ts';
import { withId } from '../../platform/db/migrate.ts';

/** Categories a new system starts with; an administrator changes them afterwards. */
export const DEFAULT_CATEGORIES: ReadonlyArray<{ code: string; label: string }> = [
  { code: 'antisocial-behaviour', label: 'Antisocial behaviour' },
  { code: 'suspicious-activity', label: 'Suspicious activity' },
  { code: 'theft', label: 'Theft or burglary' },
  { code: 'criminal-damage', label: 'Criminal damage or graffiti' },
  { code: 'drugs', label: 'Drug dealing or use' },
  { code: 'road-safety', label: 'Dangerous driving or road safety' },
  { code: 'violence', label: 'Violence or threats (not happening now)' },
  { code: 'other', label: 'Something else' },
];

/**
 * Reports from every channel in one table; their public messages, photos, links and the
 * feed's event log beside them. Instants are ISO 8601 UTC text; booleans 0/1 integers.
 */
export const reportsMigrations: MigrationSet = {
  module: 'reports',
  migrations: [
    {
      name: '001_reports',
      async up(db, dialect) {
        await db.schema
          .createTable('report_categories')
          .addColumn('code', 'text', (c) => c.primaryKey())
          .addColumn('label', 'text', (c) => c.notNull())
          .addColumn('active', 'integer', (c) => c.notNull())
          .addColumn('sort_order', 'integer', (c) => c.notNull())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('updated_at', 'text', (c) => c.notNull())
          .execute();
        const now = new Date().toISOString();
        await db
          .insertInto('report_categories')
          .values(DEFAULT_CATEGORIES.map((c, i) => ({ code: c.code, label: c.label, active: 1, sort_order: (i + 1) * 10, created_at: now, updated_at: now })))
          .execute();

        // Feed sources: RSS, Atom, JSON Feed (polled) and signed webhooks (pushed).
        await withId(db.schema.createTable('report_sources'), dialect)
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('kind', 'text', (c) => c.notNull())
          .addColumn('url', 'text')
          .addColumn('poll_seconds', 'integer', (c) => c.notNull())
          .addColumn('default_category', 'text', (c) => c.notNull())
          // HMAC key for a webhook: a secret the partner holds too, so it cannot be stored
          // only as a hash. Kept out of every reply after the one that creates it.
          .addColumn('secret', 'text')
          .addColumn('active', 'integer', (c) => c.notNull())
          .addColumn('last_polled_at', 'text')
          .addColumn('last_error', 'text')
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('updated_at', 'text', (c) => c.notNull())
          .execute();

        await withId(db.schema.createTable('reports'), dialect)
          .addColumn('reference', 'text', (c) => c.notNull().unique())
          .addColumn('channel', 'text', (c) => c.notNull())
          .addColumn('source_id', 'integer')
          // A feed item's own id: the same item polled twice is stored once.
          .addColumn('external_id', 'text')
          .addColumn('author_handle', 'text')
          .addColumn('category', 'text', (c) => c.notNull())
          .addColumn('description', 'text', (c) => c.notNull())
          .addColumn('latitude', 'double precision')
          .addColumn('longitude', 'double precision')
          .addColumn('location_precision_m', 'integer')
          .addColumn('location_inferred', 'integer', (c) => c.notNull())
          .addColumn('place_name', 'text')
          .addColumn('occurred_at', 'text', (c) => c.notNull())
          .addColumn('received_at', 'text', (c) => c.notNull())
          .addColumn('updated_at', 'text', (c) => c.notNull())
          // JSON text {name,email,phone}: personal data, shown only in the audited detail view.
          .addColumn('contact', 'text')
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('held', 'integer', (c) => c.notNull())
          .addColumn('flag_reason', 'text')
          .addColumn('assigned_team', 'text')
          .addColumn('assigned_officer', 'text')
          .addColumn('merged_into', 'integer')
          .addColumn('thread_id', 'integer')
          .addColumn('closed_reason', 'text')
          // SHA-256 of the client's key: a retry finds its first attempt through it.
          .addColumn('idempotency_hash', 'text', (c) => c.unique())
          // The status token sealed with a key derived from the idempotency key, so a retry
          // can return the same status link while the database alone cannot recover it.
          .addColumn('sealed_token', 'text')
          .addColumn('status_token_hash', 'text', (c) => c.notNull().unique())
          .execute();
        await db.schema.createIndex('reports_received').on('reports').column('received_at').execute();
        await db.schema.createIndex('reports_occurred').on('reports').column('occurred_at').execute();
        await db.schema.createIndex('reports_source_external').on('reports').columns(['source_id', 'external_id']).unique().execute();
        await db.schema.createIndex('reports_thread').on('reports').column('thread_id').execute();

        await withId(db.schema.createTable('report_messages'), dialect)
          .addColumn('report_id', 'integer', (c) => c.notNull().references('reports.id'))
          .addColumn('at', 'text', (c) => c.notNull())
          .addColumn('kind', 'text', (c) => c.notNull())
          .addColumn('text', 'text', (c) => c.notNull())
          // 1: the reporter sees it on the status page; 0: the control room's own note.
          .addColumn('public', 'integer', (c) => c.notNull())
          .addColumn('username', 'text')
          .execute();
        await db.schema.createIndex('report_messages_report').on('report_messages').column('report_id').execute();

        await withId(db.schema.createTable('report_links'), dialect)
          .addColumn('report_id', 'integer', (c) => c.notNull().references('reports.id'))
          .addColumn('kind', 'text', (c) => c.notNull())
          .addColumn('linked_reference', 'text', (c) => c.notNull())
          .addColumn('at', 'text', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('report_links_report').on('report_links').column('report_id').execute();

        await withId(db.schema.createTable('report_photos'), dialect)
          .addColumn('report_id', 'integer', (c) => c.notNull().references('reports.id'))
          .addColumn('sha256', 'text', (c) => c.notNull())
          .addColumn('media_type', 'text', (c) => c.notNull())
          .addColumn('size', 'integer', (c) => c.notNull())
          .addColumn('location_shared', 'integer', (c) => c.notNull())
          .addColumn('at', 'text', (c) => c.notNull())
          .addUniqueConstraint('report_photos_once', ['report_id', 'sha256'])
          .execute();

        // The feed's log: one row per change a control room should see, its id the SSE event id.
        await withId(db.schema.createTable('report_events'), dialect)
          .addColumn('report_id', 'integer', (c) => c.notNull().references('reports.id'))
          .addColumn('kind', 'text', (c) => c.notNull())
          .addColumn('at', 'text', (c) => c.notNull())
          .execute();
      },
    },
    {
      // Near-duplicate grouping looks for earlier reports in the same and neighbouring H3
      // cells rather than scanning every report in the time window.
      name: '002_report_cells',
      async up(db) {
        await db.schema.alterTable('reports').addColumn('h3_8', 'text').execute();
        await db.schema.createIndex('reports_cell_time').on('reports').columns(['h3_8', 'occurred_at']).execute();
        // With it there, SQLite's planner preferred the time index and scanned the whole window.
        await db.schema.dropIndex('reports_occurred').execute();
      },
    },
  ],
};
