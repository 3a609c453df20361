import './crime-map.css';
import { Suspense, lazy, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import { ForecastPanel, type ForecastShown } from '../forecast/ForecastPanel.tsx';
import '../forecast/forecast.css';
import { ErrorSummary, useErrorList } from '../shell/forms.tsx';
import { Loading } from '../shell/Loading.tsx';
import { usePageTitle } from '../shell/usePageTitle.ts';
import { CellPanel } from './CellPanel.tsx';
import { crimeUrls, prefetchDefaultView, useCrimeData, useCrimeMeta, useDebounced } from './data.ts';
import { Filters } from './Filters.tsx';
import { Hotspots, periodLabel } from './Hotspots.tsx';
import type { ZoomRequest } from './MapView.tsx';
import { filtersFromSearch, sameFilters, searchFromFilters, withParams } from './query.ts';
import { bandLabel, bandsFor, type Band } from './scale.ts';
import { TimeChart } from './TimeChart.tsx';
import type { CrimeFilters, CrimeMeta } from './types.ts';

// Opening the page with no filters in its address (the usual way): ask for its data now.
if (window.location.pathname === '/crime' && !window.location.search) prefetchDefaultView();

// MapLibre is most of the page's code. Start loading it now, beside the page's first
// requests, rather than after them.
const mapModule = import('./MapView.tsx');
const MapView = lazy(() => mapModule.then((m) => ({ default: m.MapView })));

/** How long the filters must stay still before the page asks the server. */
const DEBOUNCE_MS = 200;

/** The allocation map: where crime is, how much, what kind, and how it is changing. */
export default function CrimeMap() {
  const { meta, error } = useCrimeMeta();
  const summary = useErrorList(error);
  usePageTitle('Crime map', error !== null);
  useWidePage();

  if (error) {
    return (
      <div className="peel-crime-message">
        <ErrorSummary errors={summary} />
        <h1 className="govuk-heading-l">Crime map</h1>
      </div>
    );
  }
  if (meta && (!meta.lastMonth || meta.total === 0)) {
    return (
      <div className="peel-crime-message">
        <h1 className="govuk-heading-l">Crime map</h1>
        <p className="govuk-body">
          There are no crime records yet. An administrator can import data.police.uk files with <code>peel import police-uk</code>.
        </p>
      </div>
    );
  }
  // The map starts before the page knows what data there is: it is the slowest part to get going.
  return <CrimeMapPage meta={meta} />;
}

/** The map reaches the edges of the window: the page drops the usual width limit while it is shown. */
function useWidePage() {
  useEffect(() => {
    document.body.classList.add('peel-wide-page');
    return () => document.body.classList.remove('peel-wide-page');
  }, []);
}

/**
 * Sets --peel-crime-top to the page's distance from the top of the document, so the map
 * can fill the rest of the window; measured again whenever anything above it changes size
 * (the window, the menu opening, fonts arriving).
 */
function useFillWindow() {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = ref.current;
    if (!element) return;
    const measure = () => {
      const top = `${Math.round(element.getBoundingClientRect().top + window.scrollY)}px`;
      if (element.style.getPropertyValue('--peel-crime-top') !== top) element.style.setProperty('--peel-crime-top', top);
    };
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(document.body);
    window.addEventListener('resize', measure);
    void document.fonts?.ready.then(measure);
    return () => {
      observer.disconnect();
      window.removeEventListener('resize', measure);
    };
  }, []);
  return ref;
}

