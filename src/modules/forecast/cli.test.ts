import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cliSandbox } from '../../test/harness.ts';
import { UsageError } from '../../platform/cli-options.ts';
import { forecastCommand } from './cli.ts';
import { seedForecastFixture } from './test-fixtures.ts';

const { peel } = cliSandbox('forecast-cli', (box) => seedForecastFixture(box.env.PEEL_DB_URL!));

const BASE = ['forecast', 'backtest', '--type', 'Burglary', '--cell', '250', '--train-months', '2', '--from', '2022-03', '--to', '2022-04'];

test('peel forecast backtest --json: exactly the documented shape, with the hand-worked figures', async () => {
  const r = await peel([...BASE, '--methods', 'naive-last,naive-all,kde,prospective,sepp', '--json']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, '', 'no progress when not on a terminal');
  const out = JSON.parse(r.stdout);
  assert.deepEqual(Object.keys(out), ['studyCells', 'cellSize', 'results']);
  assert.equal(out.studyCells, 20);
  assert.equal(out.cellSize, 250);
  assert.deepEqual(
    out.results.map((x: { method: string }) => x.method),
    ['naive-last', 'naive-all', 'kde', 'prospective', 'sepp'],
  );
  for (const x of out.results) {
    assert.deepEqual(Object.keys(x), ['method', 'seconds', 'coverage', 'periods']);
    assert.equal(typeof x.seconds, 'number');
    assert.deepEqual(x.coverage.map((c: object) => Object.keys(c)), Array(4).fill(['coverage', 'meanHitRate', 'meanPai']));
    assert.deepEqual(x.coverage.map((c: { coverage: number }) => c.coverage), [0.01, 0.05, 0.1, 0.2]);
    assert.deepEqual(x.periods.map((p: object) => Object.keys(p)), Array(2).fill(['period', 'events', 'hitRate']));
    for (const p of x.periods) assert.deepEqual(Object.keys(p.hitRate), ['0.01', '0.05', '0.1', '0.2']);
  }
  const all = out.results[1];
  assert.deepEqual(all.periods[1], { period: '2022-04', events: 4, hitRate: { '0.01': 0, '0.05': 0, '0.1': 0, '0.2': 0.75 } });
  assert.equal(all.coverage[3].meanHitRate, 0.625);
});

test('peel forecast backtest --offsets --json adds the offsets member; the text report is a table', async () => {
  const j = await peel([...BASE, '--methods', 'naive-all', '--offsets', '--json']);
  assert.equal(j.code, 0, j.stderr);
  const out = JSON.parse(j.stdout);
  assert.deepEqual(Object.keys(out), ['studyCells', 'cellSize', 'results', 'offsets']);
  assert.equal(out.offsets.grids.length, 4);
  assert.deepEqual(out.offsets.spread[0].coverage[3], { coverage: 0.2, min: 0.625, max: 0.625, range: 0 });

  const t = await peel([...BASE, '--methods', 'naive-last,naive-all', '--offsets']);
  assert.equal(t.code, 0, t.stderr);
  assert.match(t.stdout, /Burglary: 250 m cells, 20 study cells, 2 training months, test months 2022-03 to 2022-04 \(2 months, 8 located crimes\)/);
  assert.match(t.stdout, /^naive-all\s+12\.5% \(2\.50\)\s+12\.5% \(2\.50\)\s+25\.0% \(2\.50\)\s+62\.5% \(3\.13\)\s+\d+\.\d\d$/m);
  assert.match(t.stdout, /Grid-offset sensitivity/);
});

test('peel forecast backtest: bad options are named, with the usage; a window without data says why', async () => {
  // through the real binary: a usage error exits 2 with the usage; a data error exits 1
  const missing = await peel(['forecast', 'backtest', '--from', '2022-03', '--to', '2022-04']);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /--type: is required/);
  assert.match(missing.stderr, /Usage:\npeel forecast backtest/);
  const late = await peel([...BASE, '--from', '2022-01']);
  assert.equal(late.code, 1);
  assert.match(late.stderr, /training window for 2022-01 starts in 2021-11, but the located records start in 2021-12/);

  // the rest in process: options are checked before the database is opened
  const neverOpened = () => Promise.reject(new Error('opened the database'));
  const cases: Array<[string[], RegExp]> = [
    [[...BASE, '--methods', 'naive-last,magic'], /--methods: unknown method "magic"; choose from naive-last, naive-all, kde, prospective, sepp/],
    [['backtest', '--type', 'Burglary', '--from', '2022-13', '--to', '2022-04'], /--from: must be a month as YYYY-MM/],
    [[...BASE, '--cell', 'ten'], /--cell: must be a number of metres/],
    [[...BASE, '--train-months', '0'], /--train-months: must be at least 1/],
    [[...BASE, '--kde-bandwidth=-5'], /--kde-bandwidth: must be positive/],
    [['backtest', '--type', 'Burglary', '--from', '2022-04', '--to', '2022-03'], /--to 2022-03 is before --from 2022-04/],
    [[...BASE, '--colour'], /Unknown option '--colour'/],
    [['predict'], /unknown forecast command "predict"/],
    [['backtest', '--type', 'Burglary', '--period', 'week', '--from', '2022-03', '--to', '2022-04'], /--from 2022-03: with --period week give a date, YYYY-MM-DD/],
    [['backtest', '--type', 'Burglary', '--from', '2022-03-01', '--to', '2022-04-01'], /--from 2022-03-01: by month give YYYY-MM/],
    [['backtest', '--type', 'Burglary', '--period', 'hour', '--from', '2022-03-01', '--to', '2022-04-01'], /--period: must be one of month, week, day/],
    [['backtest', '--type', 'Burglary', '--period', 'day', '--train-months', '3', '--from', '2022-03-01', '--to', '2022-04-01'], /--train-months applies to monthly backtests: with --period day say --train-periods/],
    [[...BASE, '--time-zone', 'America/Chicago'], /--time-zone applies to --period day or week only/],
  ];
  for (const [args, message] of cases) {
    const argv = args[0] === 'forecast' ? args.slice(1) : args;
    await assert.rejects(forecastCommand.run(argv, neverOpened), (err: Error) => err instanceof UsageError && message.test(err.message), argv.join(' '));
  }
});
