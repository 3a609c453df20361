/**
 * A record's identity (its Crime ID, or the content key of a row without one) as a 53-bit
 * integer: `crime_record_rows.key_hash`, the unique key imports find records by. An integer
 * B-tree costs SQLite far less to keep up than one of random 64-character texts.
 *
 * Stored in every database: never change this function.
 *
 * Different identities can share a hash (among 300,000 records about one chance in
 * 10^10; among 60 million, one in five), so the hash is a slot, not the identity: a record
 * whose slot is taken by another identity goes to the next free slot (hash + 1, + 2, …),
 * and finding a record walks the same slots until it meets its identity or an empty slot
 * (store.ts). The full identity is stored beside it and always compared.
 *
 * cyrb53 (bryc, public domain): two 32-bit multiplicative hashes over the UTF-16 code units.
 */
export function identityHash(identity: string): number {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < identity.length; i++) {
    const ch = identity.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

/** 2^53: hashes are below it. */
export const HASH_SPACE = 2 ** 53;

/** The k-th slot after a hash (wrapping round). */
export const probeSlot = (hash: number, k: number): number => (hash + k) % HASH_SPACE;
