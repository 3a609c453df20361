import { useState, type FormEvent } from 'react';
import { queryString } from '../api.ts';
import { ErrorSummary, TextInput, errorFor, type FormError } from '../shell/forms.tsx';
import { filterParams, type AuditFilters } from './types.ts';

/**
 * Export the entries the current search finds. Taking data out of Peel is a disclosure
 * in its own right, so the reason is required and written to the log with the export.
 */
export function AuditExport({ filters }: { filters: AuditFilters }) {
  const [justification, setJustification] = useState('');
  const [errors, setErrors] = useState<FormError[]>([]);

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!justification.trim()) {
      setErrors([{ field: 'export-justification', message: 'Enter why you need this export' }]);
      return;
    }
    setErrors([]);
    const submitter = (event.nativeEvent as SubmitEvent).submitter as HTMLButtonElement | null;
    const format = submitter?.value === 'jsonl' ? 'jsonl' : 'csv';
    const query = queryString({ format, justification: justification.trim(), ...filterParams(filters) });
    // A plain navigation, so the browser saves the file itself (the session cookie goes with it).
    window.location.assign(`/api/audit/export${query}`);
  }

  return (
    <section aria-labelledby="export-heading" className="govuk-!-margin-top-8">
      <h2 className="govuk-heading-m" id="export-heading">
        Export these entries
      </h2>
      <p className="govuk-body">The export has every entry the search above finds, not only those shown. It is recorded in the audit log with your reason.</p>
      <ErrorSummary errors={errors} />
      <form onSubmit={submit} noValidate>
        <TextInput
          id="export-justification"
          label="Why do you need this export?"
          hint="For example, the reference of the subject access request or investigation"
          error={errorFor(errors, 'export-justification')}
          value={justification}
          onChange={setJustification}
          maxLength={1000}
          autoComplete="off"
        />
        <div className="govuk-button-group">
          <button type="submit" name="format" value="csv" className="govuk-button govuk-button--secondary">
            Export as CSV
          </button>
          <button type="submit" name="format" value="jsonl" className="govuk-button govuk-button--secondary">
            Export as JSON Lines
          </button>
        </div>
      </form>
    </section>
  );
}
