import { useRef, useState, type FormEvent } from 'react';
import { api } from '../api.ts';
import { formatDateTime, isPast } from '../format.ts';
import { ErrorSummary, TextInput, apiErrors, errorFor, useErrorList, useForm, type FormError } from '../shell/forms.tsx';
import { Cell, ResponsiveTable } from '../shell/Table.tsx';
import { useApi } from './data.ts';
import { LinkShownOnce, absolute } from './LinkShownOnce.tsx';
import { itemName, type Item, type Share } from './types.ts';

function shareState(share: Share): { text: string; tag: string } {
  if (share.revokedAt) return { text: 'Revoked', tag: 'govuk-tag--grey' };
  if (isPast(share.expiresAt)) return { text: 'Expired', tag: 'govuk-tag--grey' };
  if (share.maxAccesses !== null && share.accessCount >= share.maxAccesses) return { text: 'Used up', tag: 'govuk-tag--grey' };
  return { text: 'Active', tag: 'govuk-tag--green' };
}

/** The item's share links, a dialog to make one (its link shown once), and revoking. */
export function Shares({ item }: { item: Item }) {
  const shares = useApi<{ shares: Share[] }>(`/api/evidence/shares?itemId=${item.id}`);
  const [created, setCreated] = useState<Share | null>(null);
  const [errors, setErrors] = useState<FormError[]>([]);
  const [busy, setBusy] = useState(false);
  const dialog = useRef<HTMLDialogElement>(null);
  const opener = useRef<HTMLButtonElement>(null);
  const summary = useErrorList(shares.error, errors);

  async function revoke(share: Share) {
    setBusy(true);
    try {
      await api<Share>(`/api/evidence/shares/${share.id}`, { method: 'DELETE' });
      setErrors([]);
      if (created?.id === share.id) setCreated(null);
      shares.reload();
    } catch (error) {
      setErrors(apiErrors(error));
    } finally {
      setBusy(false);
    }
  }

  function open() {
    setCreated(null);
    dialog.current?.showModal();
  }

  function close() {
    dialog.current?.close();
  }

  return (
    <section className="peel-evidence-section" aria-labelledby="shares-heading">
      <h2 className="govuk-heading-m" id="shares-heading">
        Sharing
      </h2>
      <ErrorSummary errors={summary} />
      <p className="govuk-body">
        Give a prosecutor or the defence a link instead of a copy on disc. Each link expires, can be revoked, and every use of it is recorded
        as a disclosure.
      </p>
      <button type="button" ref={opener} className="govuk-button" onClick={open}>
        Share by link
      </button>

      {created && <CreatedLink share={created} />}

      {shares.data && shares.data.shares.length > 0 && (
        <ResponsiveTable data-testid="evidence-shares" caption="Links to this footage" captionClass="govuk-table__caption--s" columns={['Recipient', 'Expires', 'Used', 'Status', { text: 'Action', hidden: true }]}>
          {shares.data.shares.map((share) => {
            const state = shareState(share);
            return (
              <tr className="govuk-table__row" key={share.id}>
                <Cell label="Recipient" className="peel-break">
                  {share.recipient ?? 'Not named'}
                  <span className="govuk-body-s peel-block">
                    {share.allowDownload ? 'View and download' : 'View only'}
                    {share.pinRequired ? ', PIN' : ''}; by {share.createdBy ?? 'unknown'} on {formatDateTime(share.createdAt)}
                  </span>
                </Cell>
                <Cell label="Expires">{formatDateTime(share.expiresAt)}</Cell>
                <Cell label="Used">
                  {share.accessCount}
                  {share.maxAccesses !== null ? ` of ${share.maxAccesses}` : ''}
                </Cell>
                <Cell label="Status">
                  <strong className={`govuk-tag ${state.tag}`}>{state.text}</strong>
                </Cell>
                <Cell>
                  {state.text === 'Active' && (
                    <button type="button" className="govuk-button govuk-button--warning govuk-!-margin-bottom-0" disabled={busy} onClick={() => void revoke(share)}>
                      Revoke<span className="govuk-visually-hidden"> the link for {share.recipient ?? 'an unnamed recipient'}</span>
                    </button>
                  )}
                </Cell>
              </tr>
            );
          })}
        </ResponsiveTable>
      )}

      <dialog ref={dialog} className="peel-evidence-dialog" aria-labelledby="share-dialog-heading" onClose={() => opener.current?.focus()}>
        <ShareForm
          what={itemName(item)}
          path={`/api/evidence/items/${item.id}/shares`}
          onCancel={close}
          onCreated={(share) => {
            setCreated(share);
            close();
            shares.reload();
          }}
        />
      </dialog>
    </section>
  );
}

interface ShareFields {
  recipient: string;
  expiresInDays: string;
  allowDownload: 'yes' | 'no';
  maxAccesses: string;
  pin: string;
}

const DEFAULTS: ShareFields = { recipient: '', expiresInDays: '30', allowDownload: 'yes', maxAccesses: '', pin: '' };

