/** GOV.UK form components, written for React (the same markup as the Nunjucks macros). */
import { useEffect, useId, useMemo, useRef, useState, type InputHTMLAttributes, type MouseEvent, type ReactNode, type Ref } from 'react';
import { ApiError, messageOf } from '../api.ts';

/** One problem with a form; `field` is the id of the input it belongs to, if any. */
export interface FormError {
  field?: string;
  message: string;
}

export function errorFor(errors: FormError[], field: string): string | undefined {
  return errors.find((error) => error.field === field)?.message;
}

/** Turns a thrown API error into form errors, putting it on a field when its code names one. */
export function apiErrors(error: unknown, fieldForCode: Record<string, string> = {}): FormError[] {
  const field = error instanceof ApiError ? fieldForCode[error.code] : undefined;
  return [{ field, message: messageOf(error) }];
}

/**
 * A form's fields, the problems with its last submission, and whether it is being sent.
 * `set(name)` is the onChange of the field of that name. `send(problems, request, onError)`
 * shows the problems if there are any; otherwise it runs the request, and if that fails
 * shows the error: on the field that `onError` names for the error's code (as apiErrors
 * does), or as the list `onError` returns when it is a function. `initialErrors` are shown
 * before any submission (a reason the server put in the address, say).
 */
export function useForm<F extends object>(initial: F, initialErrors: () => FormError[] = () => []) {
  const [fields, setFields] = useState<F>(initial);
  const [errors, setErrors] = useState<FormError[]>(initialErrors);
  const [busy, setBusy] = useState(false);
  const set = (field: keyof F) => (value: string) => setFields((now) => ({ ...now, [field]: value }));

  async function send(problems: FormError[], request: () => Promise<void>, onError: Record<string, string> | ((error: unknown) => FormError[]) = {}) {
    setErrors(problems);
    if (problems.length > 0) return;
    setBusy(true);
    try {
      await request();
    } catch (error) {
      setErrors(typeof onError === 'function' ? onError(error) : apiErrors(error, onError));
    } finally {
      setBusy(false);
    }
  }

  return { fields, setFields, set, errors, setErrors, busy, send };
}

const NO_ERRORS: FormError[] = [];

/**
 * A page-level message (such as "could not load") as an error list, or else the form's
 * own errors. Memoised, because the summary takes focus whenever it gets a new list.
 */
export function useErrorList(message: string | null | undefined, errors: FormError[] = NO_ERRORS): FormError[] {
  return useMemo(() => (message ? [{ message }] : errors), [message, errors]);
}

/**
 * The GOV.UK error summary. It takes focus whenever it is given a new list (each failed
 * submit) so that screen-reader and keyboard users hear about the errors first; each
 * item links to its field. Pass a list kept in state, not one built while rendering.
 */
export function ErrorSummary({ errors }: { errors: FormError[] }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (errors.length > 0) ref.current?.focus();
  }, [errors]);
  if (errors.length === 0) return null;
  return (
    <div className="govuk-error-summary" ref={ref} tabIndex={-1}>
      <div role="alert">
        <h2 className="govuk-error-summary__title">There is a problem</h2>
        <div className="govuk-error-summary__body">
          <ul className="govuk-list govuk-error-summary__list">
            {errors.map((error, index) => (
              <li key={index}>
                {error.field ? (
                  <a href={`#${error.field}`} onClick={(event) => focusField(event, error.field!)}>
                    {error.message}
                  </a>
                ) : (
                  error.message
                )}
              </li>
            ))}
          </ul>
        </div>
      </div>
    </div>
  );
}

// As govuk-frontend's own script does: focus the input and bring its label into view,
// without changing the URL (a hash would upset the router).
function focusField(event: MouseEvent, id: string) {
  const input = document.getElementById(id);
  if (!input) return;
  event.preventDefault();
  const label = document.querySelector(`label[for="${CSS.escape(id)}"]`) ?? input;
  label.scrollIntoView();
  input.focus({ preventScroll: true });
}

/** The ids of a control's hint and error, if it has them, and of anything else that describes it. */
export function describedBy(id: string, hint?: ReactNode, error?: string, ...more: string[]): string | undefined {
  const ids = [hint ? `${id}-hint` : '', error ? `${id}-error` : '', ...more].filter(Boolean).join(' ');
  return ids || undefined;
}

/** A control's hint; `className` adds the hint class of a radio or checkbox item. */
export function FieldHint({ id, hint, className }: { id: string; hint?: ReactNode; className?: string }) {
  return hint ? (
    <div id={`${id}-hint`} className={`govuk-hint${className ? ` ${className}` : ''}`}>
      {hint}
    </div>
  ) : null;
}

