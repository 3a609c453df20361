import './reports.css';
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { api, ApiError, messageOf } from '../api.ts';
import { formatDateTime } from '../format.ts';
import { ErrorSummary, ImportantBanner, SelectInput, SuccessBanner, TextInput, type FormError } from '../shell/forms.tsx';
import { Loading } from '../shell/Loading.tsx';
import { usePageTitle } from '../shell/usePageTitle.ts';
import { Radios } from './fields.tsx';

interface AdminCategory {
  code: string;
  label: string;
  active: boolean;
  sortOrder: number;
}

/** A feed or webhook as the API describes it; only the fields shown here are relied on. */
interface Source {
  id: number;
  name: string;
  kind: string;
  url?: string | null;
  pollSeconds?: number | null;
  active: boolean;
  lastPolledAt?: string | null;
  lastError?: string | null;
}

const KINDS = [
  { value: 'rss', text: 'RSS feed' },
  { value: 'atom', text: 'Atom feed' },
  { value: 'jsonfeed', text: 'JSON Feed' },
  { value: 'webhook', text: 'Webhook (a partner system sends to Peel)' },
];

/** "Antisocial behaviour" → "antisocial-behaviour": the code the API wants. */
function codeFor(label: string): string {
  return label
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60);
}

/** For administrators: what the public can report, and the feeds and webhooks that bring messages in. */
export default function ReportSettings() {
  usePageTitle('Report settings');
  const [categories, setCategories] = useState<AdminCategory[] | null>(null);
  const [sources, setSources] = useState<Source[] | null>(null);
  const [sourcesMissing, setSourcesMissing] = useState(false);
  const [errors, setErrors] = useState<FormError[]>([]);
  const [done, setDone] = useState<string | null>(null);
  const [secret, setSecret] = useState<{ name: string; id: number; secret: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const [label, setLabel] = useState('');
  const [sourceName, setSourceName] = useState('');
  const [sourceKind, setSourceKind] = useState('rss');
  const [sourceUrl, setSourceUrl] = useState('');
  const [pollMinutes, setPollMinutes] = useState('5');
  const [defaultCategory, setDefaultCategory] = useState('');

  const load = useCallback(() => {
    api<{ categories: AdminCategory[] }>('/api/reports/admin/categories')
      .then((r) => setCategories([...r.categories].sort((a, b) => a.sortOrder - b.sortOrder)))
      .catch((e: unknown) => setErrors([{ message: `The categories could not be loaded. ${messageOf(e)}` }]));
    api<{ sources: Source[] }>('/api/reports/admin/sources')
      .then((r) => setSources(r.sources))
      .catch((e: unknown) => {
        if (e instanceof ApiError && e.status === 404) setSourcesMissing(true);
        else setErrors([{ message: `The feeds could not be loaded. ${messageOf(e)}` }]);
      });
  }, []);
  useEffect(load, [load]);

  /** Runs a change, then reloads; `success` is shown unless the change returns its own message. */
  async function act(what: () => Promise<unknown>, success: string, field?: string) {
    setBusy(true);
    setErrors([]);
    setDone(null);
    try {
      const said = await what();
      setDone(typeof said === 'string' ? said : success);
      load();
      return true;
    } catch (e) {
      setErrors([{ field, message: messageOf(e) }]);
      return false;
    } finally {
      setBusy(false);
    }
  }

  const patchCategory = (code: string, body: Partial<AdminCategory>) => api(`/api/reports/admin/categories/${encodeURIComponent(code)}`, { method: 'PATCH', body });

  async function move(index: number, by: -1 | 1) {
    if (!categories) return;
    const a = categories[index];
    const b = categories[index + by];
    if (!a || !b) return;
    // Renumber the two in their new order; equal numbers would leave the order to chance.
    const [low, high] = [Math.min(a.sortOrder, b.sortOrder), Math.max(a.sortOrder, b.sortOrder, Math.min(a.sortOrder, b.sortOrder) + 1)];
    await act(
      async () => {
        await patchCategory(a.code, { sortOrder: by < 0 ? low : high });
        await patchCategory(b.code, { sortOrder: by < 0 ? high : low });
      },
      `${a.label} moved ${by < 0 ? 'up' : 'down'}.`,
    );
  }

  async function addCategory(event: FormEvent) {
    event.preventDefault();
    const code = codeFor(label);
    if (!code) {
      setErrors([{ field: 'category-label', message: 'Enter a name for the category' }]);
      return;
    }
    const sortOrder = Math.max(0, ...(categories ?? []).map((c) => c.sortOrder)) + 10;
    if (await act(() => api('/api/reports/admin/categories', { method: 'POST', body: { code, label: label.trim(), sortOrder } }), `${label.trim()} added.`, 'category-label')) setLabel('');
  }

  async function addSource(event: FormEvent) {
    event.preventDefault();
    if (!sourceName.trim()) return setErrors([{ field: 'source-name', message: 'Enter a name for the source' }]);
    const feed = sourceKind !== 'webhook';
    if (feed && !sourceUrl.trim()) return setErrors([{ field: 'source-url', message: 'Enter the address of the feed' }]);
    const body: Record<string, unknown> = { name: sourceName.trim(), kind: sourceKind };
    if (feed) {
      body.url = sourceUrl.trim();
      body.pollSeconds = Math.max(1, Number(pollMinutes) || 5) * 60;
    }
    if (defaultCategory) body.defaultCategory = defaultCategory;
    await act(
      async () => {
        const created = await api<{ source: Source; secret: string | null }>('/api/reports/admin/sources', { method: 'POST', body });
        if (created.secret) setSecret({ name: created.source.name, id: created.source.id, secret: created.secret });
        setSourceName('');
        setSourceUrl('');
      },
      `${sourceName.trim()} added.`,
      'source-name',
    );
  }

  async function poll(source: Source) {
    await act(async () => {
      const r = await api<{ accepted: unknown[]; duplicates: unknown[]; rejected: Array<{ index: number; id: string | null; problem: string }> }>(
        `/api/reports/admin/sources/${source.id}/poll`,
        { method: 'POST', body: {} },
      );
      const problems = r.rejected.map((x) => `item ${x.id ?? x.index + 1}: ${x.problem}`).join('; ');
      return `${source.name}: ${r.accepted.length} new, ${r.duplicates.length} already seen, ${r.rejected.length} refused${problems ? ` (${problems})` : ''}.`;
    }, '');
  }

  return (
    <>
      <ErrorSummary errors={errors} />
      {done && <SuccessBanner>{done}</SuccessBanner>}
      <h1 className="govuk-heading-l">Report settings</h1>

      <h2 className="govuk-heading-m">What people can report</h2>
      <p className="govuk-body">The report form lists the categories that are on, in this order. A category that is turned off stays on the reports that used it.</p>
      {!categories ? (
        <Loading />
      ) : (
        <table className="govuk-table" data-testid="categories">
          <thead className="govuk-table__head">
            <tr className="govuk-table__row">
              <th scope="col" className="govuk-table__header">
                Category
              </th>
              <th scope="col" className="govuk-table__header">
                On the form
              </th>
              <th scope="col" className="govuk-table__header">
                <span className="govuk-visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody className="govuk-table__body">
            {categories.map((c, index) => (
              <tr key={c.code} className="govuk-table__row">
                <td className="govuk-table__cell">
                  {c.label}
                  <br />
                  <span className="govuk-body-s">{c.code}</span>
                </td>
                <td className="govuk-table__cell">{c.active ? 'Yes' : 'No'}</td>
                <td className="govuk-table__cell">
                  <div className="govuk-button-group govuk-!-margin-bottom-0">
                    <button type="button" className="govuk-button govuk-button--secondary govuk-!-margin-bottom-0" disabled={busy} onClick={() => void act(() => patchCategory(c.code, { active: !c.active }), `${c.label} turned ${c.active ? 'off' : 'on'}.`)}>
                      Turn {c.active ? 'off' : 'on'}
                      <span className="govuk-visually-hidden"> {c.label}</span>
                    </button>
                    {index > 0 && (
                      <button type="button" className="govuk-button govuk-button--secondary govuk-!-margin-bottom-0" disabled={busy} onClick={() => void move(index, -1)}>
                        Up<span className="govuk-visually-hidden"> ({c.label})</span>
                      </button>
                    )}
                    {index < categories.length - 1 && (
                      <button type="button" className="govuk-button govuk-button--secondary govuk-!-margin-bottom-0" disabled={busy} onClick={() => void move(index, 1)}>
                        Down<span className="govuk-visually-hidden"> ({c.label})</span>
                      </button>
                    )}
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <form onSubmit={(e) => void addCategory(e)} noValidate>
        <TextInput id="category-label" label="Add a category" hint="As the public will read it, for example “Fly-tipping”" value={label} onChange={setLabel} width="two-thirds" />
        <button type="submit" className="govuk-button govuk-button--secondary" disabled={busy}>
          Add category
        </button>
      </form>

      <h2 className="govuk-heading-m">Feeds and partner webhooks</h2>
      <p className="govuk-body">
        Messages from open feeds (RSS, Atom, JSON Feed) and from partner systems arrive in the control room's feed beside reports from the public, each marked
        with where it came from.
      </p>
      {secret && (
        <ImportantBanner title="Shown once">
          <p className="govuk-body">
            {secret.name} sends to <code>{`${window.location.origin}/api/reports/webhook/${secret.id}`}</code>, signing each message with this secret. Copy it now
            and give it to the partner: it is not shown again.
          </p>
          <p className="govuk-body peel-report__link">
            <code data-testid="webhook-secret">{secret.secret}</code>
          </p>
        </ImportantBanner>
      )}
      {sourcesMissing ? (
        <p className="govuk-inset-text">Feeds and webhooks cannot be set up on this server yet.</p>
      ) : !sources ? (
        <Loading />
      ) : sources.length === 0 ? (
        <p className="govuk-body">There are none yet.</p>
      ) : (
        <ul className="govuk-list">
          {sources.map((s) => (
            <li key={s.id} className="peel-control__triage">
              <h3 className="govuk-heading-s govuk-!-margin-bottom-1">{s.name}</h3>
              <p className="govuk-body-s">
                {KINDS.find((k) => k.value === s.kind)?.text ?? s.kind}
                {s.url ? ` · ${s.url}` : ''}
                {s.pollSeconds ? ` · checked every ${Math.round(s.pollSeconds / 60)} minutes` : ''} · {s.active ? 'on' : 'off'}
                {s.lastPolledAt ? ` · last checked ${formatDateTime(s.lastPolledAt)}` : ''}
              </p>
              {s.lastError && <p className="govuk-error-message">{s.lastError}</p>}
              <div className="govuk-button-group govuk-!-margin-bottom-0">
                {s.kind !== 'webhook' && (
                  <button type="button" className="govuk-button govuk-button--secondary govuk-!-margin-bottom-0" disabled={busy} onClick={() => void poll(s)}>
                    Check now<span className="govuk-visually-hidden"> ({s.name})</span>
                  </button>
                )}
                <button
                  type="button"
                  className="govuk-button govuk-button--secondary govuk-!-margin-bottom-0"
                  disabled={busy}
                  onClick={() => void act(() => api(`/api/reports/admin/sources/${s.id}`, { method: 'PATCH', body: { active: !s.active } }), `${s.name} turned ${s.active ? 'off' : 'on'}.`)}
                >
                  Turn {s.active ? 'off' : 'on'}
                  <span className="govuk-visually-hidden"> {s.name}</span>
                </button>
              </div>
            </li>
          ))}
        </ul>
      )}
      {!sourcesMissing && (
        <form onSubmit={(e) => void addSource(e)} noValidate>
          <h3 className="govuk-heading-s">Add a feed or webhook</h3>
          <TextInput id="source-name" label="Name" value={sourceName} onChange={setSourceName} width="two-thirds" />
          <Radios id="source-kind" legend="Kind" small value={sourceKind} onChange={setSourceKind} options={KINDS} />
          {sourceKind !== 'webhook' && (
            <>
              <TextInput id="source-url" label="Feed address" type="url" spellCheck={false} value={sourceUrl} onChange={setSourceUrl} />
              <TextInput id="source-poll" label="Check every (minutes)" inputMode="numeric" width="3" value={pollMinutes} onChange={setPollMinutes} />
            </>
          )}
          <SelectInput
            id="source-category"
            label="Category for its messages"
            value={defaultCategory}
            onChange={setDefaultCategory}
            options={[{ value: '', text: 'Let Peel choose' }, ...(categories ?? []).filter((c) => c.active).map((c) => ({ value: c.code, text: c.label }))]}
          />
          <button type="submit" className="govuk-button govuk-button--secondary" disabled={busy}>
            Add source
          </button>
        </form>
      )}
    </>
  );
}
