import './reports.css';
import { useEffect, useState } from 'react';
import { useParams } from 'react-router-dom';
import { ApiError, messageOf } from '../api.ts';
import { formatDateTime } from '../format.ts';
import { Loading } from '../shell/Loading.tsx';
import { usePageTitle } from '../shell/usePageTitle.ts';
import { AfterReport } from './EmergencyBanner.tsx';
import { useInstallableApp } from './installable.ts';
import { getStatus, type ReportStatus, type StatusView } from './public-api.ts';

const STEPS: Array<{ status: ReportStatus; label: string }> = [
  { status: 'received', label: 'Received' },
  { status: 'looking', label: 'Being looked at' },
  { status: 'passed', label: 'Passed to a team' },
  { status: 'closed', label: 'Closed' },
];

/** How often the page asks again while open: replies come from people, not in milliseconds. */
const REFRESH_MS = 15_000;

/** The reporter's private status page: progress and replies, from the token in the link. */
export default function ReportStatusPage() {
  useInstallableApp();
  const { token = '' } = useParams();
  // The last view is kept on this phone, so the page still shows something with no signal.
  const [view, setView] = useState<StatusView | null>(() => kept(token));
  const [error, setError] = useState<string | null>(null);
  const [missing, setMissing] = useState(false);
  usePageTitle(view ? `Report ${view.reference}` : 'Your report');

  useEffect(() => {
    const controller = new AbortController();
    const load = () =>
      getStatus(token, controller.signal)
        .then((v) => {
          setView(v);
          setError(null);
          keep(token, v);
        })
        .catch((e: unknown) => {
          if (controller.signal.aborted) return;
          if (e instanceof ApiError && e.status === 404) setMissing(true);
          else setError(messageOf(e));
        });
    void load();
    const timer = setInterval(() => document.visibilityState === 'visible' && void load(), REFRESH_MS);
    window.addEventListener('online', load);
    return () => {
      controller.abort();
      clearInterval(timer);
      window.removeEventListener('online', load);
    };
  }, [token]);

  if (missing) {
    return (
      <div className="peel-report">
        <h1 className="govuk-heading-l">Report not found</h1>
        <p className="govuk-body">This link does not match a report. Check that you copied the whole link.</p>
      </div>
    );
  }
  if (!view) return error ? <p className="govuk-error-message">{`Your report could not be loaded. ${error}`}</p> : <Loading what="Loading your report" />;

  const reached = STEPS.findIndex((s) => s.status === view.status);
  return (
    <div className="peel-report">
      <span className="govuk-caption-l">Your report</span>
      <h1 className="govuk-heading-l">{view.reference}</h1>
      {error && (
        <div className="govuk-inset-text" role="status">
          Showing what was last loaded: {error}
        </div>
      )}
      <dl className="govuk-summary-list">
        <div className="govuk-summary-list__row">
          <dt className="govuk-summary-list__key">Status</dt>
          <dd className="govuk-summary-list__value">
            <strong className={`govuk-tag ${view.status === 'closed' ? 'govuk-tag--grey' : 'govuk-tag--blue'}`} data-testid="report-status">
              {view.statusLabel}
            </strong>
          </dd>
        </div>
        <div className="govuk-summary-list__row">
          <dt className="govuk-summary-list__key">What happened</dt>
          <dd className="govuk-summary-list__value">{view.categoryLabel}</dd>
        </div>
        <div className="govuk-summary-list__row">
          <dt className="govuk-summary-list__key">When</dt>
          <dd className="govuk-summary-list__value">{formatDateTime(view.occurredAt)}</dd>
        </div>
        <div className="govuk-summary-list__row">
          <dt className="govuk-summary-list__key">Received</dt>
          <dd className="govuk-summary-list__value">{formatDateTime(view.receivedAt)}</dd>
        </div>
        <div className="govuk-summary-list__row">
          <dt className="govuk-summary-list__key">Photos</dt>
          <dd className="govuk-summary-list__value">{view.photos}</dd>
        </div>
      </dl>

      <h2 className="govuk-heading-m">Progress</h2>
      <ol className="govuk-list peel-report__steps">
        {STEPS.map((step, index) => (
          <li key={step.status} className={index <= reached ? 'peel-report__step--done' : 'peel-report__step'} aria-current={index === reached ? 'step' : undefined}>
            {step.label}
            {index <= reached && <span className="govuk-visually-hidden"> (done)</span>}
          </li>
        ))}
      </ol>

      <h2 className="govuk-heading-m">Messages</h2>
      <ul className="govuk-list peel-report__messages" data-testid="status-messages">
        {view.messages.map((message, index) => (
          <li key={index} className={`peel-report__message peel-report__message--${message.kind}`}>
            <p className="govuk-body-s govuk-!-margin-bottom-1">
              <strong>{message.kind === 'reply' ? 'Reply from the police' : STEPS.find((s) => s.status === message.kind)?.label ?? 'Update'}</strong>{' '}
              · {formatDateTime(message.at)}
            </p>
            {/* Rendered as text: whatever it contains is never read as HTML. */}
            <p className="govuk-body peel-report__text">{message.text}</p>
          </li>
        ))}
      </ul>
      <p className="govuk-body-s">This page checks for news every 15 seconds while it is open.</p>
      <AfterReport />
    </div>
  );
}

const KEPT = 'peel-report-status';

function kept(token: string): StatusView | null {
  try {
    const all = JSON.parse(localStorage.getItem(KEPT) ?? '{}') as Record<string, StatusView>;
    return all[token] ?? null;
  } catch {
    return null;
  }
}

function keep(token: string, view: StatusView): void {
  try {
    const all = JSON.parse(localStorage.getItem(KEPT) ?? '{}') as Record<string, StatusView>;
    // Only the reports sent from this phone are worth keeping; a handful at most.
    const entries = Object.entries({ ...all, [token]: view }).slice(-10);
    localStorage.setItem(KEPT, JSON.stringify(Object.fromEntries(entries)));
  } catch {
    // Storage full or blocked: the page works, it just is not kept.
  }
}
