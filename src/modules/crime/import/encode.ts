import { identityHash } from './identity.ts';
import { mergeInto, type CrimeRecordRow } from './rows.ts';

/**
 * Crime records in the compact form they are written in: one typed array or plain array per
 * column for a chunk of rows, repeated texts (crime type, outcome, force, location, LSOA, file
 * name, times) as numbers into a dictionary of labels, and the point with its grid reference
 * and cell as a number into a dictionary of places. The reading thread builds chunks and the
 * writing thread turns the numbers into the ids of `crime_labels` and `crime_places` rows:
 * typed arrays cross between threads without being copied, where row objects would have to be
 * serialised and rebuilt one property at a time (about 0.7 s for 300,000 rows).
 */

/** The columns of `crime_record_rows` that hold an id of `crime_labels`, in this order. */
export const LABEL_COLUMNS = [
  'source',
  'reported_by',
  'falls_within',
  'location',
  'lsoa_code',
  'lsoa_name',
  'crime_type',
  'last_outcome',
  'source_file',
  'imported_at',
  'updated_at',
] as const satisfies ReadonlyArray<keyof CrimeRecordRow>;
export const LABELS = LABEL_COLUMNS.length;
export const LAST_OUTCOME = LABEL_COLUMNS.indexOf('last_outcome');

/** Dictionary entries a chunk uses that no earlier chunk of the same encoder introduced. */
export interface DictionaryDelta {
  /** starts at 0 and goes up each time the dictionaries start again (see DICTIONARY_LIMIT) */
  epoch: number;
  /** the number of the first label listed; labels are numbered from 1 within an epoch */
  labelsFrom: number;
  labels: string[];
  placesFrom: number;
  /** each new place's identity: its coordinates, grid reference and cell as text */
  placeKeys: string[];
  /** longitude, latitude, easting, northing of each new place (NaN for none) */
  placeNumbers: Float64Array;
  placeCells: Array<string | null>;
}

/**
 * Rows of one file, with the rows of one identity merged into its first (the record counts
 * once per chunk; `folded` says how many rows it absorbed and `changed` whether they changed it).
 */
export interface RecordChunk {
  size: number;
  /** identityHash of each identity */
  keyHash: Float64Array;
  /** the Crime ID, or the content key of a row without one */
  identity: string[];
  /** 1 when the identity is a Crime ID */
  hasCrimeId: Uint8Array;
  month: string[];
  occurredAt: Array<string | null>;
  outcomeMonth: Array<string | null>;
  context: Array<string | null>;
  located: Uint8Array;
  /** place number, 0 for none */
  place: Int32Array;
  sourceLine: Int32Array;
  /** size × LABELS label numbers, 0 for none */
  labels: Int32Array;
  folded: Int32Array;
  changed: Uint8Array;
  dictionary: DictionaryDelta;
}

/** The arrays a chunk can hand to another thread without copying. */
export function transferables(chunk: RecordChunk): ArrayBuffer[] {
  return [chunk.keyHash, chunk.hasCrimeId, chunk.located, chunk.place, chunk.sourceLine, chunk.labels, chunk.folded, chunk.changed, chunk.dictionary.placeNumbers].map(
    (a) => a.buffer as ArrayBuffer,
  );
}

/**
 * Entries kept before the dictionaries start again: a national import meets a few million
 * locations and snap points, which need not all stay in memory (the writer looks them up
 * again in the database).
 */
const DICTIONARY_LIMIT = 1_000_000;

/** A place's identity: its point, grid reference and cell (a source in British National Grid gives its own). */
export const placeKey = (r: Pick<CrimeRecordRow, 'longitude' | 'latitude' | 'easting' | 'northing' | 'h3_10'>): string => `${r.longitude},${r.latitude},${r.easting},${r.northing},${r.h3_10}`;

/** Builds chunks from row objects, keeping the dictionaries from one chunk to the next. */
export class RecordEncoder {
  private epoch = 0;
  private labels = new Map<string, number>();
  private places = new Map<string, number>();
  /** longitude → latitude → the place number first met there */
  private byPoint = new Map<number, Map<number, number>>();
  /** each place's grid reference and cell, to check a point found by its numbers */
  private placeEasting: Array<number | null> = [];
  private placeNorthing: Array<number | null> = [];
  private placeCell: Array<string | null> = [];
  private lastText: Array<string | null> = new Array<string | null>(LABELS).fill(null);
  private lastLabel: number[] = new Array<number>(LABELS).fill(0);
  private newLabels: string[] = [];
  private newPlaceKeys: string[] = [];
  private newPlaceNumbers: number[] = [];
  private newPlaceCells: Array<string | null> = [];
  private readonly hash: (identity: string) => number;

  /** `hash` only for tests, which force collisions with a poor one. */
  constructor(hash: (identity: string) => number = identityHash) {
    this.hash = hash;
  }

  /** The label number of a column's text; the column's last text is remembered, as most rows repeat it. */
  private label(column: number, text: string | null): number {
    if (text === null) return 0;
    if (text === this.lastText[column]) return this.lastLabel[column]!;
    let n = this.labels.get(text);
    if (n === undefined) {
      n = this.labels.size + 1;
      this.labels.set(text, n);
      this.newLabels.push(text);
    }
    this.lastText[column] = text;
    this.lastLabel[column] = n;
    return n;
  }

