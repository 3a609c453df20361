import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { allParts } from '../../app.ts';
import { systemActor } from '../../platform/actor.ts';
import type { Database } from '../../platform/db/index.ts';
import { migrate } from '../../platform/db/migrate.ts';
import { openTestDatabase } from '../../platform/db/test-db.ts';
import { cellsSelected } from '../../lib/forecast/metrics.ts';
import { importPoliceUk } from '../crime/service.ts';
import { locatedEvents } from '../crime/events.ts';
import { sharedData } from '../../test/shared-data.ts';
import * as forecast from './service.ts';

// Six months of real Leicestershire street-level crime, imported by the importer; a short
// backtest (3 training months, 3 test months) checked for invariants any correct one keeps.
const STREET = sharedData('police-uk-leicestershire/street');
const MONTHS = ['2022-05', '2022-06', '2022-07', '2022-08', '2022-09', '2022-10'];
const FILES = MONTHS.map((m) => join(STREET, `${m}-leicestershire-street.csv.gz`));
const present = FILES.every((f) => existsSync(f));

let database: Database;
before(async () => {
  if (!present) return;
  database = await openTestDatabase();
  await migrate(database.db, database.dialect, allParts().flatMap((m) => (m.migrations ? [m.migrations] : [])));
  await importPoliceUk(database.db, systemActor, FILES);
});
after(() => database?.close());

const REQUEST: forecast.BacktestRequest = {
  types: ['Burglary'],
  cellSize: 250,
  trainMonths: 3,
  from: '2022-08',
  to: '2022-10',
  methods: forecast.METHODS,
};

test('real data: a short Burglary backtest keeps the invariants of hit rate and PAI', { skip: !present && 'shared data not present' }, async () => {
  const r = await forecast.backtest(database.db, REQUEST);
  const n = r.studyCells;
  assert.ok(n > 3000 && n < 10_000, `study cells ${n}`);
  // each test month's crimes are all the located burglaries of that month
  for (const [j, month] of ['2022-08', '2022-09', '2022-10'].entries()) {
    const e = await locatedEvents(database.db, { types: ['Burglary'], from: month, to: month });
    for (const x of r.results) assert.deepEqual([x.periods[j]!.period, x.periods[j]!.events], [month, e.month.length]);
    assert.ok(e.month.length > 100);
  }
  for (const x of r.results) {
    assert.ok(x.seconds >= 0 && x.seconds < 10, `${x.method} took ${x.seconds} s`);
    for (const p of x.periods) {
      const rates = Object.values(p.hitRate) as number[];
      for (const h of rates) assert.ok(h >= 0 && h <= 1, `${x.method} ${p.period}: hit rate ${h}`);
      for (let i = 1; i < rates.length; i++) assert.ok(rates[i]! >= rates[i - 1]!, `${x.method} ${p.period}: hit rate falls with coverage`);
    }
    for (const c of x.coverage) {
      const mean = x.periods.reduce((s, p) => s + p.hitRate[String(c.coverage)]!, 0) / x.periods.length;
      assert.ok(Math.abs(c.meanHitRate - mean) < 1e-12);
      // k is the same every month, so the mean PAI is the mean hit rate over the share of cells selected
      assert.ok(Math.abs(c.meanPai - c.meanHitRate / (cellsSelected(c.coverage, n) / n)) < 1e-9, `${x.method} PAI at ${c.coverage}`);
      // every method does better than choosing cells at random
      assert.ok(c.meanPai > 1, `${x.method} PAI at ${c.coverage} is ${c.meanPai}`);
    }
  }
  const fits = r.sepp;
  assert.equal(fits.length, 3);
  assert.ok(fits.every((f) => f.converged && f.triggeredShare >= 0 && f.triggeredShare < 1));

  // the naive methods are deterministic: a second run gives the same figures
  const again = await forecast.backtest(database.db, { ...REQUEST, methods: ['naive-last', 'naive-all'] });
  for (const x of again.results) {
    const first = r.results.find((y) => y.method === x.method)!;
    assert.deepEqual([x.coverage, x.periods], [first.coverage, first.periods]);
  }
});
