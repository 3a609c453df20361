import { useEffect, useState, type FormEvent, type ReactNode } from 'react';
import { messageOf } from '../api.ts';
import { formatDateTime } from '../format.ts';
import { ErrorSummary, SuccessBanner, TextInput, type FormError } from '../shell/forms.tsx';
import { Loading } from '../shell/Loading.tsx';
import { Radios, Textarea } from './fields.tsx';
import { channelText, getReport, listThread, statusText, triage, type ReportDetail, type ReportItem, type TriageStep } from './staff-api.ts';

/**
 * One report in full, and the triage steps: acknowledge, assign, link to an incident or
 * crime, merge into another report, reply to the reporter, close with a reason. Each step
 * is one request; the server audits it and tells the feed.
 */
export function Triage({
  item,
  canTriage,
  onChanged,
  onSelect,
}: {
  item: ReportItem;
  canTriage: boolean;
  onChanged: (item: ReportItem) => void;
  onSelect: (reference: string) => void;
}) {
  const [detail, setDetail] = useState<ReportDetail | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [errors, setErrors] = useState<FormError[]>([]);
  const [done, setDone] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [team, setTeam] = useState('');
  const [officer, setOfficer] = useState('');
  const [linkKind, setLinkKind] = useState<'incident' | 'crime'>('incident');
  const [linkRef, setLinkRef] = useState('');
  const [into, setInto] = useState('');
  const [reply, setReply] = useState('');
  const [reason, setReason] = useState('');
  const [closeMessage, setCloseMessage] = useState('');
  const [thread, setThread] = useState<ReportItem[]>([]);

  // The rest of its thread, to merge duplicates with one press.
  useEffect(() => {
    if (item.threadSize < 2) {
      setThread([]);
      return;
    }
    const controller = new AbortController();
    listThread(item.threadId, controller.signal)
      .then((r) => setThread(r.items.filter((other) => other.reference !== item.reference)))
      .catch(() => setThread([]));
    return () => controller.abort();
  }, [item.reference, item.threadId, item.threadSize, item.updatedAt]);

  // Reload the full report whenever it changes (a step here, or someone else's in the feed).
  useEffect(() => {
    const controller = new AbortController();
    getReport(item.reference, controller.signal)
      .then((d) => {
        setDetail(d);
        setLoadError(null);
      })
      .catch((e: unknown) => {
        if (!controller.signal.aborted) setLoadError(messageOf(e));
      });
    return () => controller.abort();
  }, [item.reference, item.updatedAt]);

  async function run(step: TriageStep, field: string, success: string, reset?: () => void) {
    setBusy(true);
    setErrors([]);
    setDone(null);
    try {
      const updated = await triage(item.reference, step);
      onChanged(updated);
      reset?.();
      setDone(success);
      // A merged report leaves the feed: carry on with the one it was merged into.
      if (step.step === 'merge') onSelect(updated.reference);
    } catch (e) {
      setErrors([{ field, message: messageOf(e) }]);
    } finally {
      setBusy(false);
    }
  }

  const need = (value: string, field: string, message: string) => {
    if (value.trim()) return true;
    setErrors([{ field, message }]);
    return false;
  };

  const submit = (handler: () => void) => (event: FormEvent) => {
    event.preventDefault();
    handler();
  };

  return (
    <section className="peel-control__triage" aria-labelledby="triage-heading" data-testid="triage">
      <h2 className="govuk-heading-m" id="triage-heading">
        {item.reference}
      </h2>
      <ErrorSummary errors={errors} />
      {done && <SuccessBanner>{done}</SuccessBanner>}
      <dl className="govuk-summary-list govuk-summary-list--no-border">
        <Row label="Status">
          {statusText(item.status)}
          {item.closedReason ? ` (${item.closedReason})` : ''}
          {item.mergedInto ? ` · merged into ${item.mergedInto}` : ''}
        </Row>
        <Row label="What">{item.categoryLabel}</Row>
        <Row label="From">
          {channelText(item.channel)}
          {item.source ? ` (${item.source})` : ''}
          {item.authorHandle ? `, ${item.authorHandle}` : ''}
        </Row>
        <Row label="When">
          Happened {formatDateTime(item.occurredAt)}; received {formatDateTime(item.receivedAt)}
        </Row>
        <Row label="Where">
          {item.latitude === null || item.longitude === null
            ? 'No location given'
            : `${item.latitude.toFixed(5)}, ${item.longitude.toFixed(5)}${item.locationPrecisionMetres ? ` (blurred by the reporter to about ${item.locationPrecisionMetres} m)` : ''}${
                item.locationInferred ? ` — guessed from the place name "${item.placeName ?? ''}", not given` : item.placeName ? ` · ${item.placeName}` : ''
              }`}
        </Row>
        <Row label="Assigned">{[item.assignedTeam, item.assignedOfficer].filter(Boolean).join(', ') || 'No one yet'}</Row>
        {item.links.length > 0 && <Row label="Linked to">{item.links.map((l) => `${l.kind} ${l.linkedReference}`).join('; ')}</Row>}
        {item.threadSize > 1 && <Row label="Thread">{item.threadSize} messages look like the same thing (same place, time and similar words)</Row>}
        {item.flagged && <Row label="Flagged">{item.flagReason ?? 'Yes'}</Row>}
      </dl>
      <h3 className="govuk-heading-s">What they said</h3>
      <p className="govuk-body peel-control__text" data-testid="triage-description">
        {item.description}
      </p>
      {loadError && <p className="govuk-error-message">The full report could not be loaded. {loadError}</p>}
      {!detail && !loadError && <Loading what="Loading the full report" />}
      {detail && (
        <>
          {detail.contact && (
            <>
              <h3 className="govuk-heading-s">Contact details</h3>
              <p className="govuk-body">{[detail.contact.name, detail.contact.email, detail.contact.phone].filter(Boolean).join(' · ')}</p>
            </>
          )}
          {detail.photoList.length > 0 && (
            <>
              <h3 className="govuk-heading-s">Photos</h3>
              <ul className="govuk-list peel-control__photos">
                {detail.photoList.map((photo, index) => (
                  <li key={photo.id}>
                    <a className="govuk-link" href={`/api/reports/${encodeURIComponent(item.reference)}/photos/${photo.id}`} target="_blank" rel="noreferrer">
                      <img src={`/api/reports/${encodeURIComponent(item.reference)}/photos/${photo.id}`} alt={`Photo ${index + 1} from the reporter`} width={160} />
                    </a>
                    <span className="govuk-body-s govuk-!-display-block">{photo.locationShared ? 'The reporter shared where it was taken' : 'Where it was taken was removed'}</span>
                  </li>
                ))}
              </ul>
            </>
          )}
          <h3 className="govuk-heading-s">History</h3>
          <ul className="govuk-list govuk-list--spaced" data-testid="triage-messages">
            {detail.messages.map((m, index) => (
              <li key={index}>
                <span className="govuk-body-s">
                  {formatDateTime(m.at)} · {m.kind}
                  {m.username ? ` · ${m.username}` : ''} · {m.public ? 'the reporter sees this' : 'internal'}
                </span>
                <br />
                <span className="peel-control__text">{m.text}</span>
              </li>
            ))}
          </ul>
        </>
      )}

      {!canTriage ? (
        <p className="govuk-inset-text">Supervisors can read reports here; triage is done by control room staff.</p>
      ) : item.mergedInto ? (
        <p className="govuk-inset-text">
          This report was merged into{' '}
          <button type="button" className="peel-link-button govuk-link" onClick={() => onSelect(item.mergedInto!)}>
            {item.mergedInto}
          </button>
          .
        </p>
      ) : (
        <div className="peel-control__actions">
          {item.status === 'received' && (
            <button type="button" className="govuk-button" disabled={busy} onClick={() => void run({ step: 'acknowledge' }, 'acknowledge', `${item.reference} acknowledged: the reporter is told it is being looked at.`)}>
              Acknowledge
            </button>
          )}

          {item.status !== 'closed' && (
            <form onSubmit={submit(() => (team.trim() || officer.trim() ? void run({ step: 'assign', team: team.trim() || undefined, officer: officer.trim() || undefined }, 'assign-team', `${item.reference} assigned.`) : setErrors([{ field: 'assign-team', message: 'Enter a team or an officer' }])))}>
              <h3 className="govuk-heading-s">Assign</h3>
              <TextInput id="assign-team" label="Team" value={team} onChange={setTeam} width="20" />
              <TextInput id="assign-officer" label="Officer" value={officer} onChange={setOfficer} width="20" />
              <button type="submit" className="govuk-button govuk-button--secondary" disabled={busy}>
                Assign
              </button>
            </form>
          )}

          <form onSubmit={submit(() => need(reply, 'reply-message', 'Enter a reply') && void run({ step: 'reply', message: reply.trim() }, 'reply-message', 'Reply sent: it shows on the reporter’s status page.', () => setReply('')))}>
            <h3 className="govuk-heading-s">Reply to the reporter</h3>
            <Textarea id="reply-message" label="Reply" hint="Shown on the reporter's private status page. Do not include anyone's personal details." value={reply} onChange={setReply} maxLength={2000} rows={3} />
            <button type="submit" className="govuk-button govuk-button--secondary" disabled={busy}>
              Send reply
            </button>
          </form>

          <form onSubmit={submit(() => need(linkRef, 'link-reference', 'Enter the incident or crime reference') && void run({ step: 'link', kind: linkKind, linkedReference: linkRef.trim() }, 'link-reference', `${item.reference} linked to ${linkKind} ${linkRef.trim()}.`, () => setLinkRef('')))}>
            <h3 className="govuk-heading-s">Link to an incident or crime</h3>
            <Radios id="link-kind" legend="Link to" small inline value={linkKind} onChange={(v) => setLinkKind(v as 'incident' | 'crime')} options={[{ value: 'incident', text: 'Incident' }, { value: 'crime', text: 'Crime' }]} />
            <TextInput id="link-reference" label="Reference" value={linkRef} onChange={setLinkRef} width="20" />
            <button type="submit" className="govuk-button govuk-button--secondary" disabled={busy}>
              Link
            </button>
          </form>

          {thread.length > 0 && (
            <>
              <h3 className="govuk-heading-s">Same thread</h3>
              <p className="govuk-body-s">These look like the same thing (same place, time and similar words). Merging closes this report and tells its reporter.</p>
              <ul className="govuk-list" data-testid="thread">
                {thread.map((other) => (
                  <li key={other.reference} className="peel-control__thread-item">
                    <button type="button" className="peel-link-button govuk-link" onClick={() => onSelect(other.reference)}>
                      {other.reference}
                    </button>{' '}
                    <span className="govuk-body-s">
                      {statusText(other.status)} · {formatDateTime(other.receivedAt)}
                    </span>
                    <br />
                    <span className="govuk-body-s peel-control__text">{other.description.length > 140 ? `${other.description.slice(0, 139)}…` : other.description}</span>
                    <br />
                    <button
                      type="button"
                      className="govuk-button govuk-button--secondary govuk-!-margin-bottom-2"
                      disabled={busy}
                      onClick={() => void run({ step: 'merge', into: other.reference }, 'merge-into', `${item.reference} merged into ${other.reference}.`)}
                    >
                      Merge {item.reference} into {other.reference}
                    </button>
                  </li>
                ))}
              </ul>
            </>
          )}

          <form onSubmit={submit(() => need(into, 'merge-into', 'Enter the reference of the report to keep') && void run({ step: 'merge', into: into.trim().toUpperCase() }, 'merge-into', `${item.reference} merged into ${into.trim().toUpperCase()}.`, () => setInto('')))}>
            <h3 className="govuk-heading-s">Merge a duplicate</h3>
            <TextInput id="merge-into" label="Merge this report into" hint="The reference of the report to keep, such as R-7K3M-Q9. This one is closed and its reporter told." value={into} onChange={setInto} width="10" />
            <button type="submit" className="govuk-button govuk-button--secondary" disabled={busy}>
              Merge
            </button>
          </form>

          {item.status !== 'closed' && (
            <form onSubmit={submit(() => need(reason, 'close-reason', 'Enter why the report is being closed') && void run({ step: 'close', reason: reason.trim(), message: closeMessage.trim() || undefined }, 'close-reason', `${item.reference} closed.`))}>
              <h3 className="govuk-heading-s">Close</h3>
              <TextInput id="close-reason" label="Reason (internal)" value={reason} onChange={setReason} />
              <Textarea id="close-message" label="Message to the reporter (optional)" hint="If left empty, the reporter is told the report is closed." value={closeMessage} onChange={setCloseMessage} maxLength={2000} rows={2} />
              <button type="submit" className="govuk-button govuk-button--warning" disabled={busy}>
                Close report
              </button>
            </form>
          )}
        </div>
      )}
    </section>
  );
}

function Row({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="govuk-summary-list__row">
      <dt className="govuk-summary-list__key">{label}</dt>
      <dd className="govuk-summary-list__value">{children}</dd>
    </div>
  );
}
