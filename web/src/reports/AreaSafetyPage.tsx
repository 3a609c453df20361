import './reports.css';
import { Suspense, lazy, useEffect, useMemo, useState } from 'react';
import { Link } from 'react-router-dom';
import { api, messageOf, queryString } from '../api.ts';
import { formatDate } from '../format.ts';
import { SelectInput } from '../shell/forms.tsx';
import { Loading } from '../shell/Loading.tsx';
import { usePageTitle } from '../shell/usePageTitle.ts';
import { areaKey, areaName, type AreaSafety, type Period, type SafetyLevel } from './area-safety-types.ts';
import { EmergencyBanner } from './EmergencyBanner.tsx';
import { useMapStyle } from './useMapStyle.ts';

const SafetyMap = lazy(() => import('./SafetyMap.tsx'));

const LEVEL_TEXT: Record<SafetyLevel, string> = {
  higher: 'More known crime than the typical area',
  typical: 'About typical',
  lower: 'Less known crime than the typical area',
};

/** Rows in the table: the busiest first; the map shows them all. */
const TABLE_ROWS = 50;

/**
 * Areas likely safer or more dangerous: hexagons coloured by how much crime the police
 * know of there against the typical area's, from recorded crime and recent reports. The public
 * version (no account) has counts and levels only; the staff version adds the inputs and
 * the score. Both explain the method, and neither shows any cell with fewer events than
 * the suppression minimum.
 */
