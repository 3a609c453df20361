import type { CreateTableBuilder } from 'kysely';
import type { Db, Dialect } from './index.ts';

/** One schema change. Write it once with Kysely's schema builder; `dialect` is there for the rare difference. */
export interface Migration {
  name: string;
  up(db: Db, dialect: Dialect): Promise<void>;
}

export interface MigrationSet {
  module: string;
  migrations: Migration[];
}

/**
 * Applies each module's migrations in order, each in its own transaction, and records
 * them per module so that adding a module never renames another's migrations.
 */
export async function migrate(db: Db, dialect: Dialect, sets: MigrationSet[]): Promise<string[]> {
  await db.schema
    .createTable('peel_migrations')
    .ifNotExists()
    .addColumn('module', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('applied_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('peel_migrations_pk', ['module', 'name'])
    .execute();
  const done = new Set(
    (await db.selectFrom('peel_migrations').select(['module', 'name']).execute()).map((r) => `${r.module}/${r.name}`),
  );
  const applied: string[] = [];
  for (const set of sets) {
    for (const m of set.migrations) {
      const key = `${set.module}/${m.name}`;
      if (done.has(key)) continue;
      await db.transaction().execute(async (trx) => {
        await m.up(trx, dialect);
        await trx.insertInto('peel_migrations').values({ module: set.module, name: m.name, applied_at: new Date().toISOString() }).execute();
      });
      applied.push(key);
    }
  }
  return applied;
}

/** Adds `id`, an auto-numbered primary key, in either dialect. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function withId<T extends CreateTableBuilder<any, any>>(table: T, dialect: Dialect): T {
  return (
    dialect === 'sqlite' ? table.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement()) : table.addColumn('id', 'bigserial', (c) => c.primaryKey())
  ) as T;
}
