import './forecast.css';
import { useEffect, useMemo, useState } from 'react';
import { Link, useSearchParams } from 'react-router-dom';
import { messageOf } from '../api.ts';
import { useSession } from '../auth/session.tsx';
import { Loading } from '../shell/Loading.tsx';
import { usePageTitle } from '../shell/usePageTitle.ts';
import { loadPatrols } from './api.ts';
import { PatrolAreasTable } from './PatrolAreasTable.tsx';
import { METHOD_LABELS, METHODS, PERIOD_CHOICES, type AreaGeometry, type Method, type PatrolReply, type PeriodKind } from './types.ts';
import { accuracySentence, crimesOf, paiSentence, percent, periodName, periods } from './words.ts';

/** A printable briefing sheet for a shift: the patrol areas, each one's expected share, and how good the forecast has been. */
export default function Briefing() {
  const [params] = useSearchParams();
  const { session } = useSession();
  const [plan, setPlan] = useState<PatrolReply | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [printedAt] = useState(() => new Date());
  usePageTitle('Patrol briefing', error !== null);

  const choice = useMemo(() => {
    const method = params.get('method') ?? 'peel';
    const by = params.get('by') ?? 'month';
    return {
      by: (PERIOD_CHOICES.some((p) => p.value === by) ? by : 'month') as PeriodKind,
      timeZone: params.get('timeZone') ?? undefined,
      type: params.get('type') ?? '',
      method: ((METHODS as readonly string[]).includes(method) ? method : 'peel') as Method,
      areas: Number(params.get('areas') ?? 3),
      maxCells: Number(params.get('maxCells') ?? 12),
      period: params.get('period') ?? undefined,
    };
  }, [params]);

  useEffect(() => {
    const controller = new AbortController();
    loadPatrols(choice, controller.signal).then(
      (r) => !controller.signal.aborted && setPlan(r),
      (caught: unknown) => !controller.signal.aborted && setError(messageOf(caught)),
    );
    return () => controller.abort();
  }, [choice]);

  if (error) {
    return (
      <>
        <h1 className="govuk-heading-l">Patrol briefing</h1>
        <p className="govuk-error-message" role="alert">
          {error}
        </p>
        <p className="govuk-body">
          <Link className="govuk-link" to="/crime">
            Back to the crime map
          </Link>
        </p>
      </>
    );
  }
  if (!plan) return <Loading what="Making the patrol plan" />;

  const who = session?.user.displayName ?? session?.user.username ?? 'unknown';
  return (
    <article className="peel-briefing">
      <div className="peel-briefing__actions peel-no-print">
        <Link className="govuk-back-link" to="/crime">
          Back to the crime map
        </Link>
        <button type="button" className="govuk-button" onClick={() => window.print()}>
          Print this sheet
        </button>
      </div>
      <span className="govuk-caption-l">Patrol briefing · {periodName(plan.window.by, plan.window.period)}</span>
      <h1 className="govuk-heading-l">
        {plan.features.length} patrol {plan.features.length === 1 ? 'area' : 'areas'} for {crimesOf(plan.types)}
      </h1>
      <p className="govuk-body-s" data-testid="briefing-printed">
        Printed {printedAt.toLocaleString('en-GB', { dateStyle: 'full', timeStyle: 'short' })} by {who}. Forecast by {METHOD_LABELS[plan.method as Method] ?? plan.method} from the crimes of {periodName(plan.window.by, plan.window.trainFrom)} to{' '}
        {periodName(plan.window.by, plan.window.trainTo)}.
      </p>

      <div className="peel-briefing__body">
        <AreaMap plan={plan} />
        <div>
          <p className="govuk-body-l">
            Together these areas are expected to hold <strong>{percent(plan.share)}</strong> of {periodName(plan.window.by, plan.window.period)}’s {crimesOf(plan.types)} (they held {percent(plan.recentShare)} of them in the last{' '}
            {periods(plan.window.by, plan.window.trainPeriods)}).
          </p>
          <PatrolAreasTable plan={plan} caption="The areas" withCentre testId="briefing-areas" />
        </div>
      </div>

      <h2 className="govuk-heading-m">How far to trust it</h2>
      <p className="govuk-body" data-testid="briefing-accuracy">
        {accuracySentence(plan.accuracy, plan.types, 0.05)}
      </p>
      <p className="govuk-body">{paiSentence(plan.accuracy, 0.05)}</p>
      <p className="govuk-body-s">
        A forecast says where crime has been most likely, not where it will happen; areas are chosen to cover the most forecast risk with at most {plan.maxCells} joined squares each. Use it beside local
        knowledge and current intelligence.
      </p>
    </article>
  );
}

/** The areas drawn to scale as a small SVG map (prints sharply, needs no tiles). */
function AreaMap({ plan }: { plan: PatrolReply }) {
  const rings = (g: AreaGeometry) => (g.type === 'Polygon' ? g.coordinates : g.coordinates.flat());
  const all = plan.features.flatMap((f) => rings(f.geometry).flat());
  if (all.length === 0) return null;
  const lons = all.map((p) => p[0]!);
  const lats = all.map((p) => p[1]!);
  const midLat = (Math.min(...lats) + Math.max(...lats)) / 2;
  const kx = Math.cos((midLat * Math.PI) / 180);
  const x0 = Math.min(...lons) * kx;
  const y1 = Math.max(...lats);
  const w = Math.max(...lons) * kx - x0 || 0.001;
  const h = y1 - Math.min(...lats) || 0.001;
  const pad = Math.max(w, h) * 0.08;
  const size = 400;
  const scale = size / (Math.max(w, h) + 2 * pad);
  const x = (lon: number) => (lon * kx - x0 + pad) * scale;
  const y = (lat: number) => (y1 - lat + pad) * scale;
  const path = (g: AreaGeometry) => rings(g).map((ring) => `M${ring.map((p) => `${x(p[0]!).toFixed(1)},${y(p[1]!).toFixed(1)}`).join('L')}Z`).join('');
  const metres = 1000;
  const barWidth = (metres / 111_320) * scale;
  return (
    <figure className="peel-briefing__map">
      <svg viewBox={`0 0 ${size} ${(h + 2 * pad) * scale + 24}`} role="img" aria-label={`Map of the ${plan.features.length} patrol areas, numbered as in the table`} data-testid="briefing-map">
        <rect x="0" y="0" width={size} height={(h + 2 * pad) * scale} fill="#f3f2f1" />
        {plan.features.map((f) => (
          <g key={f.properties.area}>
            <path d={path(f.geometry)} fill="#1d70b8" fillOpacity="0.2" stroke="#1d70b8" strokeWidth="2" fillRule="evenodd" />
            <text x={x(f.properties.centre[0]!)} y={y(f.properties.centre[1]!)} textAnchor="middle" dominantBaseline="central" fontSize="16" fontWeight="bold" fill="#0b0c0c">
              {f.properties.area}
            </text>
          </g>
        ))}
        <line x1="8" x2={8 + barWidth} y1={(h + 2 * pad) * scale + 12} y2={(h + 2 * pad) * scale + 12} stroke="#0b0c0c" strokeWidth="2" />
        <text x={12 + barWidth} y={(h + 2 * pad) * scale + 16} fontSize="12" fill="#0b0c0c">
          1 km
        </text>
      </svg>
      <figcaption className="govuk-body-s">North is up. Each area is a block of joined {plan.cellSize} m squares.</figcaption>
    </figure>
  );
}
