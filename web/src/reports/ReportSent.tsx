import './reports.css';
import { Link, useParams } from 'react-router-dom';
import { usePageTitle } from '../shell/usePageTitle.ts';
import { AfterReport, EmergencyBanner } from './EmergencyBanner.tsx';
import { useInstallableApp } from './installable.ts';
import { retry, useOutbox } from './sender.ts';

/**
 * After "Send report": the reference and the private status link once the server has
 * the report; until then, that it is kept on this phone and will be sent by itself.
 */
export default function ReportSent() {
  useInstallableApp();
  const { key = '' } = useParams();
  const { queued, sent, online } = useOutbox();
  const done = sent.find((r) => r.key === key);
  const waiting = queued.find((r) => r.key === key);
  usePageTitle(done ? 'Report sent' : 'Report saved on this phone');

  if (done) {
    const statusPath = new URL(done.statusPage).pathname;
    return (
      <div className="peel-report">
        <div className="govuk-panel govuk-panel--confirmation">
          <h1 className="govuk-panel__title">Report sent</h1>
          <div className="govuk-panel__body">
            Your reference is
            <br />
            <strong data-testid="report-reference">{done.reference}</strong>
          </div>
        </div>
        <h2 className="govuk-heading-m">Follow your report</h2>
        <p className="govuk-body">
          This private link shows what is happening with your report and any replies. Anyone with the link can see it, so keep it to
          yourself. It is also kept on this phone.
        </p>
        <p className="govuk-body peel-report__link">
          <Link className="govuk-link" to={statusPath} data-testid="status-link">
            {done.statusPage}
          </Link>
        </p>
        <button type="button" className="govuk-button govuk-button--secondary" onClick={() => void navigator.clipboard?.writeText(done.statusPage)}>
          Copy the link
        </button>
        <AfterReport />
      </div>
    );
  }

  if (waiting) {
    const sending = waiting.receipt !== null;
    return (
      <div className="peel-report">
        <h1 className="govuk-heading-l">Your report is saved on this phone</h1>
        {waiting.refused ? (
          <div className="govuk-error-summary" role="alert">
            <h2 className="govuk-error-summary__title">The report was not accepted</h2>
            <div className="govuk-error-summary__body">
              <p className="govuk-body">{waiting.lastError}</p>
              <button type="button" className="govuk-button govuk-!-margin-bottom-0" onClick={() => void retry(waiting)}>
                Try again
              </button>
            </div>
          </div>
        ) : (
          <div className="govuk-inset-text" role="status" data-testid="report-waiting">
            {sending
              ? `The report has arrived (reference ${waiting.receipt!.reference}); its photos are still being sent.`
              : online
                ? 'Sending your report…'
                : 'You are offline. Your report will be sent by itself as soon as this phone is back online; you can close this page.'}
            {waiting.lastError && !sending && online && <> Last attempt: {waiting.lastError}</>}
          </div>
        )}
        <p className="govuk-body">Once it is sent you will see its reference and a private link to follow it here.</p>
        <EmergencyBanner />
      </div>
    );
  }

  return (
    <div className="peel-report">
      <h1 className="govuk-heading-l">Report not found on this phone</h1>
      <p className="govuk-body">
        This phone has no report under this link. If you sent it from another device, use the status link you were given there.
      </p>
      <p className="govuk-body">
        <Link className="govuk-link" to="/report">
          Report something
        </Link>
      </p>
    </div>
  );
}
