import type { PeelModule } from '../../platform/context.ts';
import { evidenceCommand } from './cli.ts';
import { evidenceMigrations } from './migrations.ts';
import { evidenceRoutes, STAFF } from './routes.ts';

/** The digital evidence store: uploads, categories and retention, custody and sharing. */
export const evidenceModule: PeelModule = {
  name: 'evidence',
  migrations: evidenceMigrations,
  routes: evidenceRoutes,
  commands: [evidenceCommand],
  navigation: [
    {
      id: 'evidence',
      title: 'Evidence',
      path: '/evidence',
      description: 'Upload body-worn video and CCTV, categorise it before it is deleted, play it, and share it with prosecutors by link.',
      roles: STAFF,
    },
    {
      id: 'evidence-categories',
      title: 'Evidence categories',
      path: '/evidence/categories',
      description: 'The categories officers give footage, and how long each is kept before review or deletion.',
      roles: ['admin'],
    },
  ],
};