export function FieldError({ id, error }: { id: string; error?: string }) {
  return error ? (
    <p id={`${id}-error`} className="govuk-error-message">
      <span className="govuk-visually-hidden">Error:</span> {error}
    </p>
  ) : null;
}

/**
 * The GOV.UK form group around one control: its label, hint and error message, then the
 * control. `labelClass` sizes the label (govuk-label--s, --m); `labelIsHeading` wraps it
 * in an h2, for a control that heads its part of the page.
 */
export function FormGroup({
  id,
  label,
  labelClass,
  labelIsHeading,
  hint,
  error,
  children,
}: {
  id: string;
  label: ReactNode;
  labelClass?: string;
  labelIsHeading?: boolean;
  hint?: ReactNode;
  error?: string;
  children: ReactNode;
}) {
  const labelElement = (
    <label className={`govuk-label${labelClass ? ` ${labelClass}` : ''}`} htmlFor={id}>
      {label}
    </label>
  );
  return (
    <div className={`govuk-form-group${error ? ' govuk-form-group--error' : ''}`}>
      {labelIsHeading ? <h2 className="govuk-label-wrapper">{labelElement}</h2> : labelElement}
      <FieldHint id={id} hint={hint} />
      <FieldError id={id} error={error} />
      {children}
    </div>
  );
}

type InputProps = Omit<InputHTMLAttributes<HTMLInputElement>, 'id' | 'value' | 'onChange' | 'className'>;

export function TextInput({
  id,
  label,
  hint,
  error,
  value,
  onChange,
  width,
  labelClass,
  ref,
  ...rest
}: InputProps & {
  ref?: Ref<HTMLInputElement>;
  id: string;
  label: ReactNode;
  hint?: ReactNode;
  error?: string;
  value: string;
  onChange: (value: string) => void;
  /** A govuk-input--width-* or govuk-!-width-* class suffix, e.g. "10" or "one-half". */
  width?: string;
  labelClass?: string;
}) {
  const widthClass = width ? (/^\d+$/.test(width) ? ` govuk-input--width-${width}` : ` govuk-!-width-${width}`) : '';
  return (
    <FormGroup id={id} label={label} labelClass={labelClass} hint={hint} error={error}>
      <input
        className={`govuk-input${widthClass}${error ? ' govuk-input--error' : ''}`}
        id={id}
        name={id}
        value={value}
        onChange={(event) => onChange(event.target.value)}
        aria-describedby={describedBy(id, hint, error)}
        ref={ref}
        {...rest}
      />
    </FormGroup>
  );
}

export interface Option {
  value: string;
  text: string;
}

export function SelectInput({
  id,
  label,
  hint,
  error,
  value,
  onChange,
  options,
}: {
  id: string;
  label: ReactNode;
  hint?: ReactNode;
  error?: string;
  value: string;
  onChange: (value: string) => void;
  options: Option[];
}) {
  return (
    <FormGroup id={id} label={label} hint={hint} error={error}>
      <select
        className={`govuk-select${error ? ' govuk-select--error' : ''}`}
        id={id}
        name={id}
        value={value}
        onChange={(event) => onChange(event.target.value)}
        aria-describedby={describedBy(id, hint, error)}
      >
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.text}
          </option>
        ))}
      </select>
    </FormGroup>
  );
}

/** A green "success" notification banner, announced when it appears. */
export function SuccessBanner({ children }: { children: ReactNode }) {
  const titleId = useId();
  return (
    <div className="govuk-notification-banner govuk-notification-banner--success" role="alert" aria-labelledby={titleId}>
      <div className="govuk-notification-banner__header">
        <h2 className="govuk-notification-banner__title" id={titleId}>
          Success
        </h2>
      </div>
      <div className="govuk-notification-banner__content">
        <p className="govuk-notification-banner__heading">{children}</p>
      </div>
    </div>
  );
}

/** A blue "important" notification banner. */
export function ImportantBanner({ title = 'Important', children }: { title?: string; children: ReactNode }) {
  const titleId = useId();
  return (
    <div className="govuk-notification-banner" role="region" aria-labelledby={titleId}>
      <div className="govuk-notification-banner__header">
        <h2 className="govuk-notification-banner__title" id={titleId}>
          {title}
        </h2>
      </div>
      <div className="govuk-notification-banner__content">{children}</div>
    </div>
  );
}
