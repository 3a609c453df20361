import { test } from 'node:test';
import assert from 'node:assert/strict';
import { forAll, type Gen } from '../../lib/property.ts';
import { DEFAULT_CATEGORIES, decideRetention, isDue, type RetentionRule, type RetentionSubject } from './retention.ts';

const DAY = 86_400_000;
const rules = new Map(DEFAULT_CATEGORIES.map((r) => [r.code, r]));
const assignable = DEFAULT_CATEGORIES.filter((c) => c.assignable).map((c) => c.code);
const at = (s: string) => new Date(s);

test("the Met's rule: uncategorised and not-evidential footage goes 31 days after recording, not a moment before", () => {
  for (const categories of [[], ['not-evidential']]) {
    const d = decideRetention({ recordedStart: '2026-01-01T09:00:00.000Z', createdAt: '2026-01-02T00:00:00.000Z', categories, activeHolds: 0 }, rules);
    assert.equal(d.action, 'delete');
    assert.equal(d.deleteOn, '2026-02-01T09:00:00.000Z');
    assert.equal(isDue(d, at('2026-02-01T08:59:59.999Z')), false);
    assert.equal(isDue(d, at('2026-02-01T09:00:00.000Z')), true);
  }
});

test('evidential and mandated categories are kept for review under MoPI; several categories: the longest wins', () => {
  const evidential = decideRetention({ recordedStart: '2026-01-01T00:00:00.000Z', createdAt: '2026-01-01T00:00:00.000Z', categories: ['evidential'], activeHolds: 0 }, rules);
  assert.equal(evidential.action, 'review');
  assert.equal(evidential.deleteOn, null);
  assert.equal(evidential.reviewOn, new Date(Date.parse('2026-01-01') + 2192 * DAY).toISOString());
  assert.match(evidential.rule, /MoPI group 3/);
  const both = decideRetention({ recordedStart: '2026-01-01T00:00:00.000Z', createdAt: '2026-01-01T00:00:00.000Z', categories: ['not-evidential', 'domestic-abuse', 'stop-and-search'], activeHolds: 0 }, rules);
  assert.equal(both.action, 'review');
  assert.match(both.rule, /^domestic-abuse/);
  // Two deletion rules: the later date stands.
  const custom = new Map<string, RetentionRule>([...rules, ['short', { code: 'short', name: 'Short', description: '', action: 'delete', days: 5, mopiGroup: null, assignable: true }]]);
  const two = decideRetention({ recordedStart: '2026-01-01T00:00:00.000Z', createdAt: '2026-01-01T00:00:00.000Z', categories: ['short', 'not-evidential'], activeHolds: 0 }, custom);
  assert.equal(two.deleteOn, '2026-02-01T00:00:00.000Z');
  // No recording time: the arrival counts.
  assert.equal(decideRetention({ recordedStart: null, createdAt: '2026-03-01T00:00:00.000Z', categories: [], activeHolds: 0 }, rules).deleteOn, '2026-04-01T00:00:00.000Z');
  // A category with no rule never deletes.
  assert.equal(decideRetention({ recordedStart: null, createdAt: '2026-03-01T00:00:00.000Z', categories: ['gone'], activeHolds: 0 }, rules).action, 'review');
});

/** Random rules (edited defaults), items and clocks. */
function world(g: Gen) {
  const edited = new Map(
    DEFAULT_CATEGORIES.map((r): [string, RetentionRule] => [r.code, g.bool(0.3) ? { ...r, action: g.pick(['delete', 'review'] as const), days: g.int(1, 4000) } : r]),
  );
  const start = Date.parse('2020-01-01') + g.int(0, 5 * 365) * DAY + g.int(0, DAY - 1);
  const item: RetentionSubject = {
    recordedStart: g.bool(0.9) ? new Date(start).toISOString() : null,
    createdAt: new Date(start + g.int(0, 10) * DAY).toISOString(),
    categories: g.subset(assignable, 3),
    activeHolds: g.bool(0.2) ? g.int(1, 3) : 0,
  };
  const now = new Date(start + g.int(-5, 6000) * DAY + g.int(0, DAY));
  return { rules: edited, item, now };
}

test('property: a held item, or one any category keeps for review, is never due; a due item is past every deletion date it has', () => {
  forAll(20_000, 20261126, world, ({ rules: r, item, now }) => {
    const d = decideRetention(item, r);
    if (!isDue(d, now)) return;
    assert.equal(item.activeHolds, 0, 'a held item was due');
    const codes = item.categories.length ? item.categories : ['uncategorised'];
    const base = Date.parse(item.recordedStart ?? item.createdAt);
    for (const c of codes) {
      const rule = r.get(c)!;
      assert.equal(rule.action, 'delete', `${c} keeps for review, yet the item was due`);
      assert.ok(now.getTime() >= base + rule.days * DAY, `${c} keeps it until ${new Date(base + rule.days * DAY).toISOString()}, yet it was due at ${now.toISOString()}`);
    }
  });
});

test('property: an item nobody holds whose every rule deletes is due exactly once the longest has run', () => {
  forAll(20_000, 7, world, ({ rules: r, item, now }) => {
    const codes = item.categories.length ? item.categories : ['uncategorised'];
    if (item.activeHolds || codes.some((c) => r.get(c)!.action !== 'delete')) return;
    const base = Date.parse(item.recordedStart ?? item.createdAt);
    const last = Math.max(...codes.map((c) => base + r.get(c)!.days * DAY));
    assert.equal(isDue(decideRetention(item, r), now), now.getTime() >= last);
  });
});
