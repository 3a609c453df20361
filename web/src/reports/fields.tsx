/** GOV.UK radios, checkboxes and textarea for the report pages (the markup of the Nunjucks macros). */
import type { ReactNode } from 'react';
import { FieldError, FieldHint, FormGroup, describedBy } from '../shell/forms.tsx';

export interface RadioOption {
  value: string;
  text: ReactNode;
  hint?: ReactNode;
  /** shown under the option while it is chosen (GOV.UK "conditional reveal") */
  reveal?: ReactNode;
}

export function Radios({
  id,
  legend,
  hint,
  error,
  value,
  onChange,
  options,
  small,
  inline,
}: {
  id: string;
  legend: ReactNode;
  hint?: ReactNode;
  error?: string;
  value: string;
  onChange: (value: string) => void;
  options: RadioOption[];
  small?: boolean;
  inline?: boolean;
}) {
  return (
    <div className={`govuk-form-group${error ? ' govuk-form-group--error' : ''}`}>
      <fieldset className="govuk-fieldset" aria-describedby={describedBy(id, hint, error)}>
        <legend className="govuk-fieldset__legend govuk-fieldset__legend--s">{legend}</legend>
        <FieldHint id={id} hint={hint} />
        <FieldError id={id} error={error} />
        <div className={`govuk-radios${small ? ' govuk-radios--small' : ''}${inline ? ' govuk-radios--inline' : ''}`}>
          {options.map((option, index) => {
            const optionId = index === 0 ? id : `${id}-${index + 1}`;
            const checked = value === option.value;
            return (
              <div key={option.value}>
                <div className="govuk-radios__item">
                  <input
                    className="govuk-radios__input"
                    id={optionId}
                    name={id}
                    type="radio"
                    value={option.value}
                    checked={checked}
                    onChange={() => onChange(option.value)}
                    aria-describedby={describedBy(`${optionId}-item`, option.hint)}
                  />
                  <label className="govuk-label govuk-radios__label" htmlFor={optionId}>
                    {option.text}
                  </label>
                  {/* "-item-hint", as GOV.UK names it: the first option's id is the group's, whose hint is "-hint" */}
                  <FieldHint id={`${optionId}-item`} hint={option.hint} className="govuk-radios__hint" />
                </div>
                {option.reveal && checked && <div className="govuk-radios__conditional">{option.reveal}</div>}
              </div>
            );
          })}
        </div>
      </fieldset>
    </div>
  );
}

export function Checkbox({ id, label, hint, checked, onChange }: { id: string; label: ReactNode; hint?: ReactNode; checked: boolean; onChange: (checked: boolean) => void }) {
  return (
    <div className="govuk-form-group">
      <div className="govuk-checkboxes govuk-checkboxes--small">
        <div className="govuk-checkboxes__item">
          <input
            className="govuk-checkboxes__input"
            id={id}
            name={id}
            type="checkbox"
            checked={checked}
            onChange={(event) => onChange(event.target.checked)}
            aria-describedby={describedBy(id, hint)}
          />
          <label className="govuk-label govuk-checkboxes__label" htmlFor={id}>
            {label}
          </label>
          <FieldHint id={id} hint={hint} className="govuk-checkboxes__hint" />
        </div>
      </div>
    </div>
  );
}

/** A textarea with GOV.UK's character count (the count is worked out here rather than by their script). */
export function Textarea({
  id,
  label,
  hint,
  error,
  value,
  onChange,
  maxLength,
  rows = 5,
}: {
  id: string;
  label: ReactNode;
  hint?: ReactNode;
  error?: string;
  value: string;
  onChange: (value: string) => void;
  maxLength: number;
  rows?: number;
}) {
  const left = maxLength - value.length;
  return (
    <div className="govuk-form-group govuk-character-count">
      <FormGroup id={id} label={label} labelClass="govuk-label--s" hint={hint} error={error}>
        <textarea
          className={`govuk-textarea govuk-js-character-count${error || left < 0 ? ' govuk-textarea--error' : ''}`}
          id={id}
          name={id}
          rows={rows}
          value={value}
          onChange={(event) => onChange(event.target.value)}
          aria-describedby={describedBy(id, hint, error, `${id}-info`)}
        />
      </FormGroup>
      <div id={`${id}-info`} className={`govuk-hint govuk-character-count__message${left < 0 ? ' govuk-error-message' : ''}`} aria-live="polite">
        {left >= 0 ? `You have ${left.toLocaleString('en-GB')} characters remaining` : `You have ${(-left).toLocaleString('en-GB')} characters too many`}
      </div>
    </div>
  );
}
