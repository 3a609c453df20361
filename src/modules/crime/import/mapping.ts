import { z } from 'zod';
import { PeelError } from '../../../platform/errors.ts';
import { fromBng, fromUtm, GREAT_BRITAIN, type Area, type PlaceCache } from './geo.ts';
import { ContentKeys, locateNumbers, locationColumns, orNull, Rejection, type CrimeRecordRow, type Location } from './rows.ts';

/**
 * A mapping file says how another source's CSV columns become Peel's crime records:
 * which column holds the date (and time), the coordinates (WGS84, British National Grid or
 * UTM), the crime type (a column, optionally translated, or one fixed type) and the
 * source's own reference. Column names may be combined with a template: "{YEAR}-{MONTH}-{DAY}".
 */

const columnName = z.string().trim().min(1, 'must name a column');
/** a column name, or a template such as "{YEAR}-{MONTH}-{DAY}" */
const columnOrTemplate = z.string().trim().min(1, 'must name a column or be a template like "{YEAR}-{MONTH}-{DAY}"');

const timeZone = z
  .string()
  .default('Europe/London')
  .refine((tz) => {
    try {
      new Intl.DateTimeFormat('en-GB', { timeZone: tz });
      return true;
    } catch {
      return false;
    }
  }, 'is not an IANA time zone such as Europe/London');

const area = z
  .strictObject({
    minLongitude: z.number().min(-180).max(180),
    maxLongitude: z.number().min(-180).max(180),
    minLatitude: z.number().min(-90).max(90),
    maxLatitude: z.number().min(-90).max(90),
  })
  .refine((a) => a.minLongitude < a.maxLongitude && a.minLatitude < a.maxLatitude, 'minimums must be below maximums');

export const mappingSchema = z.strictObject({
  /** stored as each record's source, and the prefix of its identity: lower case, digits, . _ - */
  source: z
    .string()
    .regex(/^[a-z0-9][a-z0-9._-]{0,62}$/, 'must be lower-case letters, digits, ".", "_" or "-" (at most 63), e.g. "vancouver-pd"')
    .refine((s) => s !== 'police.uk', 'police.uk is reserved for data.police.uk files: use peel import police-uk'),
  description: z.string().optional(),
  delimiter: z.string().length(1, 'must be one character').default(','),
  encoding: z.enum(['utf-8', 'windows-1252']).default('utf-8'),
  date: z.strictObject({
    column: columnOrTemplate,
    /** ISO (2022-10-01, 2022-10-01T14:30:00Z…) or a pattern of YYYY MM M DD D HH H mm m ss s MMM */
    format: z.string().trim().min(1),
  }),
  time: z.strictObject({ column: columnOrTemplate, format: z.string().trim().min(1) }).optional(),
  /** the zone local date-times are in; instants with an offset ignore it */
  timeZone,
  coordinates: z
    .discriminatedUnion('system', [
      z.strictObject({ system: z.literal('wgs84'), longitude: columnName, latitude: columnName }),
      z.strictObject({ system: z.literal('bng'), easting: columnName, northing: columnName }),
      z.strictObject({
        system: z.literal('utm'),
        zone: z.int().min(1).max(60),
        south: z.boolean().default(false),
        datum: z.enum(['WGS84', 'NAD83']).default('WGS84'),
        x: columnName,
        y: columnName,
      }),
    ])
    .optional(),
  /** values that mean "no location" when both coordinates have them (besides empty), e.g. [0] */
  missingCoordinates: z.array(z.union([z.string(), z.number()])).default([]),
  /** the plausible area; a point outside it is a rejected row. Great Britain unless given. */
  area: area.optional(),
  crimeType: z.union([
    z.strictObject({ fixed: z.string().trim().min(1) }),
    z.strictObject({
      column: columnName,
      /** source value → crime type; values not listed are kept as they are, or rejected */
      map: z.record(z.string(), z.string().trim().min(1)).optional(),
      unmapped: z.enum(['keep', 'reject']).default('keep'),
    }),
  ]),
  /** the source's own unique reference: the record's identity (else the row's content) */
  reference: columnName.optional(),
  location: columnOrTemplate.optional(),
  lsoa: z.strictObject({ code: columnName, name: columnName.optional() }).optional(),
  reportedBy: z.string().optional(),
  fallsWithin: z.string().optional(),
});

export type Mapping = z.infer<typeof mappingSchema>;

