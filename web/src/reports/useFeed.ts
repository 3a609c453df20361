import { useEffect, useRef, useState } from 'react';
import { messageOf } from '../api.ts';
import { listReports, matches, type FeedEvent, type FeedFilters, type ReportItem } from './staff-api.ts';

export type Connection = 'connecting' | 'live' | 'reconnecting';

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

  const upsert = (item: ReportItem, seq: number | null) => {
    if (seq !== null) {
      if ((seqs.current.get(item.reference) ?? 0) >= seq) return false;
      seqs.current.set(item.reference, seq);
    }
    setItems((list) => {
      const others = list.filter((i) => i.reference !== item.reference);
      if (!matches(item, filtersRef.current)) return others;
      // Newest first, by when each was received.
      const next = [...others, item].sort((a, b) => b.receivedAt.localeCompare(a.receivedAt) || b.reference.localeCompare(a.reference));
      return next;
    });
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
        if (upsert(event.report, event.seq) && !known && event.kind === 'created') {
          setTotal((n) => n + 1);
          setFresh((set) => new Set(set).add(event.reference));
        }
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
      window.removeEventListener('online', online);
      source?.close();
    };
  }, [filters.channel, filters.category, filters.status, filters.bbox]);

  return { items, total, fresh, connection, error, apply: (item) => void upsert(item, null) };
}
