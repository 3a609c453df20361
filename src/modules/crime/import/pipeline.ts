import { Worker } from 'node:worker_threads';
import type { ControlledTransaction } from 'kysely';
import type { Actor } from '../../../platform/actor.ts';
import { record as audit } from '../../../platform/audit/service.ts';
import type { Db } from '../../../platform/db/index.ts';
import * as store from '../store.ts';
import { LABELS, LAST_OUTCOME, type RecordChunk } from './encode.ts';
import type { ImportSource } from './plans.ts';
import { ERRORS_KEPT, type ReadEvent } from './reader.ts';
import { mergeInto, type CrimeRecordRow, type OutcomeRow, type Rejection, type StopSearchRow } from './rows.ts';
import type { InputFile } from './sources.ts';
import type { WorkerInput, WorkerMessage } from './worker.ts';

/**
 * The import pipeline shared by every source. Files are read, parsed, checked and converted
 * in a thread of their own (reader.ts, worker.ts) while this one writes what it is sent, in
 * order, so the two cores work at once. Each file is written whole or not at all (its rows,
 * the data-version bump and its audit entry together), inside a transaction that commits
 * whole files: a crash leaves no file half-written, and running the same import again
 * completes it, because rows already stored are recognised by their identity and counted as
 * duplicates.
 */

export { ERRORS_KEPT };

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
  /** what the files hold and how they are read */
  source: ImportSource;
  actor: Actor;
  /** ties the audit entries of one import together */
  importId: string;
  /** what started it: `police-uk`, `csv:<source>`, `first-start` */
  via: string;
  encoding?: string;
  delimiter?: string;
  progress?: ImportProgress;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Group = ControlledTransaction<any>;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Scoped = ControlledTransaction<any, [typeof SAVEPOINT]>;

/**
 * When to commit. On PostgreSQL after every file: a commit is cheap there, and the import's
 * audit entries and data-version bump lock the audit chain's head and the version row until
 * their transaction ends, which would stall every audited action in the system for as long
 * as a long transaction lasted. On SQLite, whole files are committed together once their
 * transaction has been open for a second: each commit waits for the disk (synchronous FULL)
 * and writes out most of the pages of the identity index again (its keys are random), so a
 * commit per file cost the 35-file Leicestershire import half as much time again, while a
 * second keeps SQLite's single write lock well under the 5 s other writers wait for it.
 */
const SQLITE_GROUP_MS = 1_000;
const SAVEPOINT = 'peel_import_file' as const;

export async function runImport(db: Db, inputs: InputFile[], options: ImportOptions): Promise<ImportSummary> {
  const summary = emptySummary();
  // An archive's file count is known only once it is read.
  options.progress?.start(
    inputs.reduce((n, i) => n + i.bytes, 0),
    inputs.some((i) => i.kind === 'zip') ? 0 : inputs.length,
  );
  const restoreCache = await store.widenCacheForImport(db);
  const writer = new ImportWriter(db, summary, options, await store.anyOutcomes(db));
  try {
    await readInWorker({ inputs, source: options.source, options: { encoding: options.encoding, delimiter: options.delimiter } }, (event) => writer.handle(event), (n) => options.progress?.bytes(n));
    await writer.commit();
    await store.refreshStatistics(db, summary.imported + summary.updated);
  } finally {
    await writer.rollback();
    await restoreCache();
    options.progress?.finish();
  }
  return summary;
}

/**
 * Runs the reader in a worker thread and hands its events to `handle` one at a time, in
 * order, sending a credit back for each chunk once it is handled. A failure on either side
 * ends the worker and the import.
 */
