import { PlaceCache } from './geo.ts';
import { lsoaFinder, type Geometry } from './lsoa.ts';
import type { Mapping } from './mapping.ts';
import type { FilePlan } from './pipeline.ts';
import { NAME_HELP, outcomesConverter, recognise, stopSearchConverter, streetConverter } from './police-uk.ts';
import type { SourceFile } from './sources.ts';

/**
 * What an import reads, described in plain data so that the reading thread can be told it:
 * data.police.uk files, or another source's CSV through a mapping (with the LSOA boundaries
 * to place located rows in, when the mapping names no LSOA columns and boundaries are loaded).
 */
export type ImportSource =
  | { kind: 'police-uk' }
  | { kind: 'csv'; mapping: Mapping; boundaries: Array<{ lsoaCode: string; lsoaName: string; geometry: Geometry }> | null };

/**
 * What each file holds and how its rows are read, for the files of one import. The mapping
 * code is loaded only for a mapped import: it brings zod, which takes the reading thread
 * about 0.1 s to load, before it can read anything.
 */
export async function planFor(source: ImportSource): Promise<(file: SourceFile) => FilePlan | string> {
  if (source.kind === 'police-uk') {
    const places = new PlaceCache();
    return (f) => {
      const file = recognise(f.name);
      if (!file) return `not a data.police.uk file: ${NAME_HELP}`;
      const ctx = (now: string) => ({ file, label: f.label, now, places });
      if (file.kind === 'street') return { table: 'crime_records', kind: 'police.uk street', converter: (h, now) => streetConverter(h, ctx(now)) };
      if (file.kind === 'outcomes') return { table: 'crime_outcomes', kind: 'police.uk outcomes', converter: (h, now) => outcomesConverter(h, ctx(now)) };
      return { table: 'stop_searches', kind: 'police.uk stop and search', converter: (h, now) => stopSearchConverter(h, ctx(now)) };
    };
  }
  const { mapping } = source;
  const { mappedConverter } = await import('./mapping.ts');
  const places = new PlaceCache(source.boundaries ? lsoaFinder(source.boundaries) : null);
  return (f) => ({
    table: 'crime_records',
    kind: `csv:${mapping.source}`,
    converter: (h, now) => mappedConverter(mapping, h, { label: f.label, now, places }),
  });
}