export default function AreaSafetyPage({ audience }: { audience: 'public' | 'staff' }) {
  const staff = audience === 'staff';
  const styleUrl = useMapStyle();
  usePageTitle(staff ? 'Area safety' : 'Crime in your area');
  /** '7', '8' or '9' for H3 cells of that resolution, 'lsoa' for neighbourhoods */
  const [res, setRes] = useState('8');
  const [months, setMonths] = useState('3');
  const [days, setDays] = useState('90');
  const [data, setData] = useState<AreaSafety | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [selected, setSelected] = useState<string | null>(null);

  useEffect(() => {
    const controller = new AbortController();
    setError(null);
    const path = staff ? '/api/reports/area-safety' : '/api/public/area-safety';
    const areas = res === 'lsoa' ? { by: 'lsoa' } : { by: 'cell', res };
    api<AreaSafety>(`${path}${queryString({ ...areas, months, days })}`, { signal: controller.signal, signedOutIsFine: !staff })
      .then(setData)
      .catch((e: unknown) => {
        if (!controller.signal.aborted) setError(messageOf(e));
      });
    return () => controller.abort();
  }, [staff, res, months, days]);

  const rows = useMemo(() => [...(data?.features ?? [])].sort((a, b) => b.properties.count - a.properties.count), [data]);
  const chosen = rows.find((f) => areaKey(f) === selected);
  const counts = { higher: 0, typical: 0, lower: 0 };
  for (const f of rows) counts[f.properties.level]++;

  return (
    <div className={staff ? '' : 'peel-report'}>
      {!staff && <EmergencyBanner />}
      <h1 className="govuk-heading-l">{staff ? 'Area safety' : 'Crime in your area'}</h1>
      <p className="govuk-body">
        {res === 'lsoa'
          ? 'Each area is a neighbourhood of about 1,500 residents (a lower layer super output area).'
          : `Each hexagon is an area about ${res === '7' ? '5' : res === '8' ? '0.7' : '0.1'} square kilometres.`}{' '}
        Its colour compares how much crime the police know of there with the typical area on the map: recorded crime, and reports from the public.
      </p>
      <div className="peel-control__filters">
        <SelectInput
          id="res"
          label="Areas"
          value={res}
          onChange={setRes}
          options={[
            { value: '7', text: 'Large hexagons (about 5 km²)' },
            { value: '8', text: 'Medium hexagons (about 0.7 km²)' },
            { value: '9', text: 'Small hexagons (about 0.1 km²)' },
            { value: 'lsoa', text: 'Neighbourhoods (LSOAs)' },
          ]}
        />
        <SelectInput id="months" label="Recorded crime" value={months} onChange={setMonths} options={[1, 3, 6, 12].map((m) => ({ value: String(m), text: m === 1 ? 'Latest month' : `Latest ${m} months` }))} />
        <SelectInput id="days" label="Reports from the public" value={days} onChange={setDays} options={[7, 30, 90, 365].map((d) => ({ value: String(d), text: `Last ${d} days` }))} />
      </div>
      {error && <p className="govuk-error-message">The map could not be loaded. {error}</p>}
      {!data && !error && <Loading what="Loading area safety" />}
      {data && (
        <>
          <p className="govuk-body" role="status" data-testid="safety-summary">
            {rows.length} areas shown: {counts.higher} with more known crime than the typical area, {counts.typical} about typical, {counts.lower} with less. Areas with fewer
            than {data.suppressBelow} events are not shown
            {staff && data.suppressedAreas !== undefined ? ` (${data.suppressedAreas} left out)` : ''}, so that no one can be picked out.
          </p>
          <ul className="peel-safety__key" aria-label="Key">
            {(Object.keys(LEVEL_TEXT) as SafetyLevel[]).map((level) => (
              <li key={level} className="govuk-body-s">
                <span className={`peel-safety__swatch peel-safety__swatch--${level}`} />
                {LEVEL_TEXT[level]}
              </li>
            ))}
          </ul>
        </>
      )}
      <Suspense fallback={<Loading what="Loading the map" />}>
        {styleUrl === undefined ? <Loading what="Loading the map" /> : <SafetyMap data={data} selected={selected} styleUrl={styleUrl} onSelect={setSelected} />}
      </Suspense>
      {chosen && (
        <div className="govuk-inset-text" role="status">
          {areaName(chosen)}: {chosen.properties.count} events, {LEVEL_TEXT[chosen.properties.level].toLowerCase()}
          {staff && chosen.properties.crimes !== undefined
            ? ` (${chosen.properties.crimes} recorded crimes, ${chosen.properties.reports} reports; ${chosen.properties.rate} a month; score ${chosen.properties.score})`
            : ''}
          .
        </div>
      )}

      {data && (
        <>
          <h2 className="govuk-heading-m govuk-!-margin-top-6">How this is worked out</h2>
          <ul className="govuk-list govuk-list--bullet">
            <li>
              Recorded crime: {data.crimePeriod ? periodText(data.crimePeriod) : 'none available yet'} (crime data is published a month or two late).
            </li>
            <li>
              Reports from the public: {periodText(data.reportPeriod)}, those with a location, not held for checking and not duplicates.
            </li>
            <li>Each area's events a month are compared with the typical area's: the middle one of the areas shown (half have more, half less). At least half as much again is "more", at most two thirds of it is "less".</li>
            <li>
              Areas with fewer than {data.suppressBelow} events in all are left out. With the smallest areas, most quiet ones are left out for this reason, so few or
              none show as "less".
            </li>
            {staff && data.average !== undefined && <li>Typical area (median of those shown): {data.average} events a month.</li>}
            <li>This shows where the police know of more crime, not how likely harm is to any one person. Where people report less, an area looks safer than it is.</li>
          </ul>
          <details className="govuk-details">
            <summary className="govuk-details__summary">
              <span className="govuk-details__summary-text">The exact calculation</span>
            </summary>
            <div className="govuk-details__text peel-report__text">{data.method}</div>
          </details>

          <h2 className="govuk-heading-m">The {Math.min(TABLE_ROWS, rows.length)} areas with the most events</h2>
          <div className="peel-scroll">
            <table className="govuk-table" data-testid="safety-table">
              <thead className="govuk-table__head">
                <tr className="govuk-table__row">
                  <th scope="col" className="govuk-table__header">
                    {res === 'lsoa' ? 'Neighbourhood' : 'Area (H3 cell)'}
                  </th>
                  <th scope="col" className="govuk-table__header govuk-table__header--numeric">
                    Events
                  </th>
                  {staff && (
                    <>
                      <th scope="col" className="govuk-table__header govuk-table__header--numeric">
                        Crimes
                      </th>
                      <th scope="col" className="govuk-table__header govuk-table__header--numeric">
                        Reports
                      </th>
                      <th scope="col" className="govuk-table__header govuk-table__header--numeric">
                        A month
                      </th>
                      <th scope="col" className="govuk-table__header govuk-table__header--numeric">
                        Score
                      </th>
                    </>
                  )}
                  <th scope="col" className="govuk-table__header">
                    Level
                  </th>
                </tr>
              </thead>
              <tbody className="govuk-table__body">
                {rows.slice(0, TABLE_ROWS).map((f) => (
                  <tr key={areaKey(f)} className="govuk-table__row" data-count={f.properties.count} aria-selected={areaKey(f) === selected || undefined}>
                    <td className="govuk-table__cell">
                      <button type="button" className="peel-link-button govuk-link" onClick={() => setSelected(areaKey(f))}>
                        {areaName(f)}
                      </button>
                    </td>
                    <td className="govuk-table__cell govuk-table__cell--numeric">{f.properties.count}</td>
                    {staff && (
                      <>
                        <td className="govuk-table__cell govuk-table__cell--numeric">{f.properties.crimes}</td>
                        <td className="govuk-table__cell govuk-table__cell--numeric">{f.properties.reports}</td>
                        <td className="govuk-table__cell govuk-table__cell--numeric">{f.properties.rate}</td>
                        <td className="govuk-table__cell govuk-table__cell--numeric">{f.properties.score}</td>
                      </>
                    )}
                    <td className="govuk-table__cell">{LEVEL_TEXT[f.properties.level]}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
      {!staff && (
        <p className="govuk-body">
          <Link className="govuk-link" to="/report">
            Report something to the police
          </Link>
        </p>
      )}
    </div>
  );
}

/** "Aug 2022 to Oct 2022" for months, "26 Aug 2026 to 24 Nov 2026" for days. */
function periodText(period: Period): string {
  const one = (value: string) => {
    if (!/^\d{4}-\d{2}$/.test(value)) return formatDate(value);
    const [year, month] = value.split('-');
    return `${new Date(Date.UTC(Number(year), Number(month) - 1, 1)).toLocaleString('en-GB', { month: 'short', timeZone: 'UTC' })} ${year}`;
  };
  return `${one(period.from)} to ${one(period.to)}`;
}