async function readInWorker(input: WorkerInput, handle: (event: ReadEvent) => Promise<void>, onBytes: (n: number) => void): Promise<void> {
  const worker = new Worker(new URL('./worker.ts', import.meta.url), { workerData: input });
  const queue: WorkerMessage[] = [];
  let waiting: (() => void) | null = null;
  const push = (m: WorkerMessage) => {
    queue.push(m);
    waiting?.();
    waiting = null;
  };
  worker.on('message', push);
  worker.on('error', (err) => push({ failed: err.stack ?? String(err) }));
  worker.on('exit', (code) => push({ failed: `the import's reading thread stopped (exit code ${code})` }));
  try {
    for (let head = 0; ; ) {
      if (head === queue.length) {
        queue.length = 0;
        head = 0;
        await new Promise<void>((resolve) => (waiting = resolve));
        continue;
      }
      const m = queue[head++]!;
      if ('bytes' in m) onBytes(m.bytes);
      else if ('done' in m) return;
      else if ('failed' in m) throw new Error(`crime import: ${m.failed}`);
      else {
        await handle(m.event);
        if (m.event.type === 'records' || m.event.type === 'outcomes' || m.event.type === 'stop-searches') worker.postMessage(1);
      }
    }
  } finally {
    worker.removeAllListeners();
    await worker.terminate();
  }
}

/** What the writer knows of the file being written. */
interface OpenFile {
  display: string;
  label: string;
  kind: string;
  now: string;
  /** the handle its writes go through: the group, or on PostgreSQL its savepoint */
  db: Db;
  /** on SQLite, the highest ids before it, to undo it */
  before: { records: number; outcomes: number; stopSearches: number } | null;
  imported: number;
  duplicates: number;
  updated: Set<string>;
  /** each stored record as it was before this file first changed it, to undo the file */
  originals: Map<number, store.RecordState>;
}

/** The writing half: turns the reader's events into transactions, rows, audit entries and the summary. */
class ImportWriter {
  private readonly db: Db;
  private readonly summary: ImportSummary;
  private readonly options: ImportOptions;
  private outcomesStored: boolean;
  private readonly records = new store.RecordWriter();
  private group: Group | null = null;
  /** when the open transaction began */
  private groupStarted = 0;
  private file: OpenFile | null = null;

  constructor(db: Db, summary: ImportSummary, options: ImportOptions, outcomesStored: boolean) {
    this.db = db;
    this.summary = summary;
    this.options = options;
    this.outcomesStored = outcomesStored;
  }

  async handle(event: ReadEvent): Promise<void> {
    const summary = this.summary;
    switch (event.type) {
      case 'input-error':
        summary.files++;
        addError(summary, { file: event.file, line: 0, reason: event.reason });
        return;
      case 'file-refused':
        summary.files++;
        this.options.progress?.file(event.display);
        addError(summary, { file: event.display, line: 0, reason: event.reason });
        return;
      case 'file':
        summary.files++;
        this.options.progress?.file(event.display);
        return this.open(event);
      case 'records':
        await writeRecords(this.current.db, this.records, event.chunk, this.current, this.outcomesStored);
        this.options.progress?.rows(event.rows);
        return;
      case 'outcomes':
        await writeOutcomes(this.current.db, event.list, this.current);
        if (event.list.length) this.outcomesStored = true;
        this.options.progress?.rows(event.rows);
        return;
      case 'stop-searches':
        await writeStopSearches(this.current.db, event.list, this.current);
        this.options.progress?.rows(event.rows);
        return;
      case 'file-end':
        this.options.progress?.rows(event.rowsSince);
        return this.close(event);
      case 'file-failed':
        return this.undo(event);
    }
  }

  private get current(): OpenFile {
    if (!this.file) throw new Error('crime import: rows arrived outside a file');
    return this.file;
  }

