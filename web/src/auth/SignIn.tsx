import { useEffect, useRef, useState, type FormEvent } from 'react';
import { Navigate, useLocation, useSearchParams } from 'react-router-dom';
import { ApiError, api, queryString, setCsrfToken } from '../api.ts';
import { ErrorSummary, ImportantBanner, SuccessBanner, TextInput, apiErrors, errorFor, useForm, type FormError } from '../shell/forms.tsx';
import { usePageTitle } from '../shell/usePageTitle.ts';
import { AuthenticatorCode, codeProblem } from './AuthenticatorCode.tsx';
import { PENDING_PATHS, useSession, type Pending, type User } from './session.tsx';

interface SsoInfo {
  enabled: boolean;
  label?: string;
}

interface LoginReply {
  user: User;
  csrfToken: string;
  pending: Pending;
}

/** The server sends a reason code back from single sign-on; the words are ours, never taken from the URL. */
const SSO_ERRORS: Record<string, string> = {
  sso_no_role: 'Your single sign-on account has no Peel role. Ask an administrator to grant you one.',
  sso_refused: 'The single sign-on provider did not sign you in.',
  sso_state: 'This sign-in did not start in this browser, or took too long. Try again.',
  sso_expired: 'This sign-in has expired or was already used. Try again.',
  sso_failed: 'Single sign-on could not be completed. Try again, or sign in with your Peel password. If it keeps happening, tell your administrator.',
  sso_unavailable: 'The single sign-on provider could not be reached. Try again, or sign in with your Peel password.',
  account_disabled: 'Your Peel account is disabled. Ask an administrator.',
};

/** What the router's state may carry to this page. */
interface SignInState {
  from?: string;
  expired?: boolean;
  signedOut?: boolean;
}

export function SignIn() {
  const { session, refresh } = useSession();
  const location = useLocation();
  const state = (location.state ?? {}) as SignInState;
  const [query] = useSearchParams();
  // The server sends people back here with its reason when single sign-on fails.
  const ssoError = query.get('sso_error');

  const { fields, set, errors, setErrors, busy, send } = useForm({ username: '', password: '', code: '' }, () =>
    ssoError ? [{ message: SSO_ERRORS[ssoError] ?? 'Single sign-on did not work. Try again, or sign in with your Peel password.' }] : [],
  );
  const { username, password, code } = fields;
  // The code is asked for only once the server says this account needs one.
  const [needsCode, setNeedsCode] = useState(false);
  const sso = useSso();
  const codeInput = useRef<HTMLInputElement>(null);
  usePageTitle('Sign in', errors.length > 0);

  useEffect(() => {
    if (needsCode) codeInput.current?.focus();
  }, [needsCode]);

  if (session) {
    const next = session.pending ? PENDING_PATHS[session.pending] : safeReturnPath(state.from);
    return <Navigate to={next} replace />;
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    await send(
      validate(username, password, needsCode, code),
      async () => {
        const reply = await api<LoginReply>('/api/auth/login', {
          method: 'POST',
          body: { username: username.trim(), password, ...(needsCode ? { totp: code.replace(/\s/g, '') } : {}) },
          credentialsInBody: true,
        });
        setCsrfToken(reply.csrfToken);
        // The navigation list comes only with /api/auth/me; once the session is set this page redirects.
        if (!(await refresh())) {
          setErrors([{ message: 'You signed in, but your browser did not keep the session. Check that cookies are allowed for this site.' }]);
        }
      },
      (error) => {
        if (error instanceof ApiError && error.code === 'totp_required') {
          setNeedsCode(true);
          return [];
        }
        if (error instanceof ApiError && error.code === 'invalid_credentials') set('password')('');
        if (error instanceof ApiError && error.code === 'invalid_totp') set('code')('');
        return apiErrors(error, { invalid_credentials: 'password', invalid_totp: 'totp' });
      },
    );
  }

  function startAgain() {
    setNeedsCode(false);
    set('code')('');
    set('password')('');
    setErrors([]);
  }

  return (
    <div className="govuk-grid-row">
      <div className="govuk-grid-column-two-thirds">
        <ErrorSummary errors={errors} />
        {state.expired && errors.length === 0 && (
          <ImportantBanner>
            <p className="govuk-notification-banner__heading">You have been signed out</p>
            <p className="govuk-body">Sign in again to carry on.</p>
          </ImportantBanner>
        )}
        {state.signedOut && errors.length === 0 && !needsCode && <SuccessBanner>You have signed out.</SuccessBanner>}

        <h1 className="govuk-heading-l">Sign in to Peel</h1>

        {sso?.enabled && !needsCode && (
          <>
            <a href={`/api/auth/sso/start${queryString({ returnTo: safeReturnPath(state.from) })}`} className="govuk-button" draggable={false}>
              {sso.label || 'Sign in with single sign-on'}
            </a>
            <p className="govuk-body">Or sign in with your Peel username and password.</p>
          </>
        )}

        <form onSubmit={submit} noValidate>
          {needsCode ? (
            <>
              <p className="govuk-body">Your account uses two-factor authentication.</p>
              <AuthenticatorCode
                id="totp"
                hint="Open the authenticator app on your phone and enter the 6-digit code it shows for Peel."
                error={errorFor(errors, 'totp')}
                value={code}
                onChange={set('code')}
                ref={codeInput}
              />
            </>
          ) : (
            <>
              <TextInput
                id="username"
                label="Username"
                error={errorFor(errors, 'username')}
                value={username}
                onChange={set('username')}
                autoComplete="username"
                autoCapitalize="none"
                spellCheck={false}
                width="two-thirds"
              />
              <TextInput
                id="password"
                label="Password"
                type="password"
                error={errorFor(errors, 'password')}
                value={password}
                onChange={set('password')}
                autoComplete="current-password"
                width="two-thirds"
              />
            </>
          )}
          <div className="govuk-button-group">
            <button type="submit" className="govuk-button" disabled={busy} aria-disabled={busy || undefined}>
              Sign in
            </button>
            {needsCode && (
              <button type="button" className="govuk-button govuk-button--secondary" onClick={startAgain}>
                Use a different account
              </button>
            )}
          </div>
        </form>
      </div>
    </div>
  );
}

function validate(username: string, password: string, needsCode: boolean, code: string): FormError[] {
  if (needsCode) {
    const problem = codeProblem(code);
    return problem ? [{ field: 'totp', message: problem }] : [];
  }
  const problems: FormError[] = [];
  if (!username.trim()) problems.push({ field: 'username', message: 'Enter your username' });
  if (!password) problems.push({ field: 'password', message: 'Enter your password' });
  return problems;
}

/** Only return to a path inside Peel; never to another site named in the address. */
function safeReturnPath(from: string | undefined): string {
  // "//host" and "/\\host" are other sites to a browser.
  return from && /^\/(?![/\\])/.test(from) && !from.startsWith('/sign-in') ? from : '/';
}

function useSso(): SsoInfo | null {
  const [sso, setSso] = useState<SsoInfo | null>(null);
  useEffect(() => {
    const controller = new AbortController();
    api<SsoInfo>('/api/auth/sso', { signal: controller.signal, signedOutIsFine: true })
      .then(setSso)
      // Without an answer, offer the password form only.
      .catch(() => undefined);
    return () => controller.abort();
  }, []);
  return sso;
}
