import { memo, useId } from 'react';
import { SelectInput } from '../shell/forms.tsx';
import { monthLabel, monthsBetween } from './query.ts';
import { RESOLUTIONS, type CrimeFilters, type CrimeMeta, type OutcomeCount, type TypeCount } from './types.ts';

/** What each hexagon size covers: H3's average cell area at each resolution. */
const RES_LABELS: Record<number, string> = {
  7: 'Largest – about 5 km² each',
  8: 'Large – about 0.7 km² each',
  9: 'Small – about 0.1 km² each',
  10: 'Smallest – about 0.015 km² each',
};

export const NO_OUTCOME_LABEL = 'No outcome recorded';

/**
 * The filter panel. Every change applies straight away (the page waits for a pause
 * before asking the server), so there is no "apply" button.
 */
export const Filters = memo(function Filters({
  meta,
  filters,
  onChange,
  typeCounts,
  outcomeCounts,
}: {
  meta: CrimeMeta;
  filters: CrimeFilters;
  onChange: (filters: CrimeFilters) => void;
  typeCounts: TypeCount[] | null;
  outcomeCounts: OutcomeCount[] | null;
}) {
  const id = useId();
  const months = meta.firstMonth && meta.lastMonth ? monthsBetween(meta.firstMonth, meta.lastMonth) : [];
  const countOfType = new Map((typeCounts ?? []).map((t) => [t.crimeType, t.count]));
  const countOfOutcome = new Map((outcomeCounts ?? []).map((o) => [o.outcome ?? 'none', o.count]));
  const chosen = new Set(filters.types);

  function toggleType(type: string, on: boolean) {
    const next = meta.crimeTypes.filter((t) => (t === type ? on : chosen.has(t)));
    onChange({ ...filters, types: next });
  }

  function setFrom(from: string) {
    onChange({ ...filters, from, to: filters.to < from ? from : filters.to });
  }
  function setTo(to: string) {
    onChange({ ...filters, to, from: filters.from > to ? to : filters.from });
  }

  const count = (n: number | undefined) => (n === undefined ? '' : ` (${n.toLocaleString('en-GB')})`);
  const outcomes = meta.outcomes.filter((o): o is string => typeof o === 'string' && o !== '');

  return (
    <form className="peel-crime-filters" onSubmit={(event) => event.preventDefault()} aria-labelledby={`${id}-heading`}>
      <h2 className="govuk-heading-m" id={`${id}-heading`}>
        Filters
      </h2>

      <div className="govuk-form-group">
        <fieldset className="govuk-fieldset" aria-describedby={`${id}-types-hint`}>
          <legend className="govuk-fieldset__legend govuk-fieldset__legend--s">Crime types</legend>
          <div id={`${id}-types-hint`} className="govuk-hint">
            {chosen.size === 0 ? 'Showing every type. Tick types to show only those.' : `Showing ${chosen.size} of ${meta.crimeTypes.length} types.`}{' '}
            Numbers are crimes in the months chosen.
          </div>
          <div className="govuk-checkboxes govuk-checkboxes--small peel-type-list">
            {meta.crimeTypes.map((type, index) => (
              <div className="govuk-checkboxes__item" key={type}>
                <input
                  className="govuk-checkboxes__input"
                  id={`${id}-type-${index}`}
                  name="type"
                  type="checkbox"
                  value={type}
                  checked={chosen.has(type)}
                  onChange={(event) => toggleType(type, event.target.checked)}
                />
                <label className="govuk-label govuk-checkboxes__label" htmlFor={`${id}-type-${index}`}>
                  {type}
                  <span className="peel-count">{count(typeCounts ? (countOfType.get(type) ?? 0) : undefined)}</span>
                </label>
              </div>
            ))}
          </div>
          {chosen.size > 0 && (
            <button type="button" className="govuk-button govuk-button--secondary govuk-!-margin-top-3 govuk-!-margin-bottom-0" onClick={() => onChange({ ...filters, types: [] })}>
              Show every type
            </button>
          )}
        </fieldset>
      </div>

      <div className="govuk-form-group">
        <fieldset className="govuk-fieldset">
          <legend className="govuk-fieldset__legend govuk-fieldset__legend--s">Months</legend>
          <div className="peel-month-range">
            <SelectInput
              id={`${id}-from`}
              label="From"
              value={filters.from}
              onChange={setFrom}
              options={months.map((m) => ({ value: m, text: monthLabel(m) }))}
            />
            <SelectInput
              id={`${id}-to`}
              label="To"
              value={filters.to}
              onChange={setTo}
              options={months.map((m) => ({ value: m, text: monthLabel(m) }))}
            />
          </div>
        </fieldset>
      </div>

      <SelectInput
        id={`${id}-outcome`}
        label="Outcome"
        value={filters.outcome}
        onChange={(outcome) => onChange({ ...filters, outcome })}
        options={[
          { value: '', text: 'Any outcome' },
          { value: 'none', text: `${NO_OUTCOME_LABEL}${count(outcomeCounts ? (countOfOutcome.get('none') ?? 0) : undefined)}` },
          ...outcomes.map((o) => ({ value: o, text: `${o}${count(outcomeCounts ? (countOfOutcome.get(o) ?? 0) : undefined)}` })),
        ]}
      />

      <SelectInput
        id={`${id}-res`}
        label="Hexagon size"
        value={String(filters.res)}
        onChange={(res) => onChange({ ...filters, res: Number(res) })}
        options={RESOLUTIONS.map((r) => ({ value: String(r), text: RES_LABELS[r] ?? `Resolution ${r}` }))}
      />
    </form>
  );
});
