import { DatabaseSync, type SQLInputValue } from 'node:sqlite';
import type { SqliteDatabase, SqliteStatement } from 'kysely';

/**
 * Adapts Node's built-in node:sqlite to the interface Kysely's SqliteDialect drives,
 * so the embedded default needs no native addon. Kysely's driver already serialises
 * use of the one connection with a mutex.
 */
export function openNodeSqlite(path: string): SqliteDatabase & { raw: DatabaseSync } {
  const raw = new DatabaseSync(path);
  raw.exec('PRAGMA foreign_keys = ON');
  raw.exec('PRAGMA busy_timeout = 5000');
  if (path !== ':memory:') {
    raw.exec('PRAGMA journal_mode = WAL');
    raw.exec('PRAGMA synchronous = NORMAL');
  }
  return {
    raw,
    close: () => raw.close(),
    prepare(sql: string): SqliteStatement {
      const stmt = raw.prepare(sql);
      const reader = stmt.columns().length > 0;
      return {
        reader,
        // node:sqlite rows have a null prototype; plain objects behave as rows from pg do.
        all: (params) => stmt.all(...params.map(toSqlite)).map((row) => ({ ...row })),
        run: (params) => {
          const r = stmt.run(...params.map(toSqlite));
          return { changes: r.changes, lastInsertRowid: r.lastInsertRowid };
        },
        iterate: function* (params) {
          for (const row of stmt.iterate(...params.map(toSqlite))) yield { ...(row as object) };
        },
      };
    },
  };
}

function toSqlite(value: unknown): SQLInputValue {
  if (value === undefined) return null;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (value instanceof Date) return value.toISOString();
  return value as SQLInputValue;
}
