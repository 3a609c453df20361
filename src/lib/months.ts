/**
 * Calendar months as integers, for arithmetic on 'YYYY-MM' text: index = year × 12 + month − 1,
 * so consecutive months differ by one and the index sorts as the text does.
 */

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;

export const isMonth = (text: string): boolean => MONTH.test(text);

/** 'YYYY-MM' to its index; throws on anything else. */
export function monthIndex(text: string): number {
  const m = MONTH.exec(text);
  if (!m) throw new RangeError(`bad month "${text}" (expected YYYY-MM)`);
  return Number(m[1]) * 12 + Number(m[2]) - 1;
}

/** An index back to 'YYYY-MM'. */
export function monthText(index: number): string {
  const year = Math.floor(index / 12);
  const month = index - year * 12 + 1;
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}`;
}
