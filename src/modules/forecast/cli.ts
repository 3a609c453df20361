import { z } from 'zod';
import { isMonth } from '../../lib/months.ts';
import { parseOptions, UsageError } from '../../platform/cli-options.ts';
import type { Command } from '../../platform/context.ts';
import * as forecast from './service.ts';
import { PERIOD_KINDS, type PeriodKind } from '../../lib/forecast/periods.ts';

/** Training periods by default: twelve months, a year of weeks, a year of days. */
const DEFAULT_TRAIN: Record<PeriodKind, number> = { month: forecast.DEFAULTS.trainMonths, week: 52, day: 365 };

const pct = (x: number) => (Number.isFinite(x) ? `${(100 * x).toFixed(1)}%` : '–');
const num = (x: number, digits = 2) => (Number.isFinite(x) ? x.toFixed(digits) : '–');
const n = (x: number) => x.toLocaleString('en-GB');

/** The report as a table: mean hit rate (PAI) per method and coverage, then the grid-offset spread. */
export function describeBacktest(r: forecast.BacktestReport, request: forecast.BacktestRequest): string {
  const periods = r.results[0]?.periods ?? [];
  const events = periods.reduce((s, p) => s + p.events, 0);
  const coverages = r.results[0]?.coverage.map((c) => c.coverage) ?? [];
  const width = Math.max(12, ...r.results.map((x) => x.method.length));
  const unit = request.period ?? 'month';
  const lines = [
    `${request.types.join(' + ')}: ${n(r.cellSize)} m cells, ${n(r.studyCells)} study cells, ${request.trainMonths} training ${unit}s, ` +
      `test ${unit}s ${request.from} to ${request.to} (${periods.length} ${unit}s, ${n(events)} located crimes).`,
    '',
    `Mean over test ${unit}s: hit rate (PAI) at each coverage of the study area`,
    `${'method'.padEnd(width)}  ${coverages.map((c) => `${pct(c).replace('.0%', '%')}`.padStart(15)).join('')}  ${'seconds'.padStart(8)}`,
  ];
  for (const x of r.results) {
    const cells = x.coverage.map((c) => `${pct(c.meanHitRate)} (${num(c.meanPai)})`.padStart(15)).join('');
    lines.push(`${x.method.padEnd(width)}  ${cells}  ${num(x.seconds).padStart(8)}`);
  }
  if (r.sepp.length) {
    const converged = r.sepp.filter((s) => s.converged).length;
    const share = r.sepp.reduce((s, f) => s + f.triggeredShare, 0) / r.sepp.length;
    lines.push('', `sepp: ${converged} of ${r.sepp.length} EM fits converged; mean triggered share ${num(share, 3)} (the estimated share of crimes set off by an earlier one).`);
  }
  if (r.offsets) {
    lines.push('', `Grid-offset sensitivity: mean hit rate over ${r.offsets.grids.length} grids (unshifted and shifted half a cell east, north, both), min–max (range)`);
    lines.push(`${'method'.padEnd(width)}  ${coverages.map((c) => `${pct(c).replace('.0%', '%')}`.padStart(24)).join('')}`);
    for (const s of r.offsets.spread) {
      const cells = s.coverage.map((c) => `${pct(c.min)}–${pct(c.max)} (${num(100 * c.range, 1)} pt)`.padStart(24)).join('');
      lines.push(`${s.method.padEnd(width)}  ${cells}`);
    }
    lines.push(`study cells per grid: ${r.offsets.grids.map((g) => n(g.studyCells)).join(', ')}`);
  }
  return lines.join('\n');
}

/** Exactly the documented --json shape (plus `offsets` when asked for). */
export function backtestJson(r: forecast.BacktestReport): object {
  return {
    studyCells: r.studyCells,
    cellSize: r.cellSize,
    results: r.results.map((x) => ({ method: x.method, seconds: x.seconds, coverage: x.coverage, periods: x.periods })),
    ...(r.offsets ? { offsets: r.offsets } : {}),
  };
}

