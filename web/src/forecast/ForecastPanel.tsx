import { useEffect, useId, useMemo, useRef, useState } from 'react';
import { Link } from 'react-router-dom';
import { messageOf } from '../api.ts';
import { ScrollRegion } from '../shell/ScrollRegion.tsx';
import { briefingPath, loadForecast, loadPatrols } from './api.ts';
import { PatrolAreasTable } from './PatrolAreasTable.tsx';
import { DEFAULT_TIME_ZONE, METHOD_LABELS, METHODS, PERIOD_CHOICES, timeZoneChoices, type ForecastChoice, type ForecastReply, type Method, type PatrolReply, type PeriodKind } from './types.ts';
import { accuracySentence, computedWhen, crimesOf, paiSentence, percent, periodName, periods } from './words.ts';

export interface ForecastShown {
  cells: ForecastReply['features'] | null;
  areas: PatrolReply['features'] | null;
}

/** The type the forecast starts on: the map's one chosen type, else Burglary, else the first. */
function startingType(crimeTypes: readonly string[], chosen: readonly string[]): string {
  if (chosen.length === 1) return chosen[0]!;
  return crimeTypes.includes('Burglary') ? 'Burglary' : (crimeTypes[0] ?? '');
}

/**
 * The forecast layer's switch, and when it is on: what to forecast, the accuracy card (the
 * method's backtest beside the naive baselines, in plain words) and the patrol plan. Asks
 * the server for nothing until it is switched on.
 */
export function ForecastPanel({ crimeTypes, chosenTypes, onShow }: { crimeTypes: readonly string[]; chosenTypes: readonly string[]; onShow: (shown: ForecastShown) => void }) {
  const id = useId();
  const [on, setOn] = useState(false);
  const [choice, setChoice] = useState<ForecastChoice>(() => ({ type: startingType(crimeTypes, chosenTypes), method: 'peel', by: 'month' }));
  const zones = useMemo(timeZoneChoices, []);
  const [reply, setReply] = useState<ForecastReply | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [plan, setPlan] = useState<PatrolReply | null>(null);
  /** whether anything has been handed to the map, so that switching off clears it (and the first render does nothing) */
  const shown = useRef(false);

  useEffect(() => {
    if (!on || !choice.type) {
      setReply(null);
      setPlan(null);
      if (shown.current) onShow({ cells: null, areas: null });
      shown.current = false;
      return;
    }
    shown.current = true;
    const controller = new AbortController();
    setLoading(true);
    setError(null);
    setPlan(null);
    loadForecast(choice, controller.signal).then(
      (r) => {
        if (controller.signal.aborted) return;
        setReply(r);
        setLoading(false);
        onShow({ cells: r.features, areas: null });
      },
      (caught: unknown) => {
        if (controller.signal.aborted) return;
        setLoading(false);
        setReply(null);
        setError(messageOf(caught));
        onShow({ cells: null, areas: null });
      },
    );
    return () => controller.abort();
  }, [on, choice, onShow]);

  return (
    <section aria-labelledby={`${id}-heading`} className="peel-forecast">
      <h2 className="govuk-heading-m" id={`${id}-heading`}>
        Forecast
      </h2>
      <div className="govuk-checkboxes govuk-checkboxes--small" data-module="govuk-checkboxes">
        <div className="govuk-checkboxes__item">
          <input className="govuk-checkboxes__input" id={`${id}-on`} type="checkbox" checked={on} onChange={(e) => setOn(e.target.checked)} />
          <label className="govuk-label govuk-checkboxes__label" htmlFor={`${id}-on`}>
            Show next {choice.by}’s forecast hotspots (top 5% and 10% of cells)
          </label>
        </div>
      </div>

      {on && (
        <>
          <div className="govuk-form-group peel-forecast__choice">
            <label className="govuk-label govuk-label--s" htmlFor={`${id}-type`}>
              Crime type
            </label>
            <select className="govuk-select" id={`${id}-type`} value={choice.type} onChange={(e) => setChoice({ ...choice, type: e.target.value })}>
              {crimeTypes.map((t) => (
                <option key={t} value={t}>
                  {t}
                </option>
              ))}
            </select>
          </div>
          <div className="govuk-form-group peel-forecast__choice">
            <label className="govuk-label govuk-label--s" htmlFor={`${id}-method`}>
              Method
            </label>
            <select className="govuk-select" id={`${id}-method`} value={choice.method} onChange={(e) => setChoice({ ...choice, method: e.target.value as Method })}>
              {METHODS.map((m) => (
                <option key={m} value={m}>
                  {METHOD_LABELS[m]}
                </option>
              ))}
            </select>
          </div>

          <div className="govuk-form-group peel-forecast__choice">
            <label className="govuk-label govuk-label--s" htmlFor={`${id}-by`}>
              Forecast by
            </label>
            <select className="govuk-select" id={`${id}-by`} value={choice.by} onChange={(e) => setChoice({ ...choice, by: e.target.value as PeriodKind })}>
              {PERIOD_CHOICES.map((p) => (
                <option key={p.value} value={p.value}>
                  {p.text}
                </option>
              ))}
            </select>
          </div>

          {choice.by !== 'month' && (
            <div className="govuk-form-group peel-forecast__choice">
              <label className="govuk-label govuk-label--s" htmlFor={`${id}-zone`}>
                Time zone
              </label>
              <div className="govuk-hint" id={`${id}-zone-hint`}>
                Whose calendar days and weeks count: the area the records come from
              </div>
              <select className="govuk-select" id={`${id}-zone`} aria-describedby={`${id}-zone-hint`} value={choice.timeZone ?? DEFAULT_TIME_ZONE} onChange={(e) => setChoice({ ...choice, timeZone: e.target.value })}>
                {zones.map((z) => (
                  <option key={z} value={z}>
                    {z.replaceAll('_', ' ')}
                  </option>
                ))}
              </select>
            </div>
          )}

          {loading && (
            <p className="govuk-body peel-updating" role="status">
              Forecasting and checking the forecast against past {choice.by}s… The first time for new data this can take a minute.
            </p>
          )}
          {error && (
            <p className="govuk-error-message" role="alert">
              {error}
            </p>
          )}
          {reply && !loading && <AccuracyCard reply={reply} />}
          {reply && !loading && <PatrolPlanner choice={choice} reply={reply} plan={plan} onPlan={(p) => {
            setPlan(p);
            onShow({ cells: reply.features, areas: p?.features ?? null });
          }} />}
        </>
      )}
    </section>
  );
}