/** Parses and checks a mapping file's text; a bad one is refused naming the file and each problem. */
export function parseMapping(text: string, fileName: string): Mapping {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new PeelError('bad_mapping', `${fileName}: not valid JSON (${(err as Error).message}).`, 400);
  }
  const parsed = mappingSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `  ${i.path.length ? i.path.join('.') : '(top level)'}: ${i.message}`);
    throw new PeelError('bad_mapping', `${fileName}: not a valid mapping file:\n${problems.join('\n')}`, 400);
  }
  const m = parsed.data;
  for (const [what, spec] of [['date', m.date] as const, ['time', m.time] as const]) {
    if (spec && spec.format.toUpperCase() !== 'ISO') {
      try {
        compilePattern(spec.format);
      } catch (err) {
        throw new PeelError('bad_mapping', `${fileName}: not a valid mapping file:\n  ${what}.format: ${(err as Error).message}`, 400);
      }
    }
  }
  return m;
}

// ---------------------------------------------------------------------------------------
// Dates and times

interface DateParts {
  y?: number;
  mo?: number;
  d?: number;
  h?: number;
  mi?: number;
  s?: number;
  ms?: number;
  /** offset in minutes east of UTC, when the text states one */
  offset?: number;
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const TOKENS: Array<[string, keyof DateParts | 'MMM', string]> = [
  ['YYYY', 'y', '(\\d{4})'],
  ['MMM', 'MMM', '([A-Za-z]{3})'],
  ['MM', 'mo', '(\\d{2})'],
  ['M', 'mo', '(\\d{1,2})'],
  ['DD', 'd', '(\\d{2})'],
  ['D', 'd', '(\\d{1,2})'],
  ['HH', 'h', '(\\d{2})'],
  ['H', 'h', '(\\d{1,2})'],
  ['mm', 'mi', '(\\d{2})'],
  ['m', 'mi', '(\\d{1,2})'],
  ['ss', 's', '(\\d{2})'],
  ['s', 's', '(\\d{1,2})'],
];

type Pattern = (text: string) => DateParts | null;

/** Compiles `DD/MM/YYYY HH:mm` and the like into a parser; throws on a pattern with no usable token. */
export function compilePattern(format: string): Pattern {
  let re = '^';
  const slots: Array<keyof DateParts | 'MMM'> = [];
  let i = 0;
  while (i < format.length) {
    const token = TOKENS.find(([t]) => format.startsWith(t, i));
    if (token) {
      re += token[2];
      slots.push(token[1]);
      i += token[0].length;
    } else {
      re += format[i]!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      i++;
    }
  }
  if (!slots.length) throw new Error(`"${format}" has none of YYYY, MM, DD, HH, mm, ss (or ISO)`);
  const regex = new RegExp(re + '$');
  return (text) => {
    const m = regex.exec(text.trim());
    if (!m) return null;
    const parts: DateParts = {};
    for (let k = 0; k < slots.length; k++) {
      const slot = slots[k]!;
      const v = m[k + 1]!;
      if (slot === 'MMM') {
        const idx = MONTHS.indexOf(v.toLowerCase());
        if (idx < 0) return null;
        parts.mo = idx + 1;
      } else {
        parts[slot] = Number(v);
      }
    }
    return parts;
  };
}

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?)?$/i;

function parseIso(text: string): DateParts | null {
  const m = ISO.exec(text.trim());
  if (!m) return null;
  const parts: DateParts = { y: Number(m[1]), mo: Number(m[2]), d: Number(m[3]) };
  if (m[4] !== undefined) {
    parts.h = Number(m[4]);
    parts.mi = Number(m[5]);
    parts.s = m[6] ? Number(m[6]) : 0;
    parts.ms = m[7] ? Math.round(Number(`0.${m[7]}`) * 1000) : 0;
    if (m[8]) {
      const z = m[8].toUpperCase();
      if (z === 'Z') parts.offset = 0;
      else {
        const sign = z[0] === '-' ? -1 : 1;
        const digits = z.slice(1).replace(':', '');
        parts.offset = sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || 0));
      }
    }
  }
  return parts;
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** Minutes east of UTC in a zone at an instant. */
function zoneOffset(format: Intl.DateTimeFormat, utcMs: number): number {
  const p: Record<string, number> = {};
  for (const part of format.formatToParts(utcMs)) if (part.type !== 'literal') p[part.type] = Number(part.value);
  const asUtc = Date.UTC(p.year!, p.month! - 1, p.day!, p.hour === 24 ? 0 : p.hour!, p.minute!, p.second!);
  return Math.round((asUtc - Math.floor(utcMs / 1000) * 1000) / 60_000);
}

/**
 * Local wall-clock times in one zone to UTC. The offset is looked up once per local day
 * (the zone's rules, through Intl) and exactly for the few days on which it changes.
 */
