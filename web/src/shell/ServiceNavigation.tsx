import { useEffect, useState } from 'react';
import { Link, useLocation } from 'react-router-dom';
import type { NavItem } from '../auth/session.tsx';

/** The width from which GOV.UK lays the menu out in a row (its "tablet" breakpoint). */
const WIDE = '(min-width: 40.0625rem)';

function useIsWide(): boolean {
  const [wide, setWide] = useState(() => window.matchMedia(WIDE).matches);
  useEffect(() => {
    const query = window.matchMedia(WIDE);
    const update = () => setWide(query.matches);
    query.addEventListener('change', update);
    return () => query.removeEventListener('change', update);
  }, []);
  return wide;
}

/**
 * The GOV.UK service navigation, listing exactly the pages the server says this
 * role may use. On a phone the list folds behind a "Menu" button, as govuk-frontend's
 * own script would do (we do it in React rather than run that script).
 */
export function ServiceNavigation({ items }: { items: NavItem[] }) {
  const { pathname } = useLocation();
  const wide = useIsWide();
  const [open, setOpen] = useState(false);
  useEffect(() => setOpen(false), [pathname]);

  if (items.length === 0) return null;
  const collapsible = !wide && items.length > 1;

  return (
    <div className="govuk-service-navigation">
      <div className="govuk-width-container">
        <div className="govuk-service-navigation__container">
          <nav aria-label="Menu" className="govuk-service-navigation__wrapper">
            {collapsible && (
              <button
                type="button"
                className="govuk-service-navigation__toggle"
                aria-controls="navigation"
                aria-expanded={open}
                onClick={() => setOpen(!open)}
              >
                Menu
              </button>
            )}
            <ul className="govuk-service-navigation__list" id="navigation" hidden={collapsible && !open}>
              {items.map((item) => (
                <NavLink key={item.id} item={item} pathname={pathname} />
              ))}
            </ul>
          </nav>
        </div>
      </div>
    </div>
  );
}

function NavLink({ item, pathname }: { item: NavItem; pathname: string }) {
  const current = pathname === item.path;
  // A page inside a section (such as one user under Users) marks the section too.
  const active = current || (item.path !== '/' && pathname.startsWith(`${item.path}/`));
  return (
    <li className={`govuk-service-navigation__item${active ? ' govuk-service-navigation__item--active' : ''}`}>
      <Link
        className="govuk-service-navigation__link"
        to={item.path}
        aria-current={current ? 'page' : active ? 'true' : undefined}
      >
        {active ? <strong className="govuk-service-navigation__active-fallback">{item.title}</strong> : item.title}
      </Link>
    </li>
  );
}
