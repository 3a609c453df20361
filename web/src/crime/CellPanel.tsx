import { useEffect, useId, useRef, useState, type FormEvent, type Ref } from 'react';
import { api, messageOf } from '../api.ts';
import { ErrorSummary, SelectInput, TextInput, errorFor, type FormError } from '../shell/forms.tsx';
import { Loading } from '../shell/Loading.tsx';
import { NO_OUTCOME_LABEL } from './Filters.tsx';
import { filterParams, shortMonthLabel, withParams } from './query.ts';
import { TimeChart } from './TimeChart.tsx';
import type { CellDetail, CrimeFilters, RecordsPage } from './types.ts';

/** The reasons the audit log knows (the platform's REASON_CODES), as people say them. */
const REASONS: Array<{ value: string; text: string }> = [
  { value: 'investigation', text: 'Investigation' },
  { value: 'intelligence', text: 'Intelligence' },
  { value: 'operational_policing', text: 'Operational policing (tasking, patrol planning)' },
  { value: 'safeguarding', text: 'Safeguarding' },
  { value: 'prosecution', text: 'Prosecution' },
  { value: 'complaint', text: 'Complaint' },
  { value: 'subject_access', text: 'Subject access request' },
];

const PAGE_SIZE = 50;

const share = (n: number, total: number) => (total > 0 ? `${Math.round((n / total) * 100)}%` : '');

/**
 * One hexagon: its crimes by type, outcome and month for the current filters, and, for
 * a stated reason that goes in the audit log, the records themselves.
 */
export function CellPanel({
  cell,
  filters,
  onClose,
  headingRef,
}: {
  cell: string;
  filters: CrimeFilters;
  onClose: () => void;
  headingRef: Ref<HTMLHeadingElement>;
}) {
  const id = useId();
  const [detail, setDetail] = useState<CellDetail | null>(null);
  const [error, setError] = useState<string | null>(null);
  const params = filterParams(filters, { res: false });
  const paramsKey = params.toString();

  useEffect(() => {
    const controller = new AbortController();
    setError(null);
    api<CellDetail>(withParams(`/api/crime/cells/${encodeURIComponent(cell)}`, new URLSearchParams(paramsKey)), { signal: controller.signal }).then(
      (reply) => setDetail(reply),
      (caught: unknown) => {
        if (!controller.signal.aborted) setError(messageOf(caught));
      },
    );
    return () => controller.abort();
  }, [cell, paramsKey]);

  const current = detail?.cell === cell ? detail : null;

  return (
    <section className="peel-cell-panel" aria-labelledby={`${id}-heading`}>
      <div className="peel-cell-panel__top">
        <h2 className="govuk-heading-m peel-cell-panel__heading" id={`${id}-heading`} tabIndex={-1} ref={headingRef}>
          Selected hexagon
        </h2>
        <button type="button" className="govuk-button govuk-button--secondary govuk-!-margin-bottom-0" onClick={onClose}>
          Close<span className="govuk-visually-hidden"> the selected hexagon</span>
        </button>
      </div>
      <p className="govuk-body-s peel-cell-id">{cell}</p>
      {error && <p className="govuk-error-message">{error}</p>}
      {!current ? (
        !error && <Loading what="Loading this hexagon" />
      ) : (
        <>
          <p className="govuk-body">
            <strong>{current.count.toLocaleString('en-GB')}</strong> {current.count === 1 ? 'crime' : 'crimes'} here with the filters chosen.
          </p>
          <Breakdown
            caption="By crime type"
            rows={current.byType.map((t) => ({ key: t.crimeType, label: t.crimeType, count: t.count }))}
            total={current.count}
          />
          <Breakdown
            caption="By outcome"
            rows={current.byOutcome.map((o) => ({ key: o.outcome ?? 'none', label: o.outcome ?? NO_OUTCOME_LABEL, count: o.count }))}
            total={current.count}
          />
          <h3 className="govuk-heading-s">By month</h3>
          <TimeChart series={current.byMonth} label="Crimes here by month" id={`${id}-chart`} small />
        </>
      )}
      <Records cell={cell} params={paramsKey} />
    </section>
  );
}

