// Field readers shared by the catalogue parsers. Each returns either a value or an error text; the
// parser adds the location and the item id, so every message says where and what.

import { given, isObject } from '../decoded.ts';
import { parseMinor } from '../money.ts';

export const MAX_ID_LENGTH = 200;
export const MAX_NAME_LENGTH = 250;
export const MAX_DESCRIPTION_LENGTH = 10_000;

export type Field<T> = { value: T; error?: undefined } | { value?: undefined; error: string };

/** `product "158"`, or just `product` while the id is not known yet. */
export function describeItem(kind: string, id: string | null): string {
  return id === null ? kind : `${kind} "${id}"`;
}

/**
 * A list that may arrive as a JSON array or, from an XML body, as a wrapper holding one item or
 * several: `{"product": {...}}` or `{"product": [...]}`. Null when the value is neither.
 */
export function asArray(value: unknown, itemName: string): unknown[] | null {
  if (Array.isArray(value)) return value;
  if (!given(value)) return [];
  if (!isObject(value)) return null;
  const keys = Object.keys(value);
  if (keys.length === 0) return [];
  if (keys.length !== 1 || keys[0] !== itemName) return null;
  const inner = value[itemName];
  return Array.isArray(inner) ? inner : [inner];
}

function readText(value: unknown): string | null {
  if (typeof value === 'string') return value.trim();
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return null;
}

export function readId(value: unknown): Field<string> {
  if (value === undefined || value === null) return { error: 'id is required' };
  const text = readText(value);
  if (text === null) return { error: 'id must be a string' };
  if (text === '') return { error: 'id is empty' };
  if (text.length > MAX_ID_LENGTH) return { error: `id is longer than ${MAX_ID_LENGTH} characters` };
  return { value: text };
}

export function readName(value: unknown): Field<string> {
  if (!given(value)) return { error: 'name is required' };
  const text = readText(value);
  if (text === null) return { error: 'name must be a string' };
  if (text === '') return { error: 'name is required' };
  if (text.length > MAX_NAME_LENGTH) return { error: `name is longer than ${MAX_NAME_LENGTH} characters (${text.length})` };
  return { value: text };
}

export function readDescription(value: unknown): Field<string | null> {
  if (!given(value)) return { value: null };
  const text = readText(value);
  if (text === null) return { error: 'description must be a string' };
  if (text.length > MAX_DESCRIPTION_LENGTH) {
    return { error: `description is longer than ${MAX_DESCRIPTION_LENGTH} characters (${text.length})` };
  }
  return { value: text === '' ? null : text };
}

/** A price in roubles (number or numeric string) to kopecks; absent means "no price". */
export function readPrice(value: unknown, field: string): Field<number | null> {
  if (!given(value)) return { value: null };
  const minor = parseMinor(value);
  if (minor === null) return { error: `${field} must be a number with at most 2 decimals, got ${JSON.stringify(value)}` };
  if (minor < 0) return { error: `${field} must not be negative, got ${JSON.stringify(value)}` };
  return { value: minor === 0 ? 0 : minor };
}

export function readBoolean(value: unknown, field: string, fallback: boolean): Field<boolean> {
  if (!given(value)) return { value: fallback };
  if (typeof value === 'boolean') return { value };
  if (typeof value === 'string') {
    const text = value.trim().toLowerCase();
    if (text === 'true') return { value: true };
    if (text === 'false') return { value: false };
  }
  return { error: `${field} must be true or false, got ${JSON.stringify(value)}` };
}

/** A copy of the custom fields object; `Object.fromEntries` keeps a `__proto__` key as plain data. */
export function readCustomFields(value: unknown): Field<Record<string, unknown>> {
  if (!given(value)) return { value: {} };
  if (!isObject(value)) return { error: 'customFields must be an object' };
  return { value: Object.fromEntries(Object.entries(value)) };
}

/** Collects the field errors of one item; the item is kept only when all its fields are valid. */
export class ItemCheck {
  valid = true;

  constructor(
    private readonly errors: { message: string; location?: string }[],
    private readonly location: string,
    readonly who: string,
  ) {}

  /** The field's value, or `fallback` (never used, the item is rejected) after reporting its error. */
  take<T>(path: string, result: Field<T>, fallback: T): T {
    if (result.error === undefined) return result.value;
    this.fail(path, result.error);
    return fallback;
  }

  fail(path: string, message: string): void {
    this.errors.push({ location: `${this.location}/${path}`, message: `${this.who}: ${message}` });
    this.valid = false;
  }
}
