import type { FormEvent } from 'react';
import { Link, useNavigate } from 'react-router-dom';
import { api } from '../api.ts';
import { ErrorSummary, TextInput, errorFor, useForm, type FormError } from '../shell/forms.tsx';
import { usePageTitle } from '../shell/usePageTitle.ts';
import { useSignedIn } from './session.tsx';

export function ChangePassword() {
  const { pending, user, refresh } = useSignedIn();
  const navigate = useNavigate();
  const { fields, set, errors, busy, send } = useForm({ current: '', next: '', confirm: '' });
  const { current, next, confirm } = fields;
  const mustChange = pending === 'change_password';
  usePageTitle('Change your password', errors.length > 0);

  async function submit(event: FormEvent) {
    event.preventDefault();
    await send(
      validate(current, next, confirm),
      async () => {
        await api<void>('/api/auth/password', {
          method: 'POST',
          body: { currentPassword: current, newPassword: next },
          credentialsInBody: true,
        });
        const session = await refresh();
        // If another step is pending (two-factor set-up), the app sends the user there.
        if (session && !session.pending) {
          navigate(mustChange ? '/' : '/account', { state: { notice: 'Your password has been changed.' } });
        }
      },
      {
        weak_password: 'new-password',
        invalid_credentials: 'current-password',
        invalid_password: 'current-password',
        wrong_password: 'current-password',
      },
    );
  }

  if (user.sso) {
    return (
      <div className="govuk-grid-row">
        <div className="govuk-grid-column-two-thirds">
          <h1 className="govuk-heading-l">Change your password</h1>
          <p className="govuk-body">
            You sign in to Peel with single sign-on, so your password is managed by your organisation, not by Peel.
          </p>
        </div>
      </div>
    );
  }

  return (
    <div className="govuk-grid-row">
      <div className="govuk-grid-column-two-thirds">
        <ErrorSummary errors={errors} />
        <h1 className="govuk-heading-l">{mustChange ? 'Choose a new password' : 'Change your password'}</h1>
        {mustChange && (
          <p className="govuk-inset-text">
            You signed in with a one-time password. Choose your own password before you use Peel.
          </p>
        )}
        <form onSubmit={submit} noValidate>
          <TextInput
            id="current-password"
            label={mustChange ? 'One-time password' : 'Current password'}
            type="password"
            autoComplete="current-password"
            error={errorFor(errors, 'current-password')}
            value={current}
            onChange={set('current')}
            width="two-thirds"
          />
          <TextInput
            id="new-password"
            label="New password"
            type="password"
            autoComplete="new-password"
            hint="Use a long password you do not use for anything else. Three or four unrelated words work well."
            error={errorFor(errors, 'new-password')}
            value={next}
            onChange={set('next')}
            width="two-thirds"
          />
          <TextInput
            id="confirm-password"
            label="Confirm new password"
            type="password"
            autoComplete="new-password"
            error={errorFor(errors, 'confirm-password')}
            value={confirm}
            onChange={set('confirm')}
            width="two-thirds"
          />
          <div className="govuk-button-group">
            <button type="submit" className="govuk-button" disabled={busy}>
              Change password
            </button>
            {!mustChange && (
              <Link to="/account" className="govuk-link">
                Cancel
              </Link>
            )}
          </div>
        </form>
      </div>
    </div>
  );
}

function validate(current: string, next: string, confirm: string): FormError[] {
  const problems: FormError[] = [];
  if (!current) problems.push({ field: 'current-password', message: 'Enter your current password' });
  if (!next) problems.push({ field: 'new-password', message: 'Enter a new password' });
  else if (next === current) problems.push({ field: 'new-password', message: 'Your new password must be different from your current one' });
  if (next && !confirm) problems.push({ field: 'confirm-password', message: 'Enter your new password again' });
  else if (next && confirm !== next) problems.push({ field: 'confirm-password', message: 'The passwords do not match' });
  return problems;
}
