// The Mindbox `customer` node, both ways: read out of a request into the guest's identifiers and profile
// changes (every problem at its location in the request), and a guest written as an answer shows it.
import type { GuestIdentifiers, GuestView, NewGuest } from '../../../customers/customers.service.ts';
import { normalizePhone, type CountryCode } from '../../../customers/phone.ts';
import { checkBirthDate, checkDiscountCard, checkEmail, checkName, parseCustomFieldValue, parseSex, type ProfileChanges } from '../../../customers/profile.ts';
import { MAX_BRAND_OR_TOPIC, pointOfContactNamed, POINTS_OF_CONTACT, sameSubscription, type SubscriptionChange } from '../../../customers/subscriptions.ts';
import type { CustomFieldDefinition } from '../../../project/schemas.ts';
import type { ProjectSnapshot } from '../../../project/snapshot.ts';
import { validationError, type ValidationMessage } from '../../../shared/errors.ts';
import { localDate } from '../../../shared/time-zone.ts';
import { customerNode } from '../../../wire/customer.ts';
import { given, isObject } from '../../../wire/decoded.ts';
import { sameFieldName } from '../../../wire/field-keys.ts';

/** The value that clears a field in an edit. */
export const CLEAR = '%CLEAR%';

const isMindboxId = (key: string) => sameFieldName(key, 'mindboxId');

/**
 * Reads the keys of a node that names fields (`ids`, `customFields`) in any case (decision 0016): each key's
 * field by system name, or the key's problem — unknown, or a second key for a field named already.
 */
function fieldKeys<F extends { systemName: string }>(
  node: Record<string, unknown>,
  find: (key: string) => F | undefined,
  unknown: (key: string) => string,
): { key: string; value: unknown; field?: F; problem?: string }[] {
  const seen = new Map<string, string>();
  return Object.entries(node).map(([key, value]) => {
    const field = find(key);
    if (!field) return { key, value, problem: unknown(key) };
    const earlier = seen.get(field.systemName);
    if (earlier !== undefined) return { key, value, problem: `"${key}" names the field "${field.systemName}" again (as "${earlier}" did): give it once` };
    seen.set(field.systemName, key);
    return { key, value, field };
  });
}

/** A customer identifier field (type ExternalIdentifier) a request key names, in any case. */
function identifierField(project: ProjectSnapshot, key: string): CustomFieldDefinition | undefined {
  const field = project.customField('Customer', key);
  return field?.type === 'ExternalIdentifier' ? field : undefined;
}

const notAnIdentifier = (key: string) => `"${key}" is not a customer identifier of this project`;

/**
 * The identifiers a `customer` node gives: `ids.mindboxId`, identifier custom fields in `ids`, `mobilePhone`,
 * `discountCard.ids.number`. A malformed one is refused at its location; none at all is an empty object.
 */
export function parseGuestIdentifiers(project: ProjectSnapshot, node: unknown, location = '/customer'): GuestIdentifiers {
  if (!isObject(node)) return {};
  const problems: ValidationMessage[] = [];
  const identifiers: GuestIdentifiers = {};
  const ids = isObject(node.ids) ? node.ids : {};
  const mindboxId = Object.keys(ids).find(isMindboxId);
  if (mindboxId !== undefined && given(ids[mindboxId])) {
    const id = Number(ids[mindboxId]);
    if (!Number.isSafeInteger(id) || id <= 0) problems.push({ location: `${location}/ids/${mindboxId}`, message: 'mindboxId must be a positive whole number' });
    else identifiers.id = id;
  }
  const others = Object.fromEntries(Object.entries(ids).filter(([key, value]) => !isMindboxId(key) && given(value)));
  for (const { key, value, field, problem } of fieldKeys(others, (key) => identifierField(project, key), notAnIdentifier)) {
    if (problem) problems.push({ location: `${location}/ids/${key}`, message: problem });
    else (identifiers.fields ??= {})[field!.systemName] = String(value).trim();
  }
  if (given(node.mobilePhone)) {
    const phone = normalizePhone(node.mobilePhone, project.settings.defaultCountry);
    if (!phone) problems.push({ location: `${location}/mobilePhone`, message: 'is not a valid mobile phone number' });
    else identifiers.mobilePhone = phone;
  }
  const card = isObject(node.discountCard) && isObject(node.discountCard.ids) ? node.discountCard.ids.number : undefined;
  if (given(card)) identifiers.discountCard = String(card).trim();
  if (problems.length) throw validationError(problems);
  return identifiers;
}

