import { OPERATION_LABELS, OPERATIONS as OPERATION_CODES } from '../../../src/platform/audit/operations.ts';

export type { AuditEntry, AuditPage, ChainCheck } from '../../../src/platform/audit/replies.ts';

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

/** The kinds of processing the Data Protection Act 2018 s.62 says must be logged, and Peel's security events. */
export const OPERATIONS = OPERATION_CODES.map((value) => ({ value, text: OPERATION_LABELS[value] }));

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
