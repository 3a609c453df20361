import { sql } from 'kysely';
import type { MigrationSet } from '../db/migrate.ts';

export const GENESIS_HASH = '0'.repeat(64);

export const auditMigrations: MigrationSet = {
  module: 'audit',
  migrations: [
    {
      name: '001_audit_log',
      async up(db, dialect) {
        await db.schema
          .createTable('audit_log')
          .addColumn('seq', 'bigint', (c) => c.primaryKey())
          .addColumn('at', 'text', (c) => c.notNull())
          .addColumn('user_id', 'bigint')
          .addColumn('username', 'text')
          .addColumn('role', 'text', (c) => c.notNull())
          .addColumn('operation', 'text', (c) => c.notNull())
          .addColumn('action', 'text', (c) => c.notNull())
          .addColumn('record_type', 'text', (c) => c.notNull())
          .addColumn('record_ids', 'text', (c) => c.notNull())
          .addColumn('justification', 'text')
          .addColumn('reason_code', 'text')
          .addColumn('client_ip', 'text')
          .addColumn('details', 'text')
          .addColumn('prev_hash', 'text', (c) => c.notNull())
          .addColumn('hash', 'text', (c) => c.notNull())
          .execute();
        for (const col of ['at', 'user_id', 'action']) {
          await db.schema.createIndex(`audit_log_${col}`).on('audit_log').column(col).execute();
        }
        // An index of which records each entry touched, for searching by record; derived, so not hashed.
        await db.schema
          .createTable('audit_record_refs')
          .addColumn('seq', 'bigint', (c) => c.notNull())
          .addColumn('record_type', 'text', (c) => c.notNull())
          .addColumn('record_id', 'text', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('audit_record_refs_record').on('audit_record_refs').columns(['record_type', 'record_id']).execute();
        // The head of the chain: the last sequence number and hash. Appends lock this row, so they are serial.
        await db.schema
          .createTable('audit_head')
          .addColumn('id', 'integer', (c) => c.primaryKey())
          .addColumn('seq', 'bigint', (c) => c.notNull())
          .addColumn('hash', 'text', (c) => c.notNull())
          .execute();
        await db.insertInto('audit_head').values({ id: 1, seq: 0, hash: GENESIS_HASH }).execute();
        // Append-only at the database too: the application never updates or deletes entries.
        if (dialect === 'sqlite') {
          await sql`create trigger audit_log_no_update before update on audit_log begin select raise(abort, 'audit_log is append-only'); end`.execute(db);
          await sql`create trigger audit_log_no_delete before delete on audit_log begin select raise(abort, 'audit_log is append-only'); end`.execute(db);
        } else {
          await sql`create function audit_log_append_only() returns trigger language plpgsql as $$ begin raise exception 'audit_log is append-only'; end $$`.execute(db);
          await sql`create trigger audit_log_no_change before update or delete on audit_log for each row execute function audit_log_append_only()`.execute(db);
        }
      },
    },
  ],
};
