import type { ReactNode } from 'react';
import { Link } from 'react-router-dom';
import { FlashNotice } from '../shell/FlashNotice.tsx';
import { usePageTitle } from '../shell/usePageTitle.ts';
import { ApiTokens } from './ApiTokens.tsx';
import { useSignedIn } from './session.tsx';

export function Account() {
  usePageTitle('Your account');
  const { user } = useSignedIn();

  return (
    <>
      <FlashNotice />
      <h1 className="govuk-heading-l">Your account</h1>
      <dl className="govuk-summary-list">
        <Row label="Username">{user.username}</Row>
        <Row label="Name">{user.displayName}</Row>
        <Row label="Role">{user.roleLabel}</Row>
        <Row label="Signs in with">{user.sso ? 'Single sign-on' : 'Peel password'}</Row>
        {!user.sso && (
          <>
            <Row
              label="Password"
              action={
                <Link to="/account/password" className="govuk-link">
                  Change<span className="govuk-visually-hidden"> your password</span>
                </Link>
              }
            >
              <span aria-hidden="true">••••••••</span>
              <span className="govuk-visually-hidden">Hidden</span>
            </Row>
            <Row
              label="Two-factor authentication"
              action={
                // Once set up, only an administrator can reset it (say, for a lost phone).
                !user.totpEnabled && (
                  <Link to="/account/totp" className="govuk-link">
                    Set up<span className="govuk-visually-hidden"> two-factor authentication</span>
                  </Link>
                )
              }
            >
              {user.totpEnabled
                ? 'On: you enter a code from your authenticator app when you sign in. If you lose your phone, ask an administrator to reset it.'
                : 'Off'}
            </Row>
          </>
        )}
      </dl>
      <ApiTokens />
    </>
  );
}

function Row({ label, action, children }: { label: string; action?: ReactNode; children: ReactNode }) {
  return (
    <div className={`govuk-summary-list__row${action ? '' : ' govuk-summary-list__row--no-actions'}`}>
      <dt className="govuk-summary-list__key">{label}</dt>
      <dd className="govuk-summary-list__value">{children}</dd>
      {action && <dd className="govuk-summary-list__actions">{action}</dd>}
    </div>
  );
}
