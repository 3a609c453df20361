import type { FastifyInstance, FastifyBaseLogger, RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { BlobStore } from './blobs/index.ts';
import type { Config } from './config.ts';
import type { Database, Db } from './db/index.ts';
import type { MigrationSet } from './db/migrate.ts';
import type { Role } from './roles.ts';

/** What every module is given: the database, blob store and configuration. */
export interface Platform {
  database: Database;
  db: Db;
  blobs: BlobStore;
  config: Config;
  /** every module's navigation items; each user sees those their role may use */
  navigation: NavItem[];
}

export type PeelServer = FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, FastifyBaseLogger, ZodTypeProvider>;

/** An entry in the web app's navigation, shown only to the roles listed. */
export interface NavItem {
  id: string;
  title: string;
  path: string;
  description: string;
  roles: readonly Role[];
}

/** A `peel <name> …` command. */
export interface Command {
  name: string;
  summary: string;
  usage: string;
  run(args: string[], open: () => Promise<Platform>): Promise<number>;
}

/** One capability of Peel: its tables, routes, pages and commands. The platform parts use the same shape. */
export interface PeelModule {
  name: string;
  migrations?: MigrationSet;
  routes?: (app: PeelServer, platform: Platform) => void | Promise<void>;
  navigation?: NavItem[];
  commands?: Command[];
  /** loads this module's slice of the sample data when a new system first starts */
  firstStart?: (platform: Platform) => Promise<void>;
}
