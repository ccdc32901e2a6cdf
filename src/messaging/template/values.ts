// What template values mean: as numbers, as conditions, and printed.

import { formatDateTime } from './dates.ts';

/** Numbers, and strings holding a number with a decimal point or comma ("12,5"); anything else is null. */
export function toNumber(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'string' && /^\s*-?\d+(?:[.,]\d+)?\s*$/.test(value)) return Number(value.trim().replace(',', '.'));
  return null;
}

/** Conditions: false, null, missing, "", 0 and empty collections are false; everything else is true. */
export function isTrue(value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  if (value === null || value === undefined) return false;
  if (typeof value === 'string') return value !== '';
  if (typeof value === 'number') return value !== 0 && !Number.isNaN(value);
  if (Array.isArray(value)) return value.length > 0;
  return true;
}

/**
 * How a value prints: numbers with a decimal comma and no grouping; dates as 05.01.2026, or 05.01.2026 9:30
 * when they have a time; objects, functions and missing values as "".
 */
export function display(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) return '';
    return formatDateTime(value, value.getTime() % 86_400_000 === 0 ? 'dd.MM.yyyy' : 'dd.MM.yyyy H:mm');
  }
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return '';
    // 15 significant digits hide binary noise: 0.1 + 0.2 prints as 0,3
    const [whole, fraction] = plainDigits(Math.abs(Number(value.toPrecision(15))));
    return `${value < 0 ? '-' : ''}${whole}${fraction ? `,${fraction}` : ''}`;
  }
  if (typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return '';
}

/** The shortest decimal digits of a non-negative number, split at the point, without exponent notation. */
export function plainDigits(value: number): [string, string] {
  const [mantissa, exponentText] = value.toString().split('e');
  const [integerPart, fractionPart = ''] = mantissa.split('.');
  const digits = integerPart + fractionPart;
  const point = integerPart.length + Number(exponentText ?? 0);
  if (point <= 0) return ['0', '0'.repeat(-point) + digits];
  if (point >= digits.length) return [digits + '0'.repeat(point - digits.length), ''];
  return [digits.slice(0, point), digits.slice(point)];
}
