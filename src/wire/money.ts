// Money and points on the wire: decimal numbers or numeric strings (`123.45`, `"123,45"`); on both sides of it they
// are integers in minor units (kopecks, hundredths of a point). These two are the only converters between them.

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