/** What the forecast shows and how good it has been, in plain words. */
export function AccuracyCard({ reply }: { reply: ForecastReply }) {
  const a = reply.accuracy;
  return (
    <div className="peel-forecast-card" data-testid="forecast-accuracy">
      <p className="govuk-body peel-forecast-legend">
        <span className="peel-forecast-swatch peel-forecast-swatch--top5" aria-hidden="true" /> Top 5% of cells{' '}
        <span className="peel-forecast-swatch peel-forecast-swatch--top10" aria-hidden="true" /> next 5% (top 10%)
      </p>
      <p className="govuk-body-s">
        Forecast of {crimesOf(reply.types)} for <strong>{periodName(reply.window.by, reply.window.period)}</strong>, from {periodName(reply.window.by, reply.window.trainFrom)} to {periodName(reply.window.by, reply.window.trainTo)}, on{' '}
        {reply.studyCells.toLocaleString('en-GB')} squares of {reply.cellSize} m.
      </p>
      <h3 className="govuk-heading-s">How accurate has it been?</h3>
      <p className="govuk-body" data-testid="forecast-accuracy-5">
        {accuracySentence(a, reply.types, 0.05)}
      </p>
      <p className="govuk-body" data-testid="forecast-accuracy-10">
        {accuracySentence(a, reply.types, 0.1)}
      </p>
      <p className="govuk-body-s">{paiSentence(a, 0.05)}</p>
      <details className="govuk-details">
        <summary className="govuk-details__summary">
          <span className="govuk-details__summary-text">All the figures</span>
        </summary>
        <div className="govuk-details__text">
          <ScrollRegion label="Backtest figures">
            <table className="govuk-table peel-forecast-table">
              <caption className="govuk-table__caption govuk-table__caption--s">Mean share of each {a.by}’s crimes in the top cells (PAI)</caption>
              <thead className="govuk-table__head">
                <tr className="govuk-table__row">
                  <th scope="col" className="govuk-table__header">Method</th>
                  {[0.01, 0.05, 0.1, 0.2].map((c) => (
                    <th scope="col" className="govuk-table__header govuk-table__header--numeric" key={c}>
                      {Math.round(c * 100)}%
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody className="govuk-table__body">
                {a.methods.map((m) => (
                  <tr className="govuk-table__row" key={m.method}>
                    <th scope="row" className="govuk-table__header">{METHOD_LABELS[m.method as Method] ?? m.method}</th>
                    {m.coverage.map((c) => (
                      <td className="govuk-table__cell govuk-table__cell--numeric" key={c.coverage}>
                        {percent(c.meanHitRate)} ({c.meanPai === null ? '–' : c.meanPai.toFixed(1)})
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </ScrollRegion>
          <p className="govuk-body-s">
            Each {a.by} was forecast from the {periods(a.by, a.trainPeriods)} before it only. Figures computed {computedWhen(a.computedAt)} and kept until new crime data is imported.
          </p>
        </div>
      </details>
    </div>
  );
}

function PatrolPlanner({ choice, reply, plan, onPlan }: { choice: ForecastChoice; reply: ForecastReply; plan: PatrolReply | null; onPlan: (plan: PatrolReply | null) => void }) {
  const id = useId();
  const [areas, setAreas] = useState('3');
  const [maxCells, setMaxCells] = useState('12');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function make(event: React.FormEvent) {
    event.preventDefault();
    const n = Number(areas);
    const m = Number(maxCells);
    if (!(Number.isInteger(n) && n >= 1 && n <= 50)) return setError('Enter a number of areas from 1 to 50.');
    if (!(Number.isInteger(m) && m >= 1 && m <= 100)) return setError('Enter a number of squares per area from 1 to 100.');
    setError(null);
    setBusy(true);
    try {
      onPlan(await loadPatrols({ ...choice, areas: n, maxCells: m, period: reply.window.period }));
    } catch (caught) {
      setError(messageOf(caught));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="peel-forecast-plan" onSubmit={make} noValidate aria-labelledby={`${id}-heading`}>
      <h3 className="govuk-heading-s" id={`${id}-heading`}>
        Patrol plan
      </h3>
      {error && (
        <p className="govuk-error-message" role="alert">
          {error}
        </p>
      )}
      <div className="peel-forecast-plan__inputs">
        <div className="govuk-form-group">
          <label className="govuk-label govuk-label--s" htmlFor={`${id}-areas`}>
            Areas
          </label>
          <input className="govuk-input govuk-input--width-3" id={`${id}-areas`} inputMode="numeric" value={areas} onChange={(e) => setAreas(e.target.value)} />
        </div>
        <div className="govuk-form-group">
          <label className="govuk-label govuk-label--s" htmlFor={`${id}-cells`}>
            Squares per area, at most
          </label>
          <input className="govuk-input govuk-input--width-3" id={`${id}-cells`} inputMode="numeric" value={maxCells} onChange={(e) => setMaxCells(e.target.value)} />
        </div>
      </div>
      <button type="submit" className="govuk-button govuk-button--secondary" disabled={busy}>
        {busy ? 'Planning…' : 'Make a patrol plan'}
      </button>
      {plan && (
        <div data-testid="patrol-plan">
          <p className="govuk-body-s">
            {plan.features.length} {plan.features.length === 1 ? 'area' : 'areas'} of joined {plan.cellSize} m squares, together expected to hold <strong>{percent(plan.share)}</strong> of{' '}
            {periodName(plan.window.by, plan.window.period)}’s {crimesOf(plan.types)}.
          </p>
          <PatrolAreasTable plan={plan} className="peel-forecast-table" />
          <p className="govuk-body">
            <Link className="govuk-link" to={briefingPath({ ...choice, areas: plan.areas, maxCells: plan.maxCells, period: plan.window.period })}>
              Open the briefing sheet to print
            </Link>
          </p>
        </div>
      )}
    </form>
  );
}
