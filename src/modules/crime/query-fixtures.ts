import { latLngToCell } from 'h3-js';
import { sql } from 'kysely';
import type { Db } from '../../platform/db/index.ts';
import { mulberry32 } from '../../lib/forecast/random.ts';
import type { CrimeRecordRow } from './import/rows.ts';
import { insertCrimeRecords as insertRecordRows } from './store.ts';

/**
 * Test fixtures for the query API: crime records and stop-and-search rows written straight
 * into the tables, with H3 cells computed as the importer computes them.
 */

export interface FixtureRecord {
  month: string;
  crimeType: string;
  lastOutcome?: string | null;
  lsoaCode?: string | null;
  lsoaName?: string | null;
  /** omit both for a record with no location */
  longitude?: number | null;
  latitude?: number | null;
  source?: string;
  crimeId?: string | null;
  location?: string | null;
}

let keySeq = 0;

/** Inserts the records; answers their ids in order. */
export async function insertCrimeRecords(db: Db, records: FixtureRecord[]): Promise<number[]> {
  const now = new Date().toISOString();
  return insertRecordRows(
    db,
    records.map((r, i): CrimeRecordRow => {
      const located = r.longitude != null && r.latitude != null;
      return {
        source: r.source ?? 'police.uk',
        record_key: r.crimeId ?? `fixture-${process.pid}-${++keySeq}`,
        crime_id: r.crimeId ?? null,
        month: r.month,
        occurred_at: null,
        reported_by: 'Leicestershire Police',
        falls_within: 'Leicestershire Police',
        longitude: located ? r.longitude! : null,
        latitude: located ? r.latitude! : null,
        easting: null,
        northing: null,
        location: r.location ?? (located ? 'On or near Fixture Street' : 'No location'),
        lsoa_code: r.lsoaCode ?? null,
        lsoa_name: r.lsoaName ?? null,
        crime_type: r.crimeType,
        last_outcome: r.lastOutcome ?? null,
        outcome_month: null,
        context: null,
        located: located ? 1 : 0,
        h3_10: located ? latLngToCell(r.latitude!, r.longitude!, 10) : null,
        source_file: 'fixture.csv',
        source_line: (i % 400) + 2,
        imported_at: now,
        updated_at: now,
      };
    }),
  );
}

/** What an import does when it changes anything. */
export async function bumpDataVersion(db: Db): Promise<void> {
  await db
    .updateTable('crime_data_version')
    .set({ version: sql`version + 1`, changed_at: new Date().toISOString() })
    .where('id', '=', 1)
    .execute();
}

export interface FixtureStopSearch {
  month: string;
  outcome?: string | null;
  ethnicitySelfDefined?: string | null;
  ethnicityOfficerDefined?: string | null;
  objectOfSearch?: string | null;
  gender?: string | null;
  ageRange?: string | null;
}

export async function insertStopSearches(db: Db, rows: FixtureStopSearch[]): Promise<void> {
  const now = new Date().toISOString();
  for (let i = 0; i < rows.length; i += 400) {
    await db
      .insertInto('stop_searches')
      .values(
        rows.slice(i, i + 400).map((r, j) => ({
          record_key: `fixture-ss-${process.pid}-${++keySeq}`,
          force: 'leicestershire',
          search_type: 'Person search',
          occurred_at: `${r.month}-15T12:00:00.000Z`,
          month: r.month,
          located: 0,
          gender: r.gender ?? null,
          age_range: r.ageRange ?? null,
          ethnicity_self_defined: r.ethnicitySelfDefined ?? null,
          ethnicity_officer_defined: r.ethnicityOfficerDefined ?? null,
          object_of_search: r.objectOfSearch ?? null,
          outcome: r.outcome ?? null,
          legislation: 'Misuse of Drugs Act 1971 (section 23)',
          source_file: 'fixture-stop-and-search.csv',
          source_line: i + j + 2,
          imported_at: now,
        })),
      )
      .execute();
  }
}

/** A small deterministic generator, so fixtures are the same on every run. */
export const random = mulberry32;

export const FIXTURE_TYPES = ['Anti-social behaviour', 'Burglary', 'Criminal damage and arson', 'Shoplifting', 'Vehicle crime', 'Violence and sexual offences'] as const;
export const FIXTURE_OUTCOMES = ['Investigation complete; no suspect identified', 'Unable to prosecute suspect', 'Under investigation', 'Offender given a caution'] as const;
export const FIXTURE_LSOAS = Array.from({ length: 12 }, (_, i) => ({ code: `E0102${5000 + i}`, name: `Leicester ${String(i + 1).padStart(3, '0')}A` }));

/**
 * n records around Leicester, 2021-01 to 2022-12: shared "snap points" as police.uk has,
 * about 5% with no location, anti-social behaviour with no outcome, two sources.
 */
export function fixtureRecords(n: number, seed = 42): FixtureRecord[] {
  const rnd = random(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const snaps = Array.from({ length: 90 }, () => ({ lon: -1.2 + rnd() * 0.14, lat: 52.58 + rnd() * 0.1 }));
  const out: FixtureRecord[] = [];
  for (let i = 0; i < n; i++) {
    const y = 2021 + Math.floor(rnd() * 2);
    const m = 1 + Math.floor(rnd() * 12);
    const crimeType = pick(FIXTURE_TYPES);
    const unlocated = rnd() < 0.05;
    const p = pick(snaps);
    const lsoa = unlocated && rnd() < 0.7 ? null : pick(FIXTURE_LSOAS);
    out.push({
      month: `${y}-${String(m).padStart(2, '0')}`,
      crimeType,
      lastOutcome: crimeType === 'Anti-social behaviour' || rnd() < 0.15 ? null : pick(FIXTURE_OUTCOMES),
      lsoaCode: lsoa?.code ?? null,
      lsoaName: lsoa?.name ?? null,
      longitude: unlocated ? null : p.lon,
      latitude: unlocated ? null : p.lat,
      source: rnd() < 0.8 ? 'police.uk' : 'force-extract',
      crimeId: crimeType === 'Anti-social behaviour' ? null : `fx${seed}-${i}`,
    });
  }
  return out;
}
