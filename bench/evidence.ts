// Upload of a large file through tus into the local folder store, against a plain `cp` of
// the same file on the same disk in the same run, with the server's peak memory (VmHWM of
// the `peel serve` process). Usage: node bench/evidence.ts [MiB=1024] [runs=2]
// Target (issue 5): within 1.5× of cp, server peak RSS under 200 MB.
import { spawn, execFileSync } from 'node:child_process';
import { createReadStream, createWriteStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { request, type IncomingMessage } from 'node:http';
import { once } from 'node:events';
import { openPlatform } from '../src/app.ts';
import { systemActor } from '../src/platform/actor.ts';
import * as auth from '../src/platform/auth/service.ts';
import { loadConfig } from '../src/platform/config.ts';
import { STAFF_ROLES } from '../src/platform/roles.ts';

const MiB = 1024 * 1024;
const sizeMiB = Number(process.argv[2] ?? 1024);
const runs = Number(process.argv[3] ?? 2);
const peel = resolve(import.meta.dirname, '../bin/peel.js');

// On the same disk as the repository's data (not a RAM-backed /tmp).
const dir = mkdtempSync(join(process.env.PEEL_BENCH_DIR ?? tmpdir(), 'peel-bench-evidence-'));
const source = join(dir, 'source.bin');
const env = { PATH: process.env.PATH ?? '', PEEL_DB_URL: `sqlite:${join(dir, 'peel.db')}`, PEEL_BLOBS: join(dir, 'blobs'), PEEL_LOG_LEVEL: 'warn', PEEL_PORT: '0' };

async function writeRandom(path: string, bytes: number): Promise<void> {
  const out = createWriteStream(path);
  const block = randomBytes(16 * MiB);
  for (let done = 0; done < bytes; done += block.length) {
    // Vary each block so nothing downstream can shortcut repeated content.
    block.writeUInt32LE(done / block.length, 0);
    if (!out.write(block.subarray(0, Math.min(block.length, bytes - done)))) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

const seconds = (start: number) => (performance.now() - start) / 1000;
const peakRss = (pid: number) => Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;

try {
  console.log(`Writing a ${sizeMiB} MiB file of random bytes in ${dir} …`);
  await writeRandom(source, sizeMiB * MiB);
  const platform = await openPlatform(loadConfig(env, STAFF_ROLES));
  const { user } = await auth.createUser(platform.db, systemActor, { username: 'bench', role: 'evidence_officer', password: 'correct horse battery staple' });
  const { token } = await auth.createToken(platform.db, systemActor, user.id, 'bench', 1);
  await platform.database.close();

  const child = spawn(process.execPath, [...(process.env.PEEL_BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.PEEL_BENCH_PROFILE}`] : []), peel, 'serve'], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((done, fail) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = /running at (http:\/\/\S+)/.exec(out);
      if (m) done(m[1]!);
    });
    child.on('close', (code) => fail(new Error(`serve exited ${code}`)));
  });
  console.log(`peel serve (pid ${child.pid}) at ${url}; peak RSS after start ${peakRss(child.pid!).toFixed(0)} MB`);
  const headers = { authorization: `Bearer ${token}`, 'tus-resumable': '1.0.0' };

  const results: Array<{ cp: number; cpSync: number; tus: number; tusChunked: number }> = [];
  for (let r = 0; r < runs; r++) {
    let start = performance.now();
    execFileSync('cp', [source, join(dir, 'copy.bin')]);
    const cp = seconds(start);
    rmSync(join(dir, 'copy.bin'));
    start = performance.now();
    execFileSync('cp', [source, join(dir, 'copy.bin')]);
    execFileSync('sync', [join(dir, 'copy.bin')]);
    const cpSync = seconds(start);
    rmSync(join(dir, 'copy.bin'));

    // One PATCH with the whole file, as tus-js-client sends by default.
    const upload = async (chunk: number) => {
      const t0 = performance.now();
      const created = await fetch(`${url}/api/evidence/uploads`, { method: 'POST', headers: { ...headers, 'upload-length': String(sizeMiB * MiB), 'upload-metadata': `filename ${Buffer.from(`bench-${r}-${chunk}.bin`).toString('base64')}` } });
      const location = new URL(created.headers.get('location')!, url).toString();
      let itemId: string | null = null;
      for (let offset = 0; offset < sizeMiB * MiB; offset += chunk) {
        const end = Math.min(offset + chunk, sizeMiB * MiB) - 1;
        // node:http and a file stream, as tus-js-client does in Node (fetch with a web stream is several times slower).
        const res = await new Promise<IncomingMessage>((done, fail) => {
          const req = request(location, {
            method: 'PATCH',
            headers: { ...headers, 'content-type': 'application/offset+octet-stream', 'upload-offset': String(offset), 'content-length': String(end - offset + 1) },
          });
          req.on('response', done).on('error', fail);
          createReadStream(source, { start: offset, end, highWaterMark: MiB }).pipe(req);
        });
        res.resume();
        if (res.statusCode !== 204) throw new Error(`PATCH answered ${res.statusCode}`);
        itemId = String(res.headers['peel-item-id'] ?? '') || null;
      }
      const took = seconds(t0);
      // The same bytes again would be the same item: delete the blob so the next run stores afresh.
      execFileSync(process.execPath, [peel, 'evidence', 'sweep', '--now', '2999-01-01T00:00:00Z', '--json'], { env });
      if (!itemId) throw new Error('no item');
      return took;
    };
    const tus = await upload(sizeMiB * MiB);
    const tusChunked = await upload(64 * MiB);
    results.push({ cp, cpSync, tus, tusChunked });
    console.log(
      `run ${r + 1}: cp ${cp.toFixed(2)} s, cp+sync ${cpSync.toFixed(2)} s, tus one PATCH ${tus.toFixed(2)} s (${(tus / cp).toFixed(2)}× cp, ${(tus / cpSync).toFixed(2)}× cp+sync), tus 64 MiB PATCHes ${tusChunked.toFixed(2)} s (${(tusChunked / cp).toFixed(2)}× cp)`,
    );
  }
  const rss = peakRss(child.pid!);
  child.kill('SIGTERM');
  await once(child, 'close');
  const best = (k: keyof (typeof results)[number]) => Math.min(...results.map((x) => x[k]));
  console.log(
    `\n${sizeMiB} MiB, best of ${runs}: cp ${best('cp').toFixed(2)} s; cp+sync ${best('cpSync').toFixed(2)} s; tus ${best('tus').toFixed(2)} s = ${(best('tus') / best('cp')).toFixed(2)}× cp, ${(best('tus') / best('cpSync')).toFixed(2)}× cp+sync (${((sizeMiB / best('tus')) | 0)} MiB/s); tus in 64 MiB chunks ${best('tusChunked').toFixed(2)} s; server peak RSS ${rss.toFixed(0)} MB`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
