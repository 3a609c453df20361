import type { MigrationSet } from '../db/migrate.ts';
import { withId } from '../db/migrate.ts';
import { STAFF_ROLES } from '../roles.ts';

export const authMigrations: MigrationSet = {
  module: 'auth',
  migrations: [
    {
      name: '001_accounts',
      async up(db, dialect) {
        await withId(db.schema.createTable('users'), dialect)
          .addColumn('username', 'text', (c) => c.notNull().unique())
          .addColumn('display_name', 'text', (c) => c.notNull())
          .addColumn('role', 'text', (c) => c.notNull())
          .addColumn('password_hash', 'text')
          .addColumn('must_change_password', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('totp_secret', 'text')
          .addColumn('totp_enabled', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('totp_last_step', 'bigint')
          .addColumn('failed_logins', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('locked_until', 'text')
          .addColumn('disabled', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('sso_issuer', 'text')
          .addColumn('sso_subject', 'text')
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('updated_at', 'text', (c) => c.notNull())
          .addColumn('last_login_at', 'text')
          .addUniqueConstraint('users_sso_identity', ['sso_issuer', 'sso_subject'])
          .execute();
        await db.schema
          .createTable('sessions')
          .addColumn('id_hash', 'text', (c) => c.primaryKey())
          .addColumn('user_id', 'bigint', (c) => c.notNull().references('users.id').onDelete('cascade'))
          .addColumn('csrf_token', 'text', (c) => c.notNull())
          .addColumn('method', 'text', (c) => c.notNull())
          .addColumn('pending', 'text')
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('last_seen_at', 'text', (c) => c.notNull())
          .addColumn('expires_at', 'text', (c) => c.notNull())
          .addColumn('client_ip', 'text')
          .execute();
        await db.schema.createIndex('sessions_user').on('sessions').column('user_id').execute();
        await withId(db.schema.createTable('api_tokens'), dialect)
          .addColumn('user_id', 'bigint', (c) => c.notNull().references('users.id').onDelete('cascade'))
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('token_hash', 'text', (c) => c.notNull().unique())
          .addColumn('prefix', 'text', (c) => c.notNull())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('expires_at', 'text', (c) => c.notNull())
          .addColumn('revoked_at', 'text')
          .addColumn('last_used_at', 'text')
          .execute();
        await db.schema
          .createTable('role_settings')
          .addColumn('role', 'text', (c) => c.primaryKey())
          .addColumn('totp_required', 'integer', (c) => c.notNull().defaultTo(0))
          .execute();
        await db
          .insertInto('role_settings')
          .values(STAFF_ROLES.map((role) => ({ role, totp_required: 0 })))
          .execute();
        // Single sign-on requests in flight: PKCE verifier and nonce, keyed by the state's hash.
        await db.schema
          .createTable('sso_requests')
          .addColumn('state_hash', 'text', (c) => c.primaryKey())
          .addColumn('code_verifier', 'text', (c) => c.notNull())
          .addColumn('nonce', 'text', (c) => c.notNull())
          .addColumn('return_to', 'text', (c) => c.notNull())
          .addColumn('expires_at', 'text', (c) => c.notNull())
          .execute();
      },
    },
  ],
};
