import { useState, type FormEvent } from 'react';
import { api } from '../api.ts';
import { formatDateTime } from '../format.ts';
import { ErrorSummary, SelectInput, SuccessBanner, TextInput, apiErrors, errorFor, useErrorList, useForm, type FormError } from '../shell/forms.tsx';
import { Cell, ResponsiveTable } from '../shell/Table.tsx';
import { Loading } from '../shell/Loading.tsx';
import { ScrollRegion } from '../shell/ScrollRegion.tsx';
import { usePageTitle } from '../shell/usePageTitle.ts';
import { ruleText } from './CategoriesEditor.tsx';
import { useApi, useCategories } from './data.ts';
import type { Category, TeamMember } from './types.ts';

interface CategoryFields {
  code: string;
  name: string;
  description: string;
  action: 'delete' | 'review';
  days: string;
  mopiGroup: string;
}

const EMPTY: CategoryFields = { code: '', name: '', description: '', action: 'review', days: '', mopiGroup: '' };

function fieldsOf(category: Category): CategoryFields {
  return {
    code: category.code,
    name: category.name,
    description: category.description ?? '',
    action: category.action,
    days: String(category.days),
    mopiGroup: category.mopiGroup === null ? '' : String(category.mopiGroup),
  };
}

function validate(fields: CategoryFields, isNew: boolean): FormError[] {
  const errors: FormError[] = [];
  if (isNew && !/^[a-z0-9]+(?:-[a-z0-9]+)*$/.test(fields.code)) {
    errors.push({ field: 'category-code', message: 'Enter a code of small letters, numbers and hyphens, such as public-order' });
  }
  if (!fields.name.trim()) errors.push({ field: 'category-name', message: 'Enter the category’s name' });
  if (!/^\d+$/.test(fields.days.trim()) || Number(fields.days) < 1 || Number(fields.days) > 36_500) {
    errors.push({ field: 'category-days', message: 'Enter the number of days, from 1 to 36,500' });
  }
  return errors;
}

/** Administrators edit the categories and their retention rules; each change is audited. */
export default function CategoriesAdmin() {
  const categories = useCategories();
  const [editing, setEditing] = useState<string | null>(null);
  const { fields, setFields, set, errors, setErrors, busy, send } = useForm<CategoryFields>(EMPTY);
  const [notice, setNotice] = useState<string | null>(null);
  const summary = useErrorList(categories.error, errors);
  usePageTitle('Evidence categories and retention', summary.length > 0);
  const isNew = editing === '';

  function start(category: Category | null) {
    setEditing(category ? category.code : '');
    setFields(category ? fieldsOf(category) : EMPTY);
    setErrors([]);
    setNotice(null);
  }

  async function save(event: FormEvent) {
    event.preventDefault();
    const body = {
      name: fields.name.trim(),
      description: fields.description.trim() || null,
      action: fields.action,
      days: Number(fields.days),
      mopiGroup: fields.mopiGroup ? Number(fields.mopiGroup) : null,
    };
    await send(
      validate(fields, isNew),
      async () => {
        const saved = isNew
          ? await api<Category>('/api/evidence/categories', { method: 'POST', body: { code: fields.code, ...body } })
          : await api<Category>(`/api/evidence/categories/${encodeURIComponent(editing ?? '')}`, { method: 'PUT', body });
        setNotice(`${saved.name}: ${ruleText(saved).toLowerCase()}. The change is in the audit log.`);
        setEditing(null);
        categories.reload();
      },
      { invalid_request: 'category-name' },
    );
  }

  return (
    <>
      <ErrorSummary errors={summary} />
      {notice && <SuccessBanner>{notice}</SuccessBanner>}
      <span className="govuk-caption-l">Evidence</span>
      <h1 className="govuk-heading-l">Categories and retention</h1>
      <p className="govuk-body">
        Each category says how long footage in it is kept. Footage with several categories is kept under the longest rule; footage under a legal
        hold is never deleted. “Uncategorised” is the rule for footage nobody has categorised.
      </p>
      {!categories.data ? (
        categories.loading && <Loading what="Loading the categories" />
      ) : (
        <ScrollRegion label="Categories">
          <ResponsiveTable data-testid="evidence-categories" columns={['Category', 'Rule', 'Last changed', { text: 'Action', hidden: true }]}>
            {categories.data.categories.map((category) => (
              <tr className="govuk-table__row" key={category.code}>
                <Cell label="Category">
                  <strong>{category.name}</strong>
                  <span className="govuk-body-s peel-block">
                    <code>{category.code}</code>
                    {category.assignable ? '' : ' (applies by itself)'}
                  </span>
                  {category.description && <span className="govuk-body-s peel-block">{category.description}</span>}
                </Cell>
                <Cell label="Rule">{ruleText(category)}</Cell>
                <Cell label="Last changed">{formatDateTime(category.updatedAt, 'Never')}</Cell>
                <Cell>
                  <button type="button" className="govuk-button govuk-button--secondary govuk-!-margin-bottom-0" onClick={() => start(category)}>
                    Change<span className="govuk-visually-hidden"> {category.name}</span>
                  </button>
                </Cell>
              </tr>
            ))}
          </ResponsiveTable>
        </ScrollRegion>
      )}
      {editing === null ? (
        <button type="button" className="govuk-button" onClick={() => start(null)}>
          Add a category
        </button>
      ) : (
        <form onSubmit={save} noValidate className="peel-evidence-section">
          <h2 className="govuk-heading-m">{isNew ? 'Add a category' : `Change ${fields.name || editing}`}</h2>
          {isNew && (
            <TextInput
              id="category-code"
              label="Code"
              hint="Used by the API and the command line; it cannot be changed later"
              value={fields.code}
              onChange={set('code')}
              error={errorFor(errors, 'category-code')}
              width="20"
              autoComplete="off"
              spellCheck={false}
            />
          )}
          <TextInput id="category-name" label="Name" value={fields.name} onChange={set('name')} error={errorFor(errors, 'category-name')} autoComplete="off" />
          <TextInput id="category-description" label="Description (optional)" value={fields.description} onChange={set('description')} autoComplete="off" />
          <SelectInput
            id="category-action"
            label="When the time is up"
            value={fields.action}
            onChange={(value) => set('action')(value === 'delete' ? 'delete' : 'review')}
            options={[
              { value: 'review', text: 'Keep it and review it' },
              { value: 'delete', text: 'Delete it' },
            ]}
          />
          <TextInput
            id="category-days"
            label="Days after recording"
            hint="For example 31 for unwanted footage, 2190 for six years"
            value={fields.days}
            onChange={set('days')}
            error={errorFor(errors, 'category-days')}
            inputMode="numeric"
            width="5"
          />
          <SelectInput
            id="category-mopi"
            label="Management of Police Information group (optional)"
            value={fields.mopiGroup}
            onChange={set('mopiGroup')}
            options={[
              { value: '', text: 'None' },
              { value: '1', text: 'Group 1: certain public protection matters' },
              { value: '2', text: 'Group 2: other sexual, violent or serious offences' },
              { value: '3', text: 'Group 3: all other offences' },
            ]}
          />
          <div className="govuk-button-group">
            <button type="submit" className="govuk-button" disabled={busy}>
              Save
            </button>
            <button type="button" className="govuk-button govuk-button--secondary" onClick={() => setEditing(null)}>
              Cancel
            </button>
          </div>
        </form>
      )}
      <Teams />
    </>
  );
}

