import { useEffect, useState, type FormEvent, type ReactNode } from 'react';
import { Link, useParams } from 'react-router-dom';
import { api } from '../api.ts';
import { useSession } from '../auth/session.tsx';
import { formatDateTime } from '../format.ts';
import { ErrorSummary, SelectInput, SuccessBanner, apiErrors, type FormError } from '../shell/forms.tsx';
import { Loading } from '../shell/Loading.tsx';
import { NotFound } from '../shell/NotFound.tsx';
import { usePageTitle } from '../shell/usePageTitle.ts';
import { StatusTag, roleLabel, useRoles, useUsers, type ManagedUser, type RolePolicy } from './data.tsx';
import { OneTimePassword } from './OneTimePassword.tsx';

/** What the last action did, shown above the page. */
type Outcome = { kind: 'done'; message: string } | { kind: 'password'; password: string };

export function ManageUser() {
  const { id } = useParams();
  const { users, error: loadError, reload } = useUsers();
  const { roles } = useRoles();
  const { session } = useSession();
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [errors, setErrors] = useState<FormError[]>([]);
  const [busy, setBusy] = useState(false);
  const user = users?.find((u) => String(u.id) === id);
  usePageTitle(user ? `Manage ${user.displayName}` : 'Manage user', errors.length > 0 || loadError !== null);

  if (loadError) return <ErrorSummary errors={[{ message: loadError }]} />;
  if (!users) return <Loading what="Loading user" />;
  if (!user) return <NotFound />;

  // Every action here reports back the same way and then reloads the user.
  async function run(action: () => Promise<Outcome>) {
    setBusy(true);
    setErrors([]);
    setOutcome(null);
    try {
      setOutcome(await action());
      await reload();
    } catch (error) {
      setErrors(apiErrors(error));
    } finally {
      setBusy(false);
    }
  }

  const target = user;
  const patch = (body: { role?: string; disabled?: boolean }) =>
    api<{ user: ManagedUser }>(`/api/users/${target.id}`, { method: 'PATCH', body });
  const isSelf = session?.user.id === user.id;

  return (
    <>
      <Link to="/users" className="govuk-back-link">
        Back to users
      </Link>
      <ErrorSummary errors={errors} />
      {outcome?.kind === 'done' && <SuccessBanner>{outcome.message}</SuccessBanner>}
      {outcome?.kind === 'password' && (
        <OneTimePassword title="Password reset" password={outcome.password} name={user.displayName} />
      )}
      <span className="govuk-caption-l">Manage user</span>
      <h1 className="govuk-heading-l">{user.displayName}</h1>
      <UserSummary user={user} roles={roles} />

      <ChangeRole
        user={user}
        roles={roles}
        busy={busy}
        onChange={(role) =>
          void run(async () => {
            await patch({ role });
            return { kind: 'done', message: `${user.displayName} is now: ${roleLabel(roles, role)}.` };
          })
        }
      />

      <h2 className="govuk-heading-m govuk-!-margin-top-8">Signing in</h2>
      {user.locked && (
        <Action
          text="The account is locked because of too many failed sign-in attempts."
          button="Unlock account"
          busy={busy}
          onClick={() =>
            run(async () => {
              await api<void>(`/api/users/${user.id}/unlock`, { method: 'POST' });
              return { kind: 'done', message: `${user.displayName}’s account is unlocked.` };
            })
          }
        />
      )}
      {user.disabled ? (
        <Action
          text="The account is disabled: they cannot sign in, and their API tokens do not work."
          button="Enable account"
          busy={busy}
          onClick={() =>
            run(async () => {
              await patch({ disabled: false });
              return { kind: 'done', message: `${user.displayName}’s account is enabled.` };
            })
          }
        />
      ) : isSelf ? (
        <p className="govuk-body">This is your own account, so you cannot disable it here.</p>
      ) : (
        <Action
          text="Disabling the account signs them out and stops them signing in until you enable it again. Their records and audit history are kept."
          button="Disable account"
          warning
          busy={busy}
          onClick={() =>
            run(async () => {
              await patch({ disabled: true });
              return { kind: 'done', message: `${user.displayName}’s account is disabled.` };
            })
          }
        />
      )}
      {user.totpEnabled && (
        <Action
          text="If they have lost or replaced the phone with their authenticator app, remove it here. They will set up a new one the next time they sign in, if their role needs one."
          button="Reset two-factor authentication"
          busy={busy}
          onClick={() =>
            run(async () => {
              await api<void>(`/api/users/${user.id}/reset-totp`, { method: 'POST' });
              return { kind: 'done', message: `${user.displayName}’s authenticator app has been removed.` };
            })
          }
        />
      )}
      {!user.sso && (
        <Action
          text="Resetting the password gives them a new one-time password. Their old password stops working."
          button="Reset password"
          busy={busy}
          onClick={() =>
            run(async () => {
              const reply = await api<{ oneTimePassword: string }>(
                `/api/users/${user.id}/reset-password`,
                { method: 'POST' },
              );
              return { kind: 'password', password: reply.oneTimePassword };
            })
          }
        />
      )}
    </>
  );
}

function UserSummary({ user, roles }: { user: ManagedUser; roles: RolePolicy[] | null }) {
  const rows: [string, ReactNode][] = [
    ['Username', user.username],
    ['Role', roleLabel(roles, user.role)],
    ['Status', <StatusTag user={user} />],
    ['Two-factor authentication', user.totpEnabled ? 'On' : 'Off'],
    ['Signs in with', user.sso ? 'Single sign-on' : 'Peel password'],
    ['Last sign-in', formatDateTime(user.lastLoginAt)],
    ['Added', formatDateTime(user.createdAt)],
  ];
  return (
    <dl className="govuk-summary-list">
      {rows.map(([key, value]) => (
        <div key={key} className="govuk-summary-list__row">
          <dt className="govuk-summary-list__key">{key}</dt>
          <dd className="govuk-summary-list__value">{value}</dd>
        </div>
      ))}
    </dl>
  );
}

function ChangeRole({
  user,
  roles,
  busy,
  onChange,
}: {
  user: ManagedUser;
  roles: RolePolicy[] | null;
  busy: boolean;
  onChange: (role: string) => void;
}) {
  const [role, setRole] = useState<string>(user.role);
  const [error, setError] = useState<string | undefined>();
  useEffect(() => setRole(user.role), [user.role]);
  if (!roles) return null;

  function submit(event: FormEvent) {
    event.preventDefault();
    if (role === user.role) {
      setError(`Choose a role other than ${roleLabel(roles, user.role)}`);
      return;
    }
    setError(undefined);
    onChange(role);
  }

  return (
    <form onSubmit={submit} noValidate>
      <h2 className="govuk-heading-m govuk-!-margin-top-8">Change role</h2>
      <SelectInput
        id="new-role"
        label="Role"
        hint="What they can see and do in Peel"
        error={error}
        value={role}
        onChange={setRole}
        options={roles.map((r) => ({ value: r.role, text: r.label }))}
      />
      <button type="submit" className="govuk-button govuk-button--secondary" disabled={busy}>
        Change role
      </button>
    </form>
  );
}

function Action({
  text,
  button,
  warning = false,
  busy,
  onClick,
}: {
  text: string;
  button: string;
  warning?: boolean;
  busy: boolean;
  onClick: () => void;
}) {
  return (
    <div className="peel-action">
      <p className="govuk-body">{text}</p>
      <button
        type="button"
        className={`govuk-button ${warning ? 'govuk-button--warning' : 'govuk-button--secondary'}`}
        disabled={busy}
        onClick={onClick}
      >
        {button}
      </button>
    </div>
  );
}
