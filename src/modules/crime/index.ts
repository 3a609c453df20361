import type { PeelModule } from '../../platform/context.ts';
import { crimeMigrations } from './migrations.ts';

/** The crime data hub and allocation map. */
export const crimeModule: PeelModule = {
  name: 'crime',
  migrations: crimeMigrations,
};
