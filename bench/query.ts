// The crime map's hex aggregation, timed: Peel's in-memory cube (the service function the
// /api/crime/hexes route calls) beside the same GROUP BY in SQLite, PostgreSQL (when
// PEEL_TEST_PG_URL is set) and DuckDB, over the Leicestershire street-level data
// (301,838 records, 2019-12 to 2022-10).
//
// Usage: node bench/query.ts [repetitions=200] [--data DIR] [--keep FILE]
//   --keep FILE  keep the loaded SQLite database in FILE and reuse it on the next run
import { existsSync, readdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { allParts, buildApp, openPlatform } from '../src/app.ts';
import { systemActor } from '../src/platform/actor.ts';
import * as auth from '../src/platform/auth/service.ts';
import { loadConfig } from '../src/platform/config.ts';
import { STAFF_ROLES } from '../src/platform/roles.ts';
import { openDatabase, type Database } from '../src/platform/db/index.ts';
import { migrate } from '../src/platform/db/migrate.ts';
import { testDatabaseUrl } from '../src/platform/db/test-db.ts';
import { countByCell, select, monthNumber } from '../src/modules/crime/cube.ts';
import * as query from '../src/modules/crime/query.ts';
import { countByCellSql, countRecords, cubeRowPages, type H3Res } from '../src/modules/crime/read-store.ts';
import { importPoliceUk } from '../src/modules/crime/service.ts';
import { sharedData } from '../src/test/shared-data.ts';

const args = process.argv.slice(2);
const reps = Number(args.find((a) => /^\d+$/.test(a)) ?? 200);
const dataDir = resolve(args.includes('--data') ? args[args.indexOf('--data') + 1]! : sharedData('police-uk-leicestershire/street'));
const keep = args.includes('--keep') ? resolve(args[args.indexOf('--keep') + 1]!) : null;

// ——— loading ———

async function openLoaded(url: string, label: string): Promise<Database> {
  const database = openDatabase(url);
  await migrate(database.db, database.dialect, allParts().flatMap((m) => (m.migrations ? [m.migrations] : [])));
  if ((await countRecords(database.db)) > 0) {
    console.log(`  ${label}: reusing ${(await countRecords(database.db)).toLocaleString('en-GB')} records`);
    return database;
  }
  const t0 = performance.now();
  const files = readdirSync(dataDir).filter((f) => /-street\.csv(\.gz)?$/.test(f)).map((f) => join(dataDir, f));
  const summary = await importPoliceUk(database.db, systemActor, files, { via: 'bench' });
  console.log(`  ${label}: imported ${summary.imported.toLocaleString('en-GB')} records with the importer in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return database;
}

// ——— timing ———

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};

async function time(fn: () => Promise<unknown> | unknown, n = reps): Promise<{ p50: number; p95: number }> {
  for (let i = 0; i < Math.min(10, n); i++) await fn(); // warm-up
  const xs: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await fn();
    xs.push(performance.now() - t0);
  }
  return { p50: pct(xs, 50), p95: pct(xs, 95) };
}

// ——— run ———

console.log(`Crime hex aggregation, ${reps} repetitions each, node ${process.version}`);
console.log(`data: ${dataDir}`);

const dir = mkdtempSync(join(tmpdir(), 'peel-bench-query-'));
const sqliteUrl = `sqlite:${keep ?? join(dir, 'peel.db')}`;
if (keep && existsSync(keep)) console.log(`  reusing ${keep}`);
const sqlite = await openLoaded(sqliteUrl, 'SQLite');
const pgUrl = process.env.PEEL_TEST_PG_URL ? await testDatabaseUrl() : null;
const pg = pgUrl ? await openLoaded(pgUrl.url, 'PostgreSQL') : null;

// The cube, as the route builds it on first use.
const data = query.crimeData(sqlite.db);
let t0 = performance.now();
const cube = await data.cubes.get();
console.log(`  cube: built from SQLite in ${(performance.now() - t0).toFixed(0)} ms (${cube.size.toLocaleString('en-GB')} rows, ${cube.cells.map((c) => `${c.cells.length} res-${c.res} cells`).join(', ')})`);
if (pg) {
  t0 = performance.now();
  const pgCube = await query.crimeData(pg.db).cubes.get();
  console.log(`  cube: built from PostgreSQL in ${(performance.now() - t0).toFixed(0)} ms (${pgCube.size.toLocaleString('en-GB')} rows)`);
}

// The whole route, through Fastify (zod validation and JSON serialisation included), on the same database.
const platform = await openPlatform(loadConfig({ PEEL_DB_URL: sqliteUrl, PEEL_BLOBS: join(dir, 'blobs'), PEEL_LOG_LEVEL: 'silent', PEEL_WEB_DIR: join(dir, 'web') }, STAFF_ROLES));
const app = await buildApp(platform);
const { user } = await auth.createUser(platform.db, systemActor, { username: `bench-${Date.now()}`, role: 'analyst', password: 'correct horse battery staple' });
const { token } = await auth.createToken(platform.db, systemActor, user.id, 'bench', 1);
const routeData = query.crimeData(platform.db);
await routeData.cubes.get();

// DuckDB: the same rows, read from the same database, appended into a DuckDB table.
const duck = await (await DuckDBInstance.create(':memory:')).connect();
await duck.run(
  'create table crime_records (id bigint, month varchar, crime_type varchar, last_outcome varchar, source varchar, lsoa_code varchar, located integer, longitude double, latitude double, h3_7 varchar, h3_8 varchar, h3_9 varchar, h3_10 varchar)',
);
t0 = performance.now();
const appender = await duck.createAppender('crime_records');
const str = (v: string | null) => (v === null ? appender.appendNull() : appender.appendVarchar(v));
const dbl = (v: number | null) => (v === null ? appender.appendNull() : appender.appendDouble(Number(v)));
for await (const page of cubeRowPages(sqlite.db)) {
  for (const r of page) {
    appender.appendBigInt(BigInt(r.id));
    str(r.month);
    str(r.crime_type);
    str(r.last_outcome);
    str(r.source);
    str(r.lsoa_code);
    appender.appendInteger(Number(r.located));
    dbl(r.longitude);
    dbl(r.latitude);
    str(r.h3_7);
    str(r.h3_8);
    str(r.h3_9);
    str(r.h3_10);
    appender.endRow();
  }
}
appender.closeSync();
console.log(`  DuckDB: appended ${(await countRecords(sqlite.db)).toLocaleString('en-GB')} rows in ${(performance.now() - t0).toFixed(0)} ms`);

const from = '2021-11';
const to = '2022-10';
const cases: Array<{ label: string; types?: string[]; res: H3Res }> = [
  { label: 'all types, res 8', res: 8 },
  { label: 'all types, res 9', res: 9 },
  { label: 'Burglary, res 8', types: ['Burglary'], res: 8 },
  { label: 'Burglary, res 9', types: ['Burglary'], res: 9 },
];

const rows: string[][] = [];
const fmt = (x: { p50: number; p95: number }) => `${x.p50.toFixed(2)} / ${x.p95.toFixed(2)}`;
for (const c of cases) {
  const filter: query.CrimeFilter = { from, to, ...(c.types ? { types: c.types } : {}) };
  const sqlF = query.sqlFilter(filter, { from, to });
  const col = `h3_${c.res}`;
  const duckSql = `select ${col} as cell, count(*) as count from crime_records where month >= $1 and month <= $2 ${c.types ? 'and crime_type = $3' : ''} and ${col} is not null group by ${col}`;
  const duckParams = c.types ? [from, to, c.types[0]!] : [from, to];
  const prepared = await duck.prepare(duckSql);
  prepared.bind(duckParams);
  const runDuck = async () => (await prepared.run()).getRowObjectsJS();

  // The answers agree before anything is timed.
  const mine = await query.hexes(data, filter, c.res);
  const viaSql = await countByCellSql(sqlite.db, c.res, sqlF);
  const viaDuck = await runDuck();
  const sum = (xs: Array<{ count: unknown }>) => xs.reduce((s, x) => s + Number(x.count), 0);
  const ok = mine.features.length === viaSql.length && viaSql.length === viaDuck.length && sum(mine.features.map((f) => f.properties)) === sum(viaSql) && sum(viaSql) === sum(viaDuck as Array<{ count: unknown }>);
  if (!ok) throw new Error(`${c.label}: the engines disagree (${mine.features.length}/${viaSql.length}/${viaDuck.length} cells)`);

  const aggOnly = await time(() => {
    const sel = select(cube, { from: monthNumber(from), to: monthNumber(to), types: c.types ?? null });
    return countByCell(cube, sel, c.res);
  });
  const peel = await time(() => query.hexes(data, filter, c.res));
  const url = `/api/crime/hexes?from=${from}&to=${to}&res=${c.res}${c.types ? `&type=${encodeURIComponent(c.types[0]!)}` : ''}`;
  let bytes = 0;
  const http = await time(async () => {
    const res = await app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } });
    if (res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode} ${res.body.slice(0, 200)}`);
    bytes = res.rawPayload.length;
  });
  const duckT = await time(runDuck);
  const lite = await time(() => countByCellSql(sqlite.db, c.res, sqlF), Math.min(reps, 50));
  const post = pg ? await time(() => countByCellSql(pg.db, c.res, sqlF), Math.min(reps, 50)) : null;
  rows.push([
    `${c.label} (${mine.features.length} cells, ${sum(viaSql).toLocaleString('en-GB')} records)`,
    fmt(peel),
    fmt(aggOnly),
    `${fmt(http)} (${Math.round(bytes / 1024)} KiB)`,
    fmt(duckT),
    fmt(lite),
    post ? fmt(post) : '—',
    (peel.p95 / duckT.p95).toFixed(2),
  ]);
}

const header = ['hexes 2021-11..2022-10', 'Peel hexes()', 'cube count only', 'HTTP route', 'DuckDB', 'SQLite', 'PostgreSQL', 'Peel p95 / DuckDB p95'];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
const line = (r: string[]) => r.map((x, i) => x.padEnd(widths[i]!)).join('  ');
console.log('\np50 / p95 in ms (SQLite and PostgreSQL: 50 repetitions)');
console.log(line(header));
for (const r of rows) console.log(line(r));

duck.closeSync();
await app.close();
await platform.database.close();
await sqlite.close();
if (pg) {
  await pg.close();
  await pgUrl!.drop();
}
rmSync(dir, { recursive: true, force: true });
// (with --keep, the database file stays for the next run)
