import { Link } from 'react-router-dom';
import { usePageTitle } from './usePageTitle.ts';

export function NotFound() {
  usePageTitle('Page not found');
  return (
    <div className="govuk-grid-row">
      <div className="govuk-grid-column-two-thirds">
        <h1 className="govuk-heading-l">Page not found</h1>
        <p className="govuk-body">If you typed the web address, check it is correct.</p>
        <p className="govuk-body">If you pasted the web address, check you copied the entire address.</p>
        <p className="govuk-body">
          <Link to="/" className="govuk-link">
            Go to the Peel home page
          </Link>
        </p>
      </div>
    </div>
  );
}
