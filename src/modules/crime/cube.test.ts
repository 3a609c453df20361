import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { allParts } from '../../app.ts';
import type { Database } from '../../platform/db/index.ts';
import { migrate } from '../../platform/db/migrate.ts';
import { openTestDatabase } from '../../platform/db/test-db.ts';
import { pointInArea, type AreaGeometry } from '../../lib/geometry.ts';
import { CubeCache, loadCube, monthNumber, monthText } from './cube.ts';
import * as query from './query.ts';
import * as store from './read-store.ts';
import { bumpDataVersion, fixtureRecords, insertCrimeRecords } from './query-fixtures.ts';

let database: Database;
let data: query.CrimeData;

before(async () => {
  database = await openTestDatabase();
  await migrate(database.db, database.dialect, allParts().flatMap((m) => (m.migrations ? [m.migrations] : [])));
  await insertCrimeRecords(database.db, fixtureRecords(1500));
  await bumpDataVersion(database.db);
  data = query.crimeData(database.db, { checkIntervalMs: 0 });
});
after(() => database.close());

const keyed = <T>(rows: T[], key: (r: T) => string | null, count: (r: T) => number) =>
  rows
    .map((r) => ({ key: key(r), count: count(r) }))
    .filter((r) => r.count > 0)
    .sort((a, b) => (a.key === b.key ? 0 : a.key === null ? -1 : b.key === null ? 1 : a.key < b.key ? -1 : 1));

/** The SQL side of one query, with a polygon applied to the points SQL returns. */
async function sqlAnswers(filter: query.CrimeFilter, period: query.Period, res: store.H3Res) {
  const f = query.sqlFilter(filter, period);
  if (!filter.polygon) {
    return {
      cells: await store.countByCellSql(database.db, res, f),
      months: await store.countByMonthSql(database.db, f),
      types: await store.countByTypeSql(database.db, f),
      outcomes: await store.countByOutcomeSql(database.db, f),
      lsoas: await store.countByLsoaSql(database.db, f),
      totals: await store.countTotalsSql(database.db, f),
    };
  }
  const points = (await store.locatedPointsSql(database.db, f)).filter((p) => pointInArea(filter.polygon!, p.longitude, p.latitude));
  const group = (key: (p: (typeof points)[number]) => string | null) => {
    const m = new Map<string | null, number>();
    for (const p of points) m.set(key(p), (m.get(key(p)) ?? 0) + 1);
    return keyed([...m], ([k]) => k, ([, n]) => n);
  };
  return {
    cells: group((p) => p[`h3_${res}`]),
    months: group((p) => p.month),
    types: group((p) => p.crime_type),
    outcomes: group((p) => p.last_outcome),
    lsoas: group((p) => p.lsoa_code).filter((r) => r.key !== null),
    totals: { total: points.length, unlocated: 0 },
  };
}

async function assertAgree(name: string, filter: query.CrimeFilter, res: store.H3Res = 8): Promise<number> {
  const hex = await query.hexes(data, filter, res);
  const sql = await sqlAnswers(filter, hex.period, res);
  const fromCube = {
    cells: keyed(hex.features, (f) => f.properties.cell, (f) => f.properties.count),
    months: keyed((await query.timeseries(data, filter)).series, (r) => r.month, (r) => r.count),
    types: keyed((await query.types(data, filter)).types, (r) => r.crimeType, (r) => r.count),
    outcomes: keyed((await query.outcomes(data, filter)).outcomes, (r) => r.outcome, (r) => r.count),
    lsoas: keyed((await query.lsoas(data, filter)).lsoas, (r) => r.lsoaCode, (r) => r.count),
    totals: { total: hex.total, unlocated: hex.unlocated },
  };
  assert.deepEqual(fromCube, { ...sql, cells: keyed(sql.cells, (r) => r.key, (r) => r.count), months: keyed(sql.months, (r) => r.key, (r) => r.count) }, name);
  return hex.total;
}

const triangle: AreaGeometry = { type: 'Polygon', coordinates: [[[-1.2, 52.58], [-1.08, 52.6], [-1.15, 52.68], [-1.2, 52.58]]] };
const donut: AreaGeometry = {
  type: 'MultiPolygon',
  coordinates: [
    [
      [[-1.2, 52.58], [-1.06, 52.58], [-1.06, 52.68], [-1.2, 52.68], [-1.2, 52.58]],
      [[-1.16, 52.61], [-1.1, 52.61], [-1.1, 52.65], [-1.16, 52.65], [-1.16, 52.61]],
    ],
    [[[-1.0, 52.0], [-0.9, 52.0], [-0.9, 52.1], [-1.0, 52.0]]],
  ],
};

