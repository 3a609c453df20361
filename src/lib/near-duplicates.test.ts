import { test } from 'node:test';
import assert from 'node:assert/strict';
import { distanceMetres, findNearDuplicate, jaccard, threadFor, tokens, type MessageForThreading } from './near-duplicates.ts';

const at = (iso: string) => Date.parse(iso);
const msg = (id: number, lat: number | null, lon: number | null, time: string, text: string, threadId: number | null = null): MessageForThreading => ({
  id,
  threadId,
  latitude: lat,
  longitude: lon,
  time: at(time),
  text,
});

test('distance: one degree of latitude is about 111.2 km; Leicester clock tower to the railway station about 1.1 km', () => {
  assert.ok(Math.abs(distanceMetres(52, -1, 53, -1) - 111_195) < 5);
  const d = distanceMetres(52.6369, -1.1398, 52.6315, -1.1253);
  assert.ok(d > 1000 && d < 1200, String(d));
  assert.equal(distanceMetres(52.6, -1.1, 52.6, -1.1), 0);
});

test('tokens drop case, stop words, URLs and marks; jaccard is shared over all', () => {
  assert.deepEqual([...tokens('The FIGHT at #ClockTower @bob https://t.co/x')].sort(), ['bob', 'clocktower', 'fight']);
  assert.equal(jaccard('fight outside the pub', 'fight outside pub'), 1);
  // {fight, outside, pub} vs {fight, near, pub}: 2 shared of 4
  assert.equal(jaccard('fight outside pub', 'fight near pub'), 0.5);
  assert.equal(jaccard('', ''), 0);
  assert.equal(jaccard('café fight', 'cafe fight'), 1);
});

test('a repeat nearby, soon after, in similar words joins the earlier message; others do not', () => {
  const first = msg(1, 52.6369, -1.1398, '2026-11-26T21:00:00Z', 'Large fight outside the Clock Tower pub, bottles thrown');
  const near = msg(2, 52.6380, -1.1390, '2026-11-26T21:20:00Z', 'fight outside clock tower pub, people throwing bottles');
  assert.equal(findNearDuplicate(near, [first])?.id, 1);
  assert.equal(threadFor(near, [first]), 1);
  // same words, 2 km away
  assert.equal(findNearDuplicate(msg(3, 52.655, -1.1398, '2026-11-26T21:20:00Z', near.text), [first]), null);
  // same place and words, next day
  assert.equal(findNearDuplicate(msg(4, 52.6369, -1.1398, '2026-11-27T21:00:00Z', near.text), [first]), null);
  // same place and time, different matter
  assert.equal(findNearDuplicate(msg(5, 52.6369, -1.1398, '2026-11-26T21:10:00Z', 'Car parked across my driveway again'), [first]), null);
});

test('joins the thread of the best match, and unlocated messages need closer text', () => {
  const a = msg(1, 52.6369, -1.1398, '2026-11-26T21:00:00Z', 'smoke from warehouse roof on Frog Island', null);
  const b = msg(2, 52.6371, -1.1399, '2026-11-26T21:05:00Z', 'smoke pouring from warehouse roof Frog Island', 1);
  const c = msg(3, 52.6372, -1.1397, '2026-11-26T21:07:00Z', 'warehouse fire Frog Island smoke pouring from roof');
  assert.equal(threadFor(c, [a, b]), 1);
  const loose = msg(4, null, null, '2026-11-26T21:06:00Z', 'smoke near Frog Island');
  // {smoke, near, frog, island} vs a's {smoke, warehouse, roof, frog, island}: 3/6 = 0.5, under 0.6
  assert.equal(findNearDuplicate(loose, [a]), null);
  const close = msg(5, null, null, '2026-11-26T21:06:00Z', 'smoke from warehouse roof Frog Island');
  assert.equal(findNearDuplicate(close, [a])?.id, 1);
});
