import { useEffect, useState } from 'react';
import { api, messageOf } from '../api.ts';

export type { RolePolicy, User as ManagedUser } from '../../../src/platform/auth/replies.ts';
import type { RolePolicy, User as ManagedUser } from '../../../src/platform/auth/replies.ts';

/** The roles staff can hold, with their labels and two-factor policy. */
export function useRoles(): { roles: RolePolicy[] | null; error: string | null; setRoles: (roles: RolePolicy[]) => void } {
  const [roles, setRoles] = useState<RolePolicy[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    const controller = new AbortController();
    api<{ roles: RolePolicy[] }>('/api/roles', { signal: controller.signal })
      // staff roles only: members of the public never hold an account here
      .then((reply) => setRoles(reply.roles))
      .catch((caught: unknown) => {
        if (!controller.signal.aborted) setError(messageOf(caught));
      });
    return () => controller.abort();
  }, []);
  return { roles, error, setRoles };
}

export function useUsers(): { users: ManagedUser[] | null; error: string | null; reload: () => Promise<void> } {
  const [users, setUsers] = useState<ManagedUser[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [version, setVersion] = useState(0);
  useEffect(() => {
    const controller = new AbortController();
    api<{ users: ManagedUser[] }>('/api/users', { signal: controller.signal })
      .then((reply) => {
        setUsers(reply.users);
        setError(null);
      })
      .catch((caught: unknown) => {
        if (!controller.signal.aborted) setError(messageOf(caught));
      });
    return () => controller.abort();
  }, [version]);
  return { users, error, reload: async () => setVersion((v) => v + 1) };
}

export function roleLabel(roles: RolePolicy[] | null, role: string): string {
  return roles?.find((r) => r.role === role)?.label ?? role;
}

/** A user's state as one word, worst first: locked or disabled users cannot sign in. */
export function StatusTag({ user }: { user: ManagedUser }) {
  if (user.disabled) return <strong className="govuk-tag govuk-tag--grey">Disabled</strong>;
  if (user.locked) return <strong className="govuk-tag govuk-tag--red">Locked</strong>;
  return <strong className="govuk-tag govuk-tag--green">Active</strong>;
}
