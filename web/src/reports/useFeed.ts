import { useEffect, useRef, useState } from 'react';
import { messageOf } from '../api.ts';
import { listReports, matches, type FeedEvent, type FeedFilters, type ReportItem } from './staff-api.ts';

export type Connection = 'connecting' | 'live' | 'reconnecting';

/** The most the page holds; older ones are a filter or a search away. */
const MAX_ITEMS = 500;

export interface Feed {
  items: ReportItem[];
  total: number;
  /** references that arrived since the page opened, for the "new" highlight */
  fresh: Set<string>;
  connection: Connection;
  error: string | null;
  /** put a triage step's answer straight into the list (the stream brings it too) */
  apply: (item: ReportItem) => void;
}

/**
 * The live feed: the list as it stands, then the server's event stream from the list's
 * last event on. EventSource reconnects by itself and sends Last-Event-ID, so the server
 * replays what was missed; each event carries its sequence number, and an event no newer
 * than what is held for that report is ignored, so a replay never turns a report back.
 */
export function useFeed(filters: FeedFilters): Feed {
  const [items, setItems] = useState<ReportItem[]>([]);
  const [total, setTotal] = useState(0);
  const [fresh, setFresh] = useState<Set<string>>(() => new Set());
  const [connection, setConnection] = useState<Connection>('connecting');
  const [error, setError] = useState<string | null>(null);
  const seqs = useRef(new Map<string, number>());
  const filtersRef = useRef(filters);
  filtersRef.current = filters;

  // Events are applied in batches, at most 20 times a second: a burst of hundreds of
  // reports a second then costs a few renders, not one per report.
  const pending = useRef<{ items: ReportItem[]; fresh: string[] }>({ items: [], fresh: [] });
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const flush = () => {
    timer.current = null;
    const batch = pending.current;
    pending.current = { items: [], fresh: [] };
    setItems((list) => {
      const byReference = new Map(list.map((i) => [i.reference, i]));
      for (const item of batch.items) {
        if (matches(item, filtersRef.current)) byReference.set(item.reference, item);
        else byReference.delete(item.reference);
      }
      // Newest first, by when each was received; the oldest fall off a long list.
      return [...byReference.values()].sort((x, y) => y.receivedAt.localeCompare(x.receivedAt) || y.reference.localeCompare(x.reference)).slice(0, MAX_ITEMS);
    });
    if (batch.fresh.length > 0) {
      setTotal((n) => n + batch.fresh.length);
      setFresh((set) => new Set([...set, ...batch.fresh]));
    }
  };

  /** Queues a report for the list; false if this event is no newer than what is held. */
  const upsert = (item: ReportItem, seq: number | null, isNew = false) => {
    if (seq !== null) {
      if ((seqs.current.get(item.reference) ?? 0) >= seq) return false;
      seqs.current.set(item.reference, seq);
    }
    pending.current.items.push(item);
    if (isNew) pending.current.fresh.push(item.reference);
    timer.current ??= setTimeout(flush, 50);
    return true;
  };

  useEffect(() => {
    const controller = new AbortController();
    let source: EventSource | null = null;
    let retryTimer: ReturnType<typeof setTimeout> | undefined;
    /** the newest event seen: where a fresh connection resumes */
    let lastSeq = 0;
    setConnection('connecting');
    setError(null);

    const connect = () => {
      source?.close();
      // EventSource resumes by itself (Last-Event-ID) after a dropped connection; but when
      // it gives up (the browser went offline, the server was down), start a new one from
      // the last event seen.
      source = new EventSource(`/api/reports/stream?after=${lastSeq}`);
      source.onopen = () => setConnection('live');
      source.onerror = () => {
        if (source?.readyState !== EventSource.CLOSED) {
          setConnection('reconnecting');
          return;
        }
        setConnection('reconnecting');
        clearTimeout(retryTimer);
        retryTimer = setTimeout(connect, navigator.onLine ? 2000 : 5000);
      };
      source.onmessage = (message) => {
        let event: FeedEvent;
        try {
          event = JSON.parse(message.data as string) as FeedEvent;
        } catch {
          return;
        }
        lastSeq = Math.max(lastSeq, event.seq);
        const known = seqs.current.has(event.reference);
        upsert(event.report, event.seq, !known && event.kind === 'created' && matches(event.report, filtersRef.current));
      };
    };
    const online = () => {
      if (source?.readyState === EventSource.CLOSED) {
        clearTimeout(retryTimer);
        connect();
      }
    };

    listReports(filters, controller.signal)
      .then(({ items: list, total: count, lastEventId }) => {
        seqs.current = new Map(list.map((i) => [i.reference, lastEventId]));
        lastSeq = lastEventId;
        setItems(list);
        setTotal(count);
        connect();
        window.addEventListener('online', online);
      })
      .catch((e: unknown) => {
        if (!controller.signal.aborted) setError(`The feed could not be loaded. ${messageOf(e)}`);
      });
    return () => {
      controller.abort();
      clearTimeout(retryTimer);
      if (timer.current !== null) clearTimeout(timer.current);
      timer.current = null;
      pending.current = { items: [], fresh: [] };
      window.removeEventListener('online', online);
      source?.close();
    };
  }, [filters.channel, filters.category, filters.status, filters.bbox]);

  return { items, total, fresh, connection, error, apply: (item) => void upsert(item, null) };
}
