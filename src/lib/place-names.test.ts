import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gazetteer, placesFromLsoas } from './place-names.ts';

const lsoas = [
  { lsoaName: 'Charnwood 001A', latitude: 52.8, longitude: -1.2 },
  { lsoaName: 'Charnwood 002B', latitude: 52.7, longitude: -1.1 },
  { lsoaName: 'Hinckley and Bosworth 004C', latitude: 52.55, longitude: -1.4 },
  { lsoaName: 'Blaby 010D', latitude: 52.57, longitude: -1.17 },
];

test('districts from LSOA names sit at the mean of their LSOAs', () => {
  const places = placesFromLsoas(lsoas);
  const charnwood = places.find((p) => p.name === 'Charnwood')!;
  assert.equal(charnwood.kind, 'district');
  assert.ok(Math.abs(charnwood.latitude - 52.75) < 1e-9);
  assert.ok(Math.abs(charnwood.longitude + 1.15) < 1e-9);
  assert.equal(places.filter((p) => p.kind === 'LSOA').length, 4);
});

test('the longest whole-word mention wins; parts of words do not count', () => {
  const g = gazetteer(placesFromLsoas(lsoas));
  assert.equal(g.find('Fly-tipping in CHARNWOOD again')?.name, 'Charnwood');
  assert.equal(g.find('lights out in Hinckley and Bosworth 004C tonight')?.name, 'Hinckley and Bosworth 004C');
  assert.equal(g.find('Hinckley and Bosworth council says')?.name, 'Hinckley and Bosworth');
  assert.equal(g.find('Blabyshire is not a place'), null);
  assert.equal(g.find('nothing here'), null);
  assert.equal(g.named('blaby')?.name, 'Blaby');
  assert.equal(g.named('near Blaby village')?.name, 'Blaby');
});

test('search as someone types: start of the name, then a word in it, then anywhere; districts first', () => {
  const g = gazetteer(placesFromLsoas([...lsoas, { lsoaName: 'Oadby and Wigston 003A', latitude: 52.59, longitude: -1.09 }]));
  assert.deepEqual(
    g.search('char', 10).map((p) => p.name),
    ['Charnwood', 'Charnwood 001A', 'Charnwood 002B'],
  );
  assert.deepEqual(g.search('CHARNWOOD 00', 1).map((p) => p.name), ['Charnwood 001A']);
  assert.equal(g.search('wigston', 10)[0]?.name, 'Oadby and Wigston');
  // "osworth" is inside a word: found, but after names where it starts a word.
  assert.deepEqual(g.search('osworth', 10).map((p) => p.name), ['Hinckley and Bosworth', 'Hinckley and Bosworth 004C']);
  assert.deepEqual(g.search('c', 10), []);
  assert.deepEqual(g.search('  ', 10), []);
  assert.deepEqual(g.search('(', 10), []);
});