  private async open(event: Extract<ReadEvent, { type: 'file' }>): Promise<void> {
    if (!this.group) {
      this.group = await this.db.startTransaction().execute();
      this.groupStarted = performance.now();
      await store.preferIndexLookups(this.group);
    }
    // Each file is all or nothing within its transaction: on PostgreSQL through a savepoint;
    // on SQLite, where a savepoint copies every page it touches to a sub-journal (about an
    // eighth of an import's time), by remembering the highest ids, to delete what is above.
    const pg = store.isPostgres(this.group);
    this.file = {
      display: event.display,
      label: event.label,
      kind: event.kind,
      now: event.now,
      db: pg ? await this.group.savepoint(SAVEPOINT).execute() : this.group,
      before: pg ? null : await store.highestIds(this.group),
      imported: 0,
      duplicates: 0,
      updated: new Set(),
      originals: new Map(),
    };
  }

  private async close(event: Extract<ReadEvent, { type: 'file-end' }>): Promise<void> {
    const file = this.current;
    this.file = null;
    const summary = this.summary;
    if (event.refused) {
      await this.release(file);
      addError(summary, event.refused);
      return;
    }
    if (file.imported > 0 || file.updated.size > 0) await store.bumpDataVersion(file.db, file.now);
    await audit(file.db, this.options.actor, {
      operation: 'collection',
      action: 'crime.import',
      recordType: 'crime_import',
      recordIds: [this.options.importId],
      details: {
        via: this.options.via,
        file: file.label,
        kind: file.kind,
        rows: event.rows,
        imported: file.imported,
        updated: file.updated.size,
        duplicates: file.duplicates,
        rejected: event.rejected,
        unlocated: event.unlocated,
      },
    });
    await this.release(file);
    summary.rows += event.rows;
    summary.imported += file.imported;
    summary.updated += file.updated.size;
    summary.duplicates += file.duplicates;
    summary.rejected += event.rejected;
    summary.unlocated += event.unlocated;
    for (const e of event.errors) addError(summary, e);
    if (store.isPostgres(this.db) || performance.now() - this.groupStarted >= SQLITE_GROUP_MS) await this.commit();
  }

  private async release(file: OpenFile): Promise<void> {
    if (file.before === null) await (file.db as Scoped).releaseSavepoint(SAVEPOINT).execute();
  }

  /** A file that failed while being read is undone on its own; the import goes on. */
  private async undo(event: Extract<ReadEvent, { type: 'file-failed' }>): Promise<void> {
    const file = this.current;
    this.file = null;
    if (file.before === null) {
      const scoped = file.db as Scoped;
      await scoped.rollbackToSavepoint(SAVEPOINT).execute();
      await scoped.releaseSavepoint(SAVEPOINT).execute();
    } else {
      await store.deleteRowsAbove(file.db, file.before);
      await store.updateRecordStates(file.db, file.originals.values());
    }
    // Labels and places the file added may have gone with it (PostgreSQL): look them up again.
    this.records.forgetIds();
    addError(this.summary, { file: file.display, line: event.line, reason: `could not be read (${event.message}); nothing from this file was imported` });
  }

  async commit(): Promise<void> {
    const group = this.group;
    this.group = null;
    if (group) await group.commit().execute();
  }

  /** After a failure: what is not committed is rolled back. */
  async rollback(): Promise<void> {
    const group = this.group;
    this.group = null;
    if (group) await group.rollback().execute();
  }
}

/**
 * Crime records, by identity: a new identity is a new record; one already stored is a
 * duplicate, merged: the record counts in the earliest month it appears in, and keeps the
 * outcome of the latest month that gave one. The chunk's rows of one identity come merged
 * already (encode.ts), so each identity is inserted or merged once.
 */
