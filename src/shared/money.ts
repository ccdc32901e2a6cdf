// Money and points travel inside the code as integers in minor units (kopecks, hundredths of a point).
// The wire carries decimal numbers or numeric strings; these helpers are the only converters.

const DECIMAL = /^-?\d+(\.\d+)?$/;

/** Parses a wire amount (number or numeric string) into minor units; null when it is not a valid amount. */
export function parseMinor(value: unknown, scale = 2): number | null {
  let text: string;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return null;
    text = value.toFixed(scale + 2);
  } else if (typeof value === 'string') {
    text = value.trim().replace(',', '.');
  } else {
    return null;
  }
  if (!DECIMAL.test(text)) return null;
  const negative = text.startsWith('-');
  const [whole, fraction = ''] = (negative ? text.slice(1) : text).split('.');
  const significant = fraction.slice(scale).replace(/0+$/, '');
  if (significant.length > 0) return null;
  const minor = Number(whole) * 10 ** scale + Number((fraction.slice(0, scale) || '0').padEnd(scale, '0'));
  if (!Number.isSafeInteger(minor)) return null;
  return negative ? -minor : minor;
}

/** Minor units back to the decimal number the wire shows (12345 → 123.45). */
export function toDecimal(minor: number, scale = 2): number {
  return Number((minor / 10 ** scale).toFixed(scale));
}

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
