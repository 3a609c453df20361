import { z } from 'zod';
import { cliActor } from '../actor.ts';
import { parseOptions, readStdin, UsageError } from '../cli-options.ts';
import type { Command } from '../context.ts';
import { STAFF_ROLES } from '../roles.ts';
import * as auth from './service.ts';

const role = z.enum(STAFF_ROLES, { error: `must be one of ${STAFF_ROLES.join(', ')}` });
const username = z.string({ error: 'is required' }).min(1);

const USERS_USAGE = `peel users add --username NAME --role ROLE [--name "Display Name"] [--password-stdin]
peel users list [--json]
peel users set-role --username NAME --role ROLE
peel users disable --username NAME
peel users enable --username NAME
peel users unlock --username NAME
peel users reset-password --username NAME
roles: ${STAFF_ROLES.join(', ')}`;

export const usersCommand: Command = {
  name: 'users',
  summary: 'add, list, disable, enable, unlock users and set their roles',
  usage: USERS_USAGE,
  async run(args, open) {
    const [sub, ...rest] = args;
    const actor = cliActor();
    switch (sub) {
      case 'add': {
        const o = parseOptions(rest, { username: { type: 'string' }, role: { type: 'string' }, name: { type: 'string' }, 'password-stdin': { type: 'boolean' } }, z.object({ username, role, name: z.string().optional(), 'password-stdin': z.boolean().optional() }));
        const password = o['password-stdin'] ? (await readStdin()).replace(/\r?\n$/, '') : undefined;
        const { db } = await open();
        const r = await auth.createUser(db, actor, { username: o.username, role: o.role, displayName: o.name, password });
        console.log(`Added ${r.user.username} (${r.user.roleLabel}).`);
        if (r.oneTimePassword) console.log(`One-time password (shown once; they choose their own at first sign-in):\n${r.oneTimePassword}`);
        return 0;
      }
      case 'list': {
        const o = parseOptions(rest, { json: { type: 'boolean' } }, z.object({ json: z.boolean().optional() }));
        const { db } = await open();
        const users = await auth.listUsers(db, actor);
        if (o.json) console.log(JSON.stringify(users, null, 2));
        else {
          const rows = users.map((u) => [u.username, u.role, u.disabled ? 'disabled' : u.locked ? 'locked' : 'active', u.totpEnabled ? '2FA' : '', u.sso ? 'SSO' : 'local', u.lastLoginAt ?? 'never']);
          const widths = rows.reduce((w, r) => r.map((c, i) => Math.max(w[i] ?? 0, c.length)), [8, 4, 6, 3, 5, 10]);
          for (const r of [['username', 'role', 'status', '2FA', 'login', 'last sign-in'], ...rows]) console.log(r.map((c, i) => c.padEnd(widths[i]!)).join('  '));
        }
        return 0;
      }
      case 'set-role': {
        const o = parseOptions(rest, { username: { type: 'string' }, role: { type: 'string' } }, z.object({ username, role }));
        const { db } = await open();
        const u = await auth.updateUser(db, actor, await auth.userIdByName(db, o.username), { role: o.role });
        console.log(`${u.username} is now ${u.roleLabel}.`);
        return 0;
      }
      case 'disable':
      case 'enable': {
        const o = parseOptions(rest, { username: { type: 'string' } }, z.object({ username }));
        const { db } = await open();
        const u = await auth.updateUser(db, actor, await auth.userIdByName(db, o.username), { disabled: sub === 'disable' });
        console.log(`${u.username} is ${u.disabled ? 'disabled; their sessions have ended' : 'enabled'}.`);
        return 0;
      }
      case 'unlock': {
        const o = parseOptions(rest, { username: { type: 'string' } }, z.object({ username }));
        const { db } = await open();
        await auth.unlockUser(db, actor, await auth.userIdByName(db, o.username));
        console.log(`${o.username} is unlocked.`);
        return 0;
      }
      case 'reset-password': {
        const o = parseOptions(rest, { username: { type: 'string' } }, z.object({ username }));
        const { db } = await open();
        const otp = await auth.resetPassword(db, actor, await auth.userIdByName(db, o.username));
        console.log(`New one-time password for ${o.username} (shown once):\n${otp}`);
        return 0;
      }
      default:
        throw new UsageError(sub ? `unknown users command "${sub}"` : 'say which users command');
    }
  },
};

export const tokensCommand: Command = {
  name: 'tokens',
  summary: 'create, list and revoke API tokens for machine clients',
  usage: `peel tokens create --username NAME --name LABEL [--days N]   (prints the token alone on its last line)
peel tokens list --username NAME [--json]
peel tokens revoke --id N`,
  async run(args, open) {
    const [sub, ...rest] = args;
    const actor = cliActor();
    switch (sub) {
      case 'create': {
        const o = parseOptions(rest, { username: { type: 'string' }, name: { type: 'string' }, days: { type: 'string' } }, z.object({ username, name: z.string({ error: 'is required' }).min(1), days: z.coerce.number().int().min(1).max(366).optional() }));
        const platform = await open();
        const t = await auth.createToken(platform.db, actor, await auth.userIdByName(platform.db, o.username), o.name, o.days ?? platform.config.PEEL_TOKEN_DEFAULT_DAYS);
        console.log(`Token "${t.name}" for ${o.username}, expires ${t.expiresAt}. It is shown once; store it in a secret store.`);
        console.log(t.token);
        return 0;
      }
      case 'list': {
        const o = parseOptions(rest, { username: { type: 'string' }, json: { type: 'boolean' } }, z.object({ username, json: z.boolean().optional() }));
        const { db } = await open();
        const tokens = await auth.listTokens(db, await auth.userIdByName(db, o.username));
        if (o.json) console.log(JSON.stringify(tokens, null, 2));
        else for (const t of tokens) console.log(`${t.id}\t${t.prefix}…\t${t.name}\texpires ${t.expiresAt}${t.revokedAt ? '\trevoked' : ''}`);
        return 0;
      }
      case 'revoke': {
        const o = parseOptions(rest, { id: { type: 'string' } }, z.object({ id: z.coerce.number().int().positive() }));
        const { db } = await open();
        await auth.revokeToken(db, actor, o.id);
        console.log(`Token ${o.id} is revoked.`);
        return 0;
      }
      default:
        throw new UsageError(sub ? `unknown tokens command "${sub}"` : 'say which tokens command');
    }
  },
};
