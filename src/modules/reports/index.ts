import type { PeelModule } from '../../platform/context.ts';
import { reportsCommand } from './cli.ts';
import { reportsMigrations } from './migrations.ts';
import { AREA_SAFETY_READERS, FEED_READERS, reportsRoutes } from './routes.ts';

/** Citizen reports, open feeds and the control room's live feed. */
export const reportsModule: PeelModule = {
  name: 'reports',
  migrations: reportsMigrations,
  routes: reportsRoutes,
  commands: [reportsCommand],
  navigation: [
    {
      id: 'control-room',
      title: 'Control room',
      path: '/control-room',
      description: 'New reports and messages as they arrive, on a live feed and a map; acknowledge, assign, reply and close.',
      roles: FEED_READERS,
    },
    {
      id: 'area-safety',
      title: 'Area safety',
      path: '/control-room/area-safety',
      description: 'Areas with more or less known crime than usual, from recorded crime and recent reports, with the inputs behind each score.',
      roles: AREA_SAFETY_READERS,
    },
    {
      id: 'report-sources',
      title: 'Report settings',
      path: '/reports/settings',
      description: 'The categories people choose from, and the feeds and partner webhooks that bring messages in.',
      roles: ['admin'],
    },
  ],
};
