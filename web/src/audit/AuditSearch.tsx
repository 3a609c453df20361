import type { FormEvent } from 'react';
import { ErrorSummary, SelectInput, TextInput, errorFor, useForm, type FormError } from '../shell/forms.tsx';
import { NO_FILTERS, OPERATIONS, utcInstant, type AuditFilters } from './types.ts';

/** The audit search form; calls onSearch with the filters once they make sense. */
export function AuditSearch({ onSearch }: { onSearch: (filters: AuditFilters) => void }) {
  const { fields: filters, setFields: setFilters, set, errors, setErrors } = useForm<AuditFilters>(NO_FILTERS);

  function submit(event: FormEvent) {
    event.preventDefault();
    const problems = validate(filters);
    setErrors(problems);
    if (problems.length === 0) onSearch(filters);
  }

  function clear() {
    setFilters(NO_FILTERS);
    setErrors([]);
    onSearch(NO_FILTERS);
  }

  return (
    <form onSubmit={submit} noValidate className="peel-search" role="search" aria-label="Audit log">
      <ErrorSummary errors={errors} />
      <h2 className="govuk-heading-m">Search the log</h2>
      <div className="govuk-grid-row">
        <div className="govuk-grid-column-one-half">
          <TextInput id="audit-username" label="Username" value={filters.username} onChange={set('username')} autoComplete="off" spellCheck={false} />
          <TextInput
            id="audit-action"
            label="Action"
            hint="The exact name of what was done, such as auth.login or users.create"
            value={filters.action}
            onChange={set('action')}
            autoComplete="off"
            spellCheck={false}
          />
          <SelectInput
            id="audit-operation"
            label="Operation"
            value={filters.operation}
            onChange={set('operation')}
            options={[{ value: '', text: 'Any operation' }, ...OPERATIONS]}
          />
        </div>
        <div className="govuk-grid-column-one-half">
          <TextInput id="audit-record-type" label="Record type" value={filters.recordType} onChange={set('recordType')} autoComplete="off" spellCheck={false} />
          <TextInput id="audit-record-id" label="Record ID" value={filters.recordId} onChange={set('recordId')} autoComplete="off" spellCheck={false} />
          <TextInput
            id="audit-from"
            label="From (UTC)"
            hint="Entries at or after this time"
            type="datetime-local"
            error={errorFor(errors, 'audit-from')}
            value={filters.from}
            onChange={set('from')}
          />
          <TextInput
            id="audit-to"
            label="To (UTC)"
            hint="Entries before this time"
            type="datetime-local"
            error={errorFor(errors, 'audit-to')}
            value={filters.to}
            onChange={set('to')}
          />
        </div>
      </div>
      <div className="govuk-button-group">
        <button type="submit" className="govuk-button">
          Search
        </button>
        <button type="button" className="govuk-button govuk-button--secondary" onClick={clear}>
          Clear filters
        </button>
      </div>
    </form>
  );
}

function validate(filters: AuditFilters): FormError[] {
  if (filters.from && !utcInstant(filters.from)) return [{ field: 'audit-from', message: 'Enter a real date and time for “From”' }];
  if (filters.to && !utcInstant(filters.to)) return [{ field: 'audit-to', message: 'Enter a real date and time for “To”' }];
  if (filters.from && filters.to && utcInstant(filters.from) > utcInstant(filters.to)) {
    return [{ field: 'audit-to', message: '“To” must be the same as or after “From”' }];
  }
  return [];
}
