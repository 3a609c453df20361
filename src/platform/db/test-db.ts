import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import pg from 'pg';
import { openDatabase, type Database } from './index.ts';

/**
 * A database URL of a test's own: a fresh SQLite file, or when PEEL_TEST_PG_URL is set a
 * fresh PostgreSQL schema, so tests can run in parallel. `drop()` removes it.
 */
export async function testDatabaseUrl(): Promise<{ url: string; drop(): Promise<void> }> {
  const pgUrl = process.env.PEEL_TEST_PG_URL;
  if (pgUrl) {
    const schema = `t_${randomBytes(6).toString('hex')}`;
    const client = new pg.Client({ connectionString: pgUrl });
    await client.connect();
    await client.query(`create schema ${schema}`);
    await client.end();
    const url = new URL(pgUrl);
    url.searchParams.set('schema', schema);
    return {
      url: url.toString(),
      async drop() {
        const c = new pg.Client({ connectionString: pgUrl });
        await c.connect();
        await c.query(`drop schema if exists ${schema} cascade`);
        await c.end();
      },
    };
  }
  const dir = mkdtempSync(join(tmpdir(), 'peel-test-'));
  return { url: `sqlite:${join(dir, 'peel.db')}`, drop: async () => rmSync(dir, { recursive: true, force: true }) };
}

/** An open test database; closing it also drops it. */
export async function openTestDatabase(): Promise<Database> {
  const { url, drop } = await testDatabaseUrl();
  const database = openDatabase(url);
  return {
    ...database,
    async close() {
      await database.close();
      await drop();
    },
  };
}

export { sql };
