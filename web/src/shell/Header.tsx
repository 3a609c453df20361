import { Link } from 'react-router-dom';
import { useSession } from '../auth/session.tsx';

/**
 * Peel is not a GOV.UK service, so it uses the generic header (no crown) with its
 * own name, and keeps the account links beside it rather than in the page navigation.
 */
export function Header() {
  const { session, signOut } = useSession();
  return (
    <header className="govuk-generic-header">
      <div className="govuk-generic-header__container govuk-width-container peel-header">
        <div className="govuk-generic-header__logo">
          <Link to="/" className="govuk-generic-header__homepage-link">
            Peel
          </Link>
        </div>
        {session && (
          <nav aria-label="Account" className="peel-header__account">
            <ul className="peel-header__list">
              {/* The account page is normally in the navigation; link to it here only if not. */}
              {!session.pending && !session.navigation.some((item) => item.path === '/account') && (
                <li>
                  <Link to="/account" className="peel-header__link">
                    Your account
                  </Link>
                </li>
              )}
              <li>
                <button type="button" className="peel-header__link peel-link-button" onClick={() => void signOut()}>
                  Sign out
                </button>
              </li>
            </ul>
          </nav>
        )}
      </div>
    </header>
  );
}
