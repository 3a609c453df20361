import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dayNumber, LocalDates, parsePeriod, periodLabel, periodOfDate, periodOfOccurrence } from './periods.ts';

test('day and week numbers worked by hand', () => {
  assert.equal(dayNumber(1970, 1, 1), 0);
  assert.equal(dayNumber(1970, 2, 1), 31);
  assert.equal(dayNumber(2000, 3, 1), 11_017); // 30 years of 365 days + 7 leap days + Jan 31 + Feb 29
  // 1970-01-01 was a Thursday: the week of Monday 1969-12-29 is week 0; Monday 1970-01-05 starts week 1
  assert.equal(periodOfDate('week', 1970, 1, 1), 0);
  assert.equal(periodOfDate('week', 1970, 1, 4), 0); // Sunday
  assert.equal(periodOfDate('week', 1970, 1, 5), 1);
  assert.equal(periodLabel('week', 0), '1969-12-29');
  assert.equal(periodLabel('week', periodOfDate('week', 2019, 11, 10)), '2019-11-04');
  assert.equal(periodLabel('day', periodOfDate('day', 2024, 2, 29)), '2024-02-29');
  assert.equal(periodOfDate('month', 2021, 11, 30), 2021 * 12 + 10);
  assert.equal(periodLabel('month', 2021 * 12 + 10), '2021-11');
});

test('parsePeriod reads months and dates, and names the form it wanted', () => {
  assert.equal(parsePeriod('month', '2021-11'), 2021 * 12 + 10);
  assert.equal(parsePeriod('week', '2019-11-06'), parsePeriod('week', '2019-11-04'));
  assert.equal(parsePeriod('day', '2019-11-06') - parsePeriod('day', '2019-10-31'), 6);
  assert.throws(() => parsePeriod('day', '2019-02-30'), /bad day "2019-02-30" \(expected a date YYYY-MM-DD\)/);
  assert.throws(() => parsePeriod('week', '2019-11'), /bad week/);
});

test('occurrences are dated in the time zone asked for', () => {
  const chicago = new LocalDates('America/Chicago');
  // 2019-11-11 03:30 UTC is 2019-11-10 21:30 in Chicago (CST, UTC−6): a Sunday
  assert.equal(periodLabel('day', periodOfOccurrence('day', '2019-11-11T03:30:00.000Z', chicago)), '2019-11-10');
  assert.equal(periodLabel('week', periodOfOccurrence('week', '2019-11-11T03:30:00.000Z', chicago)), '2019-11-04');
  // in London it is already Monday
  assert.equal(periodLabel('week', periodOfOccurrence('week', '2019-11-11T03:30:00.000Z', new LocalDates('Europe/London'))), '2019-11-11');
  // a bare local date is taken as it is; nonsense gives NaN
  assert.equal(periodLabel('day', periodOfOccurrence('day', '2020-06-19', chicago)), '2020-06-19');
  assert.ok(Number.isNaN(periodOfOccurrence('day', 'yesterday', chicago)));
});
