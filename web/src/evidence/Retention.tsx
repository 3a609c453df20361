import { formatDate } from '../format.ts';
import type { Retention } from './types.ts';

/** Whole days from now until an instant (negative once past). */
export function daysUntil(when: string): number {
  return Math.ceil((new Date(when).getTime() - Date.now()) / 86_400_000);
}

/** What the rules will do with an item, in words: "Deleted on 3 Dec 2025 (7 days left)". */
export function RetentionText({ retention, short = false }: { retention: Retention | null; short?: boolean }) {
  if (!retention) return <>Not known</>;
  if (retention.held) {
    return (
      <>
        <strong className="govuk-tag govuk-tag--blue">Legal hold</strong>
        {!short && ' It cannot be deleted while a hold stands.'}
      </>
    );
  }
  if (retention.action === 'delete' && retention.deleteOn) {
    const left = daysUntil(retention.deleteOn);
    return (
      <>
        Deleted on {formatDate(retention.deleteOn)}{' '}
        <strong className={`govuk-tag ${left <= 7 ? 'govuk-tag--red' : 'govuk-tag--yellow'}`}>
          {left <= 0 ? 'Due now' : `${left} ${left === 1 ? 'day' : 'days'} left`}
        </strong>
      </>
    );
  }
  if (retention.action === 'review') return <>Kept; review on {formatDate(retention.reviewOn, 'a date not yet set')}</>;
  return <>Kept</>;
}
