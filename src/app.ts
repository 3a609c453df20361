import { auditCommand } from './platform/audit/cli.ts';
import { auditMigrations } from './platform/audit/migrations.ts';
import { auditRoutes } from './platform/audit/routes.ts';
import { tokensCommand, usersCommand } from './platform/auth/cli.ts';
import { authMigrations } from './platform/auth/migrations.ts';
import { authRoutes } from './platform/auth/routes.ts';
import * as auth from './platform/auth/service.ts';
import { systemActor } from './platform/actor.ts';
import { openBlobStore } from './platform/blobs/index.ts';
import type { Config } from './platform/config.ts';
import type { PeelModule, PeelServer, Platform } from './platform/context.ts';
import { openDatabase } from './platform/db/index.ts';
import { migrate } from './platform/db/migrate.ts';
import { createServer } from './platform/http/server.ts';
import { systemRoutes } from './platform/http/system-routes.ts';
import { STAFF_ROLES } from './platform/roles.ts';
import { countUsers } from './platform/auth/store.ts';
import { crimeModule } from './modules/crime/index.ts';
import { forecastModule } from './modules/forecast/index.ts';
import { evidenceModule } from './modules/evidence/index.ts';
import { reportsModule } from './modules/reports/index.ts';

/** The platform's own parts, in the shape every module has. */
const platformParts: PeelModule[] = [
  {
    name: 'audit',
    migrations: auditMigrations,
    routes: auditRoutes,
    commands: [auditCommand],
    navigation: [{ id: 'audit', title: 'Audit log', path: '/audit', description: 'Who consulted, changed, disclosed or erased what, and why; verify the chain and export it.', roles: ['auditor'] }],
  },
  {
    name: 'auth',
    migrations: authMigrations,
    routes: authRoutes,
    commands: [usersCommand, tokensCommand],
    navigation: [
      { id: 'users', title: 'Users', path: '/users', description: 'Add users, set their roles, unlock accounts and require a second factor.', roles: ['admin'] },
      { id: 'account', title: 'Your account', path: '/account', description: 'Your password, authenticator app and API tokens.', roles: STAFF_ROLES },
    ],
  },
];

/** Peel's capabilities; each arrives with its issue. */
export const modules: PeelModule[] = [crimeModule, forecastModule, evidenceModule, reportsModule];

export const allParts = (): PeelModule[] => [...platformParts, ...modules];

/** Opens the database (running any new migrations) and the blob store. */
export async function openPlatform(config: Config): Promise<Platform> {
  const database = openDatabase(config.PEEL_DB_URL);
  try {
    await migrate(database.db, database.dialect, allParts().flatMap((m) => (m.migrations ? [m.migrations] : [])));
  } catch (err) {
    await database.close();
    throw err;
  }
  return {
    database,
    db: database.db,
    blobs: openBlobStore(config.PEEL_BLOBS, config),
    config,
    // The modules' pages first, the platform's own (audit, users, account) after them.
    navigation: [...modules, ...platformParts].flatMap((m) => m.navigation ?? []),
  };
}

export async function buildApp(platform: Platform): Promise<PeelServer> {
  const app = await createServer(platform);
  for (const part of allParts()) await part.routes?.(app, platform);
  await systemRoutes(app, platform);
  await app.ready();
  return app;
}

/**
 * On a new system: an administrator with a one-time password (returned, to print once)
 * and each module's sample data. Does nothing once any user exists.
 */
export async function firstStart(platform: Platform): Promise<string | null> {
  if ((await countUsers(platform.db)) > 0) return null;
  const { oneTimePassword } = await auth.createUser(platform.db, systemActor, { username: 'admin', displayName: 'Administrator', role: 'admin' });
  for (const part of allParts()) await part.firstStart?.(platform);
  return oneTimePassword;
}
