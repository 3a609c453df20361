import { useEffect, useState, type FormEvent } from 'react';
import { api } from '../api.ts';
import { ErrorSummary, SuccessBanner, apiErrors, type FormError } from '../shell/forms.tsx';
import type { Category, Item } from './types.ts';

export function ruleText(category: Category): string {
  // 2192 days is six years with their leap days: say so in years.
  const wholeYears = Math.round(category.days / 365.25);
  const years = wholeYears >= 1 && Math.abs(category.days - wholeYears * 365.25) <= 2 ? `${wholeYears} ${wholeYears === 1 ? 'year' : 'years'}` : `${category.days} days`;
  const mopi = category.mopiGroup ? ` (MoPI group ${category.mopiGroup})` : '';
  return category.action === 'delete' ? `Deleted ${years} after recording${mopi}` : `Kept; reviewed ${years} after recording${mopi}`;
}

/** The item's categories as checkboxes; saving replaces the set, and the retention follows. */
export function CategoriesEditor({ item, categories, onSaved }: { item: Item; categories: Category[] | undefined; onSaved: (item: Item) => void }) {
  const [chosen, setChosen] = useState<string[]>(item.categories);
  const [errors, setErrors] = useState<FormError[]>([]);
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);
  useEffect(() => setChosen(item.categories), [item.categories]);

  const assignable = (categories ?? []).filter((c) => c.assignable || item.categories.includes(c.code));

  function toggle(code: string, on: boolean) {
    setSaved(false);
    setChosen(on ? [...chosen, code] : chosen.filter((c) => c !== code));
  }

  async function save(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setSaved(false);
    try {
      const next = await api<Item>(`/api/evidence/items/${item.id}/categories`, { method: 'POST', body: { categories: chosen } });
      setErrors([]);
      setSaved(true);
      onSaved(next);
    } catch (error) {
      setErrors(apiErrors(error));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form onSubmit={save} noValidate className="peel-evidence-section" aria-labelledby="categories-heading">
      <ErrorSummary errors={errors} />
      {saved && <SuccessBanner>Categories saved. The retention now follows them.</SuccessBanner>}
      <div className="govuk-form-group">
        <fieldset className="govuk-fieldset" aria-describedby="categories-hint">
          <legend className="govuk-fieldset__legend govuk-fieldset__legend--m">
            <h2 className="govuk-fieldset__heading" id="categories-heading">
              Categories
            </h2>
          </legend>
          <div id="categories-hint" className="govuk-hint">
            Select all that apply. Footage with no category, or only “not evidential”, is deleted 31 days after recording. Where several apply,
            the longest retention wins.
          </div>
          {categories === undefined ? (
            <p className="govuk-body">Loading the categories…</p>
          ) : (
            <div className="govuk-checkboxes govuk-checkboxes--small">
              {assignable.map((category) => (
                <div className="govuk-checkboxes__item" key={category.code}>
                  <input
                    className="govuk-checkboxes__input"
                    id={`category-${category.code}`}
                    name="categories"
                    type="checkbox"
                    value={category.code}
                    checked={chosen.includes(category.code)}
                    onChange={(event) => toggle(category.code, event.target.checked)}
                    aria-describedby={`category-${category.code}-hint`}
                  />
                  <label className="govuk-label govuk-checkboxes__label" htmlFor={`category-${category.code}`}>
                    {category.name}
                  </label>
                  <div id={`category-${category.code}-hint`} className="govuk-hint govuk-checkboxes__hint">
                    {ruleText(category)}
                  </div>
                </div>
              ))}
            </div>
          )}
        </fieldset>
      </div>
      <button type="submit" className="govuk-button govuk-button--secondary" disabled={busy}>
        Save categories
      </button>
    </form>
  );
}
