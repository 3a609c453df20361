import { useState, type FormEvent } from 'react';
import { Link } from 'react-router-dom';
import { api } from '../api.ts';
import { ErrorSummary, useErrorList, SelectInput, TextInput, apiErrors, errorFor, type FormError } from '../shell/forms.tsx';
import { usePageTitle } from '../shell/usePageTitle.ts';
import { useRoles, type ManagedUser } from './data.tsx';
import { OneTimePassword } from './OneTimePassword.tsx';

interface Added {
  user: ManagedUser;
  oneTimePassword: string;
}

export function AddUser() {
  const { roles, error: rolesError } = useRoles();
  const [username, setUsername] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [role, setRole] = useState('');
  const [errors, setErrors] = useState<FormError[]>([]);
  const [added, setAdded] = useState<Added | null>(null);
  const [busy, setBusy] = useState(false);
  const summary = useErrorList(rolesError, errors);
  usePageTitle(added ? 'User added' : 'Add a user', summary.length > 0);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const problems: FormError[] = [];
    if (!username.trim()) problems.push({ field: 'username', message: 'Enter a username' });
    if (!displayName.trim()) problems.push({ field: 'display-name', message: 'Enter the person’s name' });
    if (!role) problems.push({ field: 'role', message: 'Choose a role' });
    setErrors(problems);
    if (problems.length > 0) return;

    setBusy(true);
    try {
      setAdded(
        await api<Added>('/api/users', {
          method: 'POST',
          body: { username: username.trim(), displayName: displayName.trim(), role },
        }),
      );
    } catch (error) {
      setErrors(apiErrors(error, { username_taken: 'username', conflict: 'username', invalid_username: 'username' }));
    } finally {
      setBusy(false);
    }
  }

  function addAnother() {
    setAdded(null);
    setUsername('');
    setDisplayName('');
    setRole('');
  }

  if (added) {
    return (
      <div className="govuk-grid-row">
        <div className="govuk-grid-column-two-thirds">
          <OneTimePassword title="User added" password={added.oneTimePassword} name={added.user.displayName} />
          <p className="govuk-body">
            <Link to="/users" className="govuk-link">
              Back to users
            </Link>
          </p>
          <button type="button" className="govuk-button govuk-button--secondary" onClick={addAnother}>
            Add another user
          </button>
        </div>
      </div>
    );
  }

  return (
    <div className="govuk-grid-row">
      <div className="govuk-grid-column-two-thirds">
        <ErrorSummary errors={summary} />
        <Link to="/users" className="govuk-back-link">
          Back to users
        </Link>
        <h1 className="govuk-heading-l">Add a user</h1>
        <form onSubmit={submit} noValidate>
          <TextInput
            id="username"
            label="Username"
            hint="What they will sign in with, such as their collar number or work email address"
            error={errorFor(errors, 'username')}
            value={username}
            onChange={setUsername}
            autoComplete="off"
            autoCapitalize="none"
            spellCheck={false}
            width="two-thirds"
          />
          <TextInput
            id="display-name"
            label="Full name"
            hint="As colleagues will see it, and as it appears in the audit log"
            error={errorFor(errors, 'display-name')}
            value={displayName}
            onChange={setDisplayName}
            autoComplete="off"
            spellCheck={false}
            width="two-thirds"
          />
          <SelectInput
            id="role"
            label="Role"
            hint="What they can see and do in Peel"
            error={errorFor(errors, 'role')}
            value={role}
            onChange={setRole}
            options={[{ value: '', text: 'Choose a role' }, ...(roles ?? []).map((r) => ({ value: r.role, text: r.label }))]}
          />
          <button type="submit" className="govuk-button" disabled={busy}>
            Add user
          </button>
        </form>
      </div>
    </div>
  );
}
