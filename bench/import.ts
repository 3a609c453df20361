// Import speed: the whole shared Leicestershire street-level set (35 monthly .csv.gz files,
// 301,838 rows) through Peel's importer into a fresh SQLite file and a fresh PostgreSQL
// schema, and DuckDB's read_csv loading the same files into a table, for comparison: into an
// in-memory database, and into a database file, committed (Peel's import ends with its rows
// committed to disk, so the file is the like-for-like comparison; both are printed).
// Each load runs in a child process of its own, so its peak RSS is its own.
//
// Usage: node bench/import.ts [runs]      (PEEL_TEST_PG_URL=postgres://… adds PostgreSQL)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sharedData } from '../src/test/shared-data.ts';

const STREET = sharedData('police-uk-leicestershire/street');

interface Result {
  ms: number;
  rows: number;
  cpuMs: number;
  maxRssMb: number;
}

async function child(engine: string): Promise<Result> {
  const cpu0 = process.cpuUsage();
  let rows: number;
  let ms: number;
  if (engine === 'duckdb' || engine === 'duckdb-file') {
    const { DuckDBInstance } = await import('@duckdb/node-api');
    const files = readdirSync(STREET).filter((f) => f.endsWith('.csv.gz')).sort().map((f) => `'${join(STREET, f)}'`);
    const dir = mkdtempSync(join(tmpdir(), 'peel-bench-duckdb-'));
    const started = performance.now();
    const instance = await DuckDBInstance.create(engine === 'duckdb' ? ':memory:' : join(dir, 'bench.duckdb'));
    const connection = await instance.connect();
    // One statement, so one transaction: committed (to its write-ahead log, synced) when it returns.
    await connection.run(`create table t as select * from read_csv([${files.join(',')}], union_by_name = true)`);
    ms = performance.now() - started;
    rows = Number((await connection.runAndReadAll('select count(*) from t')).getRows()[0]![0]);
    connection.closeSync();
    rmSync(dir, { recursive: true, force: true });
  } else {
    const { openPlatform } = await import('../src/app.ts');
    const { loadConfig } = await import('../src/platform/config.ts');
    const { cliActor } = await import('../src/platform/actor.ts');
    const { importPoliceUk } = await import('../src/modules/crime/service.ts');
    const { testDatabaseUrl } = await import('../src/platform/db/test-db.ts');
    const dir = mkdtempSync(join(tmpdir(), 'peel-bench-import-'));
    const db = engine === 'postgres' ? await testDatabaseUrl() : { url: `sqlite:${join(dir, 'peel.db')}`, drop: async () => {} };
    const platform = await openPlatform(loadConfig({ PEEL_DB_URL: db.url, PEEL_BLOBS: join(dir, 'blobs'), PEEL_LOG_LEVEL: 'warn' }));
    const started = performance.now();
    const summary = await importPoliceUk(platform.db, cliActor(), [STREET]);
    ms = performance.now() - started;
    rows = summary.rows;
    await platform.database.close();
    await db.drop();
    rmSync(dir, { recursive: true, force: true });
  }
  const cpu = process.cpuUsage(cpu0);
  return { ms, rows, cpuMs: (cpu.user + cpu.system) / 1000, maxRssMb: process.resourceUsage().maxRSS / 1024 };
}

if (process.argv[2] === '--child') {
  console.log(JSON.stringify(await child(process.argv[3]!)));
  process.exit(0);
}

const runs = Number(process.argv[2] ?? 3);
const engines = ['duckdb', 'duckdb-file', 'sqlite', ...(process.env.PEEL_TEST_PG_URL ? ['postgres'] : [])];
const results: Record<string, Result[]> = {};
for (let i = 0; i < runs; i++) {
  for (const engine of engines) {
    const r = spawnSync(process.execPath, [import.meta.filename, '--child', engine], { encoding: 'utf8', env: process.env });
    if (r.status !== 0) throw new Error(`${engine} run failed:\n${r.stderr}`);
    (results[engine] ??= []).push(JSON.parse(r.stdout.trim().split('\n').at(-1)!) as Result);
  }
}

const best = (engine: string) => [...results[engine]!].sort((a, b) => a.ms - b.ms)[0]!;
const median = (engine: string) => [...results[engine]!].sort((a, b) => a.ms - b.ms)[Math.floor(results[engine]!.length / 2)]!;
const line = (label: string, engine: string) => {
  const b = best(engine);
  const m = median(engine);
  return `  ${label.padEnd(22)} best ${(b.ms / 1000).toFixed(2)} s, median ${(m.ms / 1000).toFixed(2)} s  (${Math.round(b.rows / (b.ms / 1000)).toLocaleString('en-GB')} rows/s; CPU ${(b.cpuMs / 1000).toFixed(2)} s; peak RSS ${b.maxRssMb.toFixed(0)} MB)`;
};
console.log(`Import of ${best('sqlite').rows.toLocaleString('en-GB')} rows (35 .csv.gz files), ${runs} runs each, node ${process.version}, ${(await import('node:os')).cpus().length} CPUs`);
console.log(line('DuckDB, in memory', 'duckdb'));
console.log(line('DuckDB, to a file', 'duckdb-file'));
console.log(line('Peel → SQLite', 'sqlite'));
if (results.postgres) console.log(line('Peel → PostgreSQL', 'postgres'));
else console.log('  Peel → PostgreSQL      skipped (set PEEL_TEST_PG_URL to include it)');
const ratio = (engine: string) => (best('sqlite').ms / best(engine).ms).toFixed(2);
console.log(`  Peel-SQLite / DuckDB   ${ratio('duckdb-file')}× DuckDB to a file, ${ratio('duckdb')}× DuckDB in memory (best against best; target within 1.5×)`);
