import type { LightMyRequestResponse } from 'fastify';
import { after, before } from 'node:test';
import { buildApp, openPlatform } from '../app.ts';
import { loadConfig } from '../platform/config.ts';
import type { PeelServer, Platform } from '../platform/context.ts';
import { testDatabaseUrl } from '../platform/db/test-db.ts';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { systemActor } from '../platform/actor.ts';
import * as auth from '../platform/auth/service.ts';
import { STAFF_ROLES, type StaffRole } from '../platform/roles.ts';

export const TEST_PASSWORD = 'correct horse battery staple';

export interface TestApp {
  app: PeelServer;
  platform: Platform;
  url: string;
  /** a user of that role, with an API token */
  user(role: StaffRole, username?: string): Promise<{ id: number; username: string; token: string }>;
  /** signs in through the API: the session cookie and CSRF token */
  signIn(username: string, password?: string, totp?: string): Promise<{ cookie: string; csrf: string; res: LightMyRequestResponse }>;
  close(): Promise<void>;
}

/**
 * The whole app on a database and blob folder of its own (PostgreSQL when
 * PEEL_TEST_PG_URL is set). `listen` starts a real HTTP server for tests that need one.
 */
export async function startTestApp(env: Record<string, string> = {}, options: { listen?: boolean } = {}): Promise<TestApp> {
  const { url: dbUrl, drop } = await testDatabaseUrl();
  const dir = mkdtempSync(join(tmpdir(), 'peel-app-'));
  let platform: Platform;
  try {
    platform = await openPlatform(loadConfig({ PEEL_DB_URL: dbUrl, PEEL_BLOBS: join(dir, 'blobs'), PEEL_LOG_LEVEL: 'silent', PEEL_WEB_DIR: join(dir, 'web'), PEEL_FORECAST_WARM: 'off', ...env }, STAFF_ROLES));
  } catch (err) {
    await drop();
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  const app = await buildApp(platform);
  const url = options.listen ? await app.listen({ port: 0, host: '127.0.0.1' }) : 'http://127.0.0.1';
  let n = 0;
  return {
    app,
    platform,
    url,
    async user(role, username = `${role.replace('_', '-')}${++n}`) {
      const { user } = await auth.createUser(platform.db, systemActor, { username, role, password: TEST_PASSWORD });
      const { token } = await auth.createToken(platform.db, systemActor, user.id, 'test', 1);
      return { id: user.id, username, token };
    },
    async signIn(username, password = TEST_PASSWORD, totp) {
      const res = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password, ...(totp ? { totp } : {}) } });
      const cookie = res.cookies.find((c) => c.name === 'peel_session');
      const body = res.json() as { csrfToken?: string };
      return { cookie: cookie ? `peel_session=${cookie.value}` : '', csrf: body.csrfToken ?? '', res };
    },
    async close() {
      await app.close();
      await platform.database.close();
      await drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A port nobody is listening on now, for a server that must know its own address before it starts. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export const PEEL_BIN = resolve(import.meta.dirname, '../../bin/peel.js');

/** Runs the `peel` command as an operator would, in a process of its own. */
export function runPeel(args: string[], env: Record<string, string>, input = ''): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [PEEL_BIN, ...args], { env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', fail);
    child.on('close', (code) => done({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(input);
  });
}

export interface CliSandbox {
  /** the environment `peel` runs with: its own database and blob folder */
  env: Record<string, string>;
  /** a scratch folder, removed with the database after the file's tests */
  dir: string;
  peel: (args: string[], input?: string) => ReturnType<typeof runPeel>;
}

/**
 * A fresh database and scratch folder for a test file that runs the `peel` command,
 * made before its tests (then `setup` runs, to add what they need) and removed after.
 */
export function cliSandbox(name: string, setup?: (box: CliSandbox) => Promise<void>): CliSandbox {
  let drop = async () => {};
  const box: CliSandbox = { env: {}, dir: '', peel: (args, input) => runPeel(args, box.env, input) };
  before(async () => {
    const db = await testDatabaseUrl();
    drop = db.drop;
    box.dir = mkdtempSync(join(tmpdir(), `peel-${name}-`));
    box.env = { ...(process.env as Record<string, string>), PEEL_DB_URL: db.url, PEEL_BLOBS: join(box.dir, 'blobs'), PEEL_LOG_LEVEL: 'warn' };
    await setup?.(box);
  });
  after(async () => {
    await drop();
    rmSync(box.dir, { recursive: true, force: true });
  });
  return box;
}
