// Validation of the profile fields a request sets on a guest (reference §3.1, field validation rules):
// every invalid value becomes a validation message at its location; valid values come back normalised.
// Values are never echoed in messages: they may be phones or e-mail addresses, and messages are logged.
import type { CustomFieldDefinition } from '../project/schemas.ts';
import type { ValidationMessage } from '../shared/errors.ts';
import { parseMinor, toDecimal } from '../shared/money.ts';
import { normalizePhone } from './phone.ts';

/** The value that clears a field in an edit. */
export const CLEAR = '%CLEAR%';

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
}

export interface ProfileParseOptions {
  customerFields: CustomFieldDefinition[];
  /** `%CLEAR%` is understood (EditCustomer) */
  allowClear: boolean;
  /** today's date where the project is, 'YYYY-MM-DD' */
  today: string;
  location?: string;
}

const EMAIL = /^[^\s@"(),:;<>[\]\\]{1,64}@(?:[A-Za-z0-9\u0400-\u04FF](?:[A-Za-z0-9\u0400-\u04FF-]{0,61}[A-Za-z0-9\u0400-\u04FF])?\.)+[A-Za-z\u0400-\u04FF]{2,63}$/;
const NAME = /^[A-Za-zА-Яа-яЁё](?:[A-Za-zА-Яа-яЁё'’\- ]*[A-Za-zА-Яа-яЁё.])?$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

const isObject = (value: unknown): value is Record<string, unknown> => !!value && typeof value === 'object' && !Array.isArray(value);
const given = (value: unknown) => value !== undefined && value !== null && value !== '';

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
export function parseCustomFieldValue(field: CustomFieldDefinition, value: unknown): { value: unknown } | { problem: string } {
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

/** Validates the `customer` node's profile fields; identifiers (`ids`) are the caller's business. */
export function parseProfile(node: Record<string, unknown>, options: ProfileParseOptions): { changes: ProfileChanges; messages: ValidationMessage[] } {
  const at = options.location ?? '/customer';
  const changes: ProfileChanges = {};
  const messages: ValidationMessage[] = [];
  const problem = (location: string, message: string) => messages.push({ location, message });
  const isClear = (value: unknown) => value === CLEAR;
  /** undefined: not given; null: clear; otherwise the raw value */
  const read = (value: unknown, location: string): unknown => {
    if (isClear(value)) {
      if (options.allowClear) return null;
      problem(location, `${CLEAR} clears a field when editing a guest; leave the field out instead`);
      return undefined;
    }
    return given(value) ? value : undefined;
  };

  const phone = read(node.mobilePhone, `${at}/mobilePhone`);
  if (phone === null) changes.mobilePhone = null;
  else if (phone !== undefined) {
    const normalized = normalizePhone(phone);
    if (normalized) changes.mobilePhone = normalized;
    else problem(`${at}/mobilePhone`, 'is not a valid mobile phone number: give the country code and the number');
  }

  const email = read(node.email, `${at}/email`);
  if (email === null) changes.email = null;
  else if (email !== undefined) {
    const text = typeof email === 'string' ? email.trim() : '';
    if (text.length > 254) problem(`${at}/email`, 'an e-mail address has at most 254 characters');
    else if (!EMAIL.test(text)) problem(`${at}/email`, 'is not a valid e-mail address');
    else changes.email = text;
  }

  for (const key of ['firstName', 'lastName', 'middleName'] as const) {
    const value = read(node[key], `${at}/${key}`);
    if (value === null) changes[key] = null;
    else if (value !== undefined) {
      const text = typeof value === 'string' ? value.trim().replace(/\s+/g, ' ') : '';
      if (text.length > 100) problem(`${at}/${key}`, 'a name has at most 100 characters');
      else if (!NAME.test(text)) problem(`${at}/${key}`, 'a name has only Latin or Cyrillic letters, spaces, hyphens and apostrophes');
      else changes[key] = text;
    }
  }

  const birthDate = read(node.birthDate, `${at}/birthDate`);
  if (birthDate === null) changes.birthDate = null;
  else if (birthDate !== undefined) {
    const text = typeof birthDate === 'string' ? birthDate.trim() : '';
    if (!isCalendarDate(text)) problem(`${at}/birthDate`, 'must be a date YYYY-MM-DD');
    else if (text < '1900-01-01') problem(`${at}/birthDate`, 'must not be before 1900-01-01');
    else if (text > options.today) problem(`${at}/birthDate`, 'must not be in the future');
    else changes.birthDate = text;
  }

  const sex = read(node.sex, `${at}/sex`);
  if (sex === null) changes.sex = null;
  else if (sex !== undefined) {
    const parsed = parseSex(sex);
    if (parsed) changes.sex = parsed;
    else problem(`${at}/sex`, 'must be male or female (m, f or w also do)');
  }

  if (isClear(node.discountCard)) {
    if (options.allowClear) changes.discountCard = null;
    else problem(`${at}/discountCard`, `${CLEAR} clears a field when editing a guest; leave the field out instead`);
  } else if (given(node.discountCard)) {
    const location = `${at}/discountCard/ids/number`;
    const number = isObject(node.discountCard) && isObject(node.discountCard.ids) ? read(node.discountCard.ids.number, location) : undefined;
    if (number === null) changes.discountCard = null;
    else if (number === undefined) problem(location, 'give the card number in discountCard.ids.number');
    else if (typeof number !== 'string' && typeof number !== 'number') problem(location, 'must be a text');
    else if (String(number).trim().length > 100) problem(location, 'a card number has at most 100 characters');
    else changes.discountCard = String(number).trim();
  }

  if (given(node.customFields)) {
    if (!isObject(node.customFields)) problem(`${at}/customFields`, 'must be an object of field system names and values');
    else {
      const values: Record<string, unknown> = {};
      for (const [name, raw] of Object.entries(node.customFields)) {
        const location = `${at}/customFields/${name}`;
        const field = options.customerFields.find((f) => f.systemName === name);
        if (!field) {
          problem(location, `"${name}" is not a customer field of this project`);
          continue;
        }
        if (field.type === 'ExternalIdentifier') {
          problem(location, `"${name}" is an identifier: send it in customer.ids`);
          continue;
        }
        const value = read(raw, location);
        if (value === undefined) continue;
        if (value === null) {
          values[name] = null;
          continue;
        }
        if (Array.isArray(value) && !field.multiValued) {
          problem(location, 'this field holds one value, not a list');
          continue;
        }
        const items = Array.isArray(value) ? value : [value];
        const parsed: unknown[] = [];
        items.forEach((item, index) => {
          const result = parseCustomFieldValue(field, item);
          if ('problem' in result) problem(field.multiValued && Array.isArray(value) ? `${location}/${index}` : location, result.problem);
          else parsed.push(result.value);
        });
        if (parsed.length === items.length) values[name] = field.multiValued ? parsed : parsed[0];
      }
      changes.customFields = values;
    }
  }
  return { changes, messages };
}
