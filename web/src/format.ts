/** Dates and times as Peel shows them: always in UTC, so that everyone reads the same time. */

const dateTime = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'short',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  timeZone: 'UTC',
});

const timeSeconds = new Intl.DateTimeFormat('en-GB', {
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  timeZone: 'UTC',
});

const date = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });

function parse(value: string | number | null | undefined): Date | null {
  if (value === null || value === undefined || value === '') return null;
  const parsed = new Date(value);
  return Number.isNaN(parsed.getTime()) ? null : parsed;
}

/** "26 Nov 2025, 18:53 UTC", or the fallback when there is no date. */
export function formatDateTime(value: string | number | null | undefined, fallback = 'Never'): string {
  const parsed = parse(value);
  return parsed ? `${dateTime.format(parsed)} UTC` : fallback;
}

/** "19:06:00", in UTC, for the audit log. */
export function formatTimeSeconds(value: string | number | null | undefined): string {
  const parsed = parse(value);
  return parsed ? timeSeconds.format(parsed) : '';
}

export function formatDate(value: string | number | null | undefined, fallback = 'Never'): string {
  const parsed = parse(value);
  return parsed ? date.format(parsed) : fallback;
}

export function isPast(value: string | null | undefined): boolean {
  const parsed = parse(value);
  return parsed !== null && parsed.getTime() <= Date.now();
}
