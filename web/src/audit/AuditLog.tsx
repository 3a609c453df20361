import { useCallback, useEffect, useRef, useState } from 'react';
import { api, messageOf, queryString } from '../api.ts';
import { ErrorSummary, useErrorList } from '../shell/forms.tsx';
import { Loading } from '../shell/Loading.tsx';
import { ScrollRegion } from '../shell/ScrollRegion.tsx';
import { usePageTitle } from '../shell/usePageTitle.ts';
import { AuditExport } from './AuditExport.tsx';
import { AuditSearch } from './AuditSearch.tsx';
import { AuditTable } from './AuditTable.tsx';
import { VerifyChain } from './VerifyChain.tsx';
import { NO_FILTERS, filterParams, type AuditEntry, type AuditFilters, type AuditPage } from './types.ts';

const PAGE_SIZE = 50;

export function AuditLog() {
  // The filters of the search on screen: "Load more" and the export must use these,
  // not whatever has since been typed into the form.
  const [filters, setFilters] = useState<AuditFilters>(NO_FILTERS);
  const [entries, setEntries] = useState<AuditEntry[] | null>(null);
  const [nextCursor, setNextCursor] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const latest = useRef(0);
  const summary = useErrorList(error);
  usePageTitle('Audit log', error !== null);

  const fetchPage = useCallback(async (search: AuditFilters, cursor: number | null) => {
    // Ignore answers to a search that a newer one has replaced.
    const request = ++latest.current;
    setBusy(true);
    setError(null);
    try {
      const page = await api<AuditPage>(
        `/api/audit${queryString({ ...filterParams(search), limit: PAGE_SIZE, cursor })}`,
      );
      if (request !== latest.current) return;
      setEntries((shown) => (cursor === null || !shown ? page.entries : [...shown, ...page.entries]));
      setNextCursor(page.nextCursor);
    } catch (caught) {
      if (request === latest.current) setError(messageOf(caught));
    } finally {
      if (request === latest.current) setBusy(false);
    }
  }, []);

  useEffect(() => {
    void fetchPage(NO_FILTERS, null);
  }, [fetchPage]);

  function search(next: AuditFilters) {
    setFilters(next);
    setEntries(null);
    void fetchPage(next, null);
  }

  return (
    <>
      <ErrorSummary errors={summary} />
      <h1 className="govuk-heading-l">Audit log</h1>
      <p className="govuk-body">
        Every time someone collects, changes, looks at, shares, combines or deletes personal data in Peel, it is
        recorded here with who did it and why.
      </p>
      <AuditSearch onSearch={search} />
      {entries === null ? (
        busy && <Loading what="Searching the audit log" />
      ) : entries.length === 0 ? (
        <p className="govuk-body" role="status">No entries match your search.</p>
      ) : (
        <>
          <p className="govuk-body" role="status">
            Showing {entries.length.toLocaleString('en-GB')} {entries.length === 1 ? 'entry' : 'entries'}
            {nextCursor !== null ? '. There are more.' : '.'}
          </p>
          <ScrollRegion label="Audit log entries">
            <AuditTable entries={entries} />
          </ScrollRegion>
          {nextCursor !== null && (
            <button
              type="button"
              className="govuk-button govuk-button--secondary"
              disabled={busy}
              onClick={() => void fetchPage(filters, nextCursor)}
            >
              Load more entries
            </button>
          )}
        </>
      )}
      <AuditExport filters={filters} />
      <VerifyChain />
    </>
  );
}
