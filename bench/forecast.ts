// The forecast backtest of issue 4, measured: the six methods on the shared Leicestershire
// data (250 m cells, 12 training months, test months 2021-11 … 2022-10) for Burglary and for
// Violence and sexual offences, on the unshifted grid (timed: the whole six-method backtest,
// database read included) and again on the four half-cell-shifted grids (the spread). Prints
// the full results table, each method's seconds, and whether each of the issue's targets is met.
//
// Usage: node bench/forecast.ts [--data DIR] [--keep FILE] [--type TYPE]… [--from YYYY-MM --to YYYY-MM] [--methods a,b,…]
//   --keep FILE  keep the loaded SQLite database in FILE and reuse it on the next run
//   --from/--to  other test months (the development months 2020-12 … 2021-10, say); the
//                issue's are 2021-11 … 2022-10
//   --methods    fewer methods while exploring (the targets then compare with those only)
import { existsSync, readdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { allParts } from '../src/app.ts';
import { systemActor } from '../src/platform/actor.ts';
import { openDatabase } from '../src/platform/db/index.ts';
import { migrate } from '../src/platform/db/migrate.ts';
import { countRecords } from '../src/modules/crime/read-store.ts';
import { importPoliceUk } from '../src/modules/crime/service.ts';
import { backtest, METHODS, type BacktestReport, type BacktestRequest, type Method } from '../src/modules/forecast/service.ts';
import { describeBacktest } from '../src/modules/forecast/cli.ts';
import { sharedData } from '../src/test/shared-data.ts';

const args = process.argv.slice(2);
const option = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1]! : null);
const dataDir = resolve(option('--data') ?? sharedData('police-uk-leicestershire/street'));
const keep = option('--keep') ? resolve(option('--keep')!) : null;
const types = args.flatMap((a, i) => (a === '--type' ? [args[i + 1]!] : []));
const TYPES = types.length ? types : ['Burglary', 'Violence and sexual offences'];
const FROM = option('--from') ?? '2021-11';
const TO = option('--to') ?? '2022-10';
const methods = option('--methods') ? (option('--methods')!.split(',') as Method[]) : METHODS;
for (const m of methods) if (!METHODS.includes(m)) throw new Error(`--methods: unknown method ${m} (one of ${METHODS.join(', ')})`);
/** the issue's margins over the best other method at 5% and 10% coverage */
const MARGIN: Record<string, number> = { Burglary: 0.1, 'Violence and sexual offences': 0.03 };

const dir = mkdtempSync(join(tmpdir(), 'peel-bench-forecast-'));
const url = `sqlite:${keep ?? join(dir, 'peel.db')}`;
const database = openDatabase(url);
await migrate(database.db, database.dialect, allParts().flatMap((m) => (m.migrations ? [m.migrations] : [])));
if ((await countRecords(database.db)) > 0) {
  console.log(`reusing ${(await countRecords(database.db)).toLocaleString('en-GB')} records in ${keep}`);
} else {
  const t0 = performance.now();
  const files = readdirSync(dataDir).filter((f) => /-street\.csv(\.gz)?$/.test(f)).map((f) => join(dataDir, f));
  const summary = await importPoliceUk(database.db, systemActor, files, { via: 'bench' });
  console.log(`imported ${summary.imported.toLocaleString('en-GB')} records from ${dataDir} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}
console.log(`node ${process.version}, SQLite`);

const f2 = (x: number) => x.toFixed(2);
const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

function targets(type: string, r: BacktestReport, seconds: number): string[] {
  const lines: string[] = [];
  const peel = r.results.find((x) => x.method === 'peel')!;
  const others = r.results.filter((x) => x.method !== 'peel');
  const naiveAll = r.results.find((x) => x.method === 'naive-all')!;
  const margin = MARGIN[type];
  for (const coverage of [0.05, 0.1]) {
    const c = peel.coverage.findIndex((x) => x.coverage === coverage);
    const best = others.reduce((a, b) => (b.coverage[c]!.meanPai > a.coverage[c]!.meanPai ? b : a));
    const gain = peel.coverage[c]!.meanPai / best.coverage[c]!.meanPai - 1;
    if (margin !== undefined) {
      lines.push(`  peel PAI at ${pct(coverage)}: ${f2(peel.coverage[c]!.meanPai)} vs best other ${best.method} ${f2(best.coverage[c]!.meanPai)}: ${gain >= 0 ? '+' : ''}${(100 * gain).toFixed(1)}% (target ≥ +${100 * margin}%) ${gain >= margin ? 'MET' : 'NOT MET'}`);
    }
  }
  const below = peel.coverage.filter((x, c) => x.meanPai < naiveAll.coverage[c]!.meanPai);
  lines.push(`  peel never below naive-all (unshifted grid): ${below.length ? `NOT MET at ${below.map((x) => pct(x.coverage)).join(', ')}` : 'MET'}`);
  if (r.offsets) {
    const p = r.results.findIndex((x) => x.method === 'peel');
    const n = r.results.findIndex((x) => x.method === 'naive-all');
    const bad = r.offsets.grids.filter((g) => g.results[p]!.coverage.some((x, c) => x.meanPai < g.results[n]!.coverage[c]!.meanPai));
    lines.push(`  peel never below naive-all on any of the ${r.offsets.grids.length} grids: ${bad.length ? `NOT MET on ${bad.length}` : 'MET'}`);
  }
  lines.push(`  six-method backtest in ${seconds.toFixed(1)} s (target < 60 s) ${seconds < 60 ? 'MET' : 'NOT MET'}`);
  return lines;
}

try {
  for (const type of TYPES) {
    const request: BacktestRequest = { types: [type], cellSize: 250, trainMonths: 12, from: FROM, to: TO, methods };
    const t0 = performance.now();
    const report = await backtest(database.db, request);
    const seconds = (performance.now() - t0) / 1000;
    const t1 = performance.now();
    const shifted = await backtest(database.db, { ...request, offsets: true });
    const shiftedSeconds = (performance.now() - t1) / 1000;
    console.log(`\n=== ${type} ===`);
    console.log(describeBacktest({ ...report, offsets: shifted.offsets }, request));
    console.log(`\nmean PAI per grid (origin easting, northing):`);
    for (const g of shifted.offsets!.grids) {
      console.log(`  (${g.originEasting}, ${g.originNorthing}) ${g.studyCells} cells: ${g.results.map((x) => `${x.method} ${x.coverage.map((c) => f2(c.meanPai)).join('/')}`).join('; ')}`);
    }
    console.log(`\nseconds per method (unshifted grid): ${report.results.map((x) => `${x.method} ${x.seconds.toFixed(2)}`).join(', ')}`);
    console.log(`total: ${seconds.toFixed(1)} s for the six-method backtest (database read included); ${shiftedSeconds.toFixed(1)} s with the four grids`);
    console.log(`memory: ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB resident`);
    console.log('targets:');
    for (const line of targets(type, shifted, seconds)) console.log(line);
  }
} finally {
  await database.close();
  if (!keep) rmSync(dir, { recursive: true, force: true });
  else if (!existsSync(keep)) console.log(`(${keep} was not kept)`);
}