export class ZoneClock {
  private readonly format: Intl.DateTimeFormat;
  private readonly days = new Map<number, number | null>();
  constructor(timeZone: string) {
    this.format = new Intl.DateTimeFormat('en-GB', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
  }
  toUtc(y: number, mo: number, d: number, h: number, mi: number, s: number, ms: number): number {
    const wall = Date.UTC(y, mo - 1, d, h, mi, s, ms);
    const day = y * 10_000 + mo * 100 + d;
    let offset = this.days.get(day);
    if (offset === undefined) {
      const midnight = Date.UTC(y, mo - 1, d);
      const a = zoneOffset(this.format, midnight - 14 * 3_600_000);
      const b = zoneOffset(this.format, midnight + 38 * 3_600_000);
      offset = a === b ? a : null;
      this.days.set(day, offset);
    }
    if (offset !== null) return wall - offset * 60_000;
    const first = wall - zoneOffset(this.format, wall) * 60_000;
    return wall - zoneOffset(this.format, first) * 60_000;
  }
}

function validDate(y: number, mo: number, d: number): boolean {
  if (mo < 1 || mo > 12 || d < 1 || y < 1800 || y > 2200) return false;
  return d <= new Date(Date.UTC(y, mo, 0)).getUTCDate();
}

// ---------------------------------------------------------------------------------------
// Rows

/** Resolves a column name or `{A}-{B}` template against a header; names the missing columns. */
function columnReader(spec: string, cols: Map<string, number>, missing: string[]): (f: string[]) => string {
  if (!spec.includes('{')) {
    const i = cols.get(spec);
    if (i === undefined) {
      missing.push(spec);
      return () => '';
    }
    return (f) => f[i]!;
  }
  const parts: Array<string | number> = [];
  const re = /\{([^}]+)\}/g;
  let last = 0;
  for (let m = re.exec(spec); m; m = re.exec(spec)) {
    if (m.index > last) parts.push(spec.slice(last, m.index));
    const i = cols.get(m[1]!);
    if (i === undefined) missing.push(m[1]!);
    parts.push(i ?? -1);
    last = m.index + m[0].length;
  }
  if (last < spec.length) parts.push(spec.slice(last));
  return (f) => {
    let out = '';
    for (const p of parts) out += typeof p === 'string' ? p : (f[p] ?? '').trim();
    return out;
  };
}

export interface MappedContext {
  label: string;
  now: string;
  places: PlaceCache;
}

/**
 * A converter from this source's rows to crime records, or the reason the file's header
 * does not fit the mapping (the columns it lacks).
 */
