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
  /** month and outcome month as label numbers (0: none): a few texts, repeated */
  month: Int32Array;
  outcomeMonth: Int32Array;
  occurredAt: Array<string | null>;
  context: Array<string | null>;
  located: Uint8Array;
  /** place number, 0 for none */
  place: Int32Array;
  sourceLine: Int32Array;
  /** size × LABELS label numbers, 0 for none */
  labels: Int32Array;
  folded: Int32Array;
  changed: Uint8Array;
  /** whether two of the chunk's identities share a hash (then the writer inserts them apart) */
  sharedHashes: boolean;
  dictionary: DictionaryDelta;
}

/** The arrays a chunk can hand to another thread without copying. */
export function transferables(chunk: RecordChunk): ArrayBuffer[] {
  return [chunk.keyHash, chunk.hasCrimeId, chunk.month, chunk.outcomeMonth, chunk.located, chunk.place, chunk.sourceLine, chunk.labels, chunk.folded, chunk.changed, chunk.dictionary.placeNumbers].map(
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

const LOCATION = LABEL_COLUMNS.indexOf('location');
const LSOA_CODE = LABEL_COLUMNS.indexOf('lsoa_code');
const LSOA_NAME = LABEL_COLUMNS.indexOf('lsoa_name');
const MONTH = LABELS;
const OUTCOME_MONTH = LABELS + 1;

/**
 * Builds chunks from rows, a row at a time: each row's values are copied into the chunk's
 * columns as it is added, so the row object can be dropped (or reused) at once instead of
 * living, with its texts, until the chunk is sent. The dictionaries carry on from one chunk
 * to the next.
 */
export class RecordEncoder {
  private epoch = 0;
  private labelNumbers = new Map<string, number>();
  /** label texts by number (index 0 unused) */
  private labelTexts: string[] = [''];
  private places = new Map<string, number>();
  /** longitude → latitude → the place number first met there */
  private byPoint = new Map<number, Map<number, number>>();
  private placeLongitude: number[] = [NaN];
  private placeLatitude: number[] = [NaN];
  private placeEasting: Array<number | null> = [null];
  private placeNorthing: Array<number | null> = [null];
  private placeCell: Array<string | null> = [null];
  /** the location and LSOA labels last met at each place: they rarely change */
  private placeLabels: number[][] = [[0, 0, 0]];
  /** the last label of each label column, and of month and outcome month */
  private lastLabel: number[] = new Array<number>(LABELS + 2).fill(0);
  private labelsFrom = 1;
  private placesFrom = 1;
  private newPlaceKeys: string[] = [];
  private newPlaceNumbers: number[] = [];
  private newPlaceCells: Array<string | null> = [];
  private readonly hash: (identity: string) => number;

  // The chunk being built.
  private n = 0;
  private capacity = 0;
  private byHash = new RowsByHash();
  private byText: Map<string, number> | null = null;
  private keyHash = new Float64Array(0);
  private identity: string[] = [];
  private hasCrimeId = new Uint8Array(0);
  private month = new Int32Array(0);
  private outcomeMonth = new Int32Array(0);
  private occurredAt: Array<string | null> = [];
  private context: Array<string | null> = [];
  private located = new Uint8Array(0);
  private place = new Int32Array(0);
  private sourceLine = new Int32Array(0);
  private labels = new Int32Array(0);
  private folded = new Int32Array(0);
  private changed = new Uint8Array(0);
  /** rows added to the chunk, merged ones included */
  rows = 0;

  /** `hash` only for tests, which force collisions with a poor one. */
  constructor(hash: (identity: string) => number = identityHash) {
    this.hash = hash;
    this.grow(1024);
  }

  private grow(capacity: number): void {
    const widen = <T extends Float64Array | Uint8Array | Int32Array>(a: T, size: number): T => {
      const b = new (a.constructor as new (n: number) => T)(size);
      b.set(a);
      return b;
    };
    this.keyHash = widen(this.keyHash, capacity);
    this.hasCrimeId = widen(this.hasCrimeId, capacity);
    this.month = widen(this.month, capacity);
    this.outcomeMonth = widen(this.outcomeMonth, capacity);
    this.located = widen(this.located, capacity);
    this.place = widen(this.place, capacity);
    this.sourceLine = widen(this.sourceLine, capacity);
    this.labels = widen(this.labels, capacity * LABELS);
    this.folded = widen(this.folded, capacity);
    this.changed = widen(this.changed, capacity);
    this.capacity = capacity;
    this.byHash.reserve(capacity, this.keyHash);
  }

  private label(text: string | null): number {
    if (text === null) return 0;
    let n = this.labelNumbers.get(text);
    if (n === undefined) {
      n = this.labelTexts.length;
      const own = ownCopy(text);
      this.labelNumbers.set(own, n);
      this.labelTexts.push(own);
    }
    return n;
  }

  /** The label number of a column's text; the column's last one is remembered, as most rows repeat it. */
  private columnLabel(column: number, text: string | null): number {
    if (text === null) return 0;
    const last = this.lastLabel[column]!;
    if (last !== 0 && text === this.labelTexts[last]) return last;
    const n = this.label(text);
    this.lastLabel[column] = n;
    return n;
  }

  /** As columnLabel, for the location and LSOA columns, remembered per place. */
  private placeLabel(place: number, column: number, slot: number, text: string | null): number {
    if (place === 0) return this.columnLabel(column, text);
    const labels = this.placeLabels[place]!;
    const last = labels[slot]!;
    if (last === 0 ? text === null : text === this.labelTexts[last]) return last;
    const n = this.label(text);
    labels[slot] = n;
    return n;
  }

  /** The place number of a row's point: found by its numbers, checked against the rest of the place. */
  private placeOf(r: CrimeRecordRow): number {
    if (r.longitude === null || r.latitude === null) return 0;
    // The converter's place object remembers the number it was given (the object may be a
    // copy with another grid reference, or from before the dictionaries started again: checked).
    const hint = r.place?.code;
    if (
      hint !== undefined &&
      hint < this.placeCell.length &&
      this.placeLongitude[hint] === r.longitude &&
      this.placeLatitude[hint] === r.latitude &&
      this.placeEasting[hint] === r.easting &&
      this.placeNorthing[hint] === r.northing &&
      this.placeCell[hint] === r.h3_10
    ) {
      return hint;
    }
    const n = this.lookUpPlace(r, r.longitude, r.latitude);
    if (r.place) r.place.code = n;
    return n;
  }

  private lookUpPlace(r: CrimeRecordRow, longitude: number, latitude: number): number {
    let byLatitude = this.byPoint.get(longitude);
    const found = byLatitude?.get(latitude);
    if (found !== undefined && this.placeEasting[found] === r.easting && this.placeNorthing[found] === r.northing && this.placeCell[found] === r.h3_10) return found;
    const key = placeKey(r);
    let n = this.places.get(key);
    if (n === undefined) {
      n = this.placeCell.length;
      this.places.set(key, n);
      this.placeLongitude.push(longitude);
      this.placeLatitude.push(latitude);
      this.placeEasting.push(r.easting);
      this.placeNorthing.push(r.northing);
      this.placeCell.push(r.h3_10);
      this.placeLabels.push([0, 0, 0]);
      this.newPlaceKeys.push(key);
      this.newPlaceNumbers.push(longitude, latitude, r.easting ?? NaN, r.northing ?? NaN);
      this.newPlaceCells.push(r.h3_10);
    }
    if (found === undefined) {
      if (!byLatitude) this.byPoint.set(longitude, (byLatitude = new Map()));
      byLatitude.set(latitude, n);
    }
    return n;
  }

  /**
   * Adds a row: its values are copied, so the caller may reuse the object. A row whose
   * identity the chunk has already is merged into that record (as if they came one after
   * another); it is found by the identity's hash, which the record needs anyway (then the
   * identity is compared, and one that shares another's hash is found by its text).
   */
  add(r: CrimeRecordRow): void {
    const key = r.record_key;
    if (r.crime_id !== null && r.crime_id !== key) throw new Error(`a record with Crime ID ${r.crime_id} must have it as its identity, not ${key}`);
    this.rows++;
    const h = this.hash(key);
    let i: number | undefined = this.byHash.find(h, this.keyHash);
    if (i === -1) i = undefined;
    else if (this.identity[i] !== key) i = (this.byText ??= new Map()).get(key) ?? -1;
    if (i !== undefined && i !== -1) return this.merge(i, r);
    if (this.n === this.capacity) this.grow(this.capacity * 2);
    if (i === undefined) this.byHash.insert(h, this.n);
    else this.byText!.set(key, this.n);
    i = this.n++;
    this.keyHash[i] = h;
    this.identity[i] = key;
    this.hasCrimeId[i] = r.crime_id === null ? 0 : 1;
    this.month[i] = this.columnLabel(MONTH, r.month);
    this.outcomeMonth[i] = this.columnLabel(OUTCOME_MONTH, r.outcome_month);
    this.occurredAt[i] = r.occurred_at;
    this.context[i] = r.context;
    this.located[i] = r.located;
    const place = this.placeOf(r);
    this.place[i] = place;
    this.sourceLine[i] = r.source_line;
    const labels = this.labels;
    const k = i * LABELS;
    // In LABEL_COLUMNS order.
    labels[k] = this.columnLabel(0, r.source);
    labels[k + 1] = this.columnLabel(1, r.reported_by);
    labels[k + 2] = this.columnLabel(2, r.falls_within);
    labels[k + 3] = this.placeLabel(place, LOCATION, 0, r.location);
    labels[k + 4] = this.placeLabel(place, LSOA_CODE, 1, r.lsoa_code);
    labels[k + 5] = this.placeLabel(place, LSOA_NAME, 2, r.lsoa_name);
    labels[k + 6] = this.columnLabel(6, r.crime_type);
    labels[k + 7] = this.columnLabel(7, r.last_outcome);
    labels[k + 8] = this.columnLabel(8, r.source_file);
    labels[k + 9] = this.columnLabel(9, r.imported_at);
    labels[k + 10] = this.columnLabel(10, r.updated_at);
  }

  /** A later row of a record the chunk has: merged into it. */
  private merge(i: number, r: CrimeRecordRow): void {
    const text = (n: number) => (n === 0 ? null : this.labelTexts[n]!);
    const record = { month: text(this.month[i]!)!, occurred_at: this.occurredAt[i]!, last_outcome: text(this.labels[i * LABELS + LAST_OUTCOME]!), outcome_month: text(this.outcomeMonth[i]!) };
    this.folded[i]!++;
    if (!mergeInto(record, r)) return;
    this.changed[i] = 1;
    this.month[i] = this.label(record.month);
    this.occurredAt[i] = record.occurred_at;
    this.labels[i * LABELS + LAST_OUTCOME] = this.label(record.last_outcome);
    this.outcomeMonth[i] = this.label(record.outcome_month);
  }

  /** The chunk of the rows added since the last one, and the dictionary entries it introduced. */
  take(): RecordChunk {
    const n = this.n;
    const chunk: RecordChunk = {
      size: n,
      keyHash: this.keyHash.slice(0, n),
      identity: this.identity.slice(0, n),
      hasCrimeId: this.hasCrimeId.slice(0, n),
      month: this.month.slice(0, n),
      outcomeMonth: this.outcomeMonth.slice(0, n),
      occurredAt: this.occurredAt.slice(0, n),
      context: this.context.slice(0, n),
      located: this.located.slice(0, n),
      place: this.place.slice(0, n),
      sourceLine: this.sourceLine.slice(0, n),
      labels: this.labels.slice(0, n * LABELS),
      folded: this.folded.slice(0, n),
      changed: this.changed.slice(0, n),
      sharedHashes: this.byText !== null && this.byText.size > 0,
      dictionary: {
        epoch: this.epoch,
        labelsFrom: this.labelsFrom,
        labels: this.labelTexts.slice(this.labelsFrom),
        placesFrom: this.placesFrom,
        placeKeys: this.newPlaceKeys,
        placeNumbers: Float64Array.from(this.newPlaceNumbers),
        placeCells: this.newPlaceCells,
      },
    };
    // The next chunk starts empty; the dictionaries carry on, unless they have grown too big.
    this.discard();
    this.newPlaceKeys = [];
    this.newPlaceNumbers = [];
    this.newPlaceCells = [];
    if (this.labelNumbers.size > DICTIONARY_LIMIT || this.places.size > DICTIONARY_LIMIT) {
      this.epoch++;
      this.labelNumbers = new Map();
      this.labelTexts = [''];
      this.places = new Map();
      this.byPoint = new Map();
      this.placeLongitude = [NaN];
      this.placeLatitude = [NaN];
      this.placeEasting = [null];
      this.placeNorthing = [null];
      this.placeCell = [null];
      this.placeLabels = [[0, 0, 0]];
      this.lastLabel.fill(0);
    }
    this.labelsFrom = this.labelTexts.length;
    this.placesFrom = this.placeCell.length;
    return chunk;
  }

  /** Drops the rows added since the last chunk (a file that could not be read); their dictionary entries go with the next chunk. */
  discard(): void {
    this.n = 0;
    this.rows = 0;
    this.byHash.clear();
    this.byText = null;
    this.identity = [];
    this.occurredAt = [];
    this.context = [];
    this.folded.fill(0);
    this.changed.fill(0);
  }

  /** The chunk of these rows (for callers that have them all at once). */
  encode(rows: readonly CrimeRecordRow[]): RecordChunk {
    for (const r of rows) this.add(r);
    return this.take();
  }
}

/**
 * A text of its own: the texts read are slices of a whole decoded piece of the file, which a
 * dictionary entry would keep alive; and a flat text compares with a slice four times faster
 * than another slice does (V8 compares two slices in its runtime, a character at a time).
 */
function ownCopy(text: string): string {
  return Buffer.from(text, 'utf8').toString('utf8');
}

/**
 * The chunk's rows by identity hash: open addressing over typed arrays, emptied for each
 * chunk. A Map of numbers cost the reader about a tenth of its time in lookups.
 */
class RowsByHash {
  /** row + 1 in each slot, 0 for empty */
  private slots: Int32Array;
  private mask: number;

  constructor() {
    this.slots = new Int32Array(0);
    this.mask = -1;
  }

  /** Room for this many rows, the table at most half full; `hashes` are those of the rows it holds. */
  reserve(rows: number, hashes: Float64Array): void {
    let size = 1024;
    while (size < rows * 2) size *= 2;
    if (size <= this.slots.length) return;
    const old = this.slots;
    this.slots = new Int32Array(size);
    this.mask = size - 1;
    // Again in the order the rows came, so that of two rows with one hash the first is still found first.
    const entries = old.filter((e) => e !== 0).sort();
    for (const entry of entries) this.place(entry, hashes[entry - 1]!);
  }

  private place(entry: number, hash: number): void {
    let s = (hash >>> 0) & this.mask;
    while (this.slots[s] !== 0) s = (s + 1) & this.mask;
    this.slots[s] = entry;
  }

  /** The first row with this hash, or -1. */
  find(hash: number, hashes: Float64Array): number {
    const slots = this.slots;
    const mask = this.mask;
    for (let s = (hash >>> 0) & mask; ; s = (s + 1) & mask) {
      const entry = slots[s]!;
      if (entry === 0) return -1;
      if (hashes[entry - 1] === hash) return entry - 1;
    }
  }

  insert(hash: number, row: number): void {
    this.place(row + 1, hash);
  }

  clear(): void {
    this.slots.fill(0);
  }
}
