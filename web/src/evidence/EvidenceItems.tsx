import { useRef, useState, type FormEvent } from 'react';
import { Link, useSearchParams } from 'react-router-dom';
import { queryString } from '../api.ts';
import { formatDate, formatDateTime } from '../format.ts';
import { ErrorSummary, SelectInput, TextInput, errorFor, useErrorList, useForm, type FormError } from '../shell/forms.tsx';
import { Cell, ResponsiveTable } from '../shell/Table.tsx';
import { Loading } from '../shell/Loading.tsx';
import { ScrollRegion } from '../shell/ScrollRegion.tsx';
import { usePageTitle } from '../shell/usePageTitle.ts';
import { useSignedIn } from '../auth/session.tsx';
import { FlashNotice } from '../shell/FlashNotice.tsx';
import { categoryName, useApi, useCategories } from './data.ts';
import { RetentionText } from './Retention.tsx';
import { CreatedLink, ShareForm } from './Shares.tsx';
import { MANAGE_ROLES, formatBytes, itemName, type Category, type Item, type Share } from './types.ts';

const PAGE = 50;

interface Filters {
  officer: string;
  category: string;
  dueBefore: string;
  status: string;
  sha256: string;
}

const FIELDS: (keyof Filters)[] = ['officer', 'category', 'dueBefore', 'status', 'sha256'];

function filtersFrom(params: URLSearchParams): Filters {
  return {
    officer: params.get('officer') ?? '',
    category: params.get('category') ?? '',
    dueBefore: params.get('dueBefore') ?? '',
    status: params.get('status') ?? 'stored',
    sha256: params.get('sha256') ?? '',
  };
}

/** The API's query for these filters; "uncategorised" is a flag there, not a category. */
function apiQuery(filters: Filters, limit: number): string {
  return queryString({
    officer: filters.officer.trim(),
    category: filters.category === 'uncategorised' ? '' : filters.category,
    uncategorised: filters.category === 'uncategorised' ? 'true' : '',
    dueBefore: filters.dueBefore ? new Date(`${filters.dueBefore}T00:00:00Z`).toISOString() : '',
    status: filters.status,
    sha256: filters.sha256.trim().toLowerCase(),
    limit,
  });
}

function validate(filters: Filters): FormError[] {
  const errors: FormError[] = [];
  if (filters.sha256.trim() && !/^[0-9a-fA-F]{64}$/.test(filters.sha256.trim())) {
    errors.push({ field: 'search-sha256', message: 'A SHA-256 hash is 64 characters, 0 to 9 and a to f' });
  }
  return errors;
}

export default function EvidenceItems() {
  const { user } = useSignedIn();
  const [params, setParams] = useSearchParams();
  const applied = filtersFrom(params);
  const { fields: form, setFields: setForm, set, errors, setErrors } = useForm<Filters>(applied);
  const [limit, setLimit] = useState(PAGE);
  const categories = useCategories();
  const items = useApi<{ items: Item[] }>(`/api/evidence/items${apiQuery(applied, limit)}`);
  const summary = useErrorList(items.error, errors);
  usePageTitle('Evidence', summary.length > 0);

  function search(event: FormEvent) {
    event.preventDefault();
    const problems = validate(form);
    setErrors(problems);
    if (problems.length > 0) return;
    const next = new URLSearchParams();
    for (const field of FIELDS) if (form[field].trim()) next.set(field, form[field].trim());
    setLimit(PAGE);
    setParams(next);
  }

  function clear() {
    setForm(filtersFrom(new URLSearchParams()));
    setErrors([]);
    setLimit(PAGE);
    setParams(new URLSearchParams());
  }

  const list = items.data?.items ?? null;
  const canUpload = ['officer', 'supervisor', 'evidence_officer'].includes(user.role);
  const canShare = MANAGE_ROLES.includes(user.role);
  const [selected, setSelected] = useState<number[]>([]);
  const [created, setCreated] = useState<Share | null>(null);
  const dialog = useRef<HTMLDialogElement>(null);
  const opener = useRef<HTMLButtonElement>(null);
  const toggle = (id: number, on: boolean) => setSelected((now) => (on ? [...now, id] : now.filter((x) => x !== id)));

  return (
    <>
      <ErrorSummary errors={summary} />
      <FlashNotice />
      <h1 className="govuk-heading-l">Evidence</h1>
      <p className="govuk-body">
        Body-worn video and CCTV. Footage nobody categorises is deleted 31 days after it was recorded; see{' '}
        <Link className="govuk-link" to="/evidence/worklist">
          footage to categorise
        </Link>
        .
      </p>
      <div className="govuk-button-group">
        {canUpload && (
          <Link to="/evidence/upload" role="button" draggable={false} className="govuk-button">
            Upload footage
          </Link>
        )}
        {canShare && (
          <Link to="/evidence/requests" className="govuk-link">
            Ask the public for footage
          </Link>
        )}
      </div>

      <div className="govuk-grid-row">
        <div className="govuk-grid-column-one-third">
          <form onSubmit={search} noValidate role="search" aria-label="Evidence" className="peel-evidence-filter">
            <h2 className="govuk-heading-m">Filter</h2>
            <TextInput id="search-officer" label="Officer" hint="Username" value={form.officer} onChange={set('officer')} autoComplete="off" spellCheck={false} />
            <SelectInput
              id="search-category"
              label="Category"
              value={form.category}
              onChange={set('category')}
              options={[
                { value: '', text: 'Any category' },
                { value: 'uncategorised', text: 'Uncategorised' },
                ...(categories.data?.categories ?? []).filter((c) => c.assignable).map((c) => ({ value: c.code, text: c.name })),
              ]}
            />
            <TextInput id="search-due" label="Due for deletion before" type="date" value={form.dueBefore} onChange={set('dueBefore')} />
            <SelectInput
              id="search-status"
              label="Status"
              value={form.status}
              onChange={set('status')}
              options={[
                { value: 'stored', text: 'Stored' },
                { value: 'deleted', text: 'Deleted (record kept)' },
              ]}
            />
            <TextInput
              id="search-sha256"
              label="SHA-256"
              hint="The file’s hash, to find a copy you were given"
              value={form.sha256}
              onChange={set('sha256')}
              error={errorFor(errors, 'search-sha256')}
              autoComplete="off"
              spellCheck={false}
            />
            <div className="govuk-button-group">
              <button type="submit" className="govuk-button">
                Apply filters
              </button>
              <button type="button" className="govuk-button govuk-button--secondary" onClick={clear}>
                Clear filters
              </button>
            </div>
          </form>
        </div>
        <div className="govuk-grid-column-two-thirds">
          {list === null ? (
            items.loading && <Loading what="Finding evidence" />
          ) : list.length === 0 ? (
            <p className="govuk-body" role="status">
              No evidence matches these filters.
            </p>
          ) : (
            <>
              <p className="govuk-body" role="status">
                Showing {list.length.toLocaleString('en-GB')} {list.length === 1 ? 'item' : 'items'}
                {list.length >= limit ? '. There may be more.' : '.'}
              </p>
              {created && <CreatedLink share={created} />}
              <ScrollRegion label="Evidence items">
                <ItemsTable items={list} categories={categories.data?.categories} selected={canShare ? selected : undefined} onToggle={toggle} />
              </ScrollRegion>
              {canShare && (
                <button
                  type="button"
                  ref={opener}
                  className="govuk-button govuk-button--secondary"
                  disabled={selected.length === 0}
                  aria-disabled={selected.length === 0}
                  onClick={() => {
                    setCreated(null);
                    dialog.current?.showModal();
                  }}
                >
                  Share selected footage{selected.length > 0 ? ` (${selected.length})` : ''}
                </button>
              )}
              <dialog ref={dialog} className="peel-evidence-dialog" aria-labelledby="share-dialog-heading" onClose={() => opener.current?.focus()}>
                <ShareForm
                  what={`${selected.length} ${selected.length === 1 ? 'item' : 'items'} as one bundle`}
                  path="/api/evidence/shares"
                  itemIds={selected}
                  onCancel={() => dialog.current?.close()}
                  onCreated={(share) => {
                    setCreated(share);
                    setSelected([]);
                    dialog.current?.close();
                  }}
                />
              </dialog>
              {list.length >= limit && (
                <button type="button" className="govuk-button govuk-button--secondary" disabled={items.loading} onClick={() => setLimit(limit + PAGE)}>
                  Show more items
                </button>
              )}
            </>
          )}
        </div>
      </div>
    </>
  );
}

