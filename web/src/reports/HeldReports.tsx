import './reports.css';
import { useCallback, useEffect, useState } from 'react';
import { Link } from 'react-router-dom';
import { messageOf } from '../api.ts';
import { formatDateTime } from '../format.ts';
import { ErrorSummary, SuccessBanner, useErrorList } from '../shell/forms.tsx';
import { Loading } from '../shell/Loading.tsx';
import { usePageTitle } from '../shell/usePageTitle.ts';
import { channelText, listHeld, moderate, type ReportItem } from './staff-api.ts';

/**
 * Reports held back from the feed for a person to check (the honeypot was filled, a burst
 * from one device, a feed item that needs review): release one into the feed, or reject it.
 */
export default function HeldReports() {
  usePageTitle('Held for checking');
  const [items, setItems] = useState<ReportItem[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const errors = useErrorList(error);

  const load = useCallback(() => {
    listHeld()
      .then((r) => setItems(r.items))
      .catch((e: unknown) => setError(messageOf(e)));
  }, []);
  useEffect(load, [load]);

  async function decide(item: ReportItem, decision: 'release' | 'reject') {
    setBusy(item.reference);
    setError(null);
    setDone(null);
    try {
      await moderate(item.reference, decision);
      setDone(decision === 'release' ? `${item.reference} released into the feed.` : `${item.reference} rejected and closed.`);
      load();
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(null);
    }
  }

  return (
    <>
      <ErrorSummary errors={errors} />
      {done && <SuccessBanner>{done}</SuccessBanner>}
      <Link className="govuk-back-link" to="/control-room">
        Control room
      </Link>
      <h1 className="govuk-heading-l">Held for checking</h1>
      <p className="govuk-body">These did not go into the feed because something about them needs a person to look first. Nothing here has been answered.</p>
      {!items ? (
        <Loading />
      ) : items.length === 0 ? (
        <p className="govuk-body">Nothing is held.</p>
      ) : (
        <ul className="govuk-list">
          {items.map((item) => (
            <li key={item.reference} className="peel-control__triage">
              <p className="govuk-body-s govuk-!-margin-bottom-1">
                <strong>{item.reference}</strong> · {item.categoryLabel} · {channelText(item.channel)} · {formatDateTime(item.receivedAt)}
              </p>
              <p className="govuk-body-s">
                <strong className="govuk-tag govuk-tag--orange peel-control__tag">Held</strong> {item.flagReason ?? ''}
              </p>
              <p className="govuk-body peel-control__text">{item.description}</p>
              <div className="govuk-button-group">
                <button type="button" className="govuk-button" disabled={busy !== null} onClick={() => void decide(item, 'release')}>
                  Release into the feed<span className="govuk-visually-hidden"> ({item.reference})</span>
                </button>
                <button type="button" className="govuk-button govuk-button--warning" disabled={busy !== null} onClick={() => void decide(item, 'reject')}>
                  Reject<span className="govuk-visually-hidden"> ({item.reference})</span>
                </button>
              </div>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
