import { randomUUID } from 'node:crypto';
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { createGunzip } from 'node:zlib';
import type { Actor } from '../../platform/actor.ts';
import { systemActor } from '../../platform/actor.ts';
import { record as audit } from '../../platform/audit/service.ts';
import type { Db } from '../../platform/db/index.ts';
import { PeelError } from '../../platform/errors.ts';
import { FeatureSplitter, isBngCrs, toBoundary, type Boundary } from './import/lsoa.ts';
import { parseMapping, type Mapping } from './import/mapping.ts';
import { addError, emptySummary, runImport, type ImportProgress, type ImportSummary } from './import/pipeline.ts';
import { findInputs } from './import/sources.ts';
import * as store from './store.ts';

export type { ImportSummary } from './import/pipeline.ts';
export type { Mapping } from './import/mapping.ts';

export interface ImportRunOptions {
  progress?: ImportProgress;
  /** what started it, for the audit entries */
  via?: string;
}

/**
 * Imports data.police.uk files: street-level crime, outcomes, stop and search, as files,
 * folders, `.csv.gz` or the download page's `.zip`. Files are recognised by name and
 * checked by header; see the README for identity and merge rules.
 */
export async function importPoliceUk(db: Db, actor: Actor, paths: string[], options: ImportRunOptions = {}): Promise<ImportSummary> {
  const inputs = findInputs(paths);
  return runImport(db, inputs, { source: { kind: 'police-uk' }, actor, importId: randomUUID(), via: options.via ?? 'police-uk', progress: options.progress });
}

/** Reads and checks a mapping file; a bad one is refused naming the file and each problem. */
export function readMappingFile(path: string): Mapping {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new PeelError('not_found', `${path}: no such mapping file.`, 404);
  }
  return parseMapping(text, path);
}

/**
 * Imports any other source's CSV through a mapping. Rows with coordinates but no LSOA
 * column are placed in an LSOA by point-in-polygon when boundaries are loaded.
 */
export async function importCsv(db: Db, actor: Actor, paths: string[], mapping: Mapping, options: ImportRunOptions = {}): Promise<ImportSummary> {
  const inputs = findInputs(paths);
  const boundaries = mapping.coordinates && !mapping.lsoa && (await store.countLsoaBoundaries(db)) > 0 ? await store.listLsoaBoundaries(db) : null;
  return runImport(db, inputs, {
    source: { kind: 'csv', mapping, boundaries },
    actor,
    importId: randomUUID(),
    via: options.via ?? `csv:${mapping.source}`,
    encoding: mapping.encoding,
    delimiter: mapping.delimiter,
    progress: options.progress,
  });
}

/**
 * Loads ONS LSOA 2011 boundaries (GeoJSON, optionally gzipped; properties LSOA11CD and
 * LSOA11NM) in one transaction. A feature already loaded unchanged is a duplicate; a changed
 * one is updated. The summary has the import's shape, with features as rows and each
 * refused feature's number as its line.
 */
