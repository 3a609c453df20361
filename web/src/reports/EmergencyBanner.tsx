import { Link } from 'react-router-dom';

/** Always first on the public pages: this form is not watched like a 999 call. */
export function EmergencyBanner() {
  return (
    <div className="govuk-warning-text peel-report__emergency">
      <span className="govuk-warning-text__icon" aria-hidden="true">
        !
      </span>
      <strong className="govuk-warning-text__text">
        <span className="govuk-visually-hidden">Warning</span>
        If this is an emergency, call <a className="govuk-link" href="tel:999">999</a>. If you cannot speak, call 999 and press 55 when asked.
        If you are deaf or cannot talk, text 999 if you have registered with emergencySMS.
      </strong>
    </div>
  );
}

/** The end of a page about a report already made: the emergency numbers again, and a way to report something else. */
export function AfterReport() {
  return (
    <>
      <EmergencyBanner />
      <p className="govuk-body">
        <Link className="govuk-link" to="/report">
          Report something else
        </Link>
      </p>
    </>
  );
}
