/** A new one-time password, shown once in a panel for the administrator to pass on. */
export function OneTimePassword({ title, password, name }: { title: string; password: string; name: string }) {
  return (
    <div className="govuk-panel govuk-panel--confirmation peel-panel-left" role="status">
      <h2 className="govuk-panel__title govuk-!-font-size-36">{title}</h2>
      <div className="govuk-panel__body govuk-!-font-size-19">
        <p className="govuk-body peel-panel-text">One-time password for {name}:</p>
        <p className="peel-secret peel-secret--inverse">
          <code id="one-time-password">{password}</code>
        </p>
        <p className="govuk-body peel-panel-text">
          Give it to them in person or by phone, not by email. They must choose their own password when they first sign
          in. You will not be shown it again.
        </p>
      </div>
    </div>
  );
}
