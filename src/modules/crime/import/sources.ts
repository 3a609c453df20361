import { createReadStream, readdirSync, statSync, type ReadStream } from 'node:fs';
import { basename, join } from 'node:path';
import { createGunzip } from 'node:zlib';
import type { UnzipFile } from 'fflate';
import { PeelError } from '../../../platform/errors.ts';

/**
 * Reading what a person points the importer at: CSV files, gzip-compressed CSV files,
 * folders (searched recursively, in name order) and `.zip` archives as data.police.uk's
 * download page builds them (one folder per month inside). Everything is streamed: no
 * file is ever held whole in memory.
 */

/** One CSV file to import, wherever it lives. Read `chunks` to the end (or stop) before asking for the next file. */
export interface SourceFile {
  /** how reports name it: the path as given, or `archive.zip/2022-10/…csv` */
  display: string;
  /** the file's own name (`2022-10-leicestershire-street.csv`), which says what it holds */
  name: string;
  /** what records remember as their source file: the file name, or `archive.zip/2022-10/…csv`; never a local folder */
  label: string;
  chunks: AsyncIterable<Uint8Array>;
}

/** A file found on disk: a CSV (maybe gzipped) or an archive of them. */
export interface InputFile {
  path: string;
  kind: 'csv' | 'csv.gz' | 'zip';
  bytes: number;
}

const READ_CHUNK = 256 * 1024;

export function fileKind(path: string): InputFile['kind'] | null {
  const lower = path.toLowerCase();
  if (lower.endsWith('.csv')) return 'csv';
  if (lower.endsWith('.csv.gz')) return 'csv.gz';
  if (lower.endsWith('.zip')) return 'zip';
  return null;
}

/**
 * Expands the paths given into the files to read, in order: a folder gives its CSV,
 * `.csv.gz` and `.zip` files (recursively, sorted by path; other files are ignored).
 * A path that does not exist, or a file named explicitly that is none of these, is an error.
 */
export function findInputs(paths: string[]): InputFile[] {
  const out: InputFile[] = [];
  for (const path of paths) {
    let stat;
    try {
      stat = statSync(path);
    } catch {
      throw new PeelError('not_found', `${path}: no such file or folder.`, 404);
    }
    if (stat.isDirectory()) {
      const entries = (readdirSync(path, { recursive: true, encoding: 'utf8' }) as string[]).sort();
      for (const rel of entries) {
        const full = join(path, rel);
        const kind = fileKind(rel);
        if (!kind) continue;
        const s = statSync(full);
        if (s.isFile()) out.push({ path: full, kind, bytes: s.size });
      }
    } else {
      const kind = fileKind(path);
      if (!kind) throw new PeelError('unknown_file_type', `${path}: not a .csv, .csv.gz or .zip file.`, 400);
      out.push({ path, kind, bytes: stat.size });
    }
  }
  return out;
}

function readRaw(path: string, onBytes?: (n: number) => void): ReadStream {
  const stream = createReadStream(path, { highWaterMark: READ_CHUNK });
  if (onBytes) stream.on('data', (chunk) => onBytes(chunk.length));
  return stream;
}

/** A file's bytes, gunzipped if asked; nothing is opened until the first piece is asked for. */
async function* readFile(path: string, gzip: boolean, onBytes?: (n: number) => void): AsyncGenerator<Uint8Array> {
  const raw = readRaw(path, onBytes);
  const gunzip = gzip ? createGunzip({ chunkSize: READ_CHUNK }) : null;
  if (gunzip) {
    raw.on('error', (err) => gunzip.destroy(err));
    raw.pipe(gunzip);
  }
  try {
    for await (const chunk of gunzip ?? raw) yield chunk as Uint8Array;
  } finally {
    gunzip?.destroy();
    raw.destroy();
  }
}

/**
 * The CSV files inside the inputs, one after another. `onBytes` is told how many bytes
 * of the files on disk have been read, for a progress bar.
 */
export async function* openSources(inputs: InputFile[], onBytes?: (n: number) => void): AsyncGenerator<SourceFile> {
  for (const input of inputs) {
    const name = basename(input.path);
    if (input.kind === 'csv') yield { display: input.path, name, label: name, chunks: readFile(input.path, false, onBytes) };
    else if (input.kind === 'csv.gz') yield { display: input.path, name: name.slice(0, -3), label: name, chunks: readFile(input.path, true, onBytes) };
    else yield* zipEntries(input.path, onBytes);
  }
}

type ZipEvent = { type: 'start'; file: UnzipFile } | { type: 'data'; data: Uint8Array; final: boolean };

/**
 * The CSV entries of a zip archive, streamed with fflate: the archive is read a piece at
 * a time and each piece's output is handed on before the next is read, so memory stays
 * at a few pieces whatever the archive's size.
 */
async function* zipEntries(path: string, onBytes?: (n: number) => void): AsyncGenerator<SourceFile> {
  // Loaded when an archive is met: most imports have none, and the reading thread starts sooner without it.
  const { Unzip, UnzipInflate } = await import('fflate');
  const archive = basename(path);
  const events: ZipEvent[] = [];
  let head = 0;
  let failure: Error | null = null;
  const unzip = new Unzip((file) => {
    if (file.name.endsWith('/') || fileKind(file.name) !== 'csv') return; // folders and other files are skipped
    events.push({ type: 'start', file });
    file.ondata = (err, data, final) => {
      if (err) failure = new PeelError('bad_archive', `${path}: ${file.name}: ${err.message}`, 400);
      else events.push({ type: 'data', data, final });
    };
    file.start();
  });
  unzip.register(UnzipInflate);
  const raw = readRaw(path, onBytes);
  const reader = raw[Symbol.asyncIterator]();
  let ended = false;

  const next = async (): Promise<ZipEvent | null> => {
    while (head >= events.length) {
      events.length = 0;
      head = 0;
      if (ended) return null;
      const r = await reader.next();
      try {
        if (r.done) {
          ended = true;
          unzip.push(new Uint8Array(0), true);
        } else {
          unzip.push(r.value as Uint8Array);
        }
      } catch (err) {
        throw new PeelError('bad_archive', `${path}: not a readable zip archive (${(err as Error).message}).`, 400);
      }
      if (failure) throw failure;
    }
    return events[head++]!;
  };
  const pushBack = () => head--;

  try {
    let ev = await next();
    while (ev) {
      if (ev.type !== 'start') {
        ev = await next();
        continue;
      }
      const entry = ev.file.name;
      let finished = false;
      const chunks = async function* (): AsyncGenerator<Uint8Array> {
        while (!finished) {
          const e = await next();
          if (!e || e.type === 'start') {
            if (e) pushBack();
            throw new PeelError('bad_archive', `${path}: the archive ends in the middle of ${entry}.`, 400);
          }
          if (e.final) finished = true;
          if (e.data.length) yield e.data;
        }
      };
      yield { display: `${path}/${entry}`, name: basename(entry), label: `${archive}/${entry}`, chunks: chunks() };
      // The reader may have stopped early (a file refused by its header): skip the rest of the entry.
      while (!finished) {
        const e = await next();
        if (!e) break;
        if (e.type === 'start') {
          pushBack();
          break;
        }
        if (e.final) finished = true;
      }
      ev = await next();
    }
  } finally {
    raw.destroy();
  }
}
