import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { openTestDatabase } from './test-db.ts';
import { migrate, withId, type MigrationSet } from './migrate.ts';

const parents: MigrationSet = {
  module: 'parents',
  migrations: [
    {
      name: '001_parents',
      up: async (db, dialect) => {
        await withId(db.schema.createTable('parents'), dialect).addColumn('name', 'text').execute();
      },
    },
  ],
};
const children: MigrationSet = {
  module: 'children',
  migrations: [
    {
      name: '001_children',
      up: async (db) => {
        await db.schema.createTable('children').addColumn('parent_id', 'bigint', (c) => c.notNull().references('parents.id')).execute();
      },
    },
  ],
};

test('migrations apply once per module, in order, and record what ran', async () => {
  const database = await openTestDatabase();
  try {
    assert.deepEqual(await migrate(database.db, database.dialect, [parents, children]), ['parents/001_parents', 'children/001_children']);
    assert.deepEqual(await migrate(database.db, database.dialect, [parents, children]), []);
    const rows = await database.db.selectFrom('peel_migrations').select(['module', 'name']).orderBy('module').execute();
    assert.deepEqual(rows, [
      { module: 'children', name: '001_children' },
      { module: 'parents', name: '001_parents' },
    ]);
  } finally {
    await database.close();
  }
});

test('a failing migration leaves nothing half-applied', async () => {
  const database = await openTestDatabase();
  try {
    const broken: MigrationSet = {
      module: 'broken',
      migrations: [
        {
          name: '001_half',
          up: async (db) => {
            await db.schema.createTable('half').addColumn('x', 'text').execute();
            await sql`select * from no_such_table`.execute(db);
          },
        },
      ],
    };
    await assert.rejects(migrate(database.db, database.dialect, [broken]));
    const tables = database.dialect === 'sqlite'
      ? await sql<{ name: string }>`select name from sqlite_master where name = 'half'`.execute(database.db)
      : await sql<{ name: string }>`select table_name as name from information_schema.tables where table_name = 'half' and table_schema = current_schema()`.execute(database.db);
    assert.deepEqual(tables.rows, []);
  } finally {
    await database.close();
  }
});

test('foreign keys are enforced, and SQLite runs in WAL mode', async () => {
  const database = await openTestDatabase();
  try {
    await migrate(database.db, database.dialect, [parents, children]);
    await assert.rejects(database.db.insertInto('children').values({ parent_id: 42 }).execute());
    if (database.dialect === 'sqlite') {
      const mode = await sql<{ journal_mode: string }>`pragma journal_mode`.execute(database.db);
      assert.equal(mode.rows[0]!.journal_mode, 'wal');
    }
  } finally {
    await database.close();
  }
});
