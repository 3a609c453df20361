/** The audit log's fixed vocabularies: no imports, so the web app's search form uses them too. */

/**
 * The kinds of processing the Data Protection Act 2018 s.62 requires a law-enforcement
 * controller to log, plus `security` for sign-ins, lockouts and other access events.
 */
export const OPERATIONS = ['collection', 'alteration', 'consultation', 'disclosure', 'combination', 'erasure', 'security'] as const;
export type Operation = (typeof OPERATIONS)[number];
export const OPERATION_LABELS: Record<Operation, string> = {
  collection: 'Collection',
  alteration: 'Alteration',
  consultation: 'Consultation',
  disclosure: 'Disclosure',
  combination: 'Combination',
  erasure: 'Erasure',
  security: 'Security',
};

/** Stated reasons a user can pick instead of typing a justification. */
export const REASON_CODES = [
  'investigation',
  'intelligence',
  'safeguarding',
  'prosecution',
  'complaint',
  'subject_access',
  'operational_policing',
  'audit',
  'account_administration',
] as const;
export type ReasonCode = (typeof REASON_CODES)[number];

