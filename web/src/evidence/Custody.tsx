import { Link, useParams } from 'react-router-dom';
import { useSignedIn } from '../auth/session.tsx';
import { formatDate, formatTimeSeconds } from '../format.ts';
import { ErrorSummary, useErrorList } from '../shell/forms.tsx';
import { Loading } from '../shell/Loading.tsx';
import { NotFound } from '../shell/NotFound.tsx';
import { usePageTitle } from '../shell/usePageTitle.ts';
import type { AuditEntry } from '../audit/types.ts';
import { useApi } from './data.ts';
import { itemName, type Item } from './types.ts';

/** An audit entry as the custody report gives it: the audit log's shape, perhaps with its hash and details. */
type CustodyEntry = AuditEntry & { hash?: string | null; details?: Record<string, unknown> | null };

interface Report {
  item: Item;
  entries: CustodyEntry[];
  chain: { ok: boolean; problem: string | null };
}

/** What each audited action was, in words; the action's code is shown beside it. */
const ACTIONS: Record<string, string> = {
  'evidence.ingest': 'Uploaded and stored',
  'evidence.ingest.duplicate': 'Uploaded again (same content, not stored twice)',
  'evidence.items.list': 'Found in a search',
  'evidence.view': 'Record viewed',
  'evidence.play': 'Played',
  'evidence.download': 'Downloaded',
  'evidence.categorise': 'Categorised',
  'evidence.hold': 'Legal hold placed',
  'evidence.hold.release': 'Legal hold released',
  'evidence.share': 'Shared by link',
  'evidence.share.access': 'Share link used',
  'evidence.share.revoke': 'Share link revoked',
  'evidence.custody': 'Custody trail read',
  'evidence.delete': 'Deleted under the retention rules',
};

/** Details worth showing in the trail: hashes, recipients, categories, rules. */
function detailLines(details: Record<string, unknown> | null | undefined): string[] {
  if (!details || typeof details !== 'object') return [];
  return Object.entries(details)
    .filter(([, value]) => value !== null && value !== undefined && value !== '' && typeof value !== 'object')
    .map(([key, value]) => `${key}: ${String(value)}`)
    .concat(
      Object.entries(details)
        .filter(([, value]) => Array.isArray(value))
        .map(([key, value]) => `${key}: ${(value as unknown[]).map(String).join(', ') || 'none'}`),
    );
}

/** The chain of custody: every action on the item, oldest first, in the Ministry of Justice timeline pattern. */
export default function Custody() {
  const { id } = useParams();
  const valid = /^\d+$/.test(id ?? '');
  const report = useApi<Report>(valid ? `/api/evidence/items/${id}/custody` : null);
  const errors = useErrorList(report.error);
  usePageTitle('Custody trail', errors.length > 0);
  // Auditors read custody trails but not the evidence pages themselves.
  const seesItems = useSignedIn().navigation.some((item) => item.id === 'evidence');
  if (!valid) return <NotFound />;
  const data = report.data;

  return (
    <>
      <ErrorSummary errors={errors} />
      {seesItems ? (
        <Link className="govuk-back-link" to={`/evidence/items/${id}`}>
          Back to the item
        </Link>
      ) : (
        <Link className="govuk-back-link" to="/audit">
          Audit log
        </Link>
      )}
      <span className="govuk-caption-l">{data ? itemName(data.item) : `Evidence item ${id}`}</span>
      <h1 className="govuk-heading-l">Custody trail</h1>
      {!data ? (
        report.loading && <Loading what="Loading the custody trail" />
      ) : (
        <>
          <dl className="govuk-summary-list">
            <div className="govuk-summary-list__row">
              <dt className="govuk-summary-list__key">SHA-256</dt>
              <dd className="govuk-summary-list__value">
                <code className="peel-evidence-hash">{data.item.sha256}</code>
              </dd>
            </div>
            <div className="govuk-summary-list__row">
              <dt className="govuk-summary-list__key">Audit chain</dt>
              <dd className="govuk-summary-list__value" data-testid="custody-chain">
                {data.chain.ok ? (
                  <strong className="govuk-tag govuk-tag--green">Intact</strong>
                ) : (
                  <>
                    <strong className="govuk-tag govuk-tag--red">Broken</strong> {data.chain.problem}
                  </>
                )}
              </dd>
            </div>
          </dl>
          <p className="govuk-body">
            <a className="govuk-link" href={`/api/evidence/items/${id}/custody?format=html`} target="_blank" rel="noreferrer">
              Printable report (opens in a new tab)
            </a>
            : print it to PDF to attach to a case file.
          </p>
          <p className="govuk-body" role="status">
            {data.entries.length} {data.entries.length === 1 ? 'action' : 'actions'}, oldest first.
          </p>
          <ol className="moj-timeline peel-timeline" data-testid="custody-timeline">
            {data.entries.map((entry) => (
              <li className="moj-timeline__item" key={entry.seq}>
                <div className="moj-timeline__header">
                  <h2 className="moj-timeline__title">{ACTIONS[entry.action] ?? entry.action}</h2>
                  <p className="moj-timeline__byline">
                    by {entry.username ?? 'System'}
                    {entry.role ? ` (${entry.role})` : ''}
                  </p>
                </div>
                <p className="moj-timeline__date">
                  <time dateTime={entry.at}>
                    {formatDate(entry.at)} {formatTimeSeconds(entry.at)} UTC
                  </time>
                </p>
                <div className="moj-timeline__description">
                  <p className="govuk-body-s govuk-!-margin-bottom-1">
                    <code>{entry.action}</code>, {entry.operation}
                    {entry.reasonCode ? `; reason ${entry.reasonCode}` : ''}
                    {entry.justification ? `: ${entry.justification}` : ''}
                  </p>
                  {detailLines(entry.details).length > 0 && (
                    <ul className="peel-timeline-details peel-break">
                      {detailLines(entry.details).map((line) => (
                        <li key={line}>{line}</li>
                      ))}
                    </ul>
                  )}
                  {entry.hash && (
                    <p className="govuk-body-s peel-break">
                      Entry hash <code>{entry.hash}</code>
                    </p>
                  )}
                </div>
              </li>
            ))}
          </ol>
        </>
      )}
    </>
  );
}
