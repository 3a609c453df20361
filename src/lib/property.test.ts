import { test } from 'node:test';
import assert from 'node:assert/strict';
import { forAll, generator } from './property.ts';

test('the same seed gives the same cases; int stays within its bounds; subset has no repeats', () => {
  const a = generator(9);
  const b = generator(9);
  for (let i = 0; i < 100; i++) assert.equal(a.int(-3, 7), b.int(-3, 7));
  forAll(500, 1, (g) => ({ n: g.int(2, 5), s: g.subset(['a', 'b', 'c', 'd'], 3) }), ({ n, s }) => {
    assert.ok(n >= 2 && n <= 5);
    assert.ok(s.length <= 3 && new Set(s).size === s.length);
  });
});

test('a failing property names its seed and case', () => {
  assert.throws(() => forAll(50, 4, (g) => g.int(0, 10), (n) => assert.ok(n < 9)), /seed 4/);
});
