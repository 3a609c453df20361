// The forecast in the product, timed on a database holding imported crime records: the risk
// surface and its 12-month backtest figures computed on first request (cold) and read from
// the cache (warm), and patrol plans of several sizes made from the surface.
//
// Usage: node bench/forecast-product.ts --db sqlite:FILE [--type Burglary] [--method peel]
//          [--by month|week|day] [--time-zone Europe/London]
//   The database must already hold records (peel import police-uk …; by week or day, records
//   with dates, e.g. peel import csv … --mapping sample/mappings/chicago-aggravated-assaults.json);
//   its forecast cache is emptied first so the cold figures are cold.
import { allParts } from '../src/app.ts';
import { openDatabase } from '../src/platform/db/index.ts';
import { migrate } from '../src/platform/db/migrate.ts';
import { planPatrols } from '../src/lib/forecast/patrols.ts';
import { forecastAccuracy, forecastSurface, patrolPlan } from '../src/modules/forecast/surface.ts';
import type { Method } from '../src/modules/forecast/service.ts';
import type { PeriodKind } from '../src/lib/forecast/periods.ts';

const args = process.argv.slice(2);
const option = (name: string, fallback: string) => (args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1]! : fallback);
const url = option('db', process.env.PEEL_DB_URL ?? '');
if (!url) throw new Error('give --db sqlite:FILE (a database with imported crime records)');
const request = { types: [option('type', 'Burglary')], method: option('method', 'peel') as Method, cellSize: 250, by: option('by', 'month') as PeriodKind, timeZone: option('time-zone', 'Europe/London') };

const database = openDatabase(url);
await migrate(database.db, database.dialect, allParts().flatMap((m) => (m.migrations ? [m.migrations] : [])));
await database.db.deleteFrom('forecast_results').execute();
const time = async <T>(f: () => Promise<T>): Promise<[T, number]> => {
  const t = performance.now();
  const r = await f();
  return [r, (performance.now() - t) / 1000];
};

console.log(`${request.types.join(' + ')}, method ${request.method}, by ${request.by}, 250 m cells (${database.describe})`);
const [[surface, accuracy], cold] = await time(() => Promise.all([forecastSurface(database.db, request), forecastAccuracy(database.db, request)]));
console.log(`  surface + backtest, cold (computed in worker threads): ${cold.toFixed(2)} s  (surface ${surface.seconds.toFixed(2)} s, backtest ${accuracy.seconds.toFixed(2)} s; ${surface.studyCells} study cells, ${accuracy.testPeriods} test ${accuracy.by}s, ${accuracy.trainPeriods} training ${accuracy.by}s each)`);
const [, warm] = await time(() => Promise.all([forecastSurface(database.db, request), forecastAccuracy(database.db, request)]));
console.log(`  surface + backtest, warm (from the cache): ${warm.toFixed(2)} s`);
const cells = surface.cell.map((_, i) => ({ column: surface.column[i]!, row: surface.row[i]!, score: surface.score[i]! }));
for (const [areas, maxCells] of [[3, 8], [5, 16], [10, 24]] as const) {
  const t = performance.now();
  const plan = planPatrols(cells, { areas, maxCells });
  console.log(`  patrol plan ${areas} × ≤${maxCells} cells: ${(performance.now() - t).toFixed(0)} ms, ${((100 * plan.covered) / plan.total).toFixed(1)}% of the forecast risk`);
}
const [, whole] = await time(() => patrolPlan(database.db, { ...request, areas: 5, maxCells: 16 }));
console.log(`  GET /api/forecast/patrols' work (5 × ≤16, cached surface, outlines in WGS84): ${whole.toFixed(2)} s`);
await database.close();
