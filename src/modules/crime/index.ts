import type { PeelModule } from '../../platform/context.ts';
import { importCommand } from './cli.ts';
import { crimeMigrations } from './migrations.ts';
import { CRIME_ROLES, crimeQueryRoutes } from './routes.ts';
import { loadSampleData } from './service.ts';

/** The crime data hub and allocation map. */
export const crimeModule: PeelModule = {
  name: 'crime',
  migrations: crimeMigrations,
  commands: [importCommand],
  // A new system gets the sample boundaries and twelve months of Leicestershire crime.
  firstStart: async (platform) => console.log(await loadSampleData(platform.db)),
  routes: crimeQueryRoutes,
  navigation: [
    {
      id: 'crime',
      title: 'Crime map',
      path: '/crime',
      description: 'Where and when crime happens: counts by hexagon or neighbourhood, trends, hotspots and what changed, with the records behind them.',
      roles: CRIME_ROLES,
    },
  ],
};