/** A one-line progress report on a terminal, rewritten in place. */
function terminalProgress(): forecast.BacktestProgress {
  let lastDraw = 0;
  return (done, total, label) => {
    const now = performance.now();
    if (done < total && now - lastDraw < 100) return;
    lastDraw = now;
    const share = total ? done / total : 1;
    const bar = '█'.repeat(Math.round(share * 20)).padEnd(20, '░');
    process.stderr.write(`\r\x1b[2K${bar} ${Math.round(share * 100)}%  ${label}`);
    if (done >= total) process.stderr.write('\r\x1b[2K');
  };
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const month = (what: string) =>
  z.string({ error: `is required: the ${what} test period, YYYY-MM (or YYYY-MM-DD with --period day or week)` }).refine((t) => isMonth(t) || DATE.test(t), { error: 'must be a month as YYYY-MM, e.g. 2021-11, or with --period day or week a date as YYYY-MM-DD' });

const backtestSchema = z.object({
  type: z.array(z.string().trim().min(1, { error: 'must name a crime type, e.g. "Burglary"' }), { error: 'is required: the crime type(s) to forecast, e.g. --type "Burglary"' }).min(1),
  cell: z.coerce.number({ error: 'must be a number of metres' }).int({ error: 'must be a whole number of metres' }).min(25, { error: 'must be at least 25 m' }).max(10_000, { error: 'must be at most 10,000 m' }).default(forecast.DEFAULTS.cellSize),
  'train-months': z.coerce.number({ error: 'must be a number of months' }).int({ error: 'must be a whole number of months' }).min(1, { error: 'must be at least 1' }).max(120, { error: 'must be at most 120' }).optional(),
  'train-periods': z.coerce.number({ error: 'must be a number of periods' }).int({ error: 'must be a whole number of periods' }).min(1, { error: 'must be at least 1' }).max(3660, { error: 'must be at most 3,660' }).optional(),
  period: z.enum(PERIOD_KINDS, { error: `must be one of ${PERIOD_KINDS.join(', ')}` }).default('month'),
  'time-zone': z.string().min(1).optional(),
  from: month('first'),
  to: month('last'),
  methods: z
    .string()
    .default(forecast.METHODS.join(','))
    .transform((s, ctx) => {
      const names = [...new Set(s.split(',').map((m) => m.trim()).filter(Boolean))];
      const unknown = names.filter((m) => !(forecast.METHODS as readonly string[]).includes(m));
      if (unknown.length || names.length === 0) {
        ctx.addIssue({ code: 'custom', message: `${unknown.length ? `unknown method ${unknown.map((u) => `"${u}"`).join(', ')}` : 'name at least one method'}; choose from ${forecast.METHODS.join(', ')}` });
        return z.NEVER;
      }
      return names as forecast.Method[];
    }),
  'kde-bandwidth': z.coerce.number({ error: 'must be a number of metres' }).positive({ error: 'must be positive' }).default(forecast.DEFAULTS.kdeBandwidth),
  offsets: z.boolean().optional(),
  json: z.boolean().optional(),
});

export const forecastCommand: Command = {
  name: 'forecast',
  summary: 'hotspot forecasting: backtest the predictors on the imported crime records',
  usage: `peel forecast backtest --type TYPE [--type TYPE…] --from YYYY-MM --to YYYY-MM
    [--cell 250] [--train-months 12] [--methods ${forecast.METHODS.join(',')}]
    [--kde-bandwidth 300] [--offsets] [--json]
peel forecast backtest --period day|week --from YYYY-MM-DD --to YYYY-MM-DD --type TYPE…
    [--train-periods 365|52] [--time-zone Europe/London] [the options above]

For each test month from --from to --to, fits each method on the --train-months months
before it only, ranks the study-area cells (square cells of --cell metres on the British
National Grid holding at least one located crime of any type over the whole imported period),
and scores that month's located crimes of the types given: hit rate (share of them in the top
cells) and PAI (hit rate ÷ share of cells) at coverages 1%, 5%, 10% and 20%, per month and
as the mean over months, with each method's run time. --offsets repeats it on the grids
shifted half a cell east, north and both, and reports each method's spread of mean hit rate.
--period day or week backtests records imported with a date and time (peel import csv
--mapping …), by local day or Monday-to-Sunday week in --time-zone; --from and --to are
dates (any day of a week), and --train-periods (365 days or 52 weeks by default) replaces
--train-months. Outside Great Britain points are projected to a local metric projection.
--json prints {"studyCells","cellSize","results":[{"method","seconds","coverage":[{"coverage",
"meanHitRate","meanPai"}],"periods":[{"period","events","hitRate":{"0.01",…}}]}]}
(and "offsets":{"grids","spread"} with --offsets).`,
  async run(args, open) {
    const [sub, ...rest] = args;
    if (sub !== 'backtest') throw new UsageError(sub ? `unknown forecast command "${sub}"` : 'say which forecast command: backtest');
    const o = parseOptions(
      rest,
      {
        type: { type: 'string', multiple: true },
        cell: { type: 'string' },
        'train-months': { type: 'string' },
        'train-periods': { type: 'string' },
        period: { type: 'string' },
        'time-zone': { type: 'string' },
        from: { type: 'string' },
        to: { type: 'string' },
        methods: { type: 'string' },
        'kde-bandwidth': { type: 'string' },
        offsets: { type: 'boolean' },
        json: { type: 'boolean' },
      },
      backtestSchema,
    );
    if (o._.length) throw new UsageError(`unexpected argument "${o._[0]}"`);
    if (o.to < o.from) throw new UsageError(`--to ${o.to} is before --from ${o.from}`);
    const byMonth = o.period === 'month';
    for (const [name, text] of [['from', o.from], ['to', o.to]] as const) {
      if (byMonth !== isMonth(text)) throw new UsageError(`--${name} ${text}: ${byMonth ? 'by month give YYYY-MM' : `with --period ${o.period} give a date, YYYY-MM-DD`}`);
    }
    if (byMonth && o['time-zone']) throw new UsageError('--time-zone applies to --period day or week only');
    if (!byMonth && o['train-months'] !== undefined) throw new UsageError(`--train-months applies to monthly backtests: with --period ${o.period} say --train-periods`);
    const request: forecast.BacktestRequest = {
      types: o.type,
      cellSize: o.cell,
      trainMonths: o['train-periods'] ?? o['train-months'] ?? DEFAULT_TRAIN[o.period],
      ...(byMonth ? {} : { period: o.period, timeZone: o['time-zone'] ?? 'Europe/London' }),
      from: o.from,
      to: o.to,
      methods: o.methods,
      offsets: o.offsets ?? false,
      kdeBandwidth: o['kde-bandwidth'],
    };
    const { db } = await open();
    const progress = process.stderr.isTTY && !o.json ? terminalProgress() : undefined;
    const report = await forecast.backtest(db, request, progress);
    console.log(o.json ? JSON.stringify(backtestJson(report)) : describeBacktest(report, request));
    return 0;
  },
};
