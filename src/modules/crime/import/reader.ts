import { CsvParser } from './csv.ts';
import { RecordEncoder, type RecordChunk } from './encode.ts';
import type { FilePlan, ImportError } from './pipeline.ts';
import { planFor, type ImportSource } from './plans.ts';
import { Rejection, type CrimeRecordRow, type OutcomeRow, type StopSearchRow } from './rows.ts';
import { openSources, type InputFile, type SourceFile } from './sources.ts';

/**
 * The reading half of an import, which runs in a thread of its own (worker.ts): files are
 * opened, decompressed, parsed and checked row by row, and their rows converted, located and
 * encoded, while the writing half (pipeline.ts) stores the chunks before. What it finds is
 * told as a sequence of events, in order.
 */

/** Rows per chunk: large enough that statements are few, small enough that memory stays flat. */
export const CHUNK_ROWS = 5_000;

/** Errors listed per file; more are counted. */
export const ERRORS_KEPT = 10_000;

export type ReadEvent =
  /** an input that could not be opened or held no CSV file: counts as a file refused whole */
  | { type: 'input-error'; file: string; reason: string }
  /** a file refused by its name */
  | { type: 'file-refused'; display: string; reason: string }
  /** a file whose rows follow; `now` is its import time */
  | { type: 'file'; display: string; label: string; table: FilePlan['table']; kind: string; now: string }
  /** `rows` rows of the file read since the previous event (rejected ones too) */
  | { type: 'records'; chunk: RecordChunk; rows: number }
  | { type: 'outcomes'; list: OutcomeRow[]; rows: number }
  | { type: 'stop-searches'; list: StopSearchRow[]; rows: number }
  /** the file read to its end, or refused by its header (`refused`: then no rows came) */
  | { type: 'file-end'; rows: number; rejected: number; unlocated: number; errors: ImportError[]; refused: ImportError | null; rowsSince: number }
  /** the file could not be read to its end: what came of it must be undone */
  | { type: 'file-failed'; message: string; line: number };

export interface ReadOptions {
  encoding?: string;
  delimiter?: string;
}

/**
 * Reads the inputs in order. `emit` is awaited for each event (the writer may hold the
 * reader back); `onBytes` is told of bytes read from disk, for a progress bar.
 */
export async function readInputs(inputs: InputFile[], source: ImportSource, options: ReadOptions, emit: (event: ReadEvent) => Promise<void>, onBytes?: (n: number) => void): Promise<void> {
  const plan = await planFor(source);
  const encoder = new RecordEncoder();
  for (const input of inputs) {
    const sources = openSources([input], onBytes);
    let found = 0;
    for (;;) {
      let next: IteratorResult<SourceFile>;
      try {
        next = await sources.next();
      } catch (err) {
        await emit({ type: 'input-error', file: input.path, reason: `could not be read: ${(err as Error).message}` });
        break;
      }
      if (next.done) {
        if (found === 0 && input.kind === 'zip') await emit({ type: 'input-error', file: input.path, reason: 'holds no CSV files (is it a zip archive?)' });
        break;
      }
      found++;
      const file = next.value;
      const p = plan(file);
      if (typeof p === 'string') {
        await emit({ type: 'file-refused', display: file.display, reason: p });
        continue;
      }
      const now = new Date().toISOString();
      await emit({ type: 'file', display: file.display, label: file.label, table: p.table, kind: p.kind, now });
      await readFile(file, p, now, options, encoder, emit);
    }
  }
}

async function readFile(source: SourceFile, plan: FilePlan, now: string, options: ReadOptions, encoder: RecordEncoder, emit: (event: ReadEvent) => Promise<void>): Promise<void> {
  let rows = 0;
  let rejected = 0;
  let unlocated = 0;
  const errors: ImportError[] = [];
  const reject = (line: number, reason: string) => {
    rejected++;
    if (errors.length < ERRORS_KEPT) errors.push({ file: source.display, line, reason });
  };
  let convert: ((f: string[], line: number) => CrimeRecordRow | OutcomeRow | StopSearchRow | Rejection) | null = null;
  let refused: ImportError | null = null;
  /** outcomes and stop and search rows waiting to be sent (crime records go straight into the encoder) */
  let batch: Array<OutcomeRow | StopSearchRow> = [];
  const records = plan.table === 'crime_records';
  const pending = () => (records ? encoder.rows : batch.length);
  let rowsSent = 0;
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
      rows++;
      if (problem) return reject(line, problem);
      const r = convert(fields, line);
      if (r instanceof Rejection) return reject(line, r.reason);
      if ('located' in r && r.located === 0) unlocated++;
      if (records) encoder.add(r as CrimeRecordRow);
      else batch.push(r as OutcomeRow | StopSearchRow);
    },
    { delimiter: options.delimiter },
  );
  const flush = async () => {
    const list = batch;
    batch = [];
    const since = rows - rowsSent;
    rowsSent = rows;
    if (records) await emit({ type: 'records', chunk: encoder.take(), rows: since });
    else if (plan.table === 'crime_outcomes') await emit({ type: 'outcomes', list: list as OutcomeRow[], rows: since });
    else await emit({ type: 'stop-searches', list: list as StopSearchRow[], rows: since });
  };
  const decoder = new TextDecoder(options.encoding ?? 'utf-8');
  const iterator = source.chunks[Symbol.asyncIterator]();
  try {
    for (;;) {
      let next: IteratorResult<Uint8Array>;
      try {
        next = await iterator.next();
      } catch (err) {
        if (records) encoder.discard();
        await emit({ type: 'file-failed', message: (err as Error).message, line: lastLine });
        return;
      }
      if (next.done) break;
      parser.push(decoder.decode(next.value, { stream: true }));
      if (refused) break;
      if (pending() >= CHUNK_ROWS) await flush();
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
    await emit({ type: 'file-end', rows: 0, rejected: 0, unlocated: 0, errors: [], refused, rowsSince: 0 });
    return;
  }
  if (pending()) await flush();
  await emit({ type: 'file-end', rows, rejected, unlocated, errors, refused: null, rowsSince: rows - rowsSent });
}
