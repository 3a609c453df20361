import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { openDatabase } from '../platform/db/index.ts';
import { testDatabaseUrl } from '../platform/db/test-db.ts';
import { PEEL_BIN, runPeel } from './harness.ts';

let env: Record<string, string>;
let drop: () => Promise<void>;
let dir: string;

before(async () => {
  const db = await testDatabaseUrl();
  drop = db.drop;
  dir = mkdtempSync(join(tmpdir(), 'peel-cli-'));
  env = { ...(process.env as Record<string, string>), PEEL_DB_URL: db.url, PEEL_BLOBS: join(dir, 'blobs'), PEEL_LOG_LEVEL: 'warn', PEEL_WEB_DIR: join(dir, 'web') };
});
after(async () => {
  await drop();
  rmSync(dir, { recursive: true, force: true });
});

const peel = (args: string[], options: { input?: string; env?: Record<string, string> } = {}) => runPeel(args, { ...env, ...options.env }, options.input);

test('--help lists every command with one line each', async () => {
  const r = await peel(['--help']);
  assert.equal(r.code, 0);
  for (const c of ['serve', 'db', 'users', 'tokens', 'audit']) assert.match(r.stdout, new RegExp(`^  ${c}\\s+\\S`, 'm'));
});

test('users add, tokens create, and the token authenticates against peel serve', async () => {
  const add = await peel(['users', 'add', '--username', 'ops.lead', '--role', 'supervisor', '--name', 'Ops Lead', '--password-stdin'], { input: 'a long enough passphrase\n' });
  assert.equal(add.code, 0, add.stderr);
  const created = await peel(['tokens', 'create', '--username', 'ops.lead', '--name', 'dashboard feed']);
  assert.equal(created.code, 0, created.stderr);
  const token = created.stdout.trim().split('\n').at(-1)!;
  assert.match(token, /^peel_\S+$/);

  const server = spawn(process.execPath, [PEEL_BIN, 'serve', '--port', '0'], { env });
  try {
    const url = await new Promise<string>((done, fail) => {
      let out = '';
      server.stdout.on('data', (d) => {
        out += d;
        const m = /running at (http:\/\/\S+)/.exec(out);
        if (m) done(m[1]!);
      });
      server.on('close', (code) => fail(new Error(`serve exited ${code}: ${out}`)));
    });
    const me = await fetch(`${url}/api/auth/me`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(me.status, 200);
    const body = (await me.json()) as { user: { username: string; role: string } };
    assert.deepEqual([body.user.username, body.user.role], ['ops.lead', 'supervisor']);
    const login = await fetch(`${url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'ops.lead', password: 'a long enough passphrase' }) });
    assert.equal(login.status, 200);
    assert.match(login.headers.get('set-cookie') ?? '', /peel_session=/);
    const bad = await fetch(`${url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'ops.lead', password: 'wrong' }) });
    assert.equal(bad.status, 401);
  } finally {
    server.kill('SIGTERM');
  }
});

test('audit verify passes on an intact log and names a hand-edited entry', async () => {
  const ok = await peel(['audit', 'verify', '--json']);
  assert.equal(ok.code, 0, ok.stderr);
  const good = JSON.parse(ok.stdout);
  assert.equal(good.ok, true);
  assert.ok(good.entries >= 3);
  assert.equal(good.firstBad, null);

  const database = openDatabase(env.PEEL_DB_URL!);
  try {
    if (database.dialect === 'sqlite') await sql`drop trigger audit_log_no_update`.execute(database.db);
    else await sql`drop trigger audit_log_no_change on audit_log`.execute(database.db);
    await sql`update audit_log set username = 'someone.else' where seq = 2`.execute(database.db);
  } finally {
    await database.close();
  }
  const broken = await peel(['audit', 'verify', '--json']);
  assert.equal(broken.code, 1);
  const r = JSON.parse(broken.stdout);
  assert.equal(r.ok, false);
  assert.equal(r.firstBad, 2);
  const human = await peel(['audit', 'verify']);
  assert.match(human.stdout, /BROKEN at entry 2/);
});

test('audit export writes JSON Lines to a file and records itself as a disclosure', async () => {
  const out = join(dir, 'audit.jsonl');
  const refused = await peel(['audit', 'export', '--format', 'jsonl', '--out', out]);
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /--justification: is required/);
  const r = await peel(['audit', 'export', '--format', 'jsonl', '--out', out, '--justification', 'ICO inspection 2026']);
  assert.equal(r.code, 0, r.stderr);
  const { readFileSync } = await import('node:fs');
  const entries = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { action: string; operation: string; justification: string | null; username: string });
  const last = entries.at(-1)!;
  assert.deepEqual([last.action, last.operation, last.justification], ['audit.export', 'disclosure', 'ICO inspection 2026']);
  assert.match(last.username, /^cli:/);
});

test('bad input is named: an unknown role, a missing flag, a bad setting', async () => {
  const role = await peel(['users', 'add', '--username', 'x.y', '--role', 'sheriff']);
  assert.equal(role.code, 2);
  assert.match(role.stderr, /--role: must be one of officer/);
  const missing = await peel(['tokens', 'create', '--username', 'ops.lead']);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /--name: is required/);
  const port = await peel(['db', 'migrate'], { env: { PEEL_PORT: 'eighty' } });
  assert.equal(port.code, 2);
  assert.match(port.stderr, /PEEL_PORT/);
  const unknown = await peel(['users', 'set-role', '--username', 'ghost', '--role', 'analyst']);
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /User "ghost" was not found/);
});
