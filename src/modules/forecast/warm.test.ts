import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Kysely } from 'kysely';
import { bumpDataVersion } from '../crime/query-fixtures.ts';
import { startTestApp, type TestApp } from '../../test/harness.ts';
import { insertForecastFixture } from './test-fixtures.ts';
import { scheduleForecastWarmUp, warmForecasts, type WarmResult } from './warm.ts';

let t: TestApp;
before(async () => {
  t = await startTestApp();
});
after(() => t.close());

const stored = (db: TestApp['platform']['db']) =>
  (db as unknown as Kysely<{ forecast_results: { kind: string; data_version: number; computed_at: string } }>)
    .selectFrom('forecast_results')
    .select(['kind', 'data_version', 'computed_at'])
    .orderBy('kind')
    .execute();

test('warm-up: with no crimes it says why; then it caches the forecast and accuracy that a request reads', async () => {
  const empty = await warmForecasts(t.platform, ['Burglary']);
  assert.deepEqual(empty.warmed, []);
  assert.equal(empty.skipped[0]?.type, 'Burglary');
  assert.match(empty.skipped[0]!.reason, /./);

  await insertForecastFixture(t.platform.db);
  await bumpDataVersion(t.platform.db);
  const r = await warmForecasts(t.platform, ['Burglary']);
  assert.deepEqual(r.warmed, ['Burglary']);
  const rows = await stored(t.platform.db);
  assert.deepEqual(rows.map((x) => [x.kind, Number(x.data_version)]), [['accuracy', r.version], ['surface', r.version]]);

  // The first person to ask is served what the warm-up computed, not a new computation.
  const { token } = await t.user('analyst');
  const res = await t.app.inject({ method: 'GET', url: '/api/forecast?type=Burglary', headers: { authorization: `Bearer ${token}` } });
  assert.equal(res.statusCode, 200, res.body);
  const body = res.json() as { computedAt: string; accuracy: { computedAt: string } };
  assert.equal(body.computedAt, rows.find((x) => x.kind === 'surface')!.computed_at);
  assert.equal(body.accuracy.computedAt, rows.find((x) => x.kind === 'accuracy')!.computed_at);
});

test('scheduled warm-up runs again only when the crime data version moves', async () => {
  const results: Array<WarmResult | Error> = [];
  const stop = scheduleForecastWarmUp(t.platform, ['Burglary'], (r) => results.push(r), { firstDelayMs: 0, everyMs: 25 });
  try {
    const until = async (n: number) => {
      for (let i = 0; i < 400 && results.length < n; i++) await new Promise((r) => setTimeout(r, 25));
    };
    await until(1);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(results.length, 1, 'nothing new to warm');
    const first = results[0] as WarmResult;
    await bumpDataVersion(t.platform.db);
    await until(2);
    assert.equal(results.length, 2);
    const second = results[1] as WarmResult;
    assert.equal(second.version, first.version + 1);
    assert.deepEqual(second.warmed, ['Burglary']);
  } finally {
    stop();
  }
});
