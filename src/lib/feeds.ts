import { XMLParser } from 'fast-xml-parser';

/**
 * RSS 2.0, Atom and JSON Feed documents, and a partner's JSON messages, as one message
 * shape. Each item is checked on its own: a bad one is rejected with the reason and its
 * place in the document, and the good ones are kept. Text comes out as plain text (markup
 * removed, entities decoded), so nothing from a feed is ever shown as HTML.
 */

export type FeedFormat = 'rss' | 'atom' | 'jsonfeed';

export interface FeedMessage {
  /** the item's own id in its source (guid, Atom id, JSON Feed id, partner id) */
  id: string;
  text: string;
  /** ISO 8601 UTC */
  time: string;
  author: string | null;
  link: string | null;
  latitude: number | null;
  longitude: number | null;
  /** a place name the item gives, to be matched to a location */
  place: string | null;
}

export interface Rejected {
  /** the item's position in the document, from 0 */
  index: number;
  id: string | null;
  problem: string;
}

export interface ParsedFeed {
  format: FeedFormat;
  title: string | null;
  messages: FeedMessage[];
  rejected: Rejected[];
}

export class FeedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FeedError';
  }
}

export const MAX_TEXT = 5000;
const FUTURE_SLACK_MS = 10 * 60_000;

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

/** Markup removed and entities decoded: what a person would read. */
export function plainText(html: string): string {
  return html
    .replace(/<(script|style)\b[^>]*>[\s\S]*?<\/\1\s*>/gi, ' ')
    .replace(/<br\s*\/?>|<\/p\s*>/gi, '\n')
    .replace(/<[^>]*>/g, ' ')
    .replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (m, e: string) => {
      if (e[0] === '#') {
        const code = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
        return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : ' ';
      }
      return ENTITIES[e.toLowerCase()] ?? m;
    })
    .replace(/[ \t\r\f\v]+/g, ' ')
    .replace(/\s*\n\s*/g, '\n')
    .trim();
}

/** The text inside an XML node, whichever way the parser gave it. */
function nodeText(v: unknown): string | null {
  if (v === undefined || v === null) return null;
  if (typeof v === 'string' || typeof v === 'number') return String(v);
  if (Array.isArray(v)) return nodeText(v[0]);
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if ('#text' in o) return nodeText(o['#text']);
    if ('name' in o) return nodeText(o.name);
  }
  return null;
}

const asArray = <T>(v: T | T[] | undefined): T[] => (v === undefined || v === null ? [] : Array.isArray(v) ? v : [v]);

interface RawItem {
  id: unknown;
  title?: unknown;
  body?: unknown;
  /** whether title and body are HTML (RSS descriptions, Atom text constructs, content_html) or plain text */
  titleHtml?: boolean;
  bodyHtml?: boolean;
  time?: unknown;
  author?: unknown;
  link?: unknown;
  latitude?: unknown;
  longitude?: unknown;
  place?: unknown;
}

