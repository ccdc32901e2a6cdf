// Money and points travel inside the code as integers in minor units (kopecks, hundredths of a point).
// The wire carries decimal numbers or numeric strings (converted by the wire contract's own helpers, re-exported
// here), the database `numeric` strings; these helpers are the only converters.

import { parseMinor } from '../wire/money.ts';

export { parseMinor, toDecimal } from '../wire/money.ts';

/** Minor units to the string the database `numeric` columns take, without float rounding. */
export function toNumericString(minor: number, scale = 2): string {
  const negative = minor < 0;
  const digits = String(Math.abs(minor)).padStart(scale + 1, '0');
  const text = scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  return negative ? `-${text}` : text;
}

/** A `numeric` value read from the database (string) to minor units. */
export function fromNumeric(value: string | number | null | undefined, scale = 2): number {
  if (value === null || value === undefined) return 0;
  const minor = parseMinor(typeof value === 'number' ? value : String(value), scale);
  if (minor === null) throw new Error(`not a numeric value with at most ${scale} decimals: ${value}`);
  return minor;
}