/** Teams, for the supervisors' worklists and the categorisation figures. */
function Teams() {
  const members = useApi<{ members: TeamMember[] }>('/api/evidence/teams');
  const [drafts, setDrafts] = useState<Record<number, string>>({});
  const [errors, setErrors] = useState<FormError[]>([]);
  const [saved, setSaved] = useState<string | null>(null);
  const summary = useErrorList(members.error, errors);

  async function save(member: TeamMember) {
    const team = (drafts[member.userId] ?? member.team ?? '').trim();
    try {
      await api(`/api/evidence/teams/${member.userId}`, { method: 'PUT', body: { team: team || null } });
      setErrors([]);
      setSaved(`${member.username} is ${team ? `in ${team}` : 'in no team'}.`);
      members.reload();
    } catch (error) {
      setErrors(apiErrors(error));
    }
  }

  return (
    <section className="peel-evidence-section" aria-labelledby="teams-heading">
      <h2 className="govuk-heading-m" id="teams-heading">
        Teams
      </h2>
      <ErrorSummary errors={summary} />
      {saved && (
        <p className="govuk-body" role="status">
          {saved}
        </p>
      )}
      <p className="govuk-body">A supervisor sees the uncategorised footage of everyone in their team.</p>
      {members.data && (
        <ResponsiveTable columns={['User', 'Team', { text: 'Action', hidden: true }]}>
          {members.data.members.map((member) => (
            <tr className="govuk-table__row" key={member.userId}>
              <Cell label="User">{member.username}</Cell>
              <Cell label="Team">
                <label className="govuk-visually-hidden" htmlFor={`team-${member.userId}`}>
                  Team of {member.username}
                </label>
                <input
                  className="govuk-input govuk-input--width-20"
                  id={`team-${member.userId}`}
                  value={drafts[member.userId] ?? member.team ?? ''}
                  onChange={(event) => setDrafts({ ...drafts, [member.userId]: event.target.value })}
                  autoComplete="off"
                />
              </Cell>
              <Cell>
                <button type="button" className="govuk-button govuk-button--secondary govuk-!-margin-bottom-0" onClick={() => void save(member)}>
                  Save<span className="govuk-visually-hidden"> team of {member.username}</span>
                </button>
              </Cell>
            </tr>
          ))}
        </ResponsiveTable>
      )}
    </section>
  );
}
