import { resolve } from 'node:path';

/**
 * A path in the shared public data sets, which sit beside the checkout (`../shared/data`)
 * here and on CI; PEEL_SHARED_DATA points elsewhere.
 */
export function sharedData(...parts: string[]): string {
  return resolve(process.env.PEEL_SHARED_DATA ?? resolve(import.meta.dirname, '../../../shared/data'), ...parts);
}
