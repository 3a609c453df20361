import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { systemActor } from '../../platform/actor.ts';
import { startTestApp, type TestApp } from '../../test/harness.ts';
import { crimeData } from '../crime/query.ts';
import { importLsoaBoundaries, importPoliceUk, SAMPLE_DIR } from '../crime/service.ts';

// The sample shipped with Peel, as the browser tests load it: two months of Leicestershire
// street crime and the force's LSOA boundaries, imported by the crime module's importer.
let t: TestApp;
let analyst: { token: string };
let control: { token: string };
before(async () => {
  t = await startTestApp({ PEEL_RATE_LIMIT_PUBLIC_PER_MINUTE: '10000' });
  analyst = await t.user('analyst');
  control = await t.user('control_room');
  await importLsoaBoundaries(t.platform.db, systemActor, join(SAMPLE_DIR, 'boundaries', 'leicestershire_force_area_lsoa2011.geojson.gz'));
  const street = join(SAMPLE_DIR, 'police-uk', 'leicestershire');
  await importPoliceUk(t.platform.db, systemActor, ['2022-09', '2022-10'].map((m) => join(street, `${m}-leicestershire-street.csv.gz`)));
  crimeData(t.platform.db).cubes.invalidate();
});
after(() => t?.close());

test('sample data: area safety shows both "higher" and "lower" areas, compared with the median area shown', async () => {
  for (const url of ['/api/reports/area-safety?res=8', '/api/reports/area-safety?res=7', '/api/reports/area-safety?by=lsoa']) {
    const res = await t.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${analyst.token}` } });
    assert.equal(res.statusCode, 200, res.body);
    const fc = res.json();
    type Props = { count: number; rate: number; level: string };
    const props: Props[] = fc.features.map((f: { properties: Props }) => f.properties);
    const levels = new Map<string, number>();
    for (const p of props) levels.set(p.level, (levels.get(p.level) ?? 0) + 1);
    assert.ok((levels.get('higher') ?? 0) > 0, `${url}: no "higher" area among ${props.length}`);
    assert.ok((levels.get('lower') ?? 0) > 0, `${url}: no "lower" area among ${props.length}`);
    assert.ok(props.every((p) => p.count >= fc.suppressBelow), url);
    // The typical area is the middle one shown: as many above it as below.
    const above = props.filter((p) => p.rate > fc.average).length;
    const below = props.filter((p) => p.rate < fc.average).length;
    assert.ok(Math.abs(above - below) <= props.length - above - below + 1, `${url}: ${above} above, ${below} below the median`);
  }
  const pub = (await t.app.inject({ method: 'GET', url: '/api/public/area-safety?res=8' })).json();
  const levels = new Set(pub.features.map((f: { properties: { level: string } }) => f.properties.level));
  assert.ok(levels.has('higher') && levels.has('lower'));
});

const publicGet = (url: string) => t.app.inject({ method: 'GET', url });

test('the public place search: districts and LSOAs as typed, with their centres, at most ten', async () => {
  const res = await publicGet('/api/public/places?q=charn');
  assert.equal(res.statusCode, 200, res.body);
  const { places } = res.json() as { places: Array<{ name: string; kind: string; latitude: number; longitude: number }> };
  assert.equal(places.length, 10);
  // The district first, then its LSOAs; every centre inside the force area.
  assert.deepEqual([places[0]!.name, places[0]!.kind], ['Charnwood', 'district']);
  assert.ok(places.slice(1).every((p) => p.kind === 'LSOA' && /^Charnwood \d{3}[A-Z]$/.test(p.name)));
  for (const p of places) assert.ok(p.latitude > 52.3 && p.latitude < 53 && p.longitude > -1.7 && p.longitude < -0.6, `${p.name} at ${p.latitude},${p.longitude}`);
  // Case and a word inside the name: "wigston" finds "Oadby and Wigston".
  const wigston = (await publicGet('/api/public/places?q=WIGSTON')).json().places as Array<{ name: string }>;
  assert.equal(wigston[0]!.name, 'Oadby and Wigston');
  assert.deepEqual((await publicGet('/api/public/places?q=c')).json(), { places: [] });
  assert.deepEqual((await publicGet('/api/public/places?q=Atlantis')).json(), { places: [] });
  assert.equal((await publicGet('/api/public/places')).statusCode, 400);
  assert.equal((await publicGet(`/api/public/places?q=${'x'.repeat(101)}`)).statusCode, 400);
});

test('a report with a place name and no point is put at the place, marked as inferred; an unknown place is refused', async () => {
  const body = { category: 'other', description: 'Street lights out all along the road', occurredAt: new Date(Date.now() - 60_000).toISOString() };
  const ok = await t.app.inject({ method: 'POST', url: '/api/reports', payload: { ...body, placeName: 'Charnwood' } });
  assert.equal(ok.statusCode, 201, ok.body);
  const charnwood = ((await publicGet('/api/public/places?q=Charnwood')).json().places as Array<{ name: string; latitude: number; longitude: number }>)[0]!;
  const detail = await t.app.inject({ method: 'GET', url: `/api/reports/${ok.json().reference}`, headers: { authorization: `Bearer ${control.token}` } });
  const item = detail.json();
  assert.equal(item.locationInferred, true);
  assert.equal(item.placeName, 'Charnwood');
  assert.ok(Math.abs(item.latitude - charnwood.latitude) < 1e-5 && Math.abs(item.longitude - charnwood.longitude) < 1e-5);

  const unknown = await t.app.inject({ method: 'POST', url: '/api/reports', payload: { ...body, placeName: 'Atlantis' } });
  assert.equal(unknown.statusCode, 400);
  assert.match(unknown.json().error.message, /body\.placeName: "Atlantis" is not a place we recognise.*on the map/);
  const neither = await t.app.inject({ method: 'POST', url: '/api/reports', payload: body });
  assert.equal(neither.statusCode, 400);
  assert.match(neither.json().error.message, /body\.latitude: is needed.*placeName/);
  const half = await t.app.inject({ method: 'POST', url: '/api/reports', payload: { ...body, latitude: 52.6, placeName: 'Charnwood' } });
  assert.equal(half.statusCode, 400);
  assert.match(half.json().error.message, /body\.longitude/);
  // A point given wins: the place name is kept as said, the location is not inferred.
  const both = await t.app.inject({ method: 'POST', url: '/api/reports', payload: { ...body, latitude: 52.6369, longitude: -1.1398, placeName: 'Charnwood' } });
  const bothItem = (await t.app.inject({ method: 'GET', url: `/api/reports/${both.json().reference}`, headers: { authorization: `Bearer ${control.token}` } })).json();
  assert.equal(bothItem.locationInferred, false);
  assert.equal(bothItem.latitude, 52.6369);
});
