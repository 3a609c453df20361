import type { ReactNode, Ref } from 'react';
import { TextInput } from '../shell/forms.tsx';

/** What is wrong with a code typed from an authenticator app, if anything: it is 6 digits, spaces aside. */
export function codeProblem(code: string): string | null {
  const digits = code.replace(/\s/g, '');
  if (!digits) return 'Enter the code from your authenticator app';
  if (!/^\d{6}$/.test(digits)) return 'The code must be 6 digits';
  return null;
}

/** The box for the 6-digit code from an authenticator app, at sign-in and when setting one up. */
export function AuthenticatorCode({
  id,
  hint,
  error,
  value,
  onChange,
  ref,
}: {
  id: string;
  hint?: ReactNode;
  error?: string;
  value: string;
  onChange: (value: string) => void;
  ref?: Ref<HTMLInputElement>;
}) {
  return (
    <TextInput
      id={id}
      label="Code from your authenticator app"
      labelClass="govuk-label--s"
      hint={hint}
      error={error}
      value={value}
      onChange={onChange}
      width="10"
      inputMode="numeric"
      autoComplete="one-time-code"
      spellCheck={false}
      ref={ref}
    />
  );
}
