import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Db } from '../../platform/db/index.ts';
import { startTestApp, type TestApp } from '../../test/harness.ts';
import { insertCrimeRecords } from '../crime/store.ts';
import { backtest } from './service.ts';

// The product's forecast by week and by day, from records with instants (a force's own
// extracts imported through a mapping): in Great Britain (the national grid, as by month)
// and elsewhere (a local projection, cells drawn back with its inverse).

interface Place {
  lon: number;
  lat: number;
}
// Leicester: three places about a kilometre apart, so each is in a 250 m cell of its own
const A: Place = { lon: -1.1339, lat: 52.6363 };
const B: Place = { lon: -1.1189, lat: 52.6363 };
const C: Place = { lon: -1.1339, lat: 52.6453 };
const D: Place = { lon: -1.1489, lat: 52.6273 };
// Chicago
const X: Place = { lon: -87.65, lat: 41.85 };
const Y: Place = { lon: -87.62, lat: 41.88 };

interface Dated {
  at: string;
  type: string;
  place: Place;
}

/** Ten weeks from Monday 3 January 2022: burglaries at C in the first five only, at A twice and B once a week in the last five; a theft at D every week. */
function leicesterWeeks(): Dated[] {
  const rows: Dated[] = [];
  for (let w = 0; w < 10; w++) {
    const day = (d: number, hour = 12) => new Date(Date.UTC(2022, 0, 3 + 7 * w + d, hour)).toISOString();
    rows.push({ at: day(2), type: 'Theft from the person', place: D });
    if (w < 5) rows.push({ at: day(1), type: 'Burglary', place: C }, { at: day(3), type: 'Burglary', place: C });
    else rows.push({ at: day(0), type: 'Burglary', place: A }, { at: day(6, 23), type: 'Burglary', place: A }, { at: day(4), type: 'Burglary', place: B });
  }
  return rows;
}

const record = (source: string, i: number, r: { month: string; at: string | null; type: string; place: Place; easting?: number; northing?: number }) => ({
  source,
  record_key: `${source}-${i}`,
  crime_id: null,
  month: r.month,
  occurred_at: r.at,
  reported_by: 'Testshire Police',
  falls_within: 'Testshire Police',
  longitude: r.place.lon,
  latitude: r.place.lat,
  easting: r.easting ?? null,
  northing: r.northing ?? null,
  location: 'On or near Fixture Street',
  lsoa_code: null,
  lsoa_name: null,
  crime_type: r.type,
  last_outcome: null,
  outcome_month: null,
  context: null,
  located: 1,
  h3_10: null,
  source_file: `${source}.csv`,
  source_line: i + 2,
  imported_at: new Date().toISOString(),
  updated_at: new Date().toISOString(),
});

async function insertDated(db: Db, source: string, rows: Dated[]): Promise<void> {
  await insertCrimeRecords(db, rows.map((r, i) => record(source, i, { ...r, month: r.at.slice(0, 7) })));
}

/** A fresh system of its own for each case, with a token for an analyst. */
async function withApp(fill: (t: TestApp) => Promise<void>, check: (get: (url: string) => Promise<{ status: number; body: Reply & { error?: { code: string; message: string } } }>, t: TestApp) => Promise<void>) {
  const t = await startTestApp();
  try {
    await fill(t);
    const { token } = await t.user('analyst');
    const get = async (url: string) => {
      const res = await t.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } });
      return { status: res.statusCode, body: res.json() as Reply & { error?: { code: string; message: string } } };
    };
    await check(get, t);
  } finally {
    await t.close();
  }
}

interface Reply {
  features: Array<{ geometry: { coordinates: number[][][] }; properties: { rank: number; score: number; recent: number; top5: boolean } }>;
  window: { by: string; period: string; trainPeriods: number; trainFrom: string; trainTo: string; testFrom: string; testTo: string };
  studyCells: number;
  accuracy: { by: string; trainPeriods: number; testPeriods: number; methods: Array<{ method: string; coverage: Array<{ coverage: number; meanHitRate: number | null; meanPai: number | null }> }> };
}

/** Whether a cell's square holds the place (to 0.1 m: the local projection is centred on a place, so it sits on a corner). */
const contains = (ring: number[][], p: Place) => {
  const lons = ring.map((q) => q[0]!);
  const lats = ring.map((q) => q[1]!);
  const e = 1e-6;
  return Math.min(...lons) - e <= p.lon && p.lon < Math.max(...lons) + e && Math.min(...lats) - e <= p.lat && p.lat < Math.max(...lats) + e;
};

test('by week: police.uk records (months only) cannot be forecast by week, and the reply says why', async () => {
  await withApp(
    (t) => insertCrimeRecords(t.platform.db, [record('police.uk', 0, { month: '2021-06', at: null, type: 'Burglary', place: A, easting: 458_700, northing: 304_500 })]).then(() => undefined),
    async (get) => {
      const r = await get('/api/forecast?type=Burglary&by=week');
      assert.equal(r.status, 400);
      assert.match(r.body.error!.message, /no located record has a date: forecasting by week needs records imported with their dates/);
    },
  );
});