export function mappedConverter(mapping: Mapping, header: readonly string[], ctx: MappedContext): ((f: string[], line: number) => CrimeRecordRow | Rejection) | string {
  const cols = new Map<string, number>();
  header.forEach((h, i) => {
    const name = h.trim();
    if (!cols.has(name)) cols.set(name, i);
  });
  const missing: string[] = [];
  const dateText = columnReader(mapping.date.column, cols, missing);
  const timeText = mapping.time ? columnReader(mapping.time.column, cols, missing) : null;
  const c = mapping.coordinates;
  const xText = c ? columnReader(c.system === 'wgs84' ? c.longitude : c.system === 'bng' ? c.easting : c.x, cols, missing) : null;
  const yText = c ? columnReader(c.system === 'wgs84' ? c.latitude : c.system === 'bng' ? c.northing : c.y, cols, missing) : null;
  const ct = mapping.crimeType;
  const typeText = 'column' in ct ? columnReader(ct.column, cols, missing) : null;
  const refText = mapping.reference ? columnReader(mapping.reference, cols, missing) : null;
  const locText = mapping.location ? columnReader(mapping.location, cols, missing) : null;
  const lsoaCode = mapping.lsoa ? columnReader(mapping.lsoa.code, cols, missing) : null;
  const lsoaName = mapping.lsoa?.name ? columnReader(mapping.lsoa.name, cols, missing) : null;
  if (missing.length) {
    return `the file has no column ${[...new Set(missing)].map((m) => `"${m}"`).join(', ')} that the mapping "${mapping.source}" names (its columns: ${header.join(', ')})`;
  }

  const parseDate: Pattern = mapping.date.format.toUpperCase() === 'ISO' ? parseIso : compilePattern(mapping.date.format);
  const parseTime: Pattern | null = mapping.time ? (mapping.time.format.toUpperCase() === 'ISO' ? parseIso : compilePattern(mapping.time.format)) : null;
  const clock = new ZoneClock(mapping.timeZone);
  const areaLimits: Area = mapping.area ?? GREAT_BRITAIN;
  const missingStrings = new Set(mapping.missingCoordinates.filter((v): v is string => typeof v === 'string'));
  const missingNumbers = new Set(mapping.missingCoordinates.filter((v): v is number => typeof v === 'number'));
  const isMissing = (text: string, value: number) => text === '' || missingStrings.has(text) || missingNumbers.has(value);
  const typeMap = 'column' in ct && ct.map ? new Map(Object.entries(ct.map)) : null;
  const keys = new ContentKeys(`${mapping.source}:h:`);
  const width = header.length;

  return (f, line) => {
    if (f.length !== width) return new Rejection(`wrong column count: expected ${width}, found ${f.length}`);
    // When
    const dText = dateText(f);
    const d = parseDate(dText);
    if (!d || d.y === undefined || d.mo === undefined || d.d === undefined || !validDate(d.y, d.mo, d.d)) {
      return new Rejection(dText.trim() ? `bad date "${dText}" (expected ${mapping.date.format})` : 'missing date');
    }
    let h = d.h;
    let mi = d.mi;
    let s = d.s ?? 0;
    if (parseTime) {
      const tText = timeText!(f);
      if (tText.trim() !== '') {
        const t = parseTime(tText);
        if (!t || t.h === undefined) return new Rejection(`bad time "${tText}" (expected ${mapping.time!.format})`);
        h = t.h;
        mi = t.mi ?? 0;
        s = t.s ?? 0;
      }
    }
    if (h !== undefined && (h > 23 || (mi ?? 0) > 59 || s > 59)) return new Rejection(`bad time ${pad(h)}:${pad(mi ?? 0)}:${pad(s)}`);
    const month = `${d.y}-${pad(d.mo)}`;
    let occurredAt: string | null;
    if (h === undefined) occurredAt = `${d.y}-${pad(d.mo)}-${pad(d.d)}`;
    else {
      const ms = d.offset !== undefined ? Date.UTC(d.y, d.mo - 1, d.d, h, mi ?? 0, s, d.ms ?? 0) - d.offset * 60_000 : clock.toUtc(d.y, d.mo, d.d, h, mi ?? 0, s, d.ms ?? 0);
      occurredAt = new Date(ms).toISOString();
    }
    // What
    let crimeType: string;
    if ('fixed' in ct) crimeType = ct.fixed;
    else {
      const raw = typeText!(f).trim();
      if (!raw) return new Rejection('missing crime type');
      const mapped = typeMap?.get(raw);
      if (mapped !== undefined) crimeType = mapped;
      else if (typeMap && ct.unmapped === 'reject') return new Rejection(`crime type "${raw}" is not in the mapping's list`);
      else crimeType = raw;
    }
    // Where
    let loc: Location | Rejection = { located: false };
    if (c) {
      const xs = xText!(f).trim();
      const ys = yText!(f).trim();
      const x = Number(xs);
      const y = Number(ys);
      if (isMissing(xs, x) && isMissing(ys, y)) loc = { located: false };
      else if (xs === '' || ys === '') return new Rejection(`coordinates incomplete: "${xs}", "${ys}" (give both or neither)`);
      else if (!Number.isFinite(x) || !Number.isFinite(y)) return new Rejection(`coordinates not numbers: "${xs}", "${ys}"`);
      else if (c.system === 'wgs84') loc = locateNumbers(x, y, ctx.places, areaLimits);
      else {
        if (c.system === 'bng' && (x < 0 || x > 700_000 || y < 0 || y > 1_300_000)) return new Rejection(`coordinates out of range: easting ${xs}, northing ${ys} is not on the British National Grid`);
        const p = c.system === 'bng' ? fromBng(x, y) : fromUtm(x, y, c.zone, c.south, c.datum);
        loc = locateNumbers(p.longitude, p.latitude, ctx.places, areaLimits);
        if (c.system === 'bng' && !(loc instanceof Rejection) && loc.located) loc = { ...loc, easting: Math.round(x), northing: Math.round(y) };
      }
      if (loc instanceof Rejection) return loc;
    }
    let code = lsoaCode ? orNull(lsoaCode(f).trim()) : null;
    let name = lsoaName ? orNull(lsoaName(f).trim()) : null;
    if (code === null && loc.located && loc.lsoa) {
      code = loc.lsoa.code;
      name = loc.lsoa.name;
    }
    const ref = refText ? refText(f).trim() : '';
    return {
      source: mapping.source,
      record_key: ref ? `${mapping.source}:${ref}` : keys.next(f),
      crime_id: null,
      month,
      occurred_at: occurredAt,
      reported_by: mapping.reportedBy ?? null,
      falls_within: mapping.fallsWithin ?? null,
      ...locationColumns(loc),
      location: locText ? orNull(locText(f).trim()) : null,
      lsoa_code: code,
      lsoa_name: name,
      crime_type: crimeType,
      last_outcome: null,
      outcome_month: null,
      context: null,
      source_file: ctx.label,
      source_line: line,
      imported_at: ctx.now,
      updated_at: ctx.now,
    };
  };
}
