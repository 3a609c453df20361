/** The roles a signed-in user can hold; `public` is the anonymous caller. */
export const STAFF_ROLES = [
  'officer',
  'supervisor',
  'analyst',
  'control_room',
  'evidence_officer',
  'auditor',
  'admin',
] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];
export type Role = StaffRole | 'public';
export const ALL_ROLES: readonly Role[] = [...STAFF_ROLES, 'public'];

export const ROLE_LABELS: Record<Role, string> = {
  officer: 'Response officer',
  supervisor: 'Supervisor',
  analyst: 'Analyst',
  control_room: 'Control room',
  evidence_officer: 'Evidence officer',
  auditor: 'Auditor or data-protection officer',
  admin: 'Administrator',
  public: 'Member of the public',
};

export function isStaffRole(value: string): value is StaffRole {
  return (STAFF_ROLES as readonly string[]).includes(value);
}
