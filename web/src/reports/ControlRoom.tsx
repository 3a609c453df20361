import './reports.css';
import { Suspense, lazy, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { Link } from 'react-router-dom';
import { useSignedIn } from '../auth/session.tsx';
import { formatDateTime } from '../format.ts';
import { ErrorSummary, SelectInput, useErrorList } from '../shell/forms.tsx';
import { Loading } from '../shell/Loading.tsx';
import { usePageTitle } from '../shell/usePageTitle.ts';
import { Checkbox } from './fields.tsx';
import { getCategories, type Category } from './public-api.ts';
import type { MapPoint } from './ReportsMap.tsx';
import { CHANNELS, channelText, STATUSES, statusText, type FeedFilters, type ReportItem } from './staff-api.ts';
import { Triage } from './Triage.tsx';
import { useFeed, type Connection } from './useFeed.ts';
import { useMapStyle } from './useMapStyle.ts';

const ReportsMap = lazy(() => import('./ReportsMap.tsx'));

const CONNECTION_TEXT: Record<Connection, string> = {
  connecting: 'Connecting to the live feed…',
  live: 'Live: new messages appear as they arrive',
  reconnecting: 'Connection lost: reconnecting; nothing will be missed',
};

/**
 * The control room: one live column of new reports and messages, newest first, beside a
 * map of the same messages; choosing one in either selects it in both and opens it for
 * triage (control room staff) or reading (supervisors).
 */
export default function ControlRoom() {
  const { user } = useSignedIn();
  const canTriage = user.role === 'control_room';
  const styleUrl = useMapStyle();
  const [filters, setFilters] = useState<FeedFilters>({ channel: '', category: '', status: '', bbox: '' });
  const [onlyMapArea, setOnlyMapArea] = useState(false);
  const [mapArea, setMapArea] = useState('');
  const applied = useMemo(() => ({ ...filters, bbox: onlyMapArea ? mapArea : '' }), [filters, onlyMapArea, mapArea]);
  const feed = useFeed(applied);
  const [categories, setCategories] = useState<Category[]>([]);
  const [selected, setSelected] = useState<string | null>(null);
  const listRef = useRef<HTMLOListElement>(null);
  const errors = useErrorList(feed.error);
  // While the tab is in the background, its title counts what has arrived, as a mail client's does.
  const unseen = useUnseen(feed.fresh.size);
  usePageTitle(unseen > 0 ? `(${unseen} new) Control room` : 'Control room');

  // The feed and the map side by side need the whole window, not GOV.UK's 960 pixels.
  useEffect(() => {
    document.body.classList.add('peel-control-wide');
    return () => document.body.classList.remove('peel-control-wide');
  }, []);

  useEffect(() => {
    getCategories()
      .then((r) => setCategories(r.categories))
      .catch(() => setCategories([]));
  }, []);

  const select = useCallback((reference: string, fromMap: boolean) => {
    setSelected(reference);
    if (fromMap) {
      // Bring it into view in the feed (the feed scrolls on its own; the page stays put).
      requestAnimationFrame(() => {
        const row = listRef.current?.querySelector<HTMLElement>(`[data-reference="${CSS.escape(reference)}"]`);
        row?.scrollIntoView({ block: 'nearest' });
        row?.querySelector('button')?.focus({ preventScroll: true });
      });
    }
  }, []);

  const points: MapPoint[] = useMemo(
    () =>
      feed.items
        .filter((i) => i.latitude !== null && i.longitude !== null)
        .map((i) => ({ id: i.reference, latitude: i.latitude!, longitude: i.longitude!, inferred: i.locationInferred })),
    [feed.items],
  );
  const current = feed.items.find((i) => i.reference === selected) ?? null;
  const set = (key: keyof FeedFilters) => (value: string) => setFilters((f) => ({ ...f, [key]: value }));

  return (
    <div className="peel-control-page">
      <ErrorSummary errors={errors} />
      <h1 className="govuk-heading-l">Control room</h1>
      <p className="govuk-body-s" role="status" data-testid="feed-connection">
        {CONNECTION_TEXT[feed.connection]}. {feed.items.length} shown of {feed.total}.{' '}
        {canTriage && (
          <>
            <Link className="govuk-link" to="/control-room/held">
              Held for checking
            </Link>
            {' · '}
          </>
        )}
        <Link className="govuk-link" to="/control-room/area-safety">
          Area safety
        </Link>
      </p>
      <div className="peel-control__filters" role="search" aria-label="Filter the feed">
        <SelectInput id="filter-channel" label="Channel" value={filters.channel} onChange={set('channel')} options={[{ value: '', text: 'All channels' }, ...CHANNELS]} />
        <SelectInput id="filter-category" label="Category" value={filters.category} onChange={set('category')} options={[{ value: '', text: 'All categories' }, ...categories.map((c) => ({ value: c.code, text: c.label }))]} />
        <SelectInput id="filter-status" label="Status" value={filters.status} onChange={set('status')} options={[{ value: '', text: 'Any status' }, ...STATUSES, { value: 'merged', text: 'Merged' }]} />
        <Checkbox id="filter-area" label="Only the area shown on the map" checked={onlyMapArea} onChange={setOnlyMapArea} />
      </div>
      <div className="peel-control">
        <section aria-labelledby="feed-heading">
          <h2 className="govuk-heading-m" id="feed-heading">
            Feed
          </h2>
          {feed.items.length === 0 && <p className="govuk-body">{feed.connection === 'connecting' && !feed.error ? 'Loading…' : 'Nothing matches these filters yet.'}</p>}
          <ol className="peel-control__feed" ref={listRef} aria-label="Reports and messages, newest first" data-testid="feed">
            {feed.items.map((item) => (
              <FeedRow key={item.reference} item={item} selected={item.reference === selected} fresh={feed.fresh.has(item.reference)} onSelect={() => select(item.reference, false)} />
            ))}
          </ol>
        </section>
        <section aria-labelledby="map-heading">
          <h2 className="govuk-heading-m" id="map-heading">
            Map
          </h2>
          <p className="govuk-body-s">
            Red: where the sender said. Orange: guessed from a place name. Blue circles: several messages close together (bigger and darker for
            more); select one to zoom in.
          </p>
          <Suspense fallback={<Loading what="Loading the map" />}>
            {styleUrl === undefined ? <Loading what="Loading the map" /> : <ReportsMap points={points} selected={selected} styleUrl={styleUrl} onSelect={(ref) => select(ref, true)} onArea={setMapArea} />}
          </Suspense>
          {current && <Triage key={current.reference} item={current} canTriage={canTriage} onChanged={feed.apply} onSelect={(ref) => select(ref, true)} />}
        </section>
      </div>
    </div>
  );
}

function FeedRow({ item, selected, fresh, onSelect }: { item: ReportItem; selected: boolean; fresh: boolean; onSelect: () => void }) {
  return (
    <li
      className={`peel-control__item${selected ? ' peel-control__item--selected' : ''}${fresh ? ' peel-control__item--new' : ''}`}
      data-reference={item.reference}
      data-testid="feed-item"
    >
      <button type="button" className="peel-control__item-button" aria-pressed={selected} onClick={onSelect}>
        <span className="govuk-body-s govuk-!-margin-bottom-1 govuk-!-display-block">
          <strong>{item.reference}</strong> · {item.categoryLabel} · {channelText(item.channel)}
          {item.authorHandle ? ` · ${item.authorHandle}` : ''} · {formatDateTime(item.receivedAt)}
        </span>
        <span className="govuk-!-display-block govuk-!-margin-bottom-1">
          <strong className={`govuk-tag peel-control__tag govuk-tag--${item.status === 'received' ? 'red' : item.status === 'closed' ? 'grey' : 'blue'}`}>{statusText(item.status)}</strong>{' '}
          {item.threadSize > 1 && <strong className="govuk-tag peel-control__tag govuk-tag--yellow">{item.threadSize} in thread</strong>}{' '}
          {item.photos > 0 && <span className="govuk-body-s">{item.photos === 1 ? '1 photo' : `${item.photos} photos`}</span>}
        </span>
        {/* As the sender wrote it, as text. */}
        <span className="govuk-body-s govuk-!-display-block govuk-!-margin-bottom-0 peel-control__text">{clip(item.description)}</span>
        <span className="govuk-body-s govuk-!-display-block govuk-!-margin-bottom-0">
          {item.latitude === null ? 'No location' : item.locationInferred ? `Place guessed from "${item.placeName ?? ''}"` : item.placeName ?? ''}
          {item.assignedTeam || item.assignedOfficer ? ` · Assigned to ${[item.assignedTeam, item.assignedOfficer].filter(Boolean).join(', ')}` : ''}
        </span>
      </button>
    </li>
  );
}

function clip(text: string): string {
  return text.length > 280 ? `${text.slice(0, 279)}…` : text;
}

/** How many of the arrivals came while the page was hidden; back to 0 when it is seen. */
function useUnseen(arrived: number): number {
  const [seenAt, setSeenAt] = useState(arrived);
  const [hidden, setHidden] = useState(document.visibilityState === 'hidden');
  useEffect(() => {
    const update = () => setHidden(document.visibilityState === 'hidden');
    document.addEventListener('visibilitychange', update);
    return () => document.removeEventListener('visibilitychange', update);
  }, []);
  useEffect(() => {
    if (!hidden) setSeenAt(arrived);
  }, [hidden, arrived]);
  return hidden ? arrived - seenAt : 0;
}
