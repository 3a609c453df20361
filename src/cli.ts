#!/usr/bin/env node
import { z } from 'zod';
import { allParts, buildApp, firstStart, openPlatform } from './app.ts';
import { parseOptions, UsageError } from './platform/cli-options.ts';
import { ConfigError, loadConfig } from './platform/config.ts';
import type { Command, Platform } from './platform/context.ts';
import { PeelError } from './platform/errors.ts';
import { STAFF_ROLES } from './platform/roles.ts';
import { deleteExpiredSessions } from './platform/auth/store.ts';

const serve: Command = {
  name: 'serve',
  summary: 'start the web app and API (runs new migrations first)',
  usage: 'peel serve [--port N] [--host ADDRESS]',
  async run(args, open) {
    const started = performance.now();
    const o = parseOptions(args, { port: { type: 'string' }, host: { type: 'string' } }, z.object({ port: z.coerce.number().int().min(0).max(65535).optional(), host: z.string().optional() }));
    const platform = await open();
    const otp = await firstStart(platform);
    const app = await buildApp(platform);
    const address = await app.listen({ port: o.port ?? platform.config.PEEL_PORT, host: o.host ?? platform.config.PEEL_HOST });
    const ms = Math.round(performance.now() - started);
    console.log(`Peel is running at ${address} (database ${platform.database.describe}, blobs ${platform.blobs.describe}; ready in ${ms} ms)`);
    if (otp) {
      console.log(['', '  A new system: sign in as  admin  with this one-time password.', '  It is shown only now; you will choose your own password at first sign-in.', '', `      ${otp}`, ''].join('\n'));
    }
    // Expired sessions are refused when used; this only keeps the table small.
    const sweep = setInterval(() => {
      const now = new Date();
      const idle = new Date(now.getTime() - platform.config.PEEL_SESSION_IDLE_MINUTES * 60_000).toISOString();
      deleteExpiredSessions(platform.db, now.toISOString(), idle).catch((err: Error) => app.log.warn({ err: err.message }, 'session sweep failed'));
    }, 3_600_000);
    sweep.unref();
    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    clearInterval(sweep);
    await app.close();
    return 0;
  },
};

const dbCommand: Command = {
  name: 'db',
  summary: 'database tasks: `peel db migrate` applies new migrations',
  usage: 'peel db migrate [--json]',
  async run(args, open) {
    const [sub, ...rest] = args;
    if (sub !== 'migrate') throw new UsageError(sub ? `unknown db command "${sub}"` : 'say which db command: migrate');
    const o = parseOptions(rest, { json: { type: 'boolean' } }, z.object({ json: z.boolean().optional() }));
    const platform = await open();
    // openPlatform has migrated; report the state.
    const applied = await platform.db.selectFrom('peel_migrations').select(['module', 'name', 'applied_at']).orderBy('applied_at').execute();
    if (o.json) console.log(JSON.stringify({ database: platform.database.describe, migrations: applied }));
    else console.log(`${platform.database.describe}: ${applied.length} migrations applied, the schema is up to date.`);
    return 0;
  },
};

export const commands = (): Command[] => [serve, dbCommand, ...allParts().flatMap((p) => p.commands ?? [])];

function help(): string {
  const list = commands();
  const width = Math.max(...list.map((c) => c.name.length));
  return [
    'peel — the Peel policing data platform',
    '',
    'Usage: peel <command> [options]     (peel <command> --help for its options)',
    '',
    ...list.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    `Roles: ${STAFF_ROLES.join(', ')}.`,
    'Configuration comes from PEEL_* environment variables; see the README.',
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(help());
    return name ? 0 : 2;
  }
  const command = commands().find((c) => c.name === name);
  if (!command) {
    console.error(`peel: unknown command "${name}"\n\n${help()}`);
    return 2;
  }
  if (args.includes('--help') || args.includes('-h')) {
    console.log(command.usage);
    return 0;
  }
  let platform: Platform | null = null;
  const open = async () => (platform ??= await openPlatform(loadConfig(process.env, STAFF_ROLES)));
  try {
    return await command.run(args, open);
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`peel ${name}: ${err.message}\n\nUsage:\n${command.usage}`);
      return 2;
    }
    if (err instanceof ConfigError) {
      console.error(err.message);
      return 2;
    }
    if (err instanceof PeelError) {
      console.error(`peel ${name}: ${err.message}`);
      return 1;
    }
    throw err;
  } finally {
    await (platform as Platform | null)?.database.close();
  }
}

if (import.meta.main) {
  process.exitCode = await main(process.argv.slice(2));
}
