/**
 * Blurring a location before it leaves the phone: the point moves to the centre of the
 * grid square of the chosen size that holds it, so the police learn only "somewhere in
 * this square". The same point always lands on the same centre (no random jitter that
 * repeated reports could average away).
 */

export interface Precision {
  /** the side of the grid square in metres; 0 for the exact point */
  metres: number;
  label: string;
}

export const PRECISIONS: Precision[] = [
  { metres: 0, label: 'Exact spot' },
  { metres: 100, label: 'Within about 100 metres' },
  { metres: 500, label: 'Within about 500 metres' },
  { metres: 1000, label: 'Within about 1 kilometre' },
];

const METRES_PER_DEGREE = 111_320;

export interface Point {
  latitude: number;
  longitude: number;
}

/** The centre of the `metres`-sized grid square holding the point (the point itself for 0). */
export function blurPoint(point: Point, metres: number): Point {
  if (metres <= 0) return point;
  const latStep = metres / METRES_PER_DEGREE;
  const latitude = (Math.floor(point.latitude / latStep) + 0.5) * latStep;
  // East–west degrees shrink towards the poles; size the square at its own latitude band.
  const lonStep = metres / (METRES_PER_DEGREE * Math.max(0.01, Math.cos((latitude * Math.PI) / 180)));
  const longitude = (Math.floor(point.longitude / lonStep) + 0.5) * lonStep;
  return { latitude: round(latitude), longitude: round(longitude) };
}

/** Six decimal places (about 10 cm) are more than any phone's GPS can tell. */
function round(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}

export function formatPoint(point: Point): string {
  return `${point.latitude.toFixed(5)}, ${point.longitude.toFixed(5)}`;
}