test('by week in Great Britain: weeks from Monday, the latest five training weeks, cells on the national grid, accuracy as the backtest', async () => {
  await withApp(
    (t) => insertDated(t.platform.db, 'leicester', leicesterWeeks()),
    async (get, t) => {
      const { status, body } = await get('/api/forecast?type=Burglary&by=week&method=naive-all');
      assert.equal(status, 200, JSON.stringify(body));
      // ten weeks of data: the next is the week of 14 March; half of ten weeks train
      assert.deepEqual(body.window, { by: 'week', period: '2022-03-14', trainPeriods: 5, trainFrom: '2022-02-07', trainTo: '2022-03-07', testFrom: '2022-02-07', testTo: '2022-03-07' });
      assert.equal(body.studyCells, 4);
      // naive-all over the last five weeks: A 10, B 5, C and D none (C's burglaries were earlier)
      assert.deepEqual(body.features.map((f) => f.properties.score), [10, 5, 0, 0]);
      assert.ok(contains(body.features[0]!.geometry.coordinates[0]!, A), 'the top cell is drawn around A');
      assert.ok(contains(body.features[1]!.geometry.coordinates[0]!, B));
      // the accuracy figures are the weekly backtest's over the same test weeks
      assert.equal(body.accuracy.by, 'week');
      assert.equal(body.accuracy.testPeriods, 5);
      const expected = await backtest(t.platform.db, { types: ['Burglary'], cellSize: 250, trainMonths: 5, from: '2022-02-07', to: '2022-03-07', period: 'week', timeZone: 'Europe/London', methods: ['naive-all', 'naive-last'] });
      for (const m of expected.results) assert.deepEqual(body.accuracy.methods.find((x) => x.method === m.method)!.coverage, m.coverage);

      // any day of a week names that week; a week before the data's has too little before it
      const wednesday = await get('/api/forecast?type=Burglary&by=week&method=naive-all&period=2022-03-09');
      assert.equal(wednesday.body.window.period, '2022-03-07');
      assert.deepEqual(wednesday.body.window.trainPeriods, 4);
      const early = await get('/api/forecast?type=Burglary&by=week&period=2022-01-10');
      assert.equal(early.status, 400);
      assert.match(early.body.error!.message, /needs at least two weeks of records before it/);

      // by day: the local calendar day of the time zone counts. A's second burglary each week
      // is at 23:00 UTC on Sunday: Sunday in London, Monday in Tokyo.
      const london = await get('/api/forecast?type=Burglary&by=day&method=naive-all');
      const tokyo = await get('/api/forecast?type=Burglary&by=day&method=naive-all&timeZone=Asia/Tokyo');
      assert.equal(london.status, 200, JSON.stringify(london.body));
      assert.equal(london.body.window.period, '2022-03-14');
      assert.equal(tokyo.body.window.period, '2022-03-15', 'the last burglary fell on Monday 14 March in Tokyo');
      const bad = await get('/api/forecast?type=Burglary&by=day&period=2022-02-30');
      assert.equal(bad.status, 400);
      assert.match(bad.body.error!.message, /period: "2022-02-30" is not a day/);
      const zone = await get('/api/forecast?type=Burglary&by=day&timeZone=Mars/Olympus');
      assert.equal(zone.status, 400);
      assert.match(zone.body.error!.message, /timeZone: "Mars\/Olympus" is not an IANA time zone/);
    },
  );
});

test('by week outside Great Britain: cells drawn back from the local projection sit on the places, and patrol areas too', async () => {
  const rows: Dated[] = [];
  for (let w = 0; w < 8; w++) {
    const at = new Date(Date.UTC(2019, 8, 2 + 7 * w, 18)).toISOString();
    rows.push({ at, type: 'Aggravated assault', place: X }, { at, type: 'Aggravated assault', place: X }, { at, type: 'Aggravated assault', place: Y });
  }
  await withApp(
    (t) => insertDated(t.platform.db, 'chicago', rows),
    async (get) => {
      const { status, body } = await get('/api/forecast?type=Aggravated%20assault&by=week&method=naive-all&timeZone=America/Chicago');
      assert.equal(status, 200, JSON.stringify(body));
      assert.ok(contains(body.features[0]!.geometry.coordinates[0]!, X), JSON.stringify(body.features[0]!.geometry));
      assert.ok(contains(body.features[1]!.geometry.coordinates[0]!, Y));
      // a 250 m square: about 0.00225° of latitude
      const lats = body.features[0]!.geometry.coordinates[0]!.map((q) => q[1]!);
      assert.ok(Math.abs((Math.max(...lats) - Math.min(...lats)) * 111_000 - 250) < 5);
      const plan = (await get('/api/forecast/patrols?type=Aggravated%20assault&by=week&method=naive-all&areas=1&maxCells=1&timeZone=America/Chicago')) as unknown as { status: number; body: { features: Array<{ properties: { centre: number[] } }> } };
      assert.equal(plan.status, 200, JSON.stringify(plan.body));
      const centre = plan.body.features[0]!.properties.centre;
      assert.ok(Math.abs(centre[0]! - X.lon) < 0.003 && Math.abs(centre[1]! - X.lat) < 0.003, String(centre));
    },
  );
});