export async function importLsoaBoundaries(db: Db, actor: Actor, path: string, options: ImportRunOptions = {}): Promise<ImportSummary> {
  let bytes: number;
  try {
    const s = statSync(path);
    if (!s.isFile()) throw new Error();
    bytes = s.size;
  } catch {
    throw new PeelError('not_found', `${path}: no such file.`, 404);
  }
  const lower = path.toLowerCase();
  if (!lower.endsWith('.geojson') && !lower.endsWith('.json') && !lower.endsWith('.geojson.gz') && !lower.endsWith('.json.gz')) {
    throw new PeelError('unknown_file_type', `${path}: expected a .geojson or .geojson.gz file.`, 400);
  }
  const summary = emptySummary();
  summary.files = 1;
  const progress = options.progress;
  progress?.start(bytes, 1);
  progress?.file(path);
  const label = basename(path);
  try {
    await db.transaction().execute(async (trx) => {
      const now = new Date().toISOString();
      const seen = new Map<string, number>();
      let pending: Array<{ boundary: Boundary; geometry: string; index: number }> = [];
      let bng: boolean | null = null;
      const updated = new Set<string>();
      const flush = async () => {
        const batch = pending;
        pending = [];
        const stored = await store.findLsoaBoundaryTexts(trx, batch.map((b) => b.boundary.lsoaCode));
        const inserts = [];
        for (const b of batch) {
          const old = stored.get(b.boundary.lsoaCode);
          if (!old) inserts.push(b);
          else if (old.geometry === b.geometry && old.lsoa_name === b.boundary.lsoaName) summary.duplicates++;
          else {
            await store.updateLsoaBoundary(trx, b.boundary, b.geometry, label, now);
            updated.add(b.boundary.lsoaCode);
            summary.duplicates++;
          }
        }
        await store.insertLsoaBoundaries(trx, inserts, label, now);
        summary.imported += inserts.length;
      };
      const splitter = new FeatureSplitter((feature, index) => {
        summary.rows++;
        bng ??= isBngCrs(splitter.header);
        const b = toBoundary(feature, bng);
        if (typeof b === 'string') {
          summary.rejected++;
          addError(summary, { file: path, line: index + 1, reason: `feature ${index + 1}: ${b}` });
          return;
        }
        const first = seen.get(b.lsoaCode);
        if (first !== undefined) {
          summary.rejected++;
          addError(summary, { file: path, line: index + 1, reason: `feature ${index + 1}: LSOA ${b.lsoaCode} appears again (first in feature ${first})` });
          return;
        }
        seen.set(b.lsoaCode, index + 1);
        pending.push({ boundary: b, geometry: JSON.stringify(b.geometry), index });
      });
      const raw = createReadStream(path, { highWaterMark: 256 * 1024 });
      raw.on('data', (c) => progress?.bytes(c.length));
      const stream = lower.endsWith('.gz') ? raw.pipe(createGunzip()) : raw;
      raw.on('error', (err) => stream.destroy(err));
      const decoder = new TextDecoder();
      const unreadable = (err: unknown) => new PeelError('bad_geojson', `${path}: not readable GeoJSON (${(err as Error).message}); nothing was loaded.`, 400);
      const chunks = stream[Symbol.asyncIterator]();
      try {
        for (;;) {
          let next: IteratorResult<Uint8Array>;
          try {
            next = await chunks.next();
            if (next.done) {
              splitter.push(decoder.decode());
              splitter.end();
              break;
            }
            splitter.push(decoder.decode(next.value, { stream: true }));
          } catch (err) {
            throw unreadable(err);
          }
          if (pending.length >= 200) await flush();
        }
      } finally {
        raw.destroy();
      }
      if (summary.rows === 0 && summary.rejected === 0) throw new PeelError('bad_geojson', `${path}: no features found (expected a GeoJSON FeatureCollection); nothing was loaded.`, 400);
      await flush();
      progress?.rows(summary.rows);
      summary.updated = updated.size;
      if (summary.imported || summary.updated) await store.bumpDataVersion(trx, now);
      await audit(trx, actor, {
        operation: 'collection',
        action: 'crime.import',
        recordType: 'crime_import',
        recordIds: [randomUUID()],
        details: { via: options.via ?? 'lsoa-boundaries', file: label, kind: 'lsoa boundaries', rows: summary.rows, imported: summary.imported, updated: summary.updated, duplicates: summary.duplicates, rejected: summary.rejected },
      });
    });
  } finally {
    progress?.finish();
  }
  return summary;
}

/** Where the demo's sample data lives. */
export const SAMPLE_DIR = resolve(import.meta.dirname, '../../../sample');

/**
 * The first start of a new system: loads the sample LSOA boundaries and twelve months of
 * Leicestershire street-level crime, and returns one line saying so.
 */
export async function loadSampleData(db: Db, dir = SAMPLE_DIR): Promise<string> {
  const started = performance.now();
  const boundaries = join(dir, 'boundaries', 'leicestershire_force_area_lsoa2011.geojson.gz');
  const street = join(dir, 'police-uk', 'leicestershire');
  if (!existsSync(boundaries) || !existsSync(street)) return `Sample crime data not found in ${dir}; none loaded.`;
  const b = await importLsoaBoundaries(db, systemActor, boundaries, { via: 'first-start' });
  const s = await importPoliceUk(db, systemActor, [street], { via: 'first-start' });
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  const problems = b.rejected + s.rejected + s.errors.filter((e) => e.line === 0).length;
  return `Sample data: ${s.imported.toLocaleString('en-GB')} Leicestershire street-level crimes from ${s.files} monthly files and ${(b.imported + b.duplicates).toLocaleString('en-GB')} LSOA boundaries, loaded in ${seconds} s${problems ? ` (${problems} problems: run peel import police-uk ${street} to see them)` : ''}.`;
}
