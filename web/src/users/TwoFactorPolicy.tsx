import { useEffect, useState, type FormEvent } from 'react';
import { api } from '../api.ts';
import { ErrorSummary, SuccessBanner, apiErrors, type FormError } from '../shell/forms.tsx';
import { Loading } from '../shell/Loading.tsx';
import { Cell, ResponsiveTable } from '../shell/Table.tsx';
import type { RolePolicy } from './data.tsx';

/** Which roles must give a TOTP code at sign-in, one checkbox per role, saved together. */
export function TwoFactorPolicy({
  roles,
  loadError,
  onSaved,
}: {
  roles: RolePolicy[] | null;
  loadError: string | null;
  onSaved: (roles: RolePolicy[]) => void;
}) {
  const [required, setRequired] = useState<Record<string, boolean>>({});
  const [errors, setErrors] = useState<FormError[]>([]);
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (roles) setRequired(Object.fromEntries(roles.map((role) => [role.role, role.totpRequired])));
  }, [roles]);

  async function save(event: FormEvent) {
    event.preventDefault();
    if (!roles) return;
    setBusy(true);
    setErrors([]);
    setSaved(false);
    try {
      const changed = roles.filter((role) => required[role.role] !== role.totpRequired);
      const updated = await Promise.all(
        changed.map((role) =>
          api<RolePolicy>(`/api/roles/${encodeURIComponent(role.role)}`, {
            method: 'PUT',
            body: { totpRequired: required[role.role] },
          }),
        ),
      );
      onSaved(roles.map((role) => updated.find((u) => u.role === role.role) ?? role));
      setSaved(true);
    } catch (error) {
      setErrors(apiErrors(error));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section aria-labelledby="two-factor-heading" className="govuk-!-margin-top-8">
      <h2 className="govuk-heading-m" id="two-factor-heading">
        Two-factor policy
      </h2>
      <p className="govuk-body">
        Choose the roles that must enter a code from an authenticator app as well as their password. People in those
        roles are asked to set up the app the next time they sign in. Single sign-on users are checked by their
        organisation instead.
      </p>
      <ErrorSummary errors={errors} />
      {saved && <SuccessBanner>The two-factor policy has been saved.</SuccessBanner>}
      {loadError ? (
        <p className="govuk-body">The roles could not be loaded: {loadError}</p>
      ) : !roles ? (
        <Loading what="Loading roles" />
      ) : (
        <form onSubmit={save} noValidate>
          <ResponsiveTable
            className="peel-policy-table"
            caption="Two-factor policy by role"
            captionClass="govuk-visually-hidden"
            columns={['Role', 'Two-factor authentication']}
          >
            {roles.map((role) => (
              <tr key={role.role} className="govuk-table__row">
                <Cell header label="Role">{role.label}</Cell>
                <Cell>
                  <div className="govuk-checkboxes govuk-checkboxes--small">
                    <div className="govuk-checkboxes__item">
                      <input
                        className="govuk-checkboxes__input"
                        id={`totp-${role.role}`}
                        type="checkbox"
                        checked={required[role.role] ?? false}
                        onChange={(event) => setRequired({ ...required, [role.role]: event.target.checked })}
                      />
                      <label className="govuk-label govuk-checkboxes__label" htmlFor={`totp-${role.role}`}>
                        Require a TOTP code<span className="govuk-visually-hidden"> for {role.label}</span>
                      </label>
                    </div>
                  </div>
                </Cell>
              </tr>
            ))}
          </ResponsiveTable>
          <button type="submit" className="govuk-button" disabled={busy}>
            Save two-factor policy
          </button>
        </form>
      )}
    </section>
  );
}
