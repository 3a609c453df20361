import type { MigrationSet } from '../../platform/db/migrate.ts';
import { withId } from '../../platform/db/migrate.ts';
import { nowIso } from '../../platform/db/index.ts';
import { DEFAULT_CATEGORIES } from './retention.ts';

/**
 * Evidence items (content-addressed by SHA-256), their categories and holds, the retention
 * rules as data, tus uploads in progress, share links and teams. Instants are ISO 8601 UTC text.
 */
export const evidenceMigrations: MigrationSet = {
  module: 'evidence',
  migrations: [
    {
      name: '001_evidence',
      async up(db, dialect) {
        await withId(db.schema.createTable('evidence_items'), dialect)
          .addColumn('sha256', 'text', (c) => c.notNull())
          .addColumn('size', 'bigint', (c) => c.notNull())
          .addColumn('filename', 'text')
          .addColumn('title', 'text')
          .addColumn('mime_type', 'text')
          // upload, dock or public
          .addColumn('source', 'text', (c) => c.notNull())
          .addColumn('uploaded_by', 'bigint')
          .addColumn('uploaded_by_username', 'text')
          .addColumn('officer_user_id', 'bigint')
          .addColumn('officer_username', 'text')
          .addColumn('device_serial', 'text')
          .addColumn('recorded_start', 'text')
          .addColumn('recorded_end', 'text')
          .addColumn('latitude', 'double precision')
          .addColumn('longitude', 'double precision')
          .addColumn('location', 'text')
          .addColumn('incident_ref', 'text')
          .addColumn('crime_ref', 'text')
          // JSON: durationSeconds, codec, width, height
          .addColumn('media', 'text')
          .addColumn('poster_sha256', 'text')
          .addColumn('derived_from', 'bigint')
          .addColumn('derivation', 'text')
          .addColumn('created_at', 'text', (c) => c.notNull())
          // stored, or deleted (a tombstone: metadata and hash kept, bytes gone)
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('deleted_at', 'text')
          .addColumn('deleted_rule', 'text')
          .execute();
        await db.schema.createIndex('evidence_items_sha256').on('evidence_items').column('sha256').execute();
        await db.schema.createIndex('evidence_items_officer').on('evidence_items').column('officer_user_id').execute();
        await db.schema.createIndex('evidence_items_derived_from').on('evidence_items').column('derived_from').execute();

        await db.schema
          .createTable('evidence_categories')
          .addColumn('code', 'text', (c) => c.primaryKey())
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('description', 'text', (c) => c.notNull())
          // delete: deleted `days` after recording; review: kept, reviewed `days` after recording
          .addColumn('action', 'text', (c) => c.notNull())
          .addColumn('days', 'integer', (c) => c.notNull())
          .addColumn('mopi_group', 'integer')
          .addColumn('assignable', 'integer', (c) => c.notNull())
          .addColumn('updated_at', 'text', (c) => c.notNull())
          .execute();
        const at = nowIso();
        await db
          .insertInto('evidence_categories')
          .values(DEFAULT_CATEGORIES.map((c) => ({ code: c.code, name: c.name, description: c.description, action: c.action, days: c.days, mopi_group: c.mopiGroup, assignable: c.assignable ? 1 : 0, updated_at: at })))
          .execute();

        await db.schema
          .createTable('evidence_item_categories')
          .addColumn('item_id', 'bigint', (c) => c.notNull().references('evidence_items.id'))
          .addColumn('category_code', 'text', (c) => c.notNull().references('evidence_categories.code'))
          .addColumn('assigned_by', 'text')
          .addColumn('assigned_at', 'text', (c) => c.notNull())
          .addPrimaryKeyConstraint('evidence_item_categories_pk', ['item_id', 'category_code'])
          .execute();

        await withId(db.schema.createTable('evidence_holds'), dialect)
          .addColumn('item_id', 'bigint', (c) => c.notNull().references('evidence_items.id'))
          // case, complaint, misconduct, subject_access
          .addColumn('kind', 'text', (c) => c.notNull())
          .addColumn('reference', 'text', (c) => c.notNull())
          .addColumn('reason', 'text')
          .addColumn('placed_by', 'text')
          .addColumn('placed_at', 'text', (c) => c.notNull())
          .addColumn('released_by', 'text')
          .addColumn('released_at', 'text')
          .execute();
        await db.schema.createIndex('evidence_holds_item').on('evidence_holds').column('item_id').execute();

        await db.schema
          .createTable('evidence_uploads')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('user_id', 'bigint', (c) => c.notNull())
          .addColumn('length', 'bigint', (c) => c.notNull())
          // the durable offset: bytes on disk that have been synced and, where sent, checksummed
          .addColumn('upload_offset', 'bigint', (c) => c.notNull())
          .addColumn('metadata', 'text', (c) => c.notNull())
          // set once every byte is in: finishing after a crash needs it when the staged file has gone to the store
          .addColumn('sha256', 'text')
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('updated_at', 'text', (c) => c.notNull())
          .addColumn('item_id', 'bigint')
          .execute();

        await withId(db.schema.createTable('evidence_shares'), dialect)
          .addColumn('token_hash', 'text', (c) => c.notNull().unique())
          .addColumn('recipient', 'text', (c) => c.notNull())
          .addColumn('expires_at', 'text', (c) => c.notNull())
          .addColumn('allow_download', 'integer', (c) => c.notNull())
          .addColumn('max_accesses', 'integer')
          .addColumn('access_count', 'integer', (c) => c.notNull())
          .addColumn('pin_hash', 'text')
          .addColumn('pin_failures', 'integer', (c) => c.notNull())
          .addColumn('created_by', 'text')
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('revoked_at', 'text')
          .addColumn('revoked_by', 'text')
          .execute();
        await db.schema
          .createTable('evidence_share_items')
          .addColumn('share_id', 'bigint', (c) => c.notNull().references('evidence_shares.id'))
          .addColumn('item_id', 'bigint', (c) => c.notNull().references('evidence_items.id'))
          .addPrimaryKeyConstraint('evidence_share_items_pk', ['share_id', 'item_id'])
          .execute();
        await db.schema.createIndex('evidence_share_items_item').on('evidence_share_items').column('item_id').execute();

        // Accounts have no team yet; this module keeps one per user for worklists and figures.
        await db.schema
          .createTable('evidence_user_teams')
          .addColumn('user_id', 'bigint', (c) => c.primaryKey())
          .addColumn('team', 'text', (c) => c.notNull())
          .execute();
      },
    },
    {
      name: '002_upload_requests',
      async up(db, dialect) {
        // A link for a member of the public or a business to send footage for one incident.
        await withId(db.schema.createTable('evidence_upload_requests'), dialect)
          .addColumn('token_hash', 'text', (c) => c.notNull().unique())
          .addColumn('incident_ref', 'text', (c) => c.notNull())
          .addColumn('description', 'text')
          .addColumn('max_bytes', 'bigint', (c) => c.notNull())
          .addColumn('max_files', 'integer', (c) => c.notNull())
          .addColumn('files_received', 'integer', (c) => c.notNull())
          .addColumn('expires_at', 'text', (c) => c.notNull())
          .addColumn('created_by_user_id', 'bigint')
          .addColumn('created_by', 'text')
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('revoked_at', 'text')
          .execute();
      },
    },
  ],
};
