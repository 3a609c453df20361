import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Actor } from '../../platform/actor.ts';
import { systemActor } from '../../platform/actor.ts';
import { record } from '../../platform/audit/service.ts';
import type { Db } from '../../platform/db/index.ts';
import { PeelError, notFound } from '../../platform/errors.ts';
import { FeedError, parseFeed, parseWebhookMessages, type FeedMessage, type Rejected } from '../../lib/feeds.ts';
import { places } from './places.ts';
import * as service from './service.ts';
import * as store from './store.ts';
import type { SourceRow } from './store.ts';

/**
 * Open feeds (RSS, Atom, JSON Feed: polled) and partner webhooks (pushed), configured by an
 * administrator, brought into the same reports table as the public form's reports.
 */

export const SOURCE_KINDS = ['rss', 'atom', 'jsonfeed', 'webhook'] as const;
export type SourceKind = (typeof SOURCE_KINDS)[number];
export const MAX_FEED_BYTES = 2 * 1024 * 1024;
const FETCH_TIMEOUT_MS = 10_000;
/** A signed webhook call must be this fresh, so a captured one cannot be replayed later. */
export const SIGNATURE_TOLERANCE_S = 300;

export interface Source {
  id: number;
  name: string;
  kind: string;
  url: string | null;
  pollSeconds: number;
  defaultCategory: string;
  active: boolean;
  lastPolledAt: string | null;
  lastError: string | null;
}

const toSource = (r: SourceRow): Source => ({
  id: Number(r.id),
  name: r.name,
  kind: r.kind,
  url: r.url,
  pollSeconds: Number(r.poll_seconds),
  defaultCategory: r.default_category,
  active: r.active === 1,
  lastPolledAt: r.last_polled_at,
  lastError: r.last_error,
});

export const listSources = async (db: Db): Promise<Source[]> => (await store.listSources(db)).map(toSource);

export interface NewSource {
  name: string;
  kind: SourceKind;
  url?: string | undefined;
  pollSeconds?: number | undefined;
  defaultCategory?: string | undefined;
}

/** Adds a source; a webhook's secret is in the reply, and only there. */
export async function addSource(db: Db, actor: Actor, input: NewSource): Promise<{ source: Source; secret: string | null }> {
  if (input.kind !== 'webhook' && !input.url) throw new PeelError('invalid_request', `body.url: a ${input.kind} source needs the feed's address.`, 400);
  const category = input.defaultCategory ?? 'other';
  if (!(await store.findCategory(db, category))) throw new PeelError('invalid_request', `body.defaultCategory: "${category}" is not a report category.`, 400);
  const secret = input.kind === 'webhook' ? randomBytes(32).toString('base64url') : null;
  return db.transaction().execute(async (trx) => {
    const now = new Date().toISOString();
    const id = await store.insertSource(trx, {
      name: input.name,
      kind: input.kind,
      url: input.kind === 'webhook' ? null : input.url!,
      poll_seconds: input.pollSeconds ?? 300,
      default_category: category,
      secret,
      active: 1,
      last_polled_at: null,
      last_error: null,
      created_at: now,
      updated_at: now,
    });
    await record(trx, actor, { operation: 'alteration', action: 'reports.sources.add', recordType: 'report_source', recordIds: [id], details: { name: input.name, kind: input.kind, url: input.url ?? null } });
    return { source: toSource((await store.findSource(trx, id))!), secret };
  });
}

export async function changeSource(db: Db, actor: Actor, id: number, patch: { name?: string | undefined; url?: string | undefined; pollSeconds?: number | undefined; active?: boolean | undefined; defaultCategory?: string | undefined }): Promise<Source> {
  return db.transaction().execute(async (trx) => {
    const s = await store.findSource(trx, id);
    if (!s) throw notFound(`Source ${id}`);
    if (patch.defaultCategory && !(await store.findCategory(trx, patch.defaultCategory))) throw new PeelError('invalid_request', `body.defaultCategory: "${patch.defaultCategory}" is not a report category.`, 400);
    await store.updateSource(trx, id, {
      ...(patch.name !== undefined ? { name: patch.name } : {}),
      ...(patch.url !== undefined && s.kind !== 'webhook' ? { url: patch.url } : {}),
      ...(patch.pollSeconds !== undefined ? { poll_seconds: patch.pollSeconds } : {}),
      ...(patch.active !== undefined ? { active: patch.active ? 1 : 0 } : {}),
      ...(patch.defaultCategory !== undefined ? { default_category: patch.defaultCategory } : {}),
      updated_at: new Date().toISOString(),
    });
    await record(trx, actor, { operation: 'alteration', action: 'reports.sources.change', recordType: 'report_source', recordIds: [id], details: { ...patch } });
    return toSource((await store.findSource(trx, id))!);
  });
}

// ——— taking messages in ———

export interface IngestResult {
  accepted: Array<{ id: string; reference: string }>;
  duplicates: Array<{ id: string; reference: string }>;
  rejected: Rejected[];
}

