import { z } from 'zod';
import { cliActor } from '../../platform/actor.ts';
import { parseOptions, UsageError } from '../../platform/cli-options.ts';
import type { Command } from '../../platform/context.ts';
import { terminalProgress } from './import/progress.ts';
import * as crime from './service.ts';

/** Rejections listed in text output; --json lists every one (up to the summary's cap). */
const ERRORS_SHOWN = 20;

const n = (x: number) => x.toLocaleString('en-GB');

function describe(s: crime.ImportSummary, what: { rows: string; records: string }): string {
  const lines = [
    `Read ${n(s.files)} file${s.files === 1 ? '' : 's'}, ${n(s.rows)} ${what.rows}: ${n(s.imported)} new ${what.records}, ${n(s.duplicates)} already stored (duplicates), ${n(s.rejected)} rejected.`,
    `${n(s.updated)} stored ${what.records} updated${s.unlocated ? `; ${n(s.unlocated)} rows have no coordinates (kept, unlocated)` : ''}.`,
  ];
  const total = s.errors.length + s.errorsOmitted;
  if (total) {
    lines.push('', total > ERRORS_SHOWN ? `Problems (the first ${ERRORS_SHOWN} of ${n(total)}; --json lists ${s.errorsOmitted ? `the first ${n(s.errors.length)}` : 'them all'}):` : 'Problems:');
    for (const e of s.errors.slice(0, ERRORS_SHOWN)) lines.push(`  ${e.file}${e.line ? `:${e.line}` : ''}  ${e.reason}`);
  }
  return lines.join('\n');
}

const jsonFlag = { json: { type: 'boolean' } } as const;

export const importCommand: Command = {
  name: 'import',
  summary: 'import crime data: data.police.uk files, other CSV through a mapping, LSOA boundaries',
  usage: `peel import police-uk PATH… [--json]
    street-level crime, outcomes and stop and search files as data.police.uk publishes them
    (YYYY-MM-<force>-street.csv, …-outcomes.csv, …-stop-and-search.csv): files, folders
    (searched recursively), .csv.gz, or the .zip from the download page
peel import csv FILE… --mapping MAPPING.json [--json]
    any other CSV, its columns mapped by a mapping file (see src/modules/crime/README.md and sample/mappings/)
peel import lsoa-boundaries FILE.geojson[.gz] [--json]
    ONS LSOA 2011 polygons (properties LSOA11CD, LSOA11NM)

Re-importing the same files changes nothing. Each rejected row is reported with its file
and line; every good row is kept. --json prints the summary as the last line:
{"files","rows","imported","updated","duplicates","rejected","unlocated","errors":[{"file","line","reason"}],"errorsOmitted"}
(errors lists at most 10,000; errorsOmitted counts the rest). Exits 1 when anything was rejected.`,
  async run(args, open) {
    const [sub, ...rest] = args;
    if (sub === 'police-uk') {
      const o = parseOptions(rest, jsonFlag, z.object({ json: z.boolean().optional() }));
      if (!o._.length) throw new UsageError('give at least one file or folder to import');
      const { db } = await open();
      const progress = process.stderr.isTTY && !o.json ? terminalProgress() : undefined;
      const s = await crime.importPoliceUk(db, cliActor(), o._, { progress });
      console.log(o.json ? JSON.stringify(s) : describe(s, { rows: 'rows', records: 'records' }));
      return s.errors.length || s.errorsOmitted ? 1 : 0;
    }
    if (sub === 'csv') {
      const o = parseOptions(
        rest,
        { ...jsonFlag, mapping: { type: 'string' } },
        z.object({ json: z.boolean().optional(), mapping: z.string({ error: 'is required: the mapping file that says which column is which' }).min(1) }),
      );
      if (!o._.length) throw new UsageError('give at least one CSV file or folder to import');
      const mapping = crime.readMappingFile(o.mapping);
      const { db } = await open();
      const progress = process.stderr.isTTY && !o.json ? terminalProgress() : undefined;
      const s = await crime.importCsv(db, cliActor(), o._, mapping, { progress });
      console.log(o.json ? JSON.stringify(s) : describe(s, { rows: 'rows', records: 'records' }));
      return s.errors.length || s.errorsOmitted ? 1 : 0;
    }
    if (sub === 'lsoa-boundaries') {
      const o = parseOptions(rest, jsonFlag, z.object({ json: z.boolean().optional() }));
      if (o._.length !== 1) throw new UsageError('give one GeoJSON file of LSOA boundaries');
      const { db } = await open();
      const progress = process.stderr.isTTY && !o.json ? terminalProgress() : undefined;
      const s = await crime.importLsoaBoundaries(db, cliActor(), o._[0]!, { progress });
      console.log(o.json ? JSON.stringify(s) : describe(s, { rows: 'features', records: 'boundaries' }));
      return s.errors.length || s.errorsOmitted ? 1 : 0;
    }
    throw new UsageError(sub ? `unknown import "${sub}"` : 'say what to import: police-uk, csv or lsoa-boundaries');
  },
};
