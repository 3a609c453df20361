import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { allParts } from '../../app.ts';
import { systemActor } from '../../platform/actor.ts';
import type { Database } from '../../platform/db/index.ts';
import { migrate } from '../../platform/db/migrate.ts';
import { openTestDatabase } from '../../platform/db/test-db.ts';
import { importCsv, readMappingFile } from '../crime/service.ts';
import { sharedData } from '../../test/shared-data.ts';
import { periodLabel, periodOfDate } from '../../lib/forecast/periods.ts';
import * as forecast from './service.ts';

// Chicago aggravated assaults of 2019-07 … 2019-12 (a slice of the real file, imported by the
// generic CSV importer with the sample mapping), backtested by week: 12 training weeks, the
// four test weeks from 2019-11-04. The weekly counts are checked against the CSV's own local
// date-times, read here without the importer or the time-zone code.
const FILE = sharedData('city-crime-chicago/chicago_aggravated_assaults_2010_2019.csv.gz');
const MAPPING = join(import.meta.dirname, '../../../sample/mappings/chicago-aggravated-assaults.json');
const present = existsSync(FILE);

let database: Database;
let dir: string;
let lines: string[] = [];
before(async () => {
  if (!present) return;
  const all = gunzipSync(readFileSync(FILE)).toString('utf8').split('\n');
  lines = all.slice(1).filter((l) => /^2019-(0[7-9]|1[0-2])-/.test(l));
  dir = mkdtempSync(join(tmpdir(), 'peel-chicago-'));
  writeFileSync(join(dir, 'chicago-2019h2.csv'), [all[0], ...lines].join('\n') + '\n');
  database = await openTestDatabase();
  await migrate(database.db, database.dialect, allParts().flatMap((m) => (m.migrations ? [m.migrations] : [])));
  const summary = await importCsv(database.db, systemActor, [join(dir, 'chicago-2019h2.csv')], readMappingFile(MAPPING));
  assert.equal(summary.rejected, 0);
});
after(async () => {
  await database?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('real data: Chicago by week, every method runs and beats chance, weeks counted in Chicago time', { skip: !present && 'shared data not present' }, async () => {
  const request: forecast.BacktestRequest = {
    types: ['Aggravated assault'],
    cellSize: 250,
    trainMonths: 12,
    from: '2019-11-04',
    to: '2019-11-25',
    period: 'week',
    timeZone: 'America/Chicago',
    methods: forecast.METHODS,
  };
  const r = await forecast.backtest(database.db, request);
  // Chicago is about 600 km²: some thousands of 250 m cells hold an assault in six months
  assert.ok(r.studyCells > 2000 && r.studyCells < 9000, `study cells ${r.studyCells}`);
  // independent weekly counts from the CSV's local "YYYY-MM-DD HH:MM"
  const perWeek = new Map<number, number>();
  for (const l of lines) {
    const [y, m, d] = l.slice(0, 10).split('-').map(Number);
    const w = periodOfDate('week', y!, m!, d!);
    perWeek.set(w, (perWeek.get(w) ?? 0) + 1);
  }
  const weeks = ['2019-11-04', '2019-11-11', '2019-11-18', '2019-11-25'];
  for (const x of r.results) {
    assert.deepEqual(x.periods.map((p) => p.period), weeks);
    x.periods.forEach((p, j) => assert.equal(p.events, perWeek.get(periodOfDate('week', 2019, 11, 4 + 7 * j)), `${x.method} ${p.period}`));
    for (const p of x.periods) {
      const rates = Object.values(p.hitRate) as number[];
      for (let i = 0; i < rates.length; i++) assert.ok(rates[i]! >= 0 && rates[i]! <= 1 && (i === 0 || rates[i]! >= rates[i - 1]!));
    }
  }
  // the long-memory methods find assaults far better than chance at 10% of cells
  for (const method of ['naive-all', 'kde', 'sepp', 'peel']) {
    const pai = r.results.find((x) => x.method === method)!.coverage.find((c) => c.coverage === 0.1)!.meanPai;
    assert.ok(pai > 1.8, `${method} PAI at 10% is ${pai}`);
  }
  assert.ok(r.sepp.every((f) => f.converged));
  assert.equal(periodLabel('week', periodOfDate('week', 2019, 11, 10)), '2019-11-04'); // a Sunday belongs to the week of the Monday before
});

test('real data: by day, a window before the first dated record is refused with the dates named', { skip: !present && 'shared data not present' }, async () => {
  await assert.rejects(
    forecast.backtest(database.db, { types: ['Aggravated assault'], cellSize: 250, trainMonths: 30, from: '2019-07-15', to: '2019-07-20', period: 'day', timeZone: 'America/Chicago', methods: ['naive-all'] }),
    /starts in the day of 2019-06-15, but the dated records start in the day of 2019-07-01/,
  );
});

test('real data: a source from outside Great Britain backtests by month too, by each record\'s local month', { skip: !present && 'shared data not present' }, async () => {
  const r = await forecast.backtest(database.db, { types: ['Aggravated assault'], cellSize: 250, trainMonths: 3, from: '2019-10', to: '2019-12', methods: ['naive-all', 'peel'] });
  const perMonth = new Map<string, number>();
  for (const l of lines) perMonth.set(l.slice(0, 7), (perMonth.get(l.slice(0, 7)) ?? 0) + 1);
  for (const x of r.results) {
    assert.deepEqual(x.periods.map((p) => [p.period, p.events]), ['2019-10', '2019-11', '2019-12'].map((m) => [m, perMonth.get(m)]));
    assert.ok(x.coverage.every((c) => c.meanPai > 1.5), `${x.method}: ${x.coverage.map((c) => c.meanPai).join(', ')}`);
  }
});
