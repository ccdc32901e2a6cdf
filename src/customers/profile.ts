// A guest's profile fields and the rules their values follow (reference §3.1, field validation rules): each
// rule gives the value normalised, or why it does not fit. Values are never echoed in the reasons: they may be
// phones or e-mail addresses, and reasons are logged. (Reading them out of a request is the protocol's part.)
import type { CustomFieldDefinition } from '../project/schemas.ts';
import { parseMinor, toDecimal } from '../shared/money.ts';
import type { SubscriptionChange } from './subscriptions.ts';

export type Sex = 'male' | 'female';

/** Fields a request sets; `null` means "clear it" (edits only); a field left out is not in the object. */
export interface ProfileChanges {
  mobilePhone?: string | null;
  email?: string | null;
  firstName?: string | null;
  lastName?: string | null;
  middleName?: string | null;
  birthDate?: string | null;
  sex?: Sex | null;
  discountCard?: string | null;
  /** custom field values by system name; `null` clears one */
  customFields?: Record<string, unknown>;
  /** consents given, each a channel (with a brand and topic, when given) once */
  subscriptions?: SubscriptionChange[];
}

const EMAIL = /^[^\s@"(),:;<>[\]\\]{1,64}@(?:[A-Za-z0-9\u0400-\u04FF](?:[A-Za-z0-9\u0400-\u04FF-]{0,61}[A-Za-z0-9\u0400-\u04FF])?\.)+[A-Za-z\u0400-\u04FF]{2,63}$/;
const NAME = /^[A-Za-zА-Яа-яЁё](?:[A-Za-zА-Яа-яЁё'’\- ]*[A-Za-zА-Яа-яЁё.])?$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

/** A value normalised, or why it does not fit. */
export type Checked<T> = { value: T } | { problem: string };

export function checkEmail(value: unknown): Checked<string> {
  const text = typeof value === 'string' ? value.trim() : '';
  if (text.length > 254) return { problem: 'an e-mail address has at most 254 characters' };
  return EMAIL.test(text) ? { value: text } : { problem: 'is not a valid e-mail address' };
}

export function checkName(value: unknown): Checked<string> {
  const text = typeof value === 'string' ? value.trim().replace(/\s+/g, ' ') : '';
  if (text.length > 100) return { problem: 'a name has at most 100 characters' };
  return NAME.test(text) ? { value: text } : { problem: 'a name has only Latin or Cyrillic letters, spaces, hyphens and apostrophes' };
}

/** A birth date between 1900-01-01 and `today` (the project's local date). */
export function checkBirthDate(value: unknown, today: string): Checked<string> {
  const text = typeof value === 'string' ? value.trim() : '';
  if (!isCalendarDate(text)) return { problem: 'must be a date YYYY-MM-DD' };
  if (text < '1900-01-01') return { problem: 'must not be before 1900-01-01' };
  if (text > today) return { problem: 'must not be in the future' };
  return { value: text };
}

export function checkDiscountCard(value: unknown): Checked<string> {
  if (typeof value !== 'string' && typeof value !== 'number') return { problem: 'must be a text' };
  const text = String(value).trim();
  return text.length > 100 ? { problem: 'a card number has at most 100 characters' } : { value: text };
}

export function isCalendarDate(text: string): boolean {
  const match = DATE.exec(text);
  if (!match) return false;
  const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
  return date.getUTCFullYear() === Number(match[1]) && date.getUTCMonth() === Number(match[2]) - 1 && date.getUTCDate() === Number(match[3]);
}

export function parseSex(value: unknown): Sex | null {
  if (typeof value !== 'string') return null;
  const text = value.trim().toLowerCase();
  if (text === 'male' || text === 'm') return 'male';
  if (text === 'female' || text === 'f' || text === 'w') return 'female';
  return null;
}

/** One typed custom field value, normalised; a message when it does not fit the field's type. */
export function parseCustomFieldValue(field: CustomFieldDefinition, value: unknown): Checked<unknown> {
  switch (field.type) {
    case 'String':
    case 'ExternalIdentifier': {
      if (typeof value !== 'string' && typeof value !== 'number') return { problem: 'must be a text' };
      const text = String(value);
      return text.length > 1000 ? { problem: 'a text field holds at most 1000 characters' } : { value: text };
    }
    case 'Integer': {
      const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : '';
      if (!/^-?\d+$/.test(text)) return { problem: 'must be a whole number' };
      const number = Number(text);
      return number < INT32_MIN || number > INT32_MAX ? { problem: `must be between ${INT32_MIN} and ${INT32_MAX}` } : { value: number };
    }
    case 'Decimal': {
      const minor = parseMinor(value, 2);
      return minor === null ? { problem: 'must be a number with at most 2 decimal places' } : { value: toDecimal(minor, 2) };
    }
    case 'Boolean': {
      if (typeof value === 'boolean') return { value };
      const text = typeof value === 'string' ? value.trim().toLowerCase() : '';
      if (text === 'true') return { value: true };
      if (text === 'false') return { value: false };
      return { problem: 'must be true or false' };
    }
    case 'Date':
      return typeof value === 'string' && isCalendarDate(value.trim()) ? { value: value.trim() } : { problem: 'must be a date YYYY-MM-DD' };
    case 'DateTime': {
      const text = typeof value === 'string' ? value.trim() : '';
      const at = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/.test(text) ? Date.parse(text) : Number.NaN;
      return Number.isNaN(at) ? { problem: 'must be a date and time, e.g. 2026-01-31T18:30:00Z' } : { value: new Date(at).toISOString() };
    }
    case 'Enum': {
      const text = typeof value === 'string' || typeof value === 'number' ? String(value).trim() : '';
      return field.enumValues?.includes(text) ? { value: text } : { problem: `must be one of: ${(field.enumValues ?? []).join(', ')}` };
    }
  }
}