function validate(fields: ShareFields): FormError[] {
  const errors: FormError[] = [];
  if (!fields.recipient.trim()) errors.push({ field: 'share-recipient', message: 'Enter who the link is for, such as CPS Leicester, reviewing lawyer' });
  const days = Number(fields.expiresInDays);
  if (!/^\d+$/.test(fields.expiresInDays.trim()) || days < 1 || days > 365) errors.push({ field: 'share-expiry', message: 'Enter how many days the link lasts, from 1 to 365' });
  if (fields.maxAccesses.trim() && (!/^\d+$/.test(fields.maxAccesses.trim()) || Number(fields.maxAccesses) < 1)) {
    errors.push({ field: 'share-max', message: 'Enter how many times the link may be used as a whole number, or leave it blank' });
  }
  if (fields.pin && !/^\d{4,12}$/.test(fields.pin)) errors.push({ field: 'share-pin', message: 'A PIN is 4 to 12 digits' });
  return errors;
}

/**
 * The share form, for one item (`path` its shares route) or a bundle (`/api/evidence/shares`
 * with `itemIds`, whose download is a zip with a SHA256SUMS manifest).
 */
export function ShareForm({
  what,
  path,
  itemIds,
  onCancel,
  onCreated,
}: {
  what: string;
  path: string;
  itemIds?: number[];
  onCancel: () => void;
  onCreated: (share: Share) => void;
}) {
  const { fields, setFields, set, errors, busy, send } = useForm<ShareFields>(DEFAULTS);

  async function submit(event: FormEvent) {
    event.preventDefault();
    await send(validate(fields), async () => {
      const share = await api<Share>(path, {
        method: 'POST',
        body: {
          ...(itemIds ? { itemIds } : {}),
          recipient: fields.recipient.trim(),
          expiresInDays: Number(fields.expiresInDays),
          allowDownload: fields.allowDownload === 'yes',
          maxAccesses: fields.maxAccesses.trim() ? Number(fields.maxAccesses) : null,
          ...(fields.pin ? { pin: fields.pin } : {}),
        },
      });
      setFields(DEFAULTS);
      onCreated(share);
    });
  }

  return (
    <form onSubmit={submit} noValidate>
      <ErrorSummary errors={errors} />
      <h2 className="govuk-heading-m" id="share-dialog-heading">
        Share {what}
      </h2>
      <TextInput
        id="share-recipient"
        label="Who is it for?"
        hint="The person or office, for example CPS East Midlands, reviewing lawyer. It is named in every disclosure record."
        value={fields.recipient}
        onChange={set('recipient')}
        error={errorFor(errors, 'share-recipient')}
        autoComplete="off"
      />
      <TextInput
        id="share-expiry"
        label="Days until the link expires"
        value={fields.expiresInDays}
        onChange={set('expiresInDays')}
        error={errorFor(errors, 'share-expiry')}
        inputMode="numeric"
        width="3"
      />
      <div className="govuk-form-group">
        <fieldset className="govuk-fieldset">
          <legend className="govuk-fieldset__legend govuk-fieldset__legend--s">May they download the file?</legend>
          <div className="govuk-radios govuk-radios--small govuk-radios--inline">
            {(['yes', 'no'] as const).map((value) => (
              <div className="govuk-radios__item" key={value}>
                <input
                  className="govuk-radios__input"
                  id={`share-download-${value}`}
                  name="share-download"
                  type="radio"
                  checked={fields.allowDownload === value}
                  onChange={() => set('allowDownload')(value)}
                />
                <label className="govuk-label govuk-radios__label" htmlFor={`share-download-${value}`}>
                  {value === 'yes' ? 'Yes, view and download' : 'No, view only'}
                </label>
              </div>
            ))}
          </div>
        </fieldset>
      </div>
      <TextInput
        id="share-max"
        label="Most times the link may be used (optional)"
        hint="Each play or download from the start counts once. Leave blank for no limit."
        value={fields.maxAccesses}
        onChange={set('maxAccesses')}
        error={errorFor(errors, 'share-max')}
        inputMode="numeric"
        width="4"
      />
      <TextInput
        id="share-pin"
        label="PIN (optional)"
        hint="4 to 12 digits. Send it separately from the link, for example by phone. Five wrong tries revoke the link."
        value={fields.pin}
        onChange={set('pin')}
        error={errorFor(errors, 'share-pin')}
        inputMode="numeric"
        autoComplete="off"
        width="10"
      />
      <div className="govuk-button-group">
        <button type="submit" className="govuk-button" disabled={busy}>
          Create link
        </button>
        <button type="button" className="govuk-button govuk-button--secondary" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

/** The new link, shown this once: the server keeps only its hash. */
export function CreatedLink({ share }: { share: Share }) {
  const [copied, setCopied] = useState(false);
  const url = share.url ? absolute(share.url) : '';

  async function copy() {
    try {
      await navigator.clipboard.writeText(url);
      setCopied(true);
    } catch {
      setCopied(false);
    }
  }

  return (
    <LinkShownOnce
      headingId="share-created-heading"
      heading="Link created"
      intro={<>Copy it now: it will not be shown again. {share.pinRequired && 'Send the PIN separately.'}</>}
      url={url}
      testId="evidence-share-url"
      takeFocus
    >
      <p className="peel-panel-text govuk-body">
        For {share.recipient ?? 'an unnamed recipient'}, until {formatDateTime(share.expiresAt)}
        {share.allowDownload ? ', view and download' : ', view only'}
        {share.maxAccesses !== null ? `, at most ${share.maxAccesses} uses` : ''}.
      </p>
      <button type="button" className="govuk-button govuk-button--inverse govuk-!-margin-bottom-0" onClick={() => void copy()}>
        {copied ? 'Copied' : 'Copy link'}
      </button>
      <span className="govuk-visually-hidden" role="status">
        {copied ? 'Link copied' : ''}
      </span>
    </LinkShownOnce>
  );
}
