/**
 * Retention as plain data and one pure function: what happens to an item, and when.
 * No I/O, no clock: the sweep passes `now`, so tests can run it on a fake one.
 */

export type RetentionAction = 'delete' | 'review';

export interface RetentionRule {
  code: string;
  name: string;
  description: string;
  /** delete: deleted `days` after recording; review: kept, with a review date `days` after recording */
  action: RetentionAction;
  days: number;
  /** the Management of Police Information review group, where the rule follows one */
  mopiGroup: number | null;
  /** false for `uncategorised`, which holds the rule for items with no category */
  assignable: boolean;
}

export const UNCATEGORISED = 'uncategorised';
const DAY_MS = 86_400_000;

/**
 * The defaults a new system starts with; an administrator edits them as data. The 31-day
 * rule is the Metropolitan Police's for body-worn video nobody marks as useful. Review
 * periods follow MoPI: group 2 (sexual, violent and serious offences, domestic abuse
 * among them) reviewed at 10 years; group 3 (other offences) at 6 years.
 */
export const DEFAULT_CATEGORIES: RetentionRule[] = [
  { code: UNCATEGORISED, name: 'Uncategorised', description: 'Footage nobody has categorised: deleted 31 days after recording.', action: 'delete', days: 31, mopiGroup: null, assignable: false },
  { code: 'not-evidential', name: 'Not evidential', description: 'Of no evidential value: deleted 31 days after recording.', action: 'delete', days: 31, mopiGroup: null, assignable: true },
  { code: 'evidential', name: 'Evidential', description: 'Evidence of an offence: kept, reviewed after 6 years (MoPI group 3).', action: 'review', days: 2192, mopiGroup: 3, assignable: true },
  { code: 'stop-and-search', name: 'Stop and search', description: 'Mandated recording of a stop and search: kept, reviewed after 6 years (MoPI group 3).', action: 'review', days: 2192, mopiGroup: 3, assignable: true },
  { code: 'domestic-abuse', name: 'Domestic abuse', description: 'Mandated recording at a domestic abuse incident: kept, reviewed after 10 years (MoPI group 2).', action: 'review', days: 3653, mopiGroup: 2, assignable: true },
  { code: 'use-of-force', name: 'Use of force', description: 'Mandated recording of a use of force: kept, reviewed after 6 years (MoPI group 3).', action: 'review', days: 2192, mopiGroup: 3, assignable: true },
  { code: 'vehicle-stop', name: 'Vehicle stop', description: 'Mandated recording of a vehicle stop: kept, reviewed after 6 years (MoPI group 3).', action: 'review', days: 2192, mopiGroup: 3, assignable: true },
];

export interface RetentionSubject {
  /** when recording started; the item's arrival when that is unknown */
  recordedStart: string | null;
  createdAt: string;
  categories: string[];
  /** holds still standing (case, complaint, misconduct, subject access) */
  activeHolds: number;
}

export interface RetentionDecision {
  action: RetentionAction;
  /** the rule that decided, in words, for the audit log and the worklist */
  rule: string;
  deleteOn: string | null;
  reviewOn: string | null;
  held: boolean;
}

/**
 * Several categories: the longest retention wins. A review rule keeps an item until a
 * person reviews it, so it outlasts any fixed deletion date; among review rules the latest
 * review date stands, among deletion rules the latest deletion date. A category with no
 * rule (unknown code) is treated as review: an unknown rule never deletes anything.
 */
export function decideRetention(item: RetentionSubject, rules: ReadonlyMap<string, RetentionRule>): RetentionDecision {
  const startText = item.recordedStart ?? item.createdAt;
  const start = Date.parse(startText);
  const codes = item.categories.length ? item.categories : [UNCATEGORISED];
  let best: { rule: RetentionRule | null; code: string; at: number } | null = null;
  for (const code of codes) {
    const rule = rules.get(code) ?? null;
    const at = rule ? start + rule.days * DAY_MS : Number.POSITIVE_INFINITY;
    const action = rule?.action ?? 'review';
    if (!best) {
      best = { rule, code, at };
      continue;
    }
    const bestAction = best.rule?.action ?? 'review';
    if ((action === 'review' && bestAction === 'delete') || (action === bestAction && at > best.at)) best = { rule, code, at };
  }
  const chosen = best!;
  const action = chosen.rule?.action ?? 'review';
  const when = Number.isFinite(chosen.at) ? new Date(chosen.at).toISOString() : null;
  const rule = chosen.rule
    ? `${chosen.code}: ${chosen.rule.action === 'delete' ? 'delete' : 'review'} ${chosen.rule.days} days after recording${chosen.rule.mopiGroup ? ` (MoPI group ${chosen.rule.mopiGroup})` : ''}`
    : `${chosen.code}: no rule, kept for review`;
  return { action, rule, deleteOn: action === 'delete' ? when : null, reviewOn: action === 'review' ? when : null, held: item.activeHolds > 0 };
}

/** Due for deletion now: a deletion rule whose date has come, and no hold. */
export function isDue(decision: RetentionDecision, now: Date): boolean {
  return !decision.held && decision.action === 'delete' && decision.deleteOn !== null && Date.parse(decision.deleteOn) <= now.getTime();
}

/** Whole days from `now` until the deletion date (negative once past), or null when none. */
export function daysLeft(decision: RetentionDecision, now: Date): number | null {
  if (decision.deleteOn === null) return null;
  return Math.floor((Date.parse(decision.deleteOn) - now.getTime()) / DAY_MS);
}