export interface ProfileParseOptions {
  customerFields: CustomFieldDefinition[];
  /** `%CLEAR%` is understood (EditCustomer) */
  allowClear: boolean;
  /** today's date where the project is, 'YYYY-MM-DD' */
  today: string;
  /** the country of phones given without a country code */
  defaultCountry: CountryCode;
  location?: string;
}

/** Reads the `customer` node's profile fields (identifiers in `ids` are read apart); every invalid value is a message at its location. */
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
  /** a field read and checked by `check`: cleared, set, or a problem at its location */
  const take = <K extends 'email' | 'firstName' | 'lastName' | 'middleName' | 'birthDate'>(key: K, check: (value: unknown) => { value: string } | { problem: string }) => {
    const value = read(node[key], `${at}/${key}`);
    if (value === null) changes[key] = null;
    else if (value !== undefined) {
      const checked = check(value);
      if ('problem' in checked) problem(`${at}/${key}`, checked.problem);
      else changes[key] = checked.value;
    }
  };

  const phone = read(node.mobilePhone, `${at}/mobilePhone`);
  if (phone === null) changes.mobilePhone = null;
  else if (phone !== undefined) {
    const normalized = normalizePhone(phone, options.defaultCountry);
    if (normalized) changes.mobilePhone = normalized;
    else problem(`${at}/mobilePhone`, 'is not a valid mobile phone number: give a mobile number, with its country code unless it is of the project\'s country');
  }
  take('email', checkEmail);
  for (const key of ['firstName', 'lastName', 'middleName'] as const) take(key, checkName);
  take('birthDate', (value) => checkBirthDate(value, options.today));

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
    else {
      const checked = checkDiscountCard(number);
      if ('problem' in checked) problem(location, checked.problem);
      else changes.discountCard = checked.value;
    }
  }

  if (given(node.customFields)) {
    if (!isObject(node.customFields)) problem(`${at}/customFields`, 'must be an object of field system names and values');
    else {
      const values: Record<string, unknown> = {};
      const keys = fieldKeys(
        node.customFields,
        (key) => options.customerFields.find((f) => sameFieldName(f.systemName, key)),
        (key) => `"${key}" is not a customer field of this project`,
      );
      for (const { key: name, value: raw, field, problem: keyProblem } of keys) {
        const location = `${at}/customFields/${name}`;
        if (!field) {
          problem(location, keyProblem!);
          continue;
        }
        if (field.type === 'ExternalIdentifier') {
          problem(location, `"${name}" is an identifier: send it in customer.ids`);
          continue;
        }
        const systemName = field.systemName;
        const value = read(raw, location);
        if (value === undefined) continue;
        if (value === null) {
          values[systemName] = null;
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
        if (parsed.length === items.length) values[systemName] = field.multiValued ? parsed : parsed[0];
      }
      changes.customFields = values;
    }
  }
  if (given(node.subscriptions)) {
    const subscriptions = parseSubscriptions(node.subscriptions, `${at}/subscriptions`, problem);
    if (subscriptions) changes.subscriptions = subscriptions;
  }
  return { changes, messages };
}

/** An optional brand or topic of a subscription: a short text, or null when not given. */
function subscriptionScope(value: unknown, location: string, problem: (location: string, message: string) => void): string | null | undefined {
  if (!given(value)) return null;
  const text = typeof value === 'string' || typeof value === 'number' ? String(value).trim() : '';
  if (text !== '' && text.length <= MAX_BRAND_OR_TOPIC) return text;
  problem(location, `must be a text of at most ${MAX_BRAND_OR_TOPIC} characters`);
  return undefined;
}

