/**
 * A location for a message that names a place but gives no coordinates: the longest known
 * place name it mentions as whole words. What it finds is the place's centre, an inference
 * to be shown as such, never a point someone was at.
 */

export interface Place {
  name: string;
  latitude: number;
  longitude: number;
  /** e.g. "LSOA" or "district" */
  kind: string;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const fold = (s: string) =>
  s
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase();

export interface Gazetteer {
  find(text: string): Place | null;
  /** a place given by name: exact (ignoring case and accents) before a mention in it */
  named(name: string): Place | null;
}

export function gazetteer(places: readonly Place[]): Gazetteer {
  // Longest first, so "Hinckley and Bosworth" wins over a shorter name inside it.
  const sorted = [...places].filter((p) => p.name.trim().length >= 3).sort((a, b) => b.name.length - a.name.length);
  const patterns = sorted.map((p) => ({ place: p, re: new RegExp(`(^|[^\\p{L}\\p{N}])${escape(fold(p.name))}($|[^\\p{L}\\p{N}])`, 'u') }));
  const exact = new Map(sorted.map((p) => [fold(p.name).trim(), p]));
  const find = (text: string): Place | null => {
    const t = fold(text);
    for (const { place, re } of patterns) if (re.test(t)) return place;
    return null;
  };
  return { find, named: (name) => exact.get(fold(name).trim()) ?? find(name) };
}

/**
 * Places from LSOA names as the ONS writes them ("Charnwood 012B"): each LSOA by its full
 * name at its centre, and each district (the name without its code) at the mean of its
 * LSOAs' centres.
 */
export function placesFromLsoas(lsoas: ReadonlyArray<{ lsoaName: string; latitude: number; longitude: number }>): Place[] {
  const out: Place[] = [];
  const districts = new Map<string, { lat: number; lon: number; n: number }>();
  for (const l of lsoas) {
    out.push({ name: l.lsoaName, latitude: l.latitude, longitude: l.longitude, kind: 'LSOA' });
    const district = l.lsoaName.replace(/\s+\d{3}[A-Z]$/, '').trim();
    if (district && district !== l.lsoaName) {
      const d = districts.get(district) ?? { lat: 0, lon: 0, n: 0 };
      d.lat += l.latitude;
      d.lon += l.longitude;
      d.n++;
      districts.set(district, d);
    }
  }
  for (const [name, d] of districts) out.push({ name, latitude: d.lat / d.n, longitude: d.lon / d.n, kind: 'district' });
  return out;
}
