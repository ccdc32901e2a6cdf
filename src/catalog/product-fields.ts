// Product custom fields against the project's definitions (entity Product). A defined field's value is
// checked and normalised to its type; a field the project does not define is kept exactly as given, so
// a feed may carry extra attributes (YML `param`, iiko's accounting category) before anyone declares them.
// An empty value ("" or null) clears the field.

import type { CustomFieldDefinition } from '../project/schemas.ts';
import { parseMinor, toDecimal } from '../shared/money.ts';

export type CustomFieldsCheck =
  | { value: Record<string, unknown>; errors?: undefined }
  | { value?: undefined; errors: { field: string; message: string }[] };

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/;
const INTEGER = /^-?\d+$/;

type Single = { value: unknown; error?: undefined } | { value?: undefined; error: string };

function describe(value: unknown): string {
  return JSON.stringify(value) ?? String(value);
}

function normaliseOne(definition: CustomFieldDefinition, value: unknown): Single {
  const wrong = (expected: string): Single => ({ error: `must be ${expected}, got ${describe(value)}` });
  const text = typeof value === 'string' ? value.trim() : typeof value === 'number' && Number.isFinite(value) ? String(value) : null;
  switch (definition.type) {
    case 'String':
    case 'ExternalIdentifier':
      return text === null ? wrong('a text') : { value: text };
    case 'Integer': {
      if (text === null || !INTEGER.test(text)) return wrong('a whole number');
      const number = Number(text);
      return Number.isSafeInteger(number) ? { value: number } : wrong('a whole number within ±9007199254740991');
    }
    case 'Decimal': {
      const minor = text === null ? null : parseMinor(text);
      return minor === null ? wrong('a number with at most 2 decimals') : { value: toDecimal(minor) };
    }
    case 'Boolean': {
      if (typeof value === 'boolean') return { value };
      const lower = text?.toLowerCase();
      return lower === 'true' ? { value: true } : lower === 'false' ? { value: false } : wrong('true or false');
    }
    case 'Date': {
      const match = text === null ? null : DATE.exec(text);
      if (!match) return wrong('a date YYYY-MM-DD');
      const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
      return date.toISOString().slice(0, 10) === text ? { value: text } : wrong('an existing date YYYY-MM-DD');
    }
    case 'DateTime': {
      if (text === null || !DATE_TIME.test(text) || Number.isNaN(Date.parse(text))) return wrong('a date and time (ISO 8601)');
      return { value: new Date(text).toISOString() };
    }
    case 'Enum':
      return text !== null && definition.enumValues?.includes(text)
        ? { value: text }
        : wrong(`one of ${definition.enumValues?.map((v) => `"${v}"`).join(', ')}`);
  }
}

const isEmpty = (value: unknown) => value === null || value === undefined || (typeof value === 'string' && value.trim() === '');

/** A multi-valued field takes a list or a `a|b` text (the YML convention). */
function valuesOf(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  if (typeof value === 'string') return value.split('|');
  return [value];
}

export function checkProductCustomFields(
  given: Record<string, unknown>,
  definitions: ReadonlyMap<string, CustomFieldDefinition>,
): CustomFieldsCheck {
  const value: Record<string, unknown> = {};
  const errors: { field: string; message: string }[] = [];
  for (const [field, raw] of Object.entries(given)) {
    const definition = definitions.get(field);
    if (!definition) {
      value[field] = raw;
      continue;
    }
    if (isEmpty(raw)) continue;
    const fail = (message: string) => errors.push({ field, message: `custom field "${field}" (${definition.type}) ${message}` });
    if (definition.multiValued) {
      const items = valuesOf(raw).filter((item) => !isEmpty(item));
      const normalised: unknown[] = [];
      for (const item of items) {
        const one = normaliseOne(definition, item);
        if (one.error !== undefined) fail(one.error);
        else normalised.push(one.value);
      }
      if (normalised.length > 0) value[field] = normalised;
      continue;
    }
    if (Array.isArray(raw)) {
      fail(`takes one value, got ${raw.length}`);
      continue;
    }
    const one = normaliseOne(definition, raw);
    if (one.error !== undefined) fail(one.error);
    else value[field] = one.value;
  }
  return errors.length > 0 ? { errors } : { value };
}

/**
 * Where a custom field sits in the request, from where the product's id sits: JSON bodies
 * `…/products/3/ids/iiko` → `…/products/3/customFields/X`, YML `…/offers/3/@id` → `…/offers/3/param`.
 */
export function customFieldLocation(idLocation: string, field: string): string {
  if (/\/ids\/[^/]+$/.test(idLocation)) return idLocation.replace(/\/ids\/[^/]+$/, `/customFields/${field}`);
  if (idLocation.endsWith('/@id')) return `${idLocation.slice(0, -'/@id'.length)}/param`;
  return idLocation;
}