/** `customer.subscriptions`: each item a channel (`pointOfContact`), `isSubscribed`, and optionally `brand` and `topic`. */
function parseSubscriptions(node: unknown, location: string, problem: (location: string, message: string) => void): SubscriptionChange[] | null {
  if (!Array.isArray(node)) {
    problem(location, 'must be a list of subscriptions, e.g. [{"pointOfContact":"Sms","isSubscribed":true}]');
    return null;
  }
  const changes: SubscriptionChange[] = [];
  let valid = true;
  node.forEach((item, index) => {
    const at = `${location}/${index}`;
    const fail = (where: string, message: string) => {
      problem(where, message);
      valid = false;
    };
    if (!isObject(item)) return fail(at, 'must be an object with pointOfContact and isSubscribed');
    const pointOfContact = pointOfContactNamed(item.pointOfContact);
    if (!pointOfContact) fail(`${at}/pointOfContact`, `must be one of ${POINTS_OF_CONTACT.join(', ')}`);
    const isSubscribed = parseBoolean(item.isSubscribed);
    if (isSubscribed === null) fail(`${at}/isSubscribed`, 'must be true or false');
    const brand = subscriptionScope(item.brand, `${at}/brand`, fail);
    const topic = subscriptionScope(item.topic, `${at}/topic`, fail);
    if (!pointOfContact || isSubscribed === null || brand === undefined || topic === undefined) return;
    const change = { pointOfContact, brand, topic, isSubscribed };
    if (changes.some((earlier) => sameSubscription(earlier, change))) return fail(at, 'this subscription is given twice: give each channel, brand and topic once');
    changes.push(change);
  });
  return valid ? changes : null;
}

function parseBoolean(value: unknown): boolean | null {
  if (typeof value === 'boolean') return value;
  const text = typeof value === 'string' ? value.trim().toLowerCase() : '';
  return text === 'true' ? true : text === 'false' ? false : null;
}

function profileOptions(project: ProjectSnapshot, now: Date, allowClear: boolean): ProfileParseOptions {
  return {
    customerFields: project.customFields('Customer'),
    allowClear,
    today: localDate(now, project.settings.timeZone),
    defaultCountry: project.settings.defaultCountry,
  };
}

/** Identifier custom fields given in `customer.ids` of a registration. */
function parseNewIdentifierFields(project: ProjectSnapshot, node: Record<string, unknown>, messages: ValidationMessage[]): Record<string, string> {
  const values: Record<string, string> = {};
  if (!isObject(node.ids)) return values;
  const ids = Object.fromEntries(Object.entries(node.ids).filter(([, value]) => given(value)));
  for (const { key, value, field, problem } of fieldKeys(ids, (key) => (isMindboxId(key) ? undefined : identifierField(project, key)), notAnIdentifier)) {
    const location = `/customer/ids/${key}`;
    if (isMindboxId(key)) messages.push({ location, message: 'mindboxId is given by Regulars; leave it out when registering' });
    else if (problem) messages.push({ location, message: problem });
    else if (typeof value !== 'string' && typeof value !== 'number') messages.push({ location, message: 'must be a text' });
    else if (String(value).trim().length > 1000) messages.push({ location, message: 'an identifier has at most 1000 characters' });
    else values[field!.systemName] = String(value).trim();
  }
  return values;
}

/** The guest a RegisterCustomer call gives. */
export function parseNewGuest(project: ProjectSnapshot, node: unknown, now: Date): NewGuest {
  if (!isObject(node)) throw validationError({ location: '/customer', message: 'give the guest to register in customer' });
  const { changes, messages } = parseProfile(node, profileOptions(project, now, false));
  const identifierFields = parseNewIdentifierFields(project, node, messages);
  if (messages.length) throw validationError(messages);
  return { profile: changes, identifierFields };
}

/**
 * What an EditCustomer call asks: the guest is named by `ids` when given (then `mobilePhone` and the card are
 * new values), otherwise by `mobilePhone` or the card (which then only find the guest).
 */
export function parseGuestEdit(project: ProjectSnapshot, node: unknown, now: Date): { target: GuestIdentifiers; changes: ProfileChanges } {
  if (!isObject(node)) throw validationError({ location: '/customer', message: 'give the guest to edit in customer' });
  const byIds = isObject(node.ids) && Object.values(node.ids).some(given);
  const target = parseGuestIdentifiers(project, byIds ? { ids: node.ids } : { mobilePhone: node.mobilePhone, discountCard: node.discountCard });
  const { changes, messages } = parseProfile(node, profileOptions(project, now, true));
  if (messages.length) throw validationError(messages);
  if (!byIds) {
    delete changes.mobilePhone;
    delete changes.discountCard;
  }
  return { target, changes };
}

/** The guest as an answer shows them (the wire contract's `customer` node). */
export function wireCustomer(guest: GuestView): Record<string, unknown> {
  return customerNode(guest);
}