  /** The place number of a row's point: found by its numbers, checked against the rest of the place. */
  private place(r: CrimeRecordRow): number {
    if (r.longitude === null || r.latitude === null) return 0;
    let byLatitude = this.byPoint.get(r.longitude);
    const found = byLatitude?.get(r.latitude);
    if (found !== undefined && this.placeEasting[found] === r.easting && this.placeNorthing[found] === r.northing && this.placeCell[found] === r.h3_10) return found;
    const key = placeKey(r);
    let n = this.places.get(key);
    if (n === undefined) {
      n = this.places.size + 1;
      this.places.set(key, n);
      this.placeEasting[n] = r.easting;
      this.placeNorthing[n] = r.northing;
      this.placeCell[n] = r.h3_10;
      this.newPlaceKeys.push(key);
      this.newPlaceNumbers.push(r.longitude, r.latitude, r.easting ?? NaN, r.northing ?? NaN);
      this.newPlaceCells.push(r.h3_10);
    }
    if (found === undefined) {
      if (!byLatitude) this.byPoint.set(r.longitude, (byLatitude = new Map()));
      byLatitude.set(r.latitude, n);
    }
    return n;
  }

  encode(rows: readonly CrimeRecordRow[]): RecordChunk {
    if (this.labels.size > DICTIONARY_LIMIT || this.places.size > DICTIONARY_LIMIT) {
      this.epoch++;
      this.labels = new Map();
      this.places = new Map();
      this.byPoint = new Map();
      this.placeEasting = [];
      this.placeNorthing = [];
      this.placeCell = [];
      this.lastText.fill(null);
    }
    const labelsFrom = this.labels.size + 1;
    const placesFrom = this.places.size + 1;
    // One record per identity: later rows merged into the first (as if they came one after
    // another). Found by the identity's hash, which the record needs anyway (then the identity
    // is compared, and one that shares another's hash is found by its text).
    const byHash = new Map<number, number>();
    let byText: Map<string, number> | null = null;
    const kept: CrimeRecordRow[] = [];
    const hashes: number[] = [];
    const foldedList: number[] = [];
    const changedList: number[] = [];
    for (const row of rows) {
      const key = row.record_key;
      if (row.crime_id !== null && row.crime_id !== key) throw new Error(`a record with Crime ID ${row.crime_id} must have it as its identity, not ${key}`);
      const h = this.hash(key);
      let i = byHash.get(h);
      if (i !== undefined && kept[i]!.record_key !== key) i = (byText ??= new Map()).get(key) ?? -1;
      if (i === undefined || i === -1) {
        if (i === undefined) byHash.set(h, kept.length);
        else byText!.set(key, kept.length);
        kept.push(row);
        hashes.push(h);
        foldedList.push(0);
        changedList.push(0);
        continue;
      }
      // Merged into a copy: the rows themselves stay as read.
      if (foldedList[i]!++ === 0) kept[i] = { ...kept[i]! };
      if (mergeInto(kept[i]!, row)) changedList[i] = 1;
    }
    const n = kept.length;
    const chunk: RecordChunk = {
      size: n,
      keyHash: new Float64Array(n),
      identity: new Array<string>(n),
      hasCrimeId: new Uint8Array(n),
      month: new Array<string>(n),
      occurredAt: new Array<string | null>(n),
      outcomeMonth: new Array<string | null>(n),
      context: new Array<string | null>(n),
      located: new Uint8Array(n),
      place: new Int32Array(n),
      sourceLine: new Int32Array(n),
      labels: new Int32Array(n * LABELS),
      folded: Int32Array.from(foldedList),
      changed: Uint8Array.from(changedList),
      dictionary: null as unknown as DictionaryDelta,
    };
    const labels = chunk.labels;
    for (let i = 0, k = 0; i < n; i++, k += LABELS) {
      const r = kept[i]!;
      chunk.keyHash[i] = hashes[i]!;
      chunk.identity[i] = r.record_key;
      chunk.hasCrimeId[i] = r.crime_id === null ? 0 : 1;
      chunk.month[i] = r.month;
      chunk.occurredAt[i] = r.occurred_at;
      chunk.outcomeMonth[i] = r.outcome_month;
      chunk.context[i] = r.context;
      chunk.located[i] = r.located;
      chunk.place[i] = this.place(r);
      chunk.sourceLine[i] = r.source_line;
      // In LABEL_COLUMNS order.
      labels[k] = this.label(0, r.source);
      labels[k + 1] = this.label(1, r.reported_by);
      labels[k + 2] = this.label(2, r.falls_within);
      labels[k + 3] = this.label(3, r.location);
      labels[k + 4] = this.label(4, r.lsoa_code);
      labels[k + 5] = this.label(5, r.lsoa_name);
      labels[k + 6] = this.label(6, r.crime_type);
      labels[k + 7] = this.label(7, r.last_outcome);
      labels[k + 8] = this.label(8, r.source_file);
      labels[k + 9] = this.label(9, r.imported_at);
      labels[k + 10] = this.label(10, r.updated_at);
    }
    chunk.dictionary = {
      epoch: this.epoch,
      labelsFrom,
      labels: this.newLabels,
      placesFrom,
      placeKeys: this.newPlaceKeys,
      placeNumbers: Float64Array.from(this.newPlaceNumbers),
      placeCells: this.newPlaceCells,
    };
    this.newLabels = [];
    this.newPlaceKeys = [];
    this.newPlaceNumbers = [];
    this.newPlaceCells = [];
    return chunk;
  }
}
