import type { Platform } from '../../platform/context.ts';
import { PeelError } from '../../platform/errors.ts';
import { runOnSchedule, type Schedule } from '../../platform/schedule.ts';
import { crimeDataVersion } from '../crime/events.ts';
import { DEFAULTS } from './service.ts';
import { forecastAccuracy, forecastSurface } from './surface.ts';

/**
 * Keeps the forecasts people open first ready. peel's surface and its twelve-month backtest
 * take about a minute on a force's data; rather than make the first person who opens the map
 * after an import wait, the server computes them in the background when it starts and again
 * whenever the crime data changes. One run at a time; the check itself is one small query.
 */

/** Half a minute after start (not in the way of start-up), then a look every five minutes. */
export const WARM_SCHEDULE: Schedule = { firstDelayMs: 30_000, everyMs: 5 * 60_000 };

export interface WarmResult {
  version: number;
  /** the crime types whose forecast and accuracy are now cached for this data version */
  warmed: string[];
  /** why nothing could be computed, e.g. no located crimes yet */
  skipped: Array<{ type: string; reason: string }>;
}

/** Computes (or finds cached) the default forecast and its accuracy figures for each type. */
export async function warmForecasts(platform: Platform, types: readonly string[]): Promise<WarmResult> {
  const version = await crimeDataVersion(platform.db);
  const result: WarmResult = { version, warmed: [], skipped: [] };
  for (const type of types) {
    const request = { types: [type], method: 'peel' as const, cellSize: DEFAULTS.cellSize };
    try {
      await forecastSurface(platform.db, request);
      await forecastAccuracy(platform.db, request);
      result.warmed.push(type);
    } catch (err) {
      if (!(err instanceof PeelError)) throw err;
      result.skipped.push({ type, reason: err.message });
    }
  }
  return result;
}

/** Runs warmForecasts on a timer when the data version has moved; returns the function that stops it. */
export function scheduleForecastWarmUp(platform: Platform, types: readonly string[], onResult: (r: WarmResult | Error) => void, schedule: Schedule = WARM_SCHEDULE): () => void {
  let warmedVersion: number | null = null;
  return runOnSchedule(
    schedule,
    async () => {
      if ((await crimeDataVersion(platform.db)) === warmedVersion) return null;
      const r = await warmForecasts(platform, types);
      warmedVersion = r.version;
      return r;
    },
    (r) => {
      if (r) onResult(r);
    },
  );
}
