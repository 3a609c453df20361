import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openPlatform } from '../../app.ts';
import { systemActor } from '../../platform/actor.ts';
import * as auth from '../../platform/auth/service.ts';
import { loadConfig } from '../../platform/config.ts';
import { testDatabaseUrl } from '../../platform/db/test-db.ts';
import { STAFF_ROLES } from '../../platform/roles.ts';
import { freePort, PEEL_BIN } from '../../test/harness.ts';
import { heldBody, randomFile, sha256, tusClient } from './test-helpers.ts';

/** `peel serve` in a process of its own, resolved once it says it is listening. */
function serve(env: Record<string, string>): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [PEEL_BIN, 'serve'], { env: { PATH: process.env.PATH ?? '', ...env } });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      if (out.includes('Peel is running')) resolve(child);
    });
    child.stderr.on('data', (d) => (out += d));
    child.on('exit', (code) => reject(new Error(`peel serve exited ${code}: ${out}`)));
  });
}

test('a server killed in the middle of an upload resumes it from the durable offset to a matching hash', async () => {
  const { url: dbUrl, drop } = await testDatabaseUrl();
  const dir = mkdtempSync(join(tmpdir(), 'peel-resume-'));
  const port = await freePort();
  const env = { PEEL_DB_URL: dbUrl, PEEL_BLOBS: join(dir, 'blobs'), PEEL_LOG_LEVEL: 'silent', PEEL_WEB_DIR: join(dir, 'web'), PEEL_PORT: String(port) };
  const platform = await openPlatform(loadConfig(env, STAFF_ROLES));
  const { user } = await auth.createUser(platform.db, systemActor, { username: 'pc-kill', role: 'evidence_officer', password: 'correct horse battery staple' });
  const { token } = await auth.createToken(platform.db, systemActor, user.id, 'test', 1);
  await platform.database.close();
  let server: ChildProcess | null = null;
  try {
    server = await serve(env);
    const base = `http://127.0.0.1:${port}`;
    const tus = tusClient(base, token);
    const MiB = 1024 * 1024;
    const file = randomFile(3 * MiB);
    const location = (await tus.create(file.length, { filename: 'interrupted.bin' })).headers.get('location')!;
    assert.equal((await tus.patch(location, 0, file.subarray(0, MiB))).status, 204);

    // The second request sends half a megabyte and is still going when the server dies.
    const held = heldBody(file.subarray(MiB, MiB + MiB / 2), file.subarray(MiB + MiB / 2));
    const cut = tus.patch(location, MiB, held.body).catch((err: Error) => err);
    await held.sent;
    await new Promise((r) => setTimeout(r, 300));
    server.kill('SIGKILL');
    await new Promise((r) => server!.once('exit', r));
    held.release();
    assert.ok((await cut) instanceof Error, 'the interrupted request fails');

    server = await serve(env);
    const head = await tus.head(location);
    assert.equal(head.status, 200);
    const offset = Number(head.headers.get('upload-offset'));
    assert.equal(offset, MiB, 'the durable offset is the end of the last finished request');
    const done = await tus.patch(location, offset, file.subarray(offset));
    assert.equal(done.status, 204);
    const found = (await (await fetch(`${base}/api/evidence/items?sha256=${sha256(file)}`, { headers: { authorization: `Bearer ${token}` } })).json()) as { items: Array<{ id: number; sha256: string }> };
    assert.equal(found.items.length, 1);
    assert.equal(String(found.items[0]!.id), done.headers.get('peel-item-id'));
    const bytes = await fetch(`${base}/api/evidence/items/${found.items[0]!.id}/content`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(sha256(new Uint8Array(await bytes.arrayBuffer())), sha256(file));
  } finally {
    if (server && server.exitCode === null) {
      server.kill('SIGTERM');
      await new Promise((r) => server!.once('exit', r));
    }
    await drop();
    rmSync(dir, { recursive: true, force: true });
  }
});
