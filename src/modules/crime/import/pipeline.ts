import type { Actor } from '../../../platform/actor.ts';
import { record as audit } from '../../../platform/audit/service.ts';
import type { ControlledTransaction } from 'kysely';
import type { Db } from '../../../platform/db/index.ts';
import * as store from '../store.ts';
import { CsvParser } from './csv.ts';
import { Rejection, type CrimeRecordRow, type OutcomeRow, type StopSearchRow } from './rows.ts';
import { openSources, type InputFile, type SourceFile } from './sources.ts';

/**
 * The import pipeline shared by every source: files are read one after another, parsed as
 * they stream in, checked row by row, and written in chunks. Each file is written whole or
 * not at all (its rows, the data-version bump and its audit entry together), inside a
 * transaction that commits whole files: a crash leaves no file half-written, and running
 * the same import again completes it, because rows already stored are recognised by their
 * identity and counted as duplicates.
 */

export interface ImportError {
  file: string;
  line: number;
  reason: string;
}

export interface ImportSummary {
  /** CSV files found (including any refused whole) */
  files: number;
  /** data rows read from the files that were imported */
  rows: number;
  /** new records (or outcome / stop and search rows) stored */
  imported: number;
  /** stored records changed: a later month's outcome, an earlier month, an outcome joined */
  updated: number;
  /** rows whose identity was already stored (a re-import, or a Crime ID seen in another month) */
  duplicates: number;
  /** rows refused; each is listed in errors */
  rejected: number;
  /** rows kept without coordinates */
  unlocated: number;
  /** each rejected row (file and line) and each file refused whole (line 0, or 1 for its header) */
  errors: ImportError[];
  /** errors beyond the first ERRORS_KEPT, counted but not listed */
  errorsOmitted: number;
}

/** Errors listed in a summary; more are counted in errorsOmitted. */
export const ERRORS_KEPT = 10_000;

export const emptySummary = (): ImportSummary => ({ files: 0, rows: 0, imported: 0, updated: 0, duplicates: 0, rejected: 0, unlocated: 0, errors: [], errorsOmitted: 0 });

export function addError(summary: ImportSummary, error: ImportError): void {
  if (summary.errors.length < ERRORS_KEPT) summary.errors.push(error);
  else summary.errorsOmitted++;
}

/** What a file is, once its name is read: which converter reads its rows into which table. */
export type FilePlan =
  | { table: 'crime_records'; converter: (header: readonly string[], now: string) => ((f: string[], line: number) => CrimeRecordRow | Rejection) | string; kind: string }
  | { table: 'crime_outcomes'; converter: (header: readonly string[], now: string) => ((f: string[], line: number) => OutcomeRow | Rejection) | string; kind: string }
  | { table: 'stop_searches'; converter: (header: readonly string[], now: string) => ((f: string[], line: number) => StopSearchRow | Rejection) | string; kind: string };

export interface ImportProgress {
  /** totalFiles 0: not known in advance */
  start(totalBytes: number, totalFiles: number): void;
  file(display: string): void;
  bytes(n: number): void;
  rows(n: number): void;
  finish(): void;
}

export interface ImportOptions {
  /** what a file holds, from its name; a string refuses it with that reason */
  plan(file: SourceFile): FilePlan | string;
  actor: Actor;
  /** ties the audit entries of one import together */
  importId: string;
  /** what started it: `police-uk`, `csv:<source>`, `first-start` */
  via: string;
  encoding?: string;
  delimiter?: string;
  progress?: ImportProgress;
}

/** Rows per write: large enough that statements are few, small enough that memory stays flat. */
const CHUNK_ROWS = 5_000;

interface FileCounts {
  rows: number;
  imported: number;
  duplicates: number;
  rejected: number;
  unlocated: number;
  updated: Set<string>;
  errors: ImportError[];
  /** each stored record as it was before this file first changed it, to undo the file */
  originals: Map<string, store.RecordState>;
}

/** An error while reading a file (not while writing it): the file is undone and skipped, the import goes on. */
class SourceReadError extends Error {
  readonly line: number;
  readonly originals: Map<string, store.RecordState>;
  constructor(message: string, line: number, originals: Map<string, store.RecordState>) {
    super(message);
    this.line = line;
    this.originals = originals;
  }
}

