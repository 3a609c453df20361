/** When a background task inside `peel serve` first runs, and how often after that. */
export interface Schedule {
  firstDelayMs: number;
  everyMs: number;
}

/**
 * Runs `task` on a timer, never two at once (a slow run is not overlapped: the next tick
 * is skipped), and hands each outcome or error to `onResult`. The timers do not keep the
 * process alive. Returns the function that stops it.
 */
export function runOnSchedule<T>(schedule: Schedule, task: () => Promise<T>, onResult: (r: T | Error) => void): () => void {
  let running = false;
  const run = async () => {
    if (running) return;
    running = true;
    try {
      onResult(await task());
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
