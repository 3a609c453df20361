import { mulberry32 } from './forecast/random.ts';

/** Seeded generators for property-based tests: the same seed gives the same cases. */
export interface Gen {
  /** a uniform number in [0, 1) */
  next(): number;
  /** an integer in [min, max] */
  int(min: number, max: number): number;
  bool(pTrue?: number): boolean;
  pick<T>(xs: readonly T[]): T;
  /** a random subset of up to `max` distinct elements, in the list's order */
  subset<T>(xs: readonly T[], max?: number): T[];
}

export function generator(seed: number): Gen {
  const next = mulberry32(seed);
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1));
  return {
    next,
    int,
    bool: (p = 0.5) => next() < p,
    pick: (xs) => xs[int(0, xs.length - 1)]!,
    subset: (xs, max = xs.length) => {
      const n = int(0, Math.min(max, xs.length));
      const chosen = new Set<number>();
      while (chosen.size < n) chosen.add(int(0, xs.length - 1));
      return xs.filter((_, i) => chosen.has(i));
    },
  };
}

/**
 * Checks `property` on `runs` generated cases; a failure names the seed and the case so it
 * can be replayed exactly.
 */
export function forAll<T>(runs: number, seed: number, make: (g: Gen) => T, property: (value: T) => void): void {
  const g = generator(seed);
  for (let i = 0; i < runs; i++) {
    const value = make(g);
    try {
      property(value);
    } catch (err) {
      throw new Error(`property failed on case ${i} (seed ${seed}): ${(err as Error).message}\ncase: ${JSON.stringify(value).slice(0, 2000)}`, { cause: err });
    }
  }
}
