import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { systemActor } from '../../platform/actor.ts';
import { startTestApp, type TestApp } from '../../test/harness.ts';
import { sharedData } from '../../test/shared-data.ts';
import { crimeData } from '../crime/query.ts';
import { importLsoaBoundaries, importPoliceUk } from '../crime/service.ts';

// The sample data: three months of Leicestershire street crime and the force's LSOA
// boundaries, imported by the crime module's importer.
const STREET = sharedData('police-uk-leicestershire/street');
const BOUNDARIES = sharedData('boundaries/leicestershire_force_area_lsoa2011.geojson.gz');
const MONTHS = ['2022-08', '2022-09', '2022-10'];
const present = existsSync(STREET) && existsSync(BOUNDARIES);
const skip = !present && 'shared data not present';

let t: TestApp;
let analyst: { token: string };
before(async () => {
  if (!present) return;
  t = await startTestApp({ PEEL_RATE_LIMIT_PUBLIC_PER_MINUTE: '10000' });
  analyst = await t.user('analyst');
  await importLsoaBoundaries(t.platform.db, systemActor, BOUNDARIES);
  await importPoliceUk(t.platform.db, systemActor, MONTHS.map((m) => join(STREET, `${m}-leicestershire-street.csv.gz`)));
  crimeData(t.platform.db).cubes.invalidate();
});
after(() => t?.close());

test('sample data: area safety shows both "higher" and "lower" areas, compared with the median area shown', { skip }, async () => {
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