async function ingest(db: Db, actor: Actor, source: SourceRow, channel: service.Channel, messages: FeedMessage[], rejected: Rejected[]): Promise<IngestResult> {
  const g = await places(db);
  const result: IngestResult = { accepted: [], duplicates: [], rejected: [...rejected] };
  const fresh: FeedMessage[] = [];
  for (const m of messages) {
    const known = await store.findByExternalId(db, Number(source.id), m.id);
    if (known) result.duplicates.push({ id: m.id, reference: known.reference });
    else fresh.push(m);
  }
  // All at once: the reports' group commit writes them in one transaction.
  const outcomes = await Promise.allSettled(
    fresh.map((m) => {
      const place = m.latitude === null ? (m.place ? g.named(m.place) : g.find(m.text)) : null;
      return service.submitReport(
        db,
        actor,
        {
          category: source.default_category,
          description: m.text,
          latitude: m.latitude ?? place?.latitude ?? null,
          longitude: m.longitude ?? place?.longitude ?? null,
          occurredAt: m.time,
          placeName: m.place ?? place?.name,
        },
        { channel, sourceId: Number(source.id), externalId: m.id, authorHandle: m.author, locationInferred: m.latitude === null && place !== null },
      );
    }),
  );
  for (const [i, o] of outcomes.entries()) {
    const m = fresh[i]!;
    if (o.status === 'fulfilled') result.accepted.push({ id: m.id, reference: o.value.reference });
    else {
      // The same item arriving twice at once: the second finds the first.
      const known = await store.findByExternalId(db, Number(source.id), m.id);
      if (known) result.duplicates.push({ id: m.id, reference: known.reference });
      else result.rejected.push({ index: -1, id: m.id, problem: o.reason instanceof PeelError ? o.reason.message : 'it could not be stored' });
    }
  }
  return result;
}

/** Fetches a feed and takes in its new items; records the outcome on the source. */
export async function pollSource(db: Db, actor: Actor, id: number): Promise<IngestResult> {
  const source = await store.findSource(db, id);
  if (!source) throw notFound(`Source ${id}`);
  if (source.kind === 'webhook' || !source.url) throw new PeelError('invalid_request', `Source ${id} is a webhook: its partner sends messages; nothing is polled.`, 400);
  const at = new Date().toISOString();
  try {
    const body = await fetchFeed(source.url);
    const parsed = parseFeed(body);
    const channel: service.Channel = parsed.format;
    const result = await ingest(db, actor, source, channel, parsed.messages, parsed.rejected);
    await store.updateSource(db, id, { last_polled_at: at, last_error: result.rejected.length ? `${result.rejected.length} item(s) rejected: ${result.rejected[0]!.problem}` : null });
    return result;
  } catch (err) {
    const message = err instanceof FeedError || err instanceof PeelError ? err.message : `The feed could not be fetched: ${(err as Error).message}`;
    await store.updateSource(db, id, { last_polled_at: at, last_error: message });
    throw new PeelError('feed_failed', message, 502);
  }
}

async function fetchFeed(url: string): Promise<string> {
  const res = await fetch(url, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS), headers: { accept: 'application/rss+xml, application/atom+xml, application/feed+json, application/xml, application/json;q=0.9, */*;q=0.5' } });
  if (!res.ok) throw new FeedError(`The feed answered HTTP ${res.status}.`);
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    size += chunk.length;
    if (size > MAX_FEED_BYTES) throw new FeedError(`The feed is larger than ${MAX_FEED_BYTES / 1024 / 1024} MiB.`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Polls each active feed whose time has come; the server's timer calls this. */
export async function pollDue(db: Db, now = Date.now()): Promise<number> {
  let polled = 0;
  for (const s of await store.listSources(db)) {
    if (s.active !== 1 || s.kind === 'webhook') continue;
    if (s.last_polled_at && Date.parse(s.last_polled_at) + Number(s.poll_seconds) * 1000 > now) continue;
    await pollSource(db, systemActor, Number(s.id)).catch(() => {});
    polled++;
  }
  return polled;
}

/** `sha256=<hex>` of "<timestamp>.<raw body>" under the source's secret. */
export function webhookSignature(secret: string, timestamp: string, body: Buffer | string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex')}`;
}

/** A partner's signed messages: the signature is checked before the body is even parsed. */
export async function receiveWebhook(db: Db, actor: Actor, sourceId: number, raw: Buffer, signature: string | undefined, timestamp: string | undefined, now = Date.now()): Promise<IngestResult> {
  const source = await store.findSource(db, sourceId);
  if (!source || source.kind !== 'webhook' || !source.secret) throw notFound(`Webhook source ${sourceId}`);
  if (source.active !== 1) throw new PeelError('source_inactive', `Webhook source ${sourceId} is switched off.`, 409);
  if (!signature || !timestamp) throw new PeelError('bad_signature', 'Sign the request: X-Peel-Timestamp (Unix seconds) and X-Peel-Signature (sha256=HMAC of "<timestamp>.<body>").', 400);
  if (!/^\d{1,12}$/.test(timestamp) || Math.abs(now / 1000 - Number(timestamp)) > SIGNATURE_TOLERANCE_S) {
    throw new PeelError('bad_signature', `X-Peel-Timestamp must be the current Unix time in seconds (within ${SIGNATURE_TOLERANCE_S} seconds).`, 400);
  }
  const expected = Buffer.from(webhookSignature(source.secret, timestamp, raw));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw new PeelError('bad_signature', 'X-Peel-Signature does not match the body: check the secret and that the body is sent byte for byte as signed.', 400);
  let body: unknown;
  try {
    body = JSON.parse(raw.toString('utf8'));
  } catch (err) {
    throw new PeelError('invalid_request', `body: not valid JSON (${(err as Error).message})`, 400);
  }
  let parsed;
  try {
    parsed = parseWebhookMessages(body);
  } catch (err) {
    if (err instanceof FeedError) throw new PeelError('invalid_request', `body: ${err.message}`, 400);
    throw err;
  }
  return ingest(db, { ...actor, username: `webhook:${source.name}`.slice(0, 100) }, source, 'webhook', parsed.messages, parsed.rejected);
}
