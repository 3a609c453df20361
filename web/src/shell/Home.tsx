import { Link } from 'react-router-dom';
import { useSignedIn } from '../auth/session.tsx';
import { FlashNotice } from './FlashNotice.tsx';
import { usePageTitle } from './usePageTitle.ts';

export function Home() {
  usePageTitle('Home');
  const { user, navigation } = useSignedIn();
  // The home page itself may be in the list; a link to where you are is no use here.
  const places = navigation.filter((item) => item.path !== '/');
  if (!places.some((item) => item.path === '/account')) {
    places.push({
      id: 'account',
      title: 'Your account',
      path: '/account',
      description: 'Change your password, set up two-factor authentication and manage API tokens.',
    });
  }

  return (
    <>
      <FlashNotice />
      <h1 className="govuk-heading-l">Home</h1>
      <p className="govuk-body-l">
        Signed in as {user.displayName || user.username} ({user.roleLabel})
      </p>
      <ul className="govuk-list peel-cards">
        {places.map((item) => (
          <li key={item.id} className="peel-card">
            <h2 className="govuk-heading-m">
              <Link to={item.path} className="govuk-link govuk-link--no-visited-state">
                {item.title}
              </Link>
            </h2>
            <p className="govuk-body">{item.description}</p>
          </li>
        ))}
      </ul>
    </>
  );
}
