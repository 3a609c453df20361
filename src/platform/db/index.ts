import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Kysely, PostgresDialect, SqliteDialect, sql } from 'kysely';
import { openNodeSqlite } from './sqlite.ts';

export type Dialect = 'sqlite' | 'postgres';

/** The PostgreSQL driver, loaded only by a server that uses PostgreSQL (it is about 5 MB of resident memory). */
async function loadPg(): Promise<typeof import('pg').default> {
  const { default: pg } = await import('pg');
  // bigint and numeric counts come back as numbers, as they do from SQLite.
  pg.types.setTypeParser(20, (v) => Number(v));
  pg.types.setTypeParser(1700, (v) => Number(v));
  return pg;
}

/** A database handle; stores type their own view of it. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Db = Kysely<any>;

export interface Database {
  db: Db;
  dialect: Dialect;
  /** what the URL points at, without credentials: safe to log */
  describe: string;
  close(): Promise<void>;
}

/**
 * Opens `sqlite:PATH` (WAL, foreign keys on) or `postgres://…`. A `schema=NAME`
 * query parameter on a PostgreSQL URL sets the search path, which lets each test
 * run in a schema of its own.
 */
export function openDatabase(url: string): Database {
  if (url.startsWith('sqlite:')) {
    const path = url.slice('sqlite:'.length);
    if (path !== ':memory:') mkdirSync(dirname(resolve(path)), { recursive: true });
    const database = openNodeSqlite(path);
    const db = new Kysely({ dialect: new SqliteDialect({ database }) });
    return { db, dialect: 'sqlite', describe: `sqlite:${path}`, close: () => db.destroy() };
  }
  const parsed = new URL(url);
  const schema = parsed.searchParams.get('schema');
  parsed.searchParams.delete('schema');
  if (schema && !/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`PEEL_DB_URL: schema "${schema}" must be a plain lower-case identifier`);
  const pool = async () =>
    new (await loadPg()).Pool({
      connectionString: parsed.toString(),
      max: 10,
      ...(schema ? { options: `-c search_path=${schema}` } : {}),
    });
  const db = new Kysely({ dialect: new PostgresDialect({ pool }) });
  return {
    db,
    dialect: 'postgres',
    describe: `postgres://${parsed.host}${parsed.pathname}${schema ? ` (schema ${schema})` : ''}`,
    close: () => db.destroy(),
  };
}

/** A cheap round trip, for the health check. */
export async function ping(db: Db): Promise<void> {
  await sql`select 1`.execute(db);
}

/** The current time as the ISO 8601 UTC text every table stores. */
export const nowIso = (): string => new Date().toISOString();