function CrimeMapPage({ meta }: { meta: CrimeMeta | null }) {
  const [searchParams, setSearchParams] = useSearchParams();
  // The filters in the address when the page opened, checked against the data; then the analyst's choices.
  const opening = useMemo(() => (meta ? filtersFromSearch(searchParams, meta) : null), [meta]);
  const [chosen, setChosen] = useState<CrimeFilters | null>(null);
  const filters = chosen ?? opening;
  const applied = useDebounced(filters, DEBOUNCE_MS, sameFilters);
  const data = useCrimeData(applied, meta?.defaultPeriod);
  const [selected, setSelected] = useState<string | null>(null);
  const [zoom, setZoom] = useState<ZoomRequest | null>(null);
  const panelHeading = useRef<HTMLHeadingElement>(null);
  const returnFocus = useRef<HTMLElement | null>(null);
  const focusPanel = useRef(false);
  const layout = useFillWindow();
  const [forecast, setForecast] = useState<ForecastShown>({ cells: null, areas: null });

  // Keep the address in step with the filters, so the view can be bookmarked and shared.
  useEffect(() => {
    if (!applied || !meta) return;
    const next = searchFromFilters(applied, meta);
    if (next.toString() !== new URLSearchParams(window.location.search).toString()) setSearchParams(next, { replace: true });
  }, [applied, meta, setSearchParams]);

  // A hexagon of another size is not on the map any more.
  const res = applied?.res;
  useEffect(() => {
    setSelected(null);
  }, [res]);

  useEffect(() => {
    if (selected && focusPanel.current) {
      focusPanel.current = false;
      panelHeading.current?.focus();
    }
  }, [selected]);

  const select = useCallback((cell: string, from?: HTMLElement) => {
    returnFocus.current = from ?? null;
    focusPanel.current = true;
    setSelected(cell);
  }, []);

  const chooseHotspot = useCallback(
    (cell: string, button: HTMLElement) => {
      select(cell, button);
      setZoom((z) => ({ cell, n: (z?.n ?? 0) + 1 }));
    },
    [select],
  );

  const closePanel = useCallback(() => {
    setSelected(null);
    const target = returnFocus.current?.isConnected ? returnFocus.current : document.querySelector<HTMLElement>('.peel-crime__map canvas');
    target?.focus();
  }, []);

  const bands = useMemo(() => bandsFor(data.hexes?.features.map((f) => f.properties.count) ?? []), [data.hexes]);
  const hexCount = data.hexes?.features.length ?? 0;
  const total = data.hexes?.total ?? null;
  const unlocated = data.hexes?.unlocated ?? 0;

  return (
    <div className="peel-crime" ref={layout}>
      <div className="peel-crime__bar">
        <h1 className="govuk-heading-l peel-crime__title">Crime map</h1>
        <p className="govuk-body peel-crime__summary" role="status" id="crime-map-summary">
          {total === null || !data.hexes ? (
            'Loading crimes…'
          ) : (
            <>
              <strong>{total.toLocaleString('en-GB')}</strong> {total === 1 ? 'crime' : 'crimes'}, {periodLabel(data.hexes.period)}, in{' '}
              {hexCount.toLocaleString('en-GB')} {hexCount === 1 ? 'hexagon' : 'hexagons'}.
              {unlocated > 0 && ` ${unlocated.toLocaleString('en-GB')} with no location are not on the map.`} The hotspots table lists the
              busiest hexagons.
            </>
          )}
          {data.updating && total !== null && <span className="peel-updating"> Updating…</span>}
        </p>
        {data.errors.length > 0 && (
          <p className="govuk-error-message peel-crime__error" role="alert">
            {[...new Set(data.errors)].join(' ')}
          </p>
        )}
      </div>

      <div className="peel-crime__map-area" aria-busy={data.updating}>
        <Suspense fallback={<div className="peel-crime__map" />}>
          <MapView
            hexes={data.hexes}
            bands={bands}
            selected={selected}
            zoom={zoom}
            styleUrl={meta ? meta.mapStyleUrl : undefined}
            lsoaUrl={meta?.hasLsoaBoundaries ? '/api/crime/lsoas?format=geojson' : null}
            onSelect={select}
            describedBy="crime-map-summary"
            forecastCells={forecast.cells}
            patrolAreas={forecast.areas}
          />
        </Suspense>
        <Legend bands={bands} />
      </div>

      <div className="peel-crime__side">
        {selected && applied && <CellPanel cell={selected} filters={applied} onClose={closePanel} headingRef={panelHeading} />}
        {meta && meta.crimeTypes.length > 0 && <ForecastPanel crimeTypes={meta.crimeTypes} chosenTypes={applied?.types ?? []} onShow={setForecast} />}
        {meta && filters ? (
          <Filters meta={meta} filters={filters} onChange={setChosen} typeCounts={data.types} outcomeCounts={data.outcomes} />
        ) : (
          <Loading what="Loading the filters" />
        )}

        <section aria-labelledby="crime-chart-heading">
          <h2 className="govuk-heading-m" id="crime-chart-heading">
            Crimes by month
          </h2>
          {data.series ? <TimeChart series={data.series} label="Crimes by month" id="crime-chart" /> : <Loading what="Loading the chart" />}
        </section>

        <section aria-labelledby="crime-hotspots-heading">
          <h2 className="govuk-heading-m" id="crime-hotspots-heading">
            Hotspots
          </h2>
          {data.hotspots ? (
            <Hotspots reply={data.hotspots} firstMonth={meta?.firstMonth ?? null} selected={selected} onChoose={chooseHotspot} />
          ) : (
            <Loading what="Loading hotspots" />
          )}
        </section>

        {applied && <Downloads filters={applied} />}
      </div>
    </div>
  );
}

/** Links to the same data as CSV files (the API's format=csv), for the filters on screen. */
function Downloads({ filters }: { filters: CrimeFilters }) {
  // With the period always stated, so a saved file's address says what it holds.
  const urls = crimeUrls(filters);
  const csv = (url: string) => {
    const [path, query] = url.split('?');
    return withParams(path!, new URLSearchParams(query), { format: 'csv' });
  };
  return (
    <section aria-labelledby="crime-download-heading">
      <h2 className="govuk-heading-m" id="crime-download-heading">
        Download the data
      </h2>
      <p className="govuk-body-s">For the filters chosen, as CSV files.</p>
      <ul className="govuk-list">
        <li>
          <a className="govuk-link" href={csv(urls.hexes)} download>
            Crimes per hexagon (CSV)
          </a>
        </li>
        <li>
          <a className="govuk-link" href={csv(urls.timeseries)} download>
            Crimes by month (CSV)
          </a>
        </li>
        <li>
          <a className="govuk-link" href={csv(urls.hotspots)} download>
            Hotspots (CSV)
          </a>
        </li>
      </ul>
    </section>
  );
}

function Legend({ bands }: { bands: Band[] }) {
  if (bands.length === 0) return null;
  return (
    <div className="peel-legend">
      <p className="peel-legend__title" id="crime-legend-title">
        Crimes per hexagon
      </p>
      <ul className="peel-legend__list" aria-labelledby="crime-legend-title">
        {bands.map((band) => (
          <li key={band.min} className="peel-legend__item">
            <span className={`peel-legend__swatch ${band.swatchClass}`} />
            {bandLabel(band)}
          </li>
        ))}
      </ul>
    </div>
  );
}