export function ItemsTable({
  items,
  categories,
  selected,
  onToggle,
}: {
  items: Item[];
  categories: Category[] | undefined;
  /** the ids chosen for sharing as a bundle; no checkboxes when undefined */
  selected?: number[];
  onToggle?: (id: number, on: boolean) => void;
}) {
  return (
    <ResponsiveTable className="peel-evidence-table" columns={[...(selected ? [{ text: 'Select', hidden: true }] : []), 'Footage', 'Officer', 'Recorded', 'Categories', 'Kept until']}>
      {items.map((item) => (
        <tr key={item.id} className="govuk-table__row" data-testid="evidence-item-row">
          {selected && (
            <Cell>
              {item.status === 'stored' && (
                <div className="govuk-checkboxes govuk-checkboxes--small peel-evidence-select">
                  <div className="govuk-checkboxes__item">
                    <input
                      className="govuk-checkboxes__input"
                      type="checkbox"
                      id={`select-${item.id}`}
                      checked={selected.includes(item.id)}
                      onChange={(event) => onToggle?.(item.id, event.target.checked)}
                    />
                    <label className="govuk-label govuk-checkboxes__label" htmlFor={`select-${item.id}`}>
                      <span className="govuk-visually-hidden">Select {itemName(item)}</span>
                    </label>
                  </div>
                </div>
              )}
            </Cell>
          )}
          <Cell label="Footage" className="peel-break">
            <Link className="govuk-link" to={`/evidence/items/${item.id}`}>
              {itemName(item)}
            </Link>
            <br />
            <span className="govuk-body-s">{formatBytes(item.size)}</span>
            {item.status === 'deleted' && (
              <>
                {' '}
                <strong className="govuk-tag govuk-tag--grey">Deleted</strong>
              </>
            )}
          </Cell>
          <Cell label="Officer">{item.officer ?? 'Not known'}</Cell>
          <Cell label="Recorded">{formatDateTime(item.recordedStart, 'Not known')}</Cell>
          <Cell label="Categories">
            {item.categories.length === 0 ? (
              <strong className="govuk-tag govuk-tag--yellow">Uncategorised</strong>
            ) : (
              <ul className="govuk-list govuk-!-margin-bottom-0">
                {item.categories.map((code) => (
                  <li key={code}>{categoryName(categories, code)}</li>
                ))}
              </ul>
            )}
          </Cell>
          <Cell label="Kept until">
            {item.status === 'deleted' ? `Deleted ${formatDate(item.deletedAt, '')}` : <RetentionText retention={item.retention} short />}
          </Cell>
        </tr>
      ))}
    </ResponsiveTable>
  );
}
