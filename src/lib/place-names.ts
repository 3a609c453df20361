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
  /**
   * Places as someone types one: names that start with the text, then those with a word
   * that does, then those holding it anywhere; districts before LSOAs, then shorter first.
   * Nothing for fewer than two letters.
   */
  search(text: string, limit: number): Place[];
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
  const folded = sorted.map((p) => ({ place: p, name: fold(p.name) }));
  const search = (text: string, limit: number): Place[] => {
    const q = fold(text).trim().replace(/\s+/g, ' ');
    if (q.length < 2) return [];
    const wordStart = new RegExp(`(^|[^\\p{L}\\p{N}])${escape(q)}`, 'u');
    const ranked: Array<{ place: Place; rank: number }> = [];
    for (const { place, name } of folded) {
      const rank = name.startsWith(q) ? 0 : wordStart.test(name) ? 1 : name.includes(q) ? 2 : -1;
      if (rank >= 0) ranked.push({ place, rank });
    }
    const kindOrder = (p: Place) => (p.kind === 'LSOA' ? 1 : 0);
    ranked.sort((a, b) => a.rank - b.rank || kindOrder(a.place) - kindOrder(b.place) || a.place.name.length - b.place.name.length || a.place.name.localeCompare(b.place.name));
    return ranked.slice(0, limit).map((r) => r.place);
  };
  return { find, named: (name) => exact.get(fold(name).trim()) ?? find(name), search };
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
