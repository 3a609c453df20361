import { systemActor } from '../../platform/actor.ts';
import type { Platform } from '../../platform/context.ts';
import { runOnSchedule, type Schedule } from '../../platform/schedule.ts';
import { sweep, type SweepResult } from './sweep.ts';
import { uploadsDir } from './uploads.ts';

/** Daily, starting a few minutes after the server comes up, so a restart loop cannot sweep in a burst. */
export const DAILY: Schedule = { firstDelayMs: 5 * 60_000, everyMs: 86_400_000 };

/**
 * Runs the retention sweep on a timer inside `peel serve`, as the system actor. Returns
 * the function that stops it. One sweep at a time: a slow one is not overlapped.
 */
export function scheduleSweep(
  platform: Platform,
  onResult: (r: SweepResult | Error) => void,
  schedule: Schedule = DAILY,
  now: () => Date = () => new Date(),
): () => void {
  return runOnSchedule(schedule, () => sweep(platform.db, platform.blobs, systemActor, now(), false, uploadsDir(platform.config)), onResult);
}
