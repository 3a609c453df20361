/**
 * Near-duplicate messages: the same place, about the same time, saying much the same
 * thing. Several people reporting one fight, or a post shared across channels, become one
 * thread in the control room's feed instead of a column of repeats.
 */

export interface MessageForThreading {
  id: number;
  threadId: number | null;
  latitude: number | null;
  longitude: number | null;
  /** epoch milliseconds */
  time: number;
  text: string;
}

export interface ThreadingRules {
  /** how far apart two messages may be, in metres */
  maxMetres: number;
  /** how far apart in time, in milliseconds */
  maxMillis: number;
  /** the least token Jaccard similarity of their texts (0–1) */
  minSimilarity: number;
}

export const DEFAULT_THREADING: ThreadingRules = { maxMetres: 500, maxMillis: 3 * 3600_000, minSimilarity: 0.3 };

const EARTH_RADIUS_M = 6_371_008.8;
const rad = (deg: number) => (deg * Math.PI) / 180;

/** Great-circle distance in metres (haversine). */
export function distanceMetres(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const dLat = rad(lat2 - lat1);
  const dLon = rad(lon2 - lon1);
  const a = Math.sin(dLat / 2) ** 2 + Math.cos(rad(lat1)) * Math.cos(rad(lat2)) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(a)));
}

// Words that carry no meaning about what happened; left out so "the" and "a" make no match.
const STOP_WORDS = new Set(
  'a an and are as at be been but by for from has have he her his i in is it its me my of on or our she so that the their there they this to was we were with you your rt via just now'.split(' '),
);

/** Lower-case word tokens, without stop words, URLs, mentions' @ or hashtags' #. */
export function tokens(text: string): Set<string> {
  const words = text
    .toLowerCase()
    .replace(/https?:\/\/\S+/g, ' ')
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w.length > 1 && !STOP_WORDS.has(w));
  return new Set(words);
}

/** |A ∩ B| / |A ∪ B| of the texts' tokens; 0 when both are empty. */
export function jaccard(a: string, b: string): number {
  const ta = tokens(a);
  const tb = tokens(b);
  if (ta.size === 0 && tb.size === 0) return 0;
  let both = 0;
  for (const w of ta) if (tb.has(w)) both++;
  return both / (ta.size + tb.size - both);
}

/**
 * The earlier message this one repeats (the most similar among those close enough in
 * place and time and text), or null when it starts a thread of its own. Messages without a
 * location match only on time and text at a stricter similarity, since place cannot confirm it.
 */
export function findNearDuplicate(message: MessageForThreading, earlier: readonly MessageForThreading[], rules: ThreadingRules = DEFAULT_THREADING): MessageForThreading | null {
  let best: MessageForThreading | null = null;
  let bestScore = -1;
  for (const other of earlier) {
    if (other.id === message.id) continue;
    if (Math.abs(other.time - message.time) > rules.maxMillis) continue;
    const located = message.latitude !== null && message.longitude !== null && other.latitude !== null && other.longitude !== null;
    if (located) {
      if (distanceMetres(message.latitude!, message.longitude!, other.latitude!, other.longitude!) > rules.maxMetres) continue;
    }
    const similarity = jaccard(message.text, other.text);
    const needed = located ? rules.minSimilarity : Math.min(1, rules.minSimilarity * 2);
    if (similarity < needed) continue;
    if (similarity > bestScore) {
      best = other;
      bestScore = similarity;
    }
  }
  return best;
}

/** The thread a message joins: its near-duplicate's thread, or that message's own id when it has none. */
export function threadFor(message: MessageForThreading, earlier: readonly MessageForThreading[], rules: ThreadingRules = DEFAULT_THREADING): number | null {
  const match = findNearDuplicate(message, earlier, rules);
  return match ? (match.threadId ?? match.id) : null;
}