/** One item checked and normalised, or the reason it cannot be. */
export function normaliseItem(raw: RawItem, now = Date.now()): FeedMessage | string {
  const id = raw.id === undefined || raw.id === null ? '' : typeof raw.id === 'string' || typeof raw.id === 'number' ? String(raw.id).trim() : '';
  if (!id) return 'it has no id (guid, id or link), so a repeat of it could not be recognised';
  if (id.length > 500) return 'its id is longer than 500 characters';
  const read = (v: unknown, html: boolean | undefined) => (typeof v !== 'string' ? '' : html ? plainText(v) : v.trim());
  const title = read(raw.title, raw.titleHtml);
  const body = read(raw.body, raw.bodyHtml);
  const text = title && body && !body.startsWith(title) ? `${title}\n${body}` : body || title;
  if (!text) return 'it has no text';
  if (text.length > MAX_TEXT) return `its text is longer than ${MAX_TEXT} characters`;
  if (typeof raw.time !== 'string' || !raw.time.trim()) return 'it has no date';
  const t = Date.parse(raw.time);
  if (!Number.isFinite(t)) return `its date "${raw.time.slice(0, 40)}" is not a date`;
  if (t > now + FUTURE_SLACK_MS) return `its date ${new Date(t).toISOString()} is in the future`;
  let latitude: number | null = null;
  let longitude: number | null = null;
  if (raw.latitude !== undefined || raw.longitude !== undefined) {
    const lat = typeof raw.latitude === 'string' ? Number(raw.latitude) : raw.latitude;
    const lon = typeof raw.longitude === 'string' ? Number(raw.longitude) : raw.longitude;
    if (typeof lat !== 'number' || typeof lon !== 'number' || !Number.isFinite(lat) || !Number.isFinite(lon)) return 'its location needs both a numeric latitude and longitude';
    if (Math.abs(lat) > 90 || Math.abs(lon) > 180) return `its location ${lat}, ${lon} is not on Earth (latitude within ±90, longitude within ±180)`;
    latitude = lat;
    longitude = lon;
  }
  const author = typeof raw.author === 'string' && raw.author.trim() ? plainText(raw.author).slice(0, 200) : null;
  const link = typeof raw.link === 'string' && /^https?:\/\//i.test(raw.link.trim()) ? raw.link.trim().slice(0, 2000) : null;
  const place = typeof raw.place === 'string' && raw.place.trim() ? plainText(raw.place).slice(0, 200) : null;
  return { id, text, time: new Date(t).toISOString(), author, link, latitude, longitude, place };
}

function collect(items: RawItem[], now: number): { messages: FeedMessage[]; rejected: Rejected[] } {
  const messages: FeedMessage[] = [];
  const rejected: Rejected[] = [];
  const seen = new Set<string>();
  items.forEach((raw, index) => {
    const r = normaliseItem(raw, now);
    if (typeof r === 'string') {
      rejected.push({ index, id: typeof raw.id === 'string' ? raw.id.slice(0, 200) : null, problem: r });
    } else if (seen.has(r.id)) {
      rejected.push({ index, id: r.id, problem: 'the same id appears earlier in the document' });
    } else {
      seen.add(r.id);
      messages.push(r);
    }
  });
  return { messages, rejected };
}

/** "52.63 -1.13", GeoRSS simple point. */
function georssPoint(v: unknown): { latitude?: unknown; longitude?: unknown } {
  const s = nodeText(v);
  if (!s) return {};
  const [lat, lon] = s.trim().split(/[\s,]+/);
  return { latitude: lat, longitude: lon };
}

const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@_', textNodeName: '#text', parseTagValue: false, trimValues: true, processEntities: true, htmlEntities: false });

/** Any of the three formats, told apart by content. */
export function parseFeed(body: string, now = Date.now()): ParsedFeed {
  const text = body.replace(/^\uFEFF/, '').trim();
  if (!text) throw new FeedError('The feed is empty.');
  if (text.startsWith('{')) return parseJsonFeed(text, now);
  if (!text.startsWith('<')) throw new FeedError('The feed is neither XML (RSS or Atom) nor JSON (JSON Feed).');
  // A feed needs no document type; one may declare entities that expand without end.
  if (/<!DOCTYPE|<!ENTITY/i.test(text)) throw new FeedError('The feed declares a document type or entities, which feeds do not need; it was not read.');
  let doc: Record<string, unknown>;
  try {
    doc = xml.parse(text, true) as Record<string, unknown>;
  } catch (err) {
    throw new FeedError(`The feed is not well-formed XML: ${(err as Error).message.split('\n')[0]}`);
  }
  if (doc.rss && typeof doc.rss === 'object') {
    const channel = (doc.rss as Record<string, unknown>).channel as Record<string, unknown> | undefined;
    if (!channel) throw new FeedError('The RSS document has no <channel>.');
    const items = asArray(channel.item as Record<string, unknown>[] | Record<string, unknown>).map((i): RawItem => ({
      id: nodeText(i.guid) ?? nodeText(i.link),
      title: nodeText(i.title) ?? undefined,
      body: nodeText(i['content:encoded']) ?? nodeText(i.description) ?? undefined,
      bodyHtml: true,
      time: nodeText(i.pubDate) ?? nodeText(i['dc:date']) ?? undefined,
      author: nodeText(i['dc:creator']) ?? nodeText(i.author) ?? undefined,
      link: nodeText(i.link) ?? undefined,
      ...(i['georss:point'] !== undefined ? georssPoint(i['georss:point']) : i['geo:lat'] !== undefined || i['geo:long'] !== undefined ? { latitude: nodeText(i['geo:lat']), longitude: nodeText(i['geo:long']) } : {}),
    }));
    return { format: 'rss', title: nodeText(channel.title), ...collect(items, now) };
  }
  if (doc.feed && typeof doc.feed === 'object') {
    const feed = doc.feed as Record<string, unknown>;
    const items = asArray(feed.entry as Record<string, unknown>[] | Record<string, unknown>).map((e): RawItem => {
      const links = asArray(e.link as Record<string, unknown>[] | Record<string, unknown>);
      const alternate = links.find((l) => l && typeof l === 'object' && (l['@_rel'] === undefined || l['@_rel'] === 'alternate'));
      return {
        id: nodeText(e.id),
        title: nodeText(e.title) ?? undefined,
        body: nodeText(e.content) ?? nodeText(e.summary) ?? undefined,
        titleHtml: true,
        bodyHtml: true,
        time: nodeText(e.published) ?? nodeText(e.updated) ?? undefined,
        author: nodeText(e.author) ?? undefined,
        link: alternate ? (alternate['@_href'] as string | undefined) : undefined,
        ...(e['georss:point'] !== undefined ? georssPoint(e['georss:point']) : {}),
      };
    });
    return { format: 'atom', title: nodeText(feed.title), ...collect(items, now) };
  }
  throw new FeedError('The XML is neither an RSS 2.0 document (<rss>) nor an Atom feed (<feed>).');
}

