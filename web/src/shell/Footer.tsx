/** A plain GOV.UK-styled footer: no crown or Open Government Licence, as Peel is not GOV.UK. */
export function Footer() {
  return (
    <footer className="govuk-footer">
      <div className="govuk-width-container">
        <div className="govuk-footer__meta">
          <div className="govuk-footer__meta-item govuk-footer__meta-item--grow">
            <p className="govuk-body-s peel-footer__text">
              Peel is open-source software for police forces. Every look at personal data is recorded in
              an audit log, with who looked and why.
            </p>
          </div>
        </div>
      </div>
    </footer>
  );
}
