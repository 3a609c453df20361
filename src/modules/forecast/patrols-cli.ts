import { z } from 'zod';
import { PERIOD_KINDS } from '../../lib/forecast/periods.ts';
import { parseOptions, UsageError } from '../../platform/cli-options.ts';
import type { Command, Platform } from '../../platform/context.ts';
import { DEFAULTS, METHODS, type Method } from './service.ts';
import * as product from './surface.ts';

/** `peel forecast patrols …`: a patrol plan from the forecast, as a table or --json. */

export const PATROLS_USAGE = `peel forecast patrols --type TYPE [--type TYPE…] --areas N --max-cells M
    [--by month|week|day] [--period YYYY-MM|YYYY-MM-DD] [--time-zone ZONE]
    [--method ${METHODS.join('|')}] [--cell 250] [--json]

Forecasts --type for --period (by default the one after the last record) --by month
(police.uk), or by week or day from records imported with their date and time (days in
--time-zone, Europe/London by default), with
--method (peel by default) on --cell metre squares, then chooses N patrol areas of at most
M cells each, every area 4-connected (its cells share edges), that together cover the most
forecast risk. Prints each area's expected share of the period's crime, its share of the
training periods' crimes, and the method's backtest hit rate beside the naive baselines.
--json prints the same GeoJSON FeatureCollection as GET /api/forecast/patrols.`;

const pct = (x: number | null) => (x === null || !Number.isFinite(x) ? '–' : `${(100 * x).toFixed(1)}%`);

const schema = z.object({
  type: z.array(z.string().trim().min(1, { error: 'must name a crime type, e.g. "Burglary"' }), { error: 'is required: the crime type(s) to forecast, e.g. --type "Burglary"' }).min(1),
  areas: z.coerce.number({ error: 'must be a number' }).int({ error: 'must be a whole number' }).min(1, { error: 'must be at least 1' }).max(50, { error: 'must be at most 50' }),
  'max-cells': z.coerce.number({ error: 'must be a number' }).int({ error: 'must be a whole number' }).min(1, { error: 'must be at least 1' }).max(100, { error: 'must be at most 100' }),
  by: z.enum(PERIOD_KINDS, { error: `must be one of ${PERIOD_KINDS.join(', ')}` }).default('month'),
  period: z.string().regex(/^\d{4}-\d{2}(-\d{2})?$/, { error: 'must be a month YYYY-MM, or by week or day a date YYYY-MM-DD' }).optional(),
  'time-zone': z.string().min(1).optional(),
  method: z.enum(METHODS, { error: `must be one of ${METHODS.join(', ')}` }).default('peel'),
  cell: z.coerce.number({ error: 'must be a number of metres' }).int({ error: 'must be a whole number of metres' }).min(100, { error: 'must be at least 100 m' }).max(2000, { error: 'must be at most 2,000 m' }).default(DEFAULTS.cellSize),
  json: z.boolean().optional(),
});

export async function runPatrols(args: string[], open: () => Promise<Platform>): Promise<number> {
  const o = parseOptions(
    args,
    { type: { type: 'string', multiple: true }, areas: { type: 'string' }, 'max-cells': { type: 'string' }, by: { type: 'string' }, period: { type: 'string' }, 'time-zone': { type: 'string' }, method: { type: 'string' }, cell: { type: 'string' }, json: { type: 'boolean' } },
    schema,
  );
  if (o._.length) throw new UsageError(`unexpected argument "${o._[0]}"`);
  const { db } = await open();
  const request: product.PatrolRequest = { types: o.type, by: o.by, timeZone: o['time-zone'], period: o.period, method: o.method as Method, cellSize: o.cell, areas: o.areas, maxCells: o['max-cells'] };
  if (!o.json && process.stderr.isTTY) process.stderr.write('Forecasting and backtesting (the first time for this data can take a minute)…\n');
  const [plan, accuracy] = await Promise.all([product.patrolPlan(db, request), product.forecastAccuracy(db, request)]);
  if (o.json) {
    console.log(JSON.stringify(patrolsJson(plan, accuracy, request)));
    return 0;
  }
  const s = plan.surface;
  const lines = [
    `${s.types.join(' + ')}, ${s.window.period}: ${o.areas} patrol area${o.areas === 1 ? '' : 's'} of at most ${o['max-cells']} cells of ${s.cellSize} m (4-connected), method ${s.method}, trained on ${s.window.trainFrom} to ${s.window.trainTo}.`,
    '',
    `${'area'.padEnd(5)} ${'cells'.padStart(5)} ${'expected share'.padStart(15)} ${'recent crimes'.padStart(14)} ${'recent share'.padStart(13)}  centre (lon, lat)`,
    ...plan.areas.map((a) => `${String(a.area).padEnd(5)} ${String(a.cells.length).padStart(5)} ${pct(a.share).padStart(15)} ${String(a.recentCrimes).padStart(14)} ${pct(a.recentShare).padStart(13)}  ${a.centre[0].toFixed(5)}, ${a.centre[1].toFixed(5)}`),
    `${'all'.padEnd(5)} ${String(plan.areas.reduce((n, a) => n + a.cells.length, 0)).padStart(5)} ${pct(plan.share).padStart(15)} ${''.padStart(14)} ${pct(plan.recentShare).padStart(13)}`,
    '',
    `Backtest over ${accuracy.testPeriods} ${accuracy.by}s (${accuracy.testFrom} to ${accuracy.testTo}, ${accuracy.trainPeriods} training ${accuracy.by}s each), mean hit rate at 5% / 10% of cells:`,
    ...accuracy.methods.map((m) => `  ${m.method.padEnd(12)} ${pct(m.coverage.find((c) => c.coverage === 0.05)?.meanHitRate ?? null).padStart(7)} / ${pct(m.coverage.find((c) => c.coverage === 0.1)?.meanHitRate ?? null)}`),
    `(surface computed ${s.computedAt}; backtest computed ${accuracy.computedAt})`,
  ];
  console.log(lines.join('\n'));
  return 0;
}

function patrolsJson(plan: product.PatrolPlanResult, accuracy: product.Accuracy, request: product.PatrolRequest): object {
  const s = plan.surface;
  return {
    type: 'FeatureCollection',
    features: plan.areas.map((a) => ({ type: 'Feature', geometry: a.geometry, properties: { area: a.area, cells: a.cells, share: a.share, recentCrimes: a.recentCrimes, recentShare: a.recentShare, centre: a.centre } })),
    types: s.types,
    method: s.method,
    cellSize: s.cellSize,
    window: s.window,
    studyCells: s.studyCells,
    computedAt: s.computedAt,
    accuracy,
    areas: request.areas,
    maxCells: request.maxCells,
    connectivity: '4-connected (cells share an edge)',
    share: plan.share,
    recentShare: plan.recentShare,
  };
}

/** The forecast command with `patrols` added beside the backtest. */
export function withPatrols(command: Command): Command {
  return {
    ...command,
    summary: `${command.summary}; plan patrol areas from the forecast`,
    usage: `${command.usage}\n\n${PATROLS_USAGE}`,
    run: (args, open) => (args[0] === 'patrols' ? runPatrols(args.slice(1), open) : command.run(args, open)),
  };
}
