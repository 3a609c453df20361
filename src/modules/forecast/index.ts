import type { PeelModule } from '../../platform/context.ts';
import { forecastCommand } from './cli.ts';

/** Hotspot forecasting and its backtests (issue 4); reads crime records through the crime module. */
export const forecastModule: PeelModule = {
  name: 'forecast',
  commands: [forecastCommand],
};
