// Upload of a large file through tus into the local folder store, against a plain `cp` of
// the same file on the same disk in the same run, with the server's peak memory (VmHWM of
// the `peel serve` process). Usage: node bench/evidence.ts [MiB=1024] [runs=2]
// Target (issue 5): within 1.5× of cp, server peak RSS under 200 MB.
//
// Besides `cp` it times `cp` then `sync`, and `cp` then SHA-256 of the copy: the upload does
// both (it syncs before it answers, and the item records the file's verified SHA-256). For
// the uploads it also prints CPU time: the server's (by thread, from /proc) and the
// client's, which on a busy machine say more than the wall clock does. The client is
// node:http with a file stream, as tus-js-client in Node; one more upload per run uses curl
// (when installed), a leaner client, to show what the server does when the client costs less.
import { spawn, execFileSync } from 'node:child_process';
import { closeSync, createReadStream, createWriteStream, mkdtempSync, openSync, readdirSync, readFileSync, readSync, rmSync } from 'node:fs';
import { createHash, randomBytes } from 'node:crypto';
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
const copy = join(dir, 'copy.bin');
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
const status = (pid: number) => readFileSync(`/proc/${pid}/status`, 'utf8');
const peakRss = (pid: number) => Number(/VmHWM:\s+(\d+) kB/.exec(status(pid))![1]) / 1024;
/** CPU seconds (user + system) from a /proc …/stat line: fields 14 and 15, in clock ticks. */
const ticks = (stat: string) => {
  const fields = stat.replace(/^.*\) /, '').split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
};
const cpuOf = (pid: number) => ticks(readFileSync(`/proc/${pid}/stat`, 'utf8'));
/** CPU seconds by thread name (main thread, libuv's pool that writes and syncs, the hashing worker, V8's helpers). */
const cpuByThread = (pid: number) => {
  const out = new Map<string, number>();
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${task}/stat`, 'utf8');
      out.set(`${/\((.*)\)/.exec(stat)![1]}#${task}`, ticks(stat));
    } catch {
      // the thread ended
    }
  }
  return out;
};
const threadNames: Record<string, string> = { MainThread: 'main', 'libuv-worker': 'libuv pool', WorkerThread: 'hashing worker', V8Worker: 'V8 helpers' };
function cpuSince(before: Map<string, number>, pid: number): string {
  const by = new Map<string, number>();
  for (const [key, t] of cpuByThread(pid)) {
    const name = threadNames[key.split('#')[0]!] ?? 'other';
    by.set(name, (by.get(name) ?? 0) + t - (before.get(key) ?? 0));
  }
  return [...by].filter(([, t]) => t >= 0.01).map(([name, t]) => `${name} ${t.toFixed(2)}`).join(', ');
}
const myCpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
/** CPU seconds of this process's finished children (cutime + cstime), for curl. */
const childrenCpu = () => {
  const fields = readFileSync('/proc/self/stat', 'utf8').replace(/^.*\) /, '').split(' ');
  return (Number(fields[13]) + Number(fields[14])) / 100;
};
const hasCurl = (() => {
  try {
    execFileSync('curl', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

/** SHA-256 of a file read through one reused buffer: the least a hash of it can cost here. */
function sha256File(path: string): string {
  const hash = createHash('sha256');
  const buffer = Buffer.allocUnsafe(MiB);
  const fd = openSync(path, 'r');
  try {
    for (let n; (n = readSync(fd, buffer, 0, MiB, null)) > 0; ) hash.update(buffer.subarray(0, n));
  } finally {
    closeSync(fd);
  }
  return hash.digest('hex');
}

try {
  console.log(`Writing a ${sizeMiB} MiB file of random bytes in ${dir} …`);
  await writeRandom(source, sizeMiB * MiB);
  const expected = sha256File(source);
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
  const pid = child.pid!;
  const atStart = peakRss(pid);
  console.log(`peel serve (pid ${pid}) at ${url}; peak RSS after start ${atStart.toFixed(0)} MB`);
  const headers = { authorization: `Bearer ${token}`, 'tus-resumable': '1.0.0' };

  // One upload in PATCHes of `chunk` bytes (the whole file in one, as tus-js-client sends by default).
  const upload = async (name: string, chunk: number, client: 'node' | 'curl' = 'node') => {
    const t0 = performance.now();
    const server0 = cpuOf(pid);
    const threads0 = cpuByThread(pid);
    const client0 = client === 'node' ? myCpu() : childrenCpu();
    const created = await fetch(`${url}/api/evidence/uploads`, { method: 'POST', headers: { ...headers, 'upload-length': String(sizeMiB * MiB), 'upload-metadata': `filename ${Buffer.from(name).toString('base64')}` } });
    const location = new URL(created.headers.get('location')!, url).toString();
    let itemId: string | null = null;
    if (client === 'curl') {
      // `Expect:` empty: no wait for a 100 Continue before the body.
      const answer = execFileSync('curl', ['-sS', '-o', '/dev/null', '-w', '%{http_code} %header{peel-item-id}', '-X', 'PATCH', '-T', source, '-H', `authorization: ${headers.authorization}`, '-H', 'tus-resumable: 1.0.0', '-H', 'content-type: application/offset+octet-stream', '-H', 'upload-offset: 0', '-H', 'expect:', location], { encoding: 'utf8' });
      const [status, id] = answer.split(' ');
      if (status !== '204') throw new Error(`PATCH (curl) answered ${answer}`);
      itemId = id || null;
    }
    for (let offset = 0; client === 'node' && offset < sizeMiB * MiB; offset += chunk) {
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
    const took = { wall: seconds(t0), server: cpuOf(pid) - server0, threads: cpuSince(threads0, pid), client: (client === 'node' ? myCpu() : childrenCpu()) - client0 };
    if (!itemId) throw new Error('no item');
    // The item must hold the file's SHA-256 as soon as the last PATCH has answered.
    const item = (await (await fetch(`${url}/api/evidence/items/${itemId}`, { headers })).json()) as { sha256: string; size: number };
    if (item.sha256 !== expected || item.size !== sizeMiB * MiB) throw new Error(`item ${itemId} has ${item.sha256} (${item.size} bytes), not ${expected}`);
    // The same bytes again would be the same item: delete the blob so the next run stores afresh.
    execFileSync(process.execPath, [peel, 'evidence', 'sweep', '--now', '2999-01-01T00:00:00Z', '--json'], { env });
    return took;
  };

  type Took = { wall: number; server: number; threads: string; client: number };
  const results: Array<{ cp: number; cpSync: number; cpHash: number; tus: Took; tusChunked: Took; tusCurl: Took | null }> = [];
  for (let r = 0; r < runs; r++) {
    let start = performance.now();
    execFileSync('cp', [source, copy]);
    const cp = seconds(start);
    rmSync(copy);
    start = performance.now();
    execFileSync('cp', [source, copy]);
    execFileSync('sync', [copy]);
    const cpSync = seconds(start);
    rmSync(copy);
    start = performance.now();
    execFileSync('cp', [source, copy]);
    if (sha256File(copy) !== expected) throw new Error('the copy differs');
    const cpHash = seconds(start);
    rmSync(copy);

    const tus = await upload(`bench-${r}-whole.bin`, sizeMiB * MiB);
    const tusChunked = await upload(`bench-${r}-64.bin`, 64 * MiB);
    const tusCurl = hasCurl ? await upload(`bench-${r}-curl.bin`, sizeMiB * MiB, 'curl') : null;
    results.push({ cp, cpSync, cpHash, tus, tusChunked, tusCurl });
    const cpu = (t: Took) => `server CPU ${t.server.toFixed(2)} s (${t.threads}), client CPU ${t.client.toFixed(2)} s`;
    console.log(
      `run ${r + 1}: cp ${cp.toFixed(2)} s, cp+sync ${cpSync.toFixed(2)} s, cp+sha256 ${cpHash.toFixed(2)} s; ` +
        `tus one PATCH ${tus.wall.toFixed(2)} s (${(tus.wall / cp).toFixed(2)}× cp; ${cpu(tus)}); ` +
        `tus 64 MiB PATCHes ${tusChunked.wall.toFixed(2)} s (${(tusChunked.wall / cp).toFixed(2)}× cp; ${cpu(tusChunked)})` +
        (tusCurl ? `; curl, one PATCH ${tusCurl.wall.toFixed(2)} s (${(tusCurl.wall / cp).toFixed(2)}× cp; ${cpu(tusCurl)})` : ''),
    );
  }
  const rss = peakRss(pid);
  child.kill('SIGTERM');
  await once(child, 'close');
  const best = (f: (x: (typeof results)[number]) => number) => Math.min(...results.map(f));
  const cp = best((x) => x.cp);
  const tus = best((x) => x.tus.wall);
  console.log(
    `\n${sizeMiB} MiB, best of ${runs}: cp ${cp.toFixed(2)} s; cp+sync ${best((x) => x.cpSync).toFixed(2)} s; cp+sha256 ${best((x) => x.cpHash).toFixed(2)} s; ` +
      `tus ${tus.toFixed(2)} s = ${(tus / cp).toFixed(2)}× cp, ${(tus / best((x) => x.cpSync)).toFixed(2)}× cp+sync, ${(tus / best((x) => x.cpHash)).toFixed(2)}× cp+sha256 (${(sizeMiB / tus) | 0} MiB/s; ` +
      `server CPU ${best((x) => x.tus.server).toFixed(2)} s, client CPU ${best((x) => x.tus.client).toFixed(2)} s); ` +
      `tus in 64 MiB PATCHes ${best((x) => x.tusChunked.wall).toFixed(2)} s; ` +
      (hasCurl ? `curl as the client ${best((x) => x.tusCurl!.wall).toFixed(2)} s = ${(best((x) => x.tusCurl!.wall) / cp).toFixed(2)}× cp; ` : '') +
      `server peak RSS ${rss.toFixed(0)} MB (${atStart.toFixed(0)} MB after start)`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
