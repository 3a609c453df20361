import { useState, type FormEvent } from 'react';
import { api } from '../api.ts';
import { formatDateTime } from '../format.ts';
import { ErrorSummary, TextInput, apiErrors, errorFor, type FormError } from '../shell/forms.tsx';
import { Cell, ResponsiveTable } from '../shell/Table.tsx';
import { HOLD_KINDS, type HoldKind, type Item } from './types.ts';

const KIND_TEXT = Object.fromEntries(HOLD_KINDS.map((k) => [k.value, k.text])) as Record<HoldKind, string>;

/** Legal holds: while one stands the item cannot be deleted, whatever its category. */
export function Holds({ item, canManage, onChanged }: { item: Item; canManage: boolean; onChanged: (item: Item) => void }) {
  const [kind, setKind] = useState<HoldKind | ''>('');
  const [reference, setReference] = useState('');
  const [reason, setReason] = useState('');
  const [errors, setErrors] = useState<FormError[]>([]);
  const [busy, setBusy] = useState(false);
  const [adding, setAdding] = useState(false);

  async function place(event: FormEvent) {
    event.preventDefault();
    const problems: FormError[] = [];
    if (!kind) problems.push({ field: 'hold-kind-case', message: 'Select what the hold is for' });
    if (!reference.trim()) problems.push({ field: 'hold-reference', message: 'Enter the reference of the case, complaint or request' });
    if (!reason.trim()) problems.push({ field: 'hold-reason', message: 'Enter why the footage must be kept' });
    setErrors(problems);
    if (problems.length > 0) return;
    setBusy(true);
    try {
      onChanged(await api<Item>(`/api/evidence/items/${item.id}/holds`, { method: 'POST', body: { kind, reference: reference.trim(), reason: reason.trim() } }));
      setKind('');
      setReference('');
      setReason('');
      setAdding(false);
    } catch (error) {
      setErrors(apiErrors(error));
    } finally {
      setBusy(false);
    }
  }

  async function release(id: number) {
    setBusy(true);
    try {
      onChanged(await api<Item>(`/api/evidence/holds/${id}`, { method: 'DELETE' }));
      setErrors([]);
    } catch (error) {
      setErrors(apiErrors(error));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="peel-evidence-section" aria-labelledby="holds-heading">
      <h2 className="govuk-heading-m" id="holds-heading">
        Legal holds
      </h2>
      <ErrorSummary errors={errors} />
      {item.holds.length === 0 ? (
        <p className="govuk-body">No holds. The categories alone decide when this footage is deleted.</p>
      ) : (
        <ResponsiveTable caption="Holds on this footage" captionClass="govuk-visually-hidden" columns={['Hold', 'Reason', 'Placed', ...(canManage ? [{ text: 'Action', hidden: true }] : [])]}>
          {item.holds.map((hold) => (
            <tr className="govuk-table__row" key={hold.id}>
              <Cell label="Hold">{KIND_TEXT[hold.kind] ?? hold.kind} {hold.reference}</Cell>
              <Cell label="Reason" className="peel-break">{hold.reason}</Cell>
              <Cell label="Placed">{formatDateTime(hold.placedAt)} by {hold.placedBy}</Cell>
              {canManage && (
                <Cell>
                  <button type="button" className="govuk-button govuk-button--warning govuk-!-margin-bottom-0" disabled={busy} onClick={() => void release(hold.id)}>
                    Release<span className="govuk-visually-hidden"> hold {hold.reference}</span>
                  </button>
                </Cell>
              )}
            </tr>
          ))}
        </ResponsiveTable>
      )}
      {canManage && !adding && (
        <button type="button" className="govuk-button govuk-button--secondary" onClick={() => setAdding(true)}>
          Place a hold
        </button>
      )}
      {canManage && adding && (
        <form onSubmit={place} noValidate>
          <div className={`govuk-form-group${errorFor(errors, 'hold-kind-case') ? ' govuk-form-group--error' : ''}`}>
            <fieldset className="govuk-fieldset">
              <legend className="govuk-fieldset__legend govuk-fieldset__legend--s">What is the hold for?</legend>
              {errorFor(errors, 'hold-kind-case') && (
                <p className="govuk-error-message">
                  <span className="govuk-visually-hidden">Error:</span> {errorFor(errors, 'hold-kind-case')}
                </p>
              )}
              <div className="govuk-radios govuk-radios--small">
                {HOLD_KINDS.map((option) => (
                  <div className="govuk-radios__item" key={option.value}>
                    <input
                      className="govuk-radios__input"
                      id={`hold-kind-${option.value}`}
                      name="hold-kind"
                      type="radio"
                      value={option.value}
                      checked={kind === option.value}
                      onChange={() => setKind(option.value)}
                    />
                    <label className="govuk-label govuk-radios__label" htmlFor={`hold-kind-${option.value}`}>
                      {option.text}
                    </label>
                  </div>
                ))}
              </div>
            </fieldset>
          </div>
          <TextInput id="hold-reference" label="Reference" value={reference} onChange={setReference} error={errorFor(errors, 'hold-reference')} width="20" autoComplete="off" />
          <TextInput id="hold-reason" label="Why must it be kept?" value={reason} onChange={setReason} error={errorFor(errors, 'hold-reason')} autoComplete="off" />
          <div className="govuk-button-group">
            <button type="submit" className="govuk-button" disabled={busy}>
              Place hold
            </button>
            <button type="button" className="govuk-button govuk-button--secondary" onClick={() => setAdding(false)}>
              Cancel
            </button>
          </div>
        </form>
      )}
    </section>
  );
}
