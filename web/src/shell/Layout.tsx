import { useEffect, useRef, type MouseEvent } from 'react';
import { Outlet, useLocation } from 'react-router-dom';
import { useSession } from '../auth/session.tsx';
import { Footer } from './Footer.tsx';
import { Header } from './Header.tsx';
import { PhaseBanner } from './PhaseBanner.tsx';
import { ServiceNavigation } from './ServiceNavigation.tsx';

export function Layout() {
  const { session } = useSession();
  const { pathname } = useLocation();
  const main = useRef<HTMLElement>(null);
  const firstPage = useRef(true);

  // A new page in a single-page app gives no cue to screen readers or keyboard
  // users, so move focus to the start of the content, as a full page load would.
  useEffect(() => {
    if (firstPage.current) {
      firstPage.current = false;
      return;
    }
    window.scrollTo(0, 0);
    main.current?.focus({ preventScroll: true });
  }, [pathname]);

  // While a step is pending (a new password, two-factor set-up) there is nowhere else to go.
  const navigation = session && !session.pending ? session.navigation : [];

  return (
    <>
      <a href="#main-content" className="govuk-skip-link" onClick={skipToMain}>
        Skip to main content
      </a>
      <Header />
      <ServiceNavigation items={navigation} />
      <div className="govuk-width-container">
        <PhaseBanner />
        <main className="govuk-main-wrapper" id="main-content" tabIndex={-1} ref={main}>
          <Outlet />
        </main>
      </div>
      <Footer />
    </>
  );
}

// Focus the content without putting "#main-content" in the address, which the router would keep.
function skipToMain(event: MouseEvent) {
  const target = document.getElementById('main-content');
  if (!target) return;
  event.preventDefault();
  target.focus();
}
