import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { api, messageOf } from '../api.ts';
import { formatDate, formatDateTime, isPast } from '../format.ts';
import { ErrorSummary, TextInput, apiErrors, errorFor, type FormError } from '../shell/forms.tsx';
import { Loading } from '../shell/Loading.tsx';
import { Cell, ResponsiveTable } from '../shell/Table.tsx';
import type { ApiToken } from '../../../src/platform/auth/replies.ts';

/** A token just made: the only time its secret is sent. */
interface NewToken extends ApiToken {
  token: string;
}

/** The account page's API tokens: list, create (shown once), revoke. */
export function ApiTokens() {
  const [tokens, setTokens] = useState<ApiToken[] | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [created, setCreated] = useState<NewToken | null>(null);
  const [errors, setErrors] = useState<FormError[]>([]);

  const load = useCallback(async () => {
    try {
      const reply = await api<{ tokens: ApiToken[] }>('/api/tokens');
      setTokens(reply.tokens);
      setLoadError(null);
    } catch (error) {
      setLoadError(messageOf(error));
    }
  }, []);

  useEffect(() => {
    void load();
  }, [load]);

  async function revoke(token: ApiToken) {
    setErrors([]);
    try {
      await api<void>(`/api/tokens/${token.id}`, { method: 'DELETE' });
      if (created?.id === token.id) setCreated(null);
      await load();
    } catch (error) {
      setErrors(apiErrors(error));
    }
  }

  return (
    <section aria-labelledby="api-tokens-heading" className="govuk-!-margin-top-8">
      <h2 className="govuk-heading-m" id="api-tokens-heading">
        API tokens
      </h2>
      <p className="govuk-body">
        A token lets a script or another system use the Peel API as you, with your role’s access. What it does is
        recorded in the audit log under your name.
      </p>
      <ErrorSummary errors={errors} />
      {created && <NewTokenPanel token={created} />}
      {loadError ? (
        <p className="govuk-body">Your tokens could not be loaded: {loadError}</p>
      ) : tokens === null ? (
        <Loading what="Loading your tokens" />
      ) : tokens.length === 0 ? (
        <p className="govuk-body">You have no API tokens.</p>
      ) : (
        <TokenTable tokens={tokens} onRevoke={(token) => void revoke(token)} />
      )}
      <CreateToken
        onCreated={(token) => {
          setCreated(token);
          void load();
        }}
      />
    </section>
  );
}

function TokenTable({ tokens, onRevoke }: { tokens: ApiToken[]; onRevoke: (token: ApiToken) => void }) {
  return (
    <ResponsiveTable
      caption="Your tokens"
      captionClass="govuk-table__caption--s"
      columns={['Name', 'Starts with', 'Created', 'Expires', 'Last used', { text: 'Status or action', hidden: true }]}
    >
      {tokens.map((token) => (
        <tr key={token.id} className="govuk-table__row">
          <Cell header label="Name">{token.name}</Cell>
          <Cell label="Starts with"><code>{token.prefix}</code></Cell>
          <Cell label="Created">{formatDate(token.createdAt)}</Cell>
          <Cell label="Expires">{formatDate(token.expiresAt, 'Does not expire')}</Cell>
          <Cell label="Last used">{formatDateTime(token.lastUsedAt)}</Cell>
          <Cell>
            {token.revokedAt ? (
              <strong className="govuk-tag govuk-tag--grey">Revoked</strong>
            ) : isPast(token.expiresAt) ? (
              <strong className="govuk-tag govuk-tag--grey">Expired</strong>
            ) : (
              <button type="button" className="govuk-button govuk-button--warning govuk-!-margin-bottom-0" onClick={() => onRevoke(token)}>
                Revoke<span className="govuk-visually-hidden"> token {token.name}</span>
              </button>
            )}
          </Cell>
        </tr>
      ))}
    </ResponsiveTable>
  );
}

function NewTokenPanel({ token }: { token: NewToken }) {
  return (
    <div className="govuk-panel govuk-panel--confirmation peel-panel-left" role="status">
      <h3 className="govuk-panel__title govuk-!-font-size-27">Token “{token.name}” created</h3>
      <div className="govuk-panel__body govuk-!-font-size-19">
        <p className="govuk-body peel-panel-text">Copy it now. You will not be shown it again.</p>
        <p className="peel-secret peel-secret--inverse">
          <code id="new-token">{token.token}</code>
        </p>
        <p className="govuk-body peel-panel-text">
          {token.expiresAt ? `It expires on ${formatDate(token.expiresAt)}.` : 'It does not expire.'}
        </p>
      </div>
    </div>
  );
}

function CreateToken({ onCreated }: { onCreated: (token: NewToken) => void }) {
  const [name, setName] = useState('');
  const [days, setDays] = useState('90');
  const [errors, setErrors] = useState<FormError[]>([]);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const problems: FormError[] = [];
    if (!name.trim()) problems.push({ field: 'token-name', message: 'Enter a name for the token' });
    const expiresInDays = Number(days);
    if (!/^\d+$/.test(days.trim()) || expiresInDays < 1) {
      problems.push({ field: 'token-days', message: 'Enter the number of days the token lasts, such as 90' });
    }
    setErrors(problems);
    if (problems.length > 0) return;

    setBusy(true);
    try {
      const token = await api<NewToken>('/api/tokens', { method: 'POST', body: { name: name.trim(), expiresInDays } });
      setName('');
      onCreated(token);
    } catch (error) {
      setErrors(apiErrors(error));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form onSubmit={submit} noValidate className="govuk-!-margin-top-6">
      <h3 className="govuk-heading-s">Create a token</h3>
      <ErrorSummary errors={errors} />
      <TextInput
        id="token-name"
        label="Token name"
        hint="Say what uses it, for example “Nightly crime import”."
        error={errorFor(errors, 'token-name')}
        value={name}
        onChange={setName}
        width="two-thirds"
        autoComplete="off"
      />
      <TextInput
        id="token-days"
        label="Expires after (days)"
        error={errorFor(errors, 'token-days')}
        value={days}
        onChange={setDays}
        width="4"
        inputMode="numeric"
        autoComplete="off"
      />
      <button type="submit" className="govuk-button govuk-button--secondary" disabled={busy}>
        Create token
      </button>
    </form>
  );
}
