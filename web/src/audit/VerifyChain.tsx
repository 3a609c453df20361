import { useState } from 'react';
import { api, messageOf } from '../api.ts';
import type { ChainCheck } from './types.ts';

/** Recomputes the log's hash chain on the server: any edited, added or removed entry breaks it. */
export function VerifyChain() {
  const [result, setResult] = useState<ChainCheck | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function verify() {
    setBusy(true);
    setError(null);
    setResult(null);
    try {
      setResult(await api<ChainCheck>('/api/audit/verify'));
    } catch (caught) {
      setError(messageOf(caught));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section aria-labelledby="verify-heading" className="govuk-!-margin-top-8">
      <h2 className="govuk-heading-m" id="verify-heading">
        Check the log has not been altered
      </h2>
      <p className="govuk-body">
        Each entry holds a fingerprint of the one before it. Checking the chain shows whether any entry has been changed,
        added or removed since it was written.
      </p>
      <button type="button" className="govuk-button govuk-button--secondary" onClick={() => void verify()} disabled={busy}>
        Verify the chain
      </button>
      <div role="status">
        {busy && <p className="govuk-body">Checking every entry…</p>}
        {error && <p className="govuk-body peel-error-text">The check could not be run: {error}</p>}
        {result && <ChainResult result={result} />}
      </div>
    </section>
  );
}

function ChainResult({ result }: { result: ChainCheck }) {
  if (result.ok) {
    return (
      <div className="govuk-inset-text peel-inset--success">
        <h3 className="govuk-heading-s">The chain is intact</h3>
        <p className="govuk-body">All {result.entries.toLocaleString('en-GB')} entries were checked and none has been altered.</p>
      </div>
    );
  }
  return (
    <div className="govuk-inset-text peel-inset--error">
      <h3 className="govuk-heading-s">The chain is broken</h3>
      <p className="govuk-body">
        {result.firstBad !== null ? `The first bad entry is number ${result.firstBad}. ` : ''}
        {result.problem ?? ''}
      </p>
      <p className="govuk-body">{result.entries.toLocaleString('en-GB')} entries were checked. Tell your data protection officer.</p>
    </div>
  );
}
