import { useEffect, useRef, useState, type FormEvent } from 'react';
import { Link, useNavigate } from 'react-router-dom';
import { api, messageOf } from '../api.ts';
import { ErrorSummary, useErrorList, apiErrors, errorFor, useForm } from '../shell/forms.tsx';
import { Loading } from '../shell/Loading.tsx';
import { usePageTitle } from '../shell/usePageTitle.ts';
import { AuthenticatorCode, codeProblem } from './AuthenticatorCode.tsx';
import { useSignedIn } from './session.tsx';

interface TotpSecret {
  secret: string;
  uri: string;
}

/** "JBSWY3DPEHPK3PXP" → "JBSW Y3DP EHPK 3PXP": easier to copy by eye. */
export function groupsOfFour(secret: string): string {
  return (secret.replace(/\s/g, '').match(/.{1,4}/g) ?? []).join(' ');
}

export function TotpSetup() {
  const { pending, refresh } = useSignedIn();
  const navigate = useNavigate();
  const mustEnrol = pending === 'enrol_totp';
  const [secret, setSecret] = useState<TotpSecret | null>(null);
  const [setupError, setSetupError] = useState<string | null>(null);
  const { fields, set, errors, busy, send } = useForm({ code: '' });
  const started = useRef(false);
  const summary = useErrorList(setupError, errors);
  usePageTitle('Set up two-factor authentication', summary.length > 0);

  useEffect(() => {
    // Each call makes a new secret and replaces the last, so make exactly one
    // (React runs effects twice in development).
    if (started.current) return;
    started.current = true;
    api<TotpSecret>('/api/auth/totp/setup', { method: 'POST' })
      .then(setSecret)
      .catch((error: unknown) => setSetupError(messageOf(error)));
  }, []);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const problem = codeProblem(fields.code);
    await send(
      problem ? [{ field: 'code', message: problem }] : [],
      async () => {
        await api<void>('/api/auth/totp/confirm', { method: 'POST', body: { code: fields.code.replace(/\s/g, '') }, credentialsInBody: true });
        const session = await refresh();
        if (session && !session.pending) {
          navigate(mustEnrol ? '/' : '/account', { state: { notice: 'Two-factor authentication is set up.' } });
        }
      },
      (error) => {
        set('code')('');
        return apiErrors(error, { invalid_totp: 'code', invalid_code: 'code' });
      },
    );
  }

  return (
    <div className="govuk-grid-row">
      <div className="govuk-grid-column-two-thirds">
        <ErrorSummary errors={summary} />
        <h1 className="govuk-heading-l">Set up two-factor authentication</h1>
        {mustEnrol && (
          <p className="govuk-inset-text">
            Your role must use a code from an authenticator app as well as a password. Set this up before you use Peel.
          </p>
        )}
        {!secret ? (
          !setupError && <Loading what="Making your secret key" />
        ) : (
          <>
            <ol className="govuk-list govuk-list--number">
              <li>
                Install an authenticator app on your phone, if you do not have one. For example, Microsoft
                Authenticator or Google Authenticator.
              </li>
              <li>
                In the app, add an account and enter this secret key:
                <p className="govuk-body peel-secret" id="totp-secret">
                  <code>{groupsOfFour(secret.secret)}</code>
                </p>
                If the app is on this device, you can{' '}
                <a href={secret.uri} className="govuk-link">
                  open the app to add Peel
                </a>{' '}
                instead.
              </li>
              <li>Enter the 6-digit code the app shows for Peel.</li>
            </ol>
            <form onSubmit={submit} noValidate>
              <AuthenticatorCode id="code" error={errorFor(errors, 'code')} value={fields.code} onChange={set('code')} />
              <div className="govuk-button-group">
                <button type="submit" className="govuk-button" disabled={busy}>
                  Confirm code
                </button>
                {!mustEnrol && (
                  <Link to="/account" className="govuk-link">
                    Cancel
                  </Link>
                )}
              </div>
            </form>
          </>
        )}
      </div>
    </div>
  );
}