async function writeRecords(db: Db, writer: store.RecordWriter, chunk: RecordChunk, file: OpenFile, outcomesStored: boolean): Promise<void> {
  if (chunk.size === 0) return;
  writer.receive(chunk);
  // Outcomes imported before their crimes: the latest one that is not older than the record's own.
  let overrides: Map<number, store.OutcomeOverride> | null = null;
  if (outcomesStored) {
    const crimeIds: string[] = [];
    for (let i = 0; i < chunk.size; i++) if (chunk.hasCrimeId[i]) crimeIds.push(chunk.identity[i]!);
    const latest = await store.latestOutcomes(db, crimeIds);
    overrides = new Map();
    for (let i = 0; i < chunk.size; i++) {
      const o = chunk.hasCrimeId[i] ? latest.get(chunk.identity[i]!) : undefined;
      const own = writer.labelText(chunk.outcomeMonth[i]!);
      if (o && (own === null || o.month >= own)) overrides.set(i, { last_outcome: o.outcome_type, outcome_month: o.month });
    }
  }
  const stored = await writer.insertChunk(db, chunk, overrides);
  file.imported += chunk.size - stored.size;
  for (let i = 0; i < chunk.size; i++) {
    file.duplicates += chunk.folded[i]!;
    if (chunk.changed[i] && !stored.has(i)) file.updated.add(chunk.identity[i]!);
  }
  const changed = new Map<number, store.RecordState>();
  for (const [i, existing] of stored) {
    // Its first row was not inserted after all: a duplicate too (the later ones are counted).
    file.duplicates++;
    const before = { ...existing };
    const row = { month: writer.labelText(chunk.month[i]!)!, occurred_at: chunk.occurredAt[i]!, last_outcome: writer.labelText(chunk.labels[i * LABELS + LAST_OUTCOME]!), outcome_month: writer.labelText(chunk.outcomeMonth[i]!) };
    if (mergeInto(existing, row)) {
      if (!file.originals.has(existing.id)) file.originals.set(existing.id, before);
      existing.updated_at = file.now;
      changed.set(existing.id, existing);
      file.updated.add(existing.identity);
    }
  }
  await store.updateRecordStates(db, changed.values());
}

/** The rows not stored yet and not repeated within `rows`, counted as imported; the others as duplicates. */
function newRows<T extends { record_key: string }>(rows: readonly T[], stored: ReadonlySet<string>, file: OpenFile): T[] {
  const fresh: T[] = [];
  const seen = new Set<string>();
  for (const r of rows) {
    if (stored.has(r.record_key) || seen.has(r.record_key)) file.duplicates++;
    else {
      seen.add(r.record_key);
      fresh.push(r);
    }
  }
  file.imported += fresh.length;
  return fresh;
}

/**
 * Outcomes: every new row stored; each joins to its crime by Crime ID and becomes its last
 * outcome when its month is not older than the one the crime has. A row already stored is
 * a duplicate and changes nothing, so importing the same files twice is harmless.
 */
async function writeOutcomes(db: Db, rows: OutcomeRow[], file: OpenFile): Promise<void> {
  if (!rows.length) return;
  const inserts = newRows(rows, await store.findOutcomeKeys(db, rows.map((r) => r.record_key)), file);
  await store.insertOutcomes(db, inserts);
  const crimes = await store.findRecordStates(db, inserts.map((r) => r.crime_id));
  const changed = new Map<number, store.RecordState>();
  for (const o of inserts) {
    const crime = crimes.get(o.crime_id);
    if (!crime || crime.crime_id === null || (crime.outcome_month !== null && o.month < crime.outcome_month)) continue;
    if (crime.last_outcome === o.outcome_type && crime.outcome_month === o.month) continue;
    if (!file.originals.has(crime.id)) file.originals.set(crime.id, { ...crime });
    crime.last_outcome = o.outcome_type;
    crime.outcome_month = o.month;
    crime.updated_at = file.now;
    changed.set(crime.id, crime);
    file.updated.add(crime.identity);
  }
  await store.updateRecordStates(db, changed.values());
}

async function writeStopSearches(db: Db, rows: StopSearchRow[], file: OpenFile): Promise<void> {
  if (!rows.length) return;
  await store.insertStopSearches(db, newRows(rows, await store.findStopSearchKeys(db, rows.map((r) => r.record_key)), file));
}
