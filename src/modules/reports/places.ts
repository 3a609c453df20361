import type { Db } from '../../platform/db/index.ts';
import { gazetteer, placesFromLsoas, type Gazetteer, type Place } from '../../lib/place-names.ts';
import { crimeData, lsoaBoundaries } from '../crime/query.ts';

/**
 * The force's place names (its LSOAs, and the districts their names start with), read from
 * the crime module's LSOA boundaries: where a feed message or a report that names a place
 * but gives no point is put (at the place's centre, shown as inferred), and what the public
 * form offers as someone types a place.
 */

const gazetteers = new WeakMap<object, Gazetteer>();

/**
 * The gazetteer for the boundaries held now: the crime module keeps one list per data
 * version, so names are worked out again only after an import changes them.
 */
export async function places(db: Db): Promise<Gazetteer> {
  const list = await lsoaBoundaries(crimeData(db));
  let g = gazetteers.get(list);
  if (!g) {
    g = gazetteer(
      placesFromLsoas(
        list.map((b) => {
          const rings = b.geometry.type === 'Polygon' ? [b.geometry.coordinates[0]!] : b.geometry.coordinates.map((p) => p[0]!);
          // A ring repeats its first point at the end: count it once.
          const pts = rings.flatMap((r) => (r.length > 1 && r[0]![0] === r.at(-1)![0] && r[0]![1] === r.at(-1)![1] ? r.slice(0, -1) : r));
          return { lsoaName: b.lsoaName, longitude: pts.reduce((s, p) => s + p[0]!, 0) / pts.length, latitude: pts.reduce((s, p) => s + p[1]!, 0) / pts.length };
        }),
      ),
    );
    gazetteers.set(list, g);
  }
  return g;
}

export const MAX_PLACE_MATCHES = 10;

/** Up to ten places matching what someone has typed, each with its centre (WGS84). */
export async function searchPlaces(db: Db, text: string): Promise<Place[]> {
  return (await places(db)).search(text, MAX_PLACE_MATCHES);
}

/** The place a name refers to: the exact name, else the longest place named in it; null when none. */
export async function placeNamed(db: Db, name: string): Promise<Place | null> {
  return (await places(db)).named(name);
}