test('the cube agrees exactly with SQL GROUP BY for every filter kind', async () => {
  const cases: Array<[string, query.CrimeFilter, store.H3Res?]> = [
    ['default period', {}],
    ['everything', { from: '2021-01', to: '2022-12' }, 7],
    ['one month', { from: '2021-03', to: '2021-03' }, 10],
    ['only from', { from: '2022-06' }, 9],
    ['only to', { to: '2021-06' }],
    ['before any data', { from: '2019-01', to: '2019-12' }],
    ['one type', { from: '2021-01', to: '2022-12', types: ['Burglary'] }, 9],
    ['two types', { types: ['Burglary', 'Shoplifting'] }],
    ['an unknown type', { types: ['Not a crime type'] }],
    ['no outcome', { outcomes: [null] }],
    ['an outcome or none', { outcomes: ['Under investigation', null] }, 10],
    ['an outcome', { from: '2021-01', to: '2022-12', outcomes: ['Under investigation'] }],
    ['a source', { sources: ['force-extract'] }],
    ['a bbox', { from: '2021-01', to: '2022-12', bbox: [-1.17, 52.6, -1.1, 52.65] }, 9],
    ['a triangle', { from: '2021-01', to: '2022-12', polygon: triangle }, 8],
    ['a multipolygon with a hole', { from: '2021-01', to: '2022-12', polygon: donut }, 10],
    ['all at once', { from: '2021-02', to: '2022-11', types: ['Burglary', 'Vehicle crime', 'Anti-social behaviour'], outcomes: [null, 'Unable to prosecute suspect'], sources: ['police.uk'], bbox: [-1.19, 52.59, -1.08, 52.67], polygon: triangle }, 7],
  ];
  const totals: Record<string, number> = {};
  for (const [name, filter, res] of cases) totals[name] = await assertAgree(name, filter, res);
  // the cases are not vacuous
  assert.equal(totals['everything'], 1500);
  assert.ok(totals['one type']! > 100);
  assert.ok(totals['a triangle']! > 50 && totals['a triangle']! < 1500);
  assert.ok(totals['a multipolygon with a hole']! > 50);
  assert.ok(totals['all at once']! > 5);
  assert.equal(totals['an unknown type'], 0);
  assert.equal(totals['before any data'], 0);
});

test('the default period is the last 12 months that have data', async () => {
  const r = await query.timeseries(data, {});
  assert.deepEqual(r.period, { from: '2022-01', to: '2022-12' });
  assert.deepEqual((await query.timeseries(data, { to: '2021-06' })).period, { from: '2020-07', to: '2021-06' });
  assert.deepEqual((await query.timeseries(data, { from: '2022-06' })).period, { from: '2022-06', to: '2022-12' });
});

test('months convert both ways', () => {
  assert.equal(monthNumber('2022-10'), 2022 * 12 + 9);
  assert.equal(monthText(monthNumber('2019-12')), '2019-12');
  assert.equal(monthText(monthNumber('2020-01') - 1), '2019-12');
  assert.ok(Number.isNaN(monthNumber('2022-13')));
  assert.ok(Number.isNaN(monthNumber('22-01')));
});

test('the cube keeps every record once, sorted by month then type', async () => {
  const cube = await loadCube(database.db);
  assert.equal(cube.size, await store.countRecords(database.db));
  assert.equal(new Set(cube.ids).size, cube.size);
  for (let i = 1; i < cube.size; i++) {
    const before = cube.month[i - 1]! * 100 + cube.type[i - 1]!;
    const here = cube.month[i]! * 100 + cube.type[i]!;
    assert.ok(before <= here, `row ${i} out of order`);
  }
});

test('a cell breakdown agrees with the hexes', async () => {
  const hex = await query.hexes(data, { from: '2021-01', to: '2022-12' }, 9);
  const top = [...hex.features].sort((a, b) => b.properties.count - a.properties.count)[0]!;
  const cell = await query.cellBreakdown(data, top.properties.cell, { from: '2021-01', to: '2022-12' });
  assert.equal(cell.count, top.properties.count);
  assert.equal(cell.byType.reduce((s, r) => s + r.count, 0), cell.count);
  assert.equal(cell.byOutcome.reduce((s, r) => s + r.count, 0), cell.count);
  assert.equal(cell.byMonth.length, 24);
  assert.equal(cell.byMonth.reduce((s, r) => s + r.count, 0), cell.count);
});

test('the cube is rebuilt when the data version changes, and only then', async () => {
  const fresh = await openTestDatabase();
  try {
    await migrate(fresh.db, fresh.dialect, allParts().flatMap((m) => (m.migrations ? [m.migrations] : [])));
    await insertCrimeRecords(fresh.db, fixtureRecords(200, 7));
    await bumpDataVersion(fresh.db);
    const cache = new CubeCache(fresh.db, { checkIntervalMs: 0 });
    const first = await cache.get();
    assert.equal(first.size, 200);
    assert.equal(await cache.get(), first, 'same version: same cube');
    assert.equal(cache.loads, 1);

    // rows written but the version not yet bumped: the import is still running, so keep the old cube
    await insertCrimeRecords(fresh.db, fixtureRecords(50, 8));
    assert.equal(await cache.get(), first);
    await bumpDataVersion(fresh.db);
    // concurrent requests share one rebuild and all see the whole new cube
    const [a, b, c] = await Promise.all([cache.get(), cache.get(), cache.get()]);
    assert.equal(a, b);
    assert.equal(b, c);
    assert.equal(a.size, 250);
    assert.equal(a.version, first.version + 1);
    assert.equal(cache.loads, 2);

    // with an interval, the version is not looked at again until it has passed
    const slow = new CubeCache(fresh.db, { checkIntervalMs: 60_000 });
    const s1 = await slow.get();
    await insertCrimeRecords(fresh.db, fixtureRecords(10, 9));
    await bumpDataVersion(fresh.db);
    assert.equal(await slow.get(), s1);
    slow.invalidate();
    assert.equal((await slow.get()).size, 260);
  } finally {
    await fresh.close();
  }
});

test('the hexes JSON text is exactly what JSON.stringify writes', async () => {
  for (const res of [7, 10] as const) {
    const fc = await query.hexes(data, { from: '2021-01', to: '2022-12', types: ['Burglary'] }, res);
    assert.ok(fc.features.length > 3);
    assert.equal(query.hexCollectionJson(fc).toString('utf8'), JSON.stringify(fc));
  }
  const empty = await query.hexes(data, { types: ['Nothing'] }, 8);
  assert.equal(query.hexCollectionJson(empty).toString('utf8'), JSON.stringify(empty));
});
