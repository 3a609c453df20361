import { systemActor } from '../../platform/actor.ts';
import type { Platform } from '../../platform/context.ts';
import { sweep, type SweepResult } from './sweep.ts';
import { uploadsDir } from './uploads.ts';

export interface Schedule {
  firstDelayMs: number;
  everyMs: number;
}

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
  let running = false;
  const run = async () => {
    if (running) return;
    running = true;
    try {
      onResult(await sweep(platform.db, platform.blobs, systemActor, now(), false, uploadsDir(platform.config)));
    } catch (err) {
      onResult(err as Error);
    } finally {
      running = false;
    }
  };
  let every: NodeJS.Timeout | null = null;
  const first = setTimeout(() => {
    void run();
    every = setInterval(() => void run(), schedule.everyMs);
    every.unref();
  }, schedule.firstDelayMs);
  first.unref();
  return () => {
    clearTimeout(first);
    if (every) clearInterval(every);
  };
}