interface RunState {
  outcomesStored: boolean;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Group = ControlledTransaction<any>;

/**
 * When to commit. On PostgreSQL after every file: a commit is cheap there, and the import's
 * audit entries and data-version bump lock the audit chain's head and the version row until
 * their transaction ends, which would stall every audited action in the system for as long
 * as a long transaction lasted. On SQLite, whole files are committed together once they hold
 * 100,000 rows: police.uk's Crime IDs are random hashes, so each commit writes out most of
 * the identity indexes' pages again (one commit per file took the 35-file Leicestershire
 * import from 6.9 s to 10.7 s, and to 23 s with SQLite's default 2 MB cache); 100,000 rows
 * keep SQLite's single write lock to a couple of seconds at a time, under the 5 s other
 * writers wait for it (measured: 7.1 s; one commit for everything, 6.9 s).
 */
const SQLITE_GROUP_ROWS = 100_000;
const SAVEPOINT = 'peel_import_file';

/**
 * Each file is all or nothing within its transaction. On PostgreSQL a savepoint does it.
 * On SQLite a savepoint copies every page it touches to a sub-journal (about an eighth of an
 * import's time), so a file that fails while being read is undone instead: the rows it added
 * are those above the ids read before it (no other writer can add rows while the import holds
 * SQLite's write lock) and the records it changed get their earlier state back.
 */
async function withFileScope(group: Group, run: (db: Db) => Promise<FileCounts>): Promise<FileCounts> {
  if (store.isPostgres(group)) {
    const scoped = await group.savepoint(SAVEPOINT).execute();
    try {
      const counts = await run(scoped);
      await scoped.releaseSavepoint(SAVEPOINT).execute();
      return counts;
    } catch (err) {
      await scoped.rollbackToSavepoint(SAVEPOINT).execute();
      await scoped.releaseSavepoint(SAVEPOINT).execute();
      throw err;
    }
  }
  const before = await store.highestIds(group);
  try {
    return await run(group);
  } catch (err) {
    // A database error ends the whole import (the group rolls back); only a read error is undone here.
    if (err instanceof SourceReadError) {
      await store.deleteRowsAbove(group, before);
      await store.updateRecordStates(group, err.originals.values());
    }
    throw err;
  }
}

export async function runImport(db: Db, inputs: InputFile[], options: ImportOptions): Promise<ImportSummary> {
  const summary = emptySummary();
  const state: RunState = { outcomesStored: await store.anyOutcomes(db) };
  // An archive's file count is known only once it is read.
  options.progress?.start(
    inputs.reduce((n, i) => n + i.bytes, 0),
    inputs.some((i) => i.kind === 'zip') ? 0 : inputs.length,
  );
  const restoreCache = await store.widenCacheForImport(db);
  let group: Group | null = null;
  let groupRows = 0;
  const groupLimit = store.isPostgres(db) ? 1 : SQLITE_GROUP_ROWS;
  try {
    for (const input of inputs) {
      const sources = openSources([input], options.progress ? (n) => options.progress!.bytes(n) : undefined);
      let found = 0;
      for (;;) {
        let next: IteratorResult<SourceFile>;
        try {
          next = await sources.next();
        } catch (err) {
          summary.files++;
          addError(summary, { file: input.path, line: 0, reason: `could not be read: ${(err as Error).message}` });
          break;
        }
        if (next.done) {
          if (found === 0 && input.kind === 'zip') {
            summary.files++;
            addError(summary, { file: input.path, line: 0, reason: 'holds no CSV files (is it a zip archive?)' });
          }
          break;
        }
        found++;
        const source = next.value;
        summary.files++;
        options.progress?.file(source.display);
        const plan = options.plan(source);
        if (typeof plan === 'string') {
          addError(summary, { file: source.display, line: 0, reason: plan });
          continue;
        }
        if (!group) {
          group = await db.startTransaction().execute();
          await store.preferIndexLookups(group);
        }
        let counts: FileCounts;
        try {
          counts = await withFileScope(group, (scoped) => importFile(scoped, source, plan, options, state));
        } catch (err) {
          if (!(err instanceof SourceReadError)) throw err;
          addError(summary, { file: source.display, line: err.line, reason: `could not be read (${err.message}); nothing from this file was imported` });
          continue;
        }
        summary.rows += counts.rows;
        summary.imported += counts.imported;
        summary.updated += counts.updated.size;
        summary.duplicates += counts.duplicates;
        summary.rejected += counts.rejected;
        summary.unlocated += counts.unlocated;
        for (const e of counts.errors) addError(summary, e);
        groupRows += counts.rows;
        if (groupRows >= groupLimit) {
          await group.commit().execute();
          group = null;
          groupRows = 0;
        }
      }
    }
    if (group) await group.commit().execute();
    group = null;
  } finally {
    if (group) await group.rollback().execute();
    await restoreCache();
    options.progress?.finish();
  }
  return summary;
}

async function importFile(trx: Db, source: SourceFile, plan: FilePlan, options: ImportOptions, state: RunState): Promise<FileCounts> {
  const now = new Date().toISOString();
  const counts: FileCounts = { rows: 0, imported: 0, duplicates: 0, rejected: 0, unlocated: 0, updated: new Set(), errors: [], originals: new Map() };
  const reject = (line: number, reason: string) => {
    counts.rejected++;
    if (counts.errors.length < ERRORS_KEPT) counts.errors.push({ file: source.display, line, reason });
  };
  let convert: ((f: string[], line: number) => CrimeRecordRow | OutcomeRow | StopSearchRow | Rejection) | null = null;
  let refused: ImportError | null = null;
  let batch: Array<CrimeRecordRow | OutcomeRow | StopSearchRow> = [];
  let rowsSeen = 0;
  let lastLine = 0;
  const parser = new CsvParser(
    (fields, line, problem) => {
      lastLine = line;
      if (refused) return;
      if (!convert) {
        const c = plan.converter(fields, now);
        if (typeof c === 'string') refused = { file: source.display, line, reason: c };
        else convert = c;
        return;
      }
      counts.rows++;
      if (problem) return reject(line, problem);
      const r = convert(fields, line);
      if (r instanceof Rejection) return reject(line, r.reason);
      if ('located' in r && r.located === 0) counts.unlocated++;
      batch.push(r);
    },
    { delimiter: options.delimiter },
  );
  const decoder = new TextDecoder(options.encoding ?? 'utf-8');
  const flush = async () => {
    const rows = batch;
    batch = [];
    if (plan.table === 'crime_records') await writeRecords(trx, rows as CrimeRecordRow[], counts, state, now);
    else if (plan.table === 'crime_outcomes') await writeOutcomes(trx, rows as OutcomeRow[], counts, now);
    else await writeStopSearches(trx, rows as StopSearchRow[], counts);
    if (plan.table === 'crime_outcomes' && rows.length) state.outcomesStored = true;
  };
  const iterator = source.chunks[Symbol.asyncIterator]();
  try {
    for (;;) {
      let next: IteratorResult<Uint8Array>;
      try {
        next = await iterator.next();
      } catch (err) {
        throw new SourceReadError((err as Error).message, lastLine, counts.originals);
      }
      if (next.done) break;
      parser.push(decoder.decode(next.value, { stream: true }));
      if (refused) break;
      if (batch.length >= CHUNK_ROWS) await flush();
      if (options.progress && counts.rows !== rowsSeen) {
        options.progress.rows(counts.rows - rowsSeen);
        rowsSeen = counts.rows;
      }
    }
    if (!refused) {
      parser.push(decoder.decode());
      parser.end();
    }
  } finally {
    if (refused) await iterator.return?.();
  }
  if (!convert && !refused) refused = { file: source.display, line: 1, reason: 'the file is empty: no header line' };
  if (refused) {
    counts.rows = 0;
    counts.rejected = 0;
    counts.errors = [refused];
    return counts;
  }
  await flush();
  options.progress?.rows(counts.rows - rowsSeen);
  if (counts.imported > 0 || counts.updated.size > 0) await store.bumpDataVersion(trx, now);
  await audit(trx, options.actor, {
    operation: 'collection',
    action: 'crime.import',
    recordType: 'crime_import',
    recordIds: [options.importId],
    details: {
      via: options.via,
      file: source.label,
      kind: plan.kind,
      rows: counts.rows,
      imported: counts.imported,
      updated: counts.updated.size,
      duplicates: counts.duplicates,
      rejected: counts.rejected,
      unlocated: counts.unlocated,
    },
  });
  return counts;
}

/**
 * Crime records, by identity: a new key is a new record; a key already stored (or seen
 * earlier in the import) is a duplicate, merged: the record counts in the earliest month it
 * appears in, and keeps the outcome of the latest month that gave one.
 */
async function writeRecords(db: Db, rows: CrimeRecordRow[], counts: FileCounts, state: RunState, now: string): Promise<void> {
  if (!rows.length) return;
  if (!store.isPostgres(db)) return writeRecordsInsertingFirst(db, rows, counts, state, now);
  const stored = await store.findRecordStates(db, [...new Set(rows.map((r) => r.record_key))]);
  const fresh = new Map<string, CrimeRecordRow>();
  const changed = new Map<string, store.RecordState>();
  const inserts: CrimeRecordRow[] = [];
  for (const row of rows) {
    const existing = stored.get(row.record_key);
    if (existing) {
      counts.duplicates++;
      const before = { ...existing };
      if (merge(existing, row)) {
        if (!counts.originals.has(existing.record_key)) counts.originals.set(existing.record_key, before);
        existing.updated_at = now;
        changed.set(existing.record_key, existing);
        counts.updated.add(existing.record_key);
      }
      continue;
    }
    const earlier = fresh.get(row.record_key);
    if (earlier) {
      counts.duplicates++;
      if (merge(earlier, row)) counts.updated.add(row.record_key);
      continue;
    }
    fresh.set(row.record_key, row);
    inserts.push(row);
    counts.imported++;
  }
  // Outcomes imported before their crimes: the latest one that is not older than the record's own.
  if (state.outcomesStored) {
    const latest = await store.latestOutcomes(
      db,
      inserts.flatMap((r) => (r.crime_id ? [r.crime_id] : [])),
    );
    for (const r of inserts) {
      const o = r.crime_id ? latest.get(r.crime_id) : undefined;
      if (o && (r.outcome_month === null || o.month >= r.outcome_month)) {
        r.last_outcome = o.outcome_type;
        r.outcome_month = o.month;
      }
    }
  }
  await store.insertCrimeRecords(db, inserts);
  await store.updateRecordStates(db, changed.values());
}

/**
 * writeRecords on SQLite, with the same outcome, inserting first: rows of one identity in
 * the chunk are merged first (as when they arrive one after another); the first of each
 * identity goes to insertNewRecords, which leaves alone and answers those already stored,
 * and those are then merged into the stored record, so the chunk costs no lookups when
 * nothing in it is stored yet (a first import).
 */
async function writeRecordsInsertingFirst(db: Db, rows: CrimeRecordRow[], counts: FileCounts, state: RunState, now: string): Promise<void> {
  const firsts = new Map<string, CrimeRecordRow>();
  /** identities whose first row in the chunk changed by a later one: updated, if it was new */
  const mergedInChunk = new Set<string>();
  /** the chunk's rows of each identity after the first, to merge into a stored record one by one */
  const laterRows = new Map<string, CrimeRecordRow[]>();
  for (const row of rows) {
    const first = firsts.get(row.record_key);
    if (!first) {
      firsts.set(row.record_key, row);
      continue;
    }
    counts.duplicates++;
    let later = laterRows.get(row.record_key);
    if (!later) laterRows.set(row.record_key, (later = []));
    later.push(row);
  }
  // The new record is its first row with the later ones merged in; the rows stay as read, for a stored record.
  const inserts: CrimeRecordRow[] = [];
  for (const [key, first] of firsts) {
    const later = laterRows.get(key);
    if (!later) {
      inserts.push(first);
      continue;
    }
    const combined = { ...first };
    for (const row of later) if (merge(combined, row)) mergedInChunk.add(key);
    inserts.push(combined);
  }
  // Outcomes imported before their crimes: the latest one that is not older than the record's own.
  if (state.outcomesStored) {
    const latest = await store.latestOutcomes(
      db,
      inserts.flatMap((r) => (r.crime_id ? [r.crime_id] : [])),
    );
    for (let i = 0; i < inserts.length; i++) {
      const r = inserts[i]!;
      const o = r.crime_id ? latest.get(r.crime_id) : undefined;
      if (o && (r.outcome_month === null || o.month >= r.outcome_month)) inserts[i] = { ...r, last_outcome: o.outcome_type, outcome_month: o.month };
    }
  }
  const stored = await store.insertNewRecords(db, inserts);
  counts.imported += inserts.length - stored.size;
  const changed = new Map<string, store.RecordState>();
  for (const key of mergedInChunk) if (!stored.has(key)) counts.updated.add(key);
  for (const [key, existing] of stored) {
    // The first row was not inserted after all: a duplicate too (the later ones are counted).
    counts.duplicates++;
    for (const row of [firsts.get(key)!, ...(laterRows.get(key) ?? [])]) {
      const before = { ...existing };
      if (merge(existing, row)) {
        if (!counts.originals.has(key)) counts.originals.set(key, before);
        existing.updated_at = now;
        changed.set(key, existing);
        counts.updated.add(key);
      }
    }
  }
  await store.updateRecordStates(db, changed.values());
}

/** Merges a row into the record with its identity; true when the record changed. */
function merge(record: store.RecordState, row: CrimeRecordRow): boolean {
  let changed = false;
  if (row.month < record.month) {
    // Counted once, in the earliest month it appears in, with that appearance's date and time.
    record.month = row.month;
    record.occurred_at = row.occurred_at;
    changed = true;
  }
  if (row.last_outcome !== null && row.outcome_month !== null && (record.outcome_month === null || row.outcome_month > record.outcome_month)) {
    if (record.last_outcome !== row.last_outcome || record.outcome_month !== row.outcome_month) changed = true;
    record.last_outcome = row.last_outcome;
    record.outcome_month = row.outcome_month;
  }
  return changed;
}

/**
 * Outcomes: every new row stored; each joins to its crime by Crime ID and becomes its last
 * outcome when its month is not older than the one the crime has. A row already stored is
 * a duplicate and changes nothing, so importing the same files twice is harmless.
 */
async function writeOutcomes(db: Db, rows: OutcomeRow[], counts: FileCounts, now: string): Promise<void> {
  if (!rows.length) return;
  const stored = await store.findOutcomeKeys(db, rows.map((r) => r.record_key));
  const inserts: OutcomeRow[] = [];
  const seen = new Set<string>();
  for (const r of rows) {
    if (stored.has(r.record_key) || seen.has(r.record_key)) counts.duplicates++;
    else {
      seen.add(r.record_key);
      inserts.push(r);
    }
  }
  counts.imported += inserts.length;
  await store.insertOutcomes(db, inserts);
  const crimes = await store.findRecordStatesByCrimeId(db, [...new Set(inserts.map((r) => r.crime_id))]);
  const changed = new Map<string, store.RecordState>();
  for (const o of inserts) {
    const crime = crimes.get(o.crime_id);
    if (!crime || (crime.outcome_month !== null && o.month < crime.outcome_month)) continue;
    if (crime.last_outcome === o.outcome_type && crime.outcome_month === o.month) continue;
    if (!counts.originals.has(crime.record_key)) counts.originals.set(crime.record_key, { ...crime });
    crime.last_outcome = o.outcome_type;
    crime.outcome_month = o.month;
    crime.updated_at = now;
    changed.set(crime.record_key, crime);
    counts.updated.add(crime.record_key);
  }
  await store.updateRecordStates(db, changed.values());
}

async function writeStopSearches(db: Db, rows: StopSearchRow[], counts: FileCounts): Promise<void> {
  if (!rows.length) return;
  const stored = await store.findStopSearchKeys(db, rows.map((r) => r.record_key));
  const inserts: StopSearchRow[] = [];
  const seen = new Set<string>();
  for (const r of rows) {
    if (stored.has(r.record_key) || seen.has(r.record_key)) counts.duplicates++;
    else {
      seen.add(r.record_key);
      inserts.push(r);
    }
  }
  counts.imported += inserts.length;
  await store.insertStopSearches(db, inserts);
}