function Breakdown({ caption, rows, total }: { caption: string; rows: Array<{ key: string; label: string; count: number }>; total: number }) {
  const sorted = [...rows].sort((a, b) => b.count - a.count);
  return (
    <table className="govuk-table peel-compact-table">
      <caption className="govuk-table__caption govuk-table__caption--s">{caption}</caption>
      <thead className="govuk-table__head">
        <tr className="govuk-table__row">
          <th scope="col" className="govuk-table__header">{caption.replace(/^By /, '').replace(/^./, (c) => c.toUpperCase())}</th>
          <th scope="col" className="govuk-table__header govuk-table__header--numeric">Crimes</th>
          <th scope="col" className="govuk-table__header govuk-table__header--numeric">Share</th>
        </tr>
      </thead>
      <tbody className="govuk-table__body">
        {sorted.map((row) => (
          <tr className="govuk-table__row" key={row.key}>
            <th scope="row" className="govuk-table__header peel-normal-weight">{row.label}</th>
            <td className="govuk-table__cell govuk-table__cell--numeric">{row.count.toLocaleString('en-GB')}</td>
            <td className="govuk-table__cell govuk-table__cell--numeric">{share(row.count, total)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/**
 * "Show records": a reason first (asked again for each hexagon, filled in with the last
 * one given), then the records, a page at a time; the server audits every page.
 */
function Records({ cell, params }: { cell: string; params: string }) {
  const id = useId();
  const [asking, setAsking] = useState(false);
  const [reason, setReason] = useState('');
  const [justification, setJustification] = useState('');
  const [errors, setErrors] = useState<FormError[]>([]);
  const [stated, setStated] = useState<{ reason: string; justification: string } | null>(null);
  const [page, setPage] = useState<RecordsPage | null>(null);
  const [busy, setBusy] = useState(false);
  const reasonRef = useRef<HTMLDivElement>(null);
  const resultRef = useRef<HTMLParagraphElement>(null);

  // Another cell or other filters: the records on screen no longer apply; the reason still does.
  useEffect(() => {
    setPage(null);
  }, [cell, params]);

  useEffect(() => {
    if (asking) reasonRef.current?.querySelector('select')?.focus();
  }, [asking]);

  async function load(statedNow: { reason: string; justification: string }, offset: number) {
    setBusy(true);
    try {
      const url = withParams(`/api/crime/cells/${encodeURIComponent(cell)}/records`, new URLSearchParams(params), {
        justification: statedNow.justification,
        reasonCode: statedNow.reason,
        limit: PAGE_SIZE,
        offset,
      });
      const reply = await api<RecordsPage>(url);
      setStated(statedNow);
      setAsking(false);
      setPage((shown) => (offset === 0 || !shown ? reply : { ...reply, records: [...shown.records, ...reply.records] }));
      if (offset === 0) setTimeout(() => resultRef.current?.focus(), 0);
    } catch (caught) {
      setErrors([{ message: messageOf(caught) }]);
    } finally {
      setBusy(false);
    }
  }

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const problems: FormError[] = [];
    if (!reason) problems.push({ field: `${id}-reason`, message: 'Select why you need to see these records' });
    if (!justification.trim()) problems.push({ field: `${id}-justification`, message: 'Enter the reference or reason for looking at these records' });
    setErrors(problems);
    if (problems.length === 0) void load({ reason, justification: justification.trim() }, 0);
  }

  return (
    <div className="peel-records">
      <h3 className="govuk-heading-s">Crime records</h3>
      <div className="govuk-inset-text govuk-!-margin-top-0">
        The records are personal data. Looking at them is recorded in the audit log with your name, the time and your reason.
      </div>
      {!page && !asking && (
        <button type="button" className="govuk-button" onClick={() => setAsking(true)} disabled={busy}>
          Show records
        </button>
      )}
      {asking && (
        <form onSubmit={submit} noValidate>
          <ErrorSummary errors={errors} />
          <div ref={reasonRef}>
            <SelectInput
              id={`${id}-reason`}
              label="Why do you need to see these records?"
              error={errorFor(errors, `${id}-reason`)}
              value={reason}
              onChange={setReason}
              options={[{ value: '', text: 'Choose a reason' }, ...REASONS]}
            />
          </div>
          <TextInput
            id={`${id}-justification`}
            label="Reference or details"
            hint="For example, the crime or incident number, or the tasking this is for"
            error={errorFor(errors, `${id}-justification`)}
            value={justification}
            onChange={setJustification}
            maxLength={500}
            autoComplete="off"
          />
          <div className="govuk-button-group">
            <button type="submit" className="govuk-button" disabled={busy}>
              Show records
            </button>
            <button type="button" className="govuk-button govuk-button--secondary" onClick={() => setAsking(false)}>
              Cancel
            </button>
          </div>
        </form>
      )}
      {busy && !asking && <Loading what="Loading records" />}
      {!asking && errors.length > 0 && <ErrorSummary errors={errors} />}
      {page && (
        <>
          <p className="govuk-body" tabIndex={-1} ref={resultRef}>
            Showing {page.records.length.toLocaleString('en-GB')} of {page.total.toLocaleString('en-GB')} {page.total === 1 ? 'record' : 'records'}.
          </p>
          {page.records.length > 0 && (
            <ol className="peel-record-list" aria-label="Crime records in this hexagon, newest first">
              {page.records.map((record) => (
                <li className="peel-record" key={record.id}>
                  <p className="peel-record__title">
                    {record.crimeType}, {shortMonthLabel(record.month)}
                  </p>
                  <dl className="peel-record__facts">
                    <dt>Location</dt>
                    <dd>{record.location ?? 'Not recorded'}</dd>
                    <dt>Outcome</dt>
                    <dd>{record.lastOutcome ?? NO_OUTCOME_LABEL}</dd>
                    <dt>LSOA</dt>
                    <dd>{record.lsoaName || record.lsoaCode ? `${record.lsoaName ?? ''}${record.lsoaCode ? ` (${record.lsoaCode})` : ''}`.trim() : 'None'}</dd>
                    {record.crimeId && (
                      <>
                        <dt>Crime ID</dt>
                        <dd className="peel-cell-id">{record.crimeId}</dd>
                      </>
                    )}
                  </dl>
                </li>
              ))}
            </ol>
          )}
          {page.records.length < page.total && stated && (
            <button type="button" className="govuk-button govuk-button--secondary" disabled={busy} onClick={() => void load(stated, page.records.length)}>
              Show more records
            </button>
          )}
        </>
      )}
    </div>
  );
}
