export interface AuditEntry {
  seq: number;
  at: string;
  userId: string | null;
  username: string | null;
  role: string | null;
  operation: string;
  action: string;
  recordType: string | null;
  recordIds: string[];
  justification: string | null;
  reasonCode: string | null;
  clientIp: string | null;
}

export interface AuditPage {
  entries: AuditEntry[];
  nextCursor: number | null;
}

export interface ChainCheck {
  ok: boolean;
  entries: number;
  firstBad: number | null;
  problem: string | null;
}

/** The search form's fields, as typed; `from` and `to` are datetime-local values read as UTC. */
export interface AuditFilters {
  username: string;
  action: string;
  operation: string;
  recordType: string;
  recordId: string;
  from: string;
  to: string;
}

export const NO_FILTERS: AuditFilters = {
  username: '',
  action: '',
  operation: '',
  recordType: '',
  recordId: '',
  from: '',
  to: '',
};

/**
 * The kinds of processing that Part 3 of the Data Protection Act 2018 (section 62)
 * says must be logged, plus Peel's own security events (sign-in, role changes).
 */
export const OPERATIONS = [
  { value: 'collection', text: 'Collection' },
  { value: 'alteration', text: 'Alteration' },
  { value: 'consultation', text: 'Consultation' },
  { value: 'disclosure', text: 'Disclosure' },
  { value: 'combination', text: 'Combination' },
  { value: 'erasure', text: 'Erasure' },
  { value: 'security', text: 'Security' },
];

/** "2025-11-26T09:30" typed in UTC → "2025-11-26T09:30:00.000Z"; '' stays ''. */
export function utcInstant(local: string): string {
  if (!local) return '';
  const parsed = new Date(`${local}Z`);
  return Number.isNaN(parsed.getTime()) ? '' : parsed.toISOString();
}

/** The query parameters the audit API takes for these filters. */
export function filterParams(filters: AuditFilters): Record<string, string> {
  return {
    username: filters.username.trim(),
    action: filters.action.trim(),
    operation: filters.operation,
    recordType: filters.recordType.trim(),
    recordId: filters.recordId.trim(),
    from: utcInstant(filters.from),
    to: utcInstant(filters.to),
  };
}