function parseJsonFeed(text: string, now: number): ParsedFeed {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new FeedError(`The feed is not valid JSON: ${(err as Error).message}`);
  }
  const d = doc as { version?: unknown; title?: unknown; items?: unknown };
  if (typeof d.version !== 'string' || !d.version.startsWith('https://jsonfeed.org/version/1')) throw new FeedError('The JSON is not a JSON Feed: its "version" is not https://jsonfeed.org/version/1 or 1.1.');
  if (!Array.isArray(d.items)) throw new FeedError('The JSON Feed has no "items" list.');
  const items = d.items.map((raw): RawItem => {
    if (!raw || typeof raw !== 'object') return { id: null };
    const i = raw as Record<string, unknown>;
    const authors = Array.isArray(i.authors) ? (i.authors as Array<{ name?: unknown }>) : i.author ? [i.author as { name?: unknown }] : [];
    // Location by the `_peel` extension: {"latitude", "longitude", "place"}.
    const ext = (i._peel && typeof i._peel === 'object' ? i._peel : {}) as Record<string, unknown>;
    return {
      id: i.id,
      title: i.title,
      body: typeof i.content_text === 'string' ? i.content_text : i.content_html,
      bodyHtml: typeof i.content_text !== 'string',
      time: i.date_published ?? i.date_modified,
      author: authors[0]?.name,
      link: i.url,
      ...(ext.latitude !== undefined || ext.longitude !== undefined ? { latitude: ext.latitude, longitude: ext.longitude } : {}),
      place: ext.place,
    };
  });
  return { format: 'jsonfeed', title: typeof d.title === 'string' ? d.title : null, ...collect(items, now) };
}

/** A partner's webhook body: {"messages":[{"id","text","time","author"?,"latitude"?,"longitude"?,"place"?}]}. */
export function parseWebhookMessages(body: unknown, now = Date.now()): { messages: FeedMessage[]; rejected: Rejected[] } {
  const list = body && typeof body === 'object' ? (body as { messages?: unknown }).messages : undefined;
  if (!Array.isArray(list)) throw new FeedError('The body must be {"messages": [...]}.');
  if (list.length > 500) throw new FeedError('At most 500 messages a request.');
  return collect(
    list.map((raw): RawItem => {
      if (!raw || typeof raw !== 'object') return { id: null };
      const m = raw as Record<string, unknown>;
      return { id: m.id, body: m.text, time: m.time, author: m.author, link: m.url, latitude: m.latitude, longitude: m.longitude, place: m.place };
    }),
    now,
  );
}
