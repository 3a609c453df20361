import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isMonth, monthIndex, monthText } from './months.ts';

test('month indexes: consecutive months differ by one across a year end, and round-trip', () => {
  assert.equal(monthIndex('2022-01') - monthIndex('2021-12'), 1);
  assert.equal(monthIndex('2022-10') - monthIndex('2021-11'), 11);
  assert.equal(monthIndex('2021-11'), 2021 * 12 + 10);
  for (const m of ['2019-12', '2020-01', '2022-10', '0001-01']) assert.equal(monthText(monthIndex(m)), m);
  assert.ok(isMonth('2022-10'));
  for (const bad of ['2022-13', '2022-00', '2022-1', '22-10', '2022-10-01']) {
    assert.ok(!isMonth(bad));
    assert.throws(() => monthIndex(bad), /bad month/);
  }
});
