import type { PeelModule } from '../../platform/context.ts';
import { forecastCommand } from './cli.ts';
import { forecastMigrations } from './migrations.ts';
import { withPatrols } from './patrols-cli.ts';
import { forecastRoutes } from './routes.ts';

/** Hotspot forecasting and its backtests (issue 4); reads crime records through the crime module. */
export const forecastModule: PeelModule = {
  name: 'forecast',
  migrations: forecastMigrations,
  routes: forecastRoutes,
  commands: [withPatrols(forecastCommand)],
};
