// Cold start of `peel serve`: time from spawning the process to the first healthy
// answer from /api/health, on a new database (migrations and first-start work included)
// and on an existing one. Usage: node bench/cold-start.ts [runs]   (PEEL_DB_URL=postgres://… for PostgreSQL)
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { testDatabaseUrl } from '../src/platform/db/test-db.ts';

const runs = Number(process.argv[2] ?? 5);
const peel = resolve(import.meta.dirname, '../bin/peel.js');

async function startOnce(env: NodeJS.ProcessEnv): Promise<number> {
  const started = performance.now();
  const child = spawn(process.execPath, [peel, 'serve', '--port', '0'], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((done, fail) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = /running at (http:\/\/\S+)/.exec(out);
      if (m) done(m[1]!);
    });
    child.on('close', (code) => fail(new Error(`serve exited ${code}`)));
  });
  for (;;) {
    const res = await fetch(`${url}/api/health`).catch(() => null);
    if (res?.ok) break;
  }
  const ms = performance.now() - started;
  child.kill('SIGTERM');
  await new Promise((r) => child.once('close', r));
  return ms;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fresh: number[] = [];
const warm: number[] = [];
for (let i = 0; i < runs; i++) {
  const dir = mkdtempSync(join(tmpdir(), 'peel-bench-'));
  const db = process.env.PEEL_TEST_PG_URL ? await testDatabaseUrl() : { url: `sqlite:${join(dir, 'peel.db')}`, drop: async () => {} };
  const env = { ...process.env, PEEL_DB_URL: db.url, PEEL_BLOBS: join(dir, 'blobs'), PEEL_LOG_LEVEL: 'warn' };
  fresh.push(await startOnce(env));
  warm.push(await startOnce(env));
  await db.drop();
  rmSync(dir, { recursive: true, force: true });
}
const fmt = (xs: number[]) => `median ${median(xs).toFixed(0)} ms (min ${Math.min(...xs).toFixed(0)}, max ${Math.max(...xs).toFixed(0)})`;
console.log(`peel serve cold start to healthy, ${runs} runs, ${process.env.PEEL_TEST_PG_URL ? 'PostgreSQL' : 'SQLite'}, node ${process.version}`);
console.log(`  new database:      ${fmt(fresh)}`);
console.log(`  existing database: ${fmt(warm)}`);
