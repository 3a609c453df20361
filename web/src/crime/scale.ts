/**
 * The map's colour scale: counts per hexagon in up to six bands, coloured with
 * ColorBrewer's sequential YlOrRd scheme (light yellow to dark red), which stays in
 * order for people with any common colour-vision deficiency and in greyscale.
 */

/** ColorBrewer YlOrRd, 6 classes (Cynthia Brewer, Pennsylvania State University; Apache 2.0). */
export const PALETTE = ['#ffffb2', '#fed976', '#feb24c', '#fd8d3c', '#f03b20', '#bd0026'] as const;

export interface Band {
  /** lowest count in the band */
  min: number;
  /** highest count in the band, or null for the open top band */
  max: number | null;
  colour: string;
  /** the CSS class that paints the legend swatch (the CSP allows no inline styles) */
  swatchClass: string;
}

// Crime counts per cell are very skewed: most cells have a few, a handful have hundreds.
// Bands at these quantiles keep the quiet cells in the light colours and make the busy
// ones stand out.
const QUANTILES = [0.4, 0.65, 0.82, 0.93, 0.98];

/** The nearest "nice" number (1, 2, 2.5, 5 × 10ⁿ) at or above x, for band edges people can read. */
export function niceCeil(x: number): number {
  if (x <= 1) return 1;
  const power = 10 ** Math.floor(Math.log10(x));
  for (const step of [1, 2, 2.5, 5, 10]) {
    const candidate = step * power;
    if (candidate >= x && Number.isInteger(candidate)) return candidate;
  }
  return 10 * power;
}

/** The bands for these counts: at most six, each starting at a whole number above the last. */
export function bandsFor(counts: number[]): Band[] {
  const positive = counts.filter((c) => c > 0).sort((a, b) => a - b);
  if (positive.length === 0) return [];
  const max = positive[positive.length - 1]!;
  const starts = [1];
  for (const q of QUANTILES) {
    const value = positive[Math.min(positive.length - 1, Math.floor(q * positive.length))]!;
    const start = niceCeil(value + 1);
    if (start > starts[starts.length - 1]! && start <= max) starts.push(start);
  }
  // Spread the palette over however many bands there are, keeping the darkest for the top.
  const offset = PALETTE.length - starts.length;
  return starts.map((min, i) => {
    const next = starts[i + 1];
    const colourIndex = starts.length === 1 ? PALETTE.length - 1 : offset + i;
    return {
      min,
      max: next === undefined ? null : next - 1,
      colour: PALETTE[colourIndex]!,
      swatchClass: `peel-swatch--${colourIndex}`,
    };
  });
}

/** A MapLibre `step` expression colouring `count` by the bands. */
export function colourExpression(bands: Band[]): unknown[] | string {
  if (bands.length === 0) return PALETTE[0];
  const expression: unknown[] = ['step', ['get', 'count'], bands[0]!.colour];
  for (const band of bands.slice(1)) expression.push(band.min, band.colour);
  return expression;
}

export function bandLabel(band: Band): string {
  const n = (x: number) => x.toLocaleString('en-GB');
  if (band.max === null) return `${n(band.min)} or more`;
  if (band.max === band.min) return n(band.min);
  return `${n(band.min)} to ${n(band.max)}`;
}
