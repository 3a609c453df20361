import { parentPort, workerData } from 'node:worker_threads';
import { runJob, type ComputeJob } from './compute.ts';

// One computation per worker thread, so a backtest of many seconds never stalls the server.
try {
  parentPort!.postMessage({ ok: true, result: runJob(workerData as ComputeJob) });
} catch (err) {
  parentPort!.postMessage({ ok: false, message: err instanceof Error ? err.message : String(err) });
}
