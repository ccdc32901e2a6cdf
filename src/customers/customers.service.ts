// Guests: finding them by what the POS knows, registering, editing, confirming phones and checking codes.
// Every function runs in the caller's transaction; the events it causes are written to the outbox there too.
import type { Db } from '../db/database.ts';
import { emitEvent } from '../jobs/outbox.ts';
import { sealMailingSecrets } from '../messaging/mailing-secrets.ts';
import type { SecretBox } from '../shared/secret-box.ts';
import type { CODE_LIFETIMES, IntegrationPointDefinition, OperationDefinition } from '../project/schemas.ts';
import type { ProjectSnapshot } from '../project/snapshot.ts';
import { validationError, type ValidationMessage } from '../shared/errors.ts';
import { localDate } from '../shared/time-zone.ts';
import { checkCode, codeRefusal, issueCode, type IssuedCode } from './codes.service.ts';
import * as repository from './customers.repository.ts';
import { normalizePhone } from './phone.ts';
import { parseProfile, type ProfileChanges } from './profile.ts';

export type CustomerRow = repository.CustomerRow;

export type CustomerLookup =
  | { status: 'Found'; customer: CustomerRow }
  | { status: 'NotFound' }
  | { status: 'Ambiguous' }
  | { status: 'NoIdentifiers' };

/** Where a guest-changing call comes from: its events carry the operation and integration point. */
export interface GuestContext {
  project: ProjectSnapshot;
  integrationPoint: IntegrationPointDefinition;
  operation: OperationDefinition;
  now: Date;
  /** seals the codes an event carries to its SMS */
  secrets: SecretBox;
}

const UNIQUE_VIOLATION = '23505';
const PHONE_TAKEN = 'a guest with this mobile phone is registered already; find them with Offline.CheckCustomer';
const CARD_TAKEN = 'this discount card is bound to another guest';

const isObject = (value: unknown): value is Record<string, unknown> => !!value && typeof value === 'object' && !Array.isArray(value);
const given = (value: unknown) => value !== undefined && value !== null && value !== '';

/** Customer custom fields of type ExternalIdentifier: the keys a guest may be found by in `customer.ids`. */
function identifierFields(project: ProjectSnapshot): Set<string> {
  return new Set(project.customFields('Customer').filter((f) => f.type === 'ExternalIdentifier').map((f) => f.systemName));
}

/**
 * Finds the guest a request's `customer` node names: by `ids.mindboxId`, identifier custom fields in `ids`,
 * `mobilePhone` or `discountCard.ids.number`. Identifiers that point to different guests are `Ambiguous`.
 * With `matchPendingPhone`, a phone also finds the guest it is waiting to be confirmed for.
 */
export async function findCustomer(
  db: Db,
  project: ProjectSnapshot,
  node: unknown,
  location = '/customer',
  options: { matchPendingPhone?: boolean } = {},
): Promise<CustomerLookup> {
  if (!isObject(node)) return { status: 'NoIdentifiers' };
  const problems: ValidationMessage[] = [];
  const candidates: CustomerRow[][] = [];
  const identifiers = identifierFields(project);

  const ids = isObject(node.ids) ? node.ids : {};
  for (const [key, value] of Object.entries(ids)) {
    if (!given(value)) continue;
    if (key === 'mindboxId') {
      const id = Number(value);
      if (!Number.isSafeInteger(id) || id <= 0) {
        problems.push({ location: `${location}/ids/mindboxId`, message: 'mindboxId must be a positive whole number' });
        continue;
      }
      const customer = await repository.getCustomer(db, id);
      candidates.push(customer ? [customer] : []);
    } else if (identifiers.has(key)) {
      candidates.push(await repository.findByCustomField(db, key, String(value).trim()));
    } else {
      problems.push({ location: `${location}/ids/${key}`, message: `"${key}" is not a customer identifier of this project` });
    }
  }
  if (given(node.mobilePhone)) {
    const phone = normalizePhone(node.mobilePhone);
    if (!phone) problems.push({ location: `${location}/mobilePhone`, message: 'is not a valid mobile phone number' });
    else {
      const byPhone = await repository.findByPhone(db, phone);
      candidates.push(byPhone.length === 0 && options.matchPendingPhone ? await repository.findByPendingPhone(db, phone) : byPhone);
    }
  }
  const card = isObject(node.discountCard) && isObject(node.discountCard.ids) ? node.discountCard.ids.number : undefined;
  if (given(card)) candidates.push(await repository.findByDiscountCard(db, String(card).trim()));
  if (problems.length) throw validationError(problems);
  if (candidates.length === 0) return { status: 'NoIdentifiers' };
  const found = new Map(candidates.flat().map((customer) => [customer.id, customer]));
  if (found.size > 1 || candidates.some((list) => list.length > 1)) return { status: 'Ambiguous' };
  if (found.size === 0) return { status: 'NotFound' };
  // every identifier given must point to the same guest; one that finds nobody while another finds a guest is ambiguous
  if (candidates.some((list) => list.length === 0)) return { status: 'Ambiguous' };
  return { status: 'Found', customer: [...found.values()][0] };
}

/** `findCustomer` for operations that need a guest: no identifiers at all is the caller's mistake. */
async function requireLookup(db: Db, project: ProjectSnapshot, node: unknown, options: { matchPendingPhone?: boolean } = {}) {
  const lookup = await findCustomer(db, project, node, '/customer', options);
  if (lookup.status === 'NoIdentifiers')
    throw validationError({ location: '/customer', message: "give the guest's mobilePhone, discountCard.ids.number or ids" });
  return lookup;
}

export async function getCustomerById(db: Db, id: number): Promise<CustomerRow | undefined> {
  return repository.getCustomer(db, id);
}

/** The guest, locked until the caller's transaction ends: work on one guest (scenario runs) queues up. */
export async function lockCustomerById(db: Db, id: number): Promise<CustomerRow | undefined> {
  return repository.getCustomerForUpdate(db, id);
}

/** The guest as the protocol shows it: only filled fields; identifier fields under `ids`. */
export function toWireCustomer(customer: CustomerRow, project?: ProjectSnapshot): Record<string, unknown> {
  const identifiers = project ? identifierFields(project) : new Set<string>();
  const ids: Record<string, unknown> = { mindboxId: customer.id };
  const customFields: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(customer.custom_fields ?? {})) {
    if (identifiers.has(name)) ids[name] = value;
    else customFields[name] = value;
  }
  const wire: Record<string, unknown> = { ids };
  const put = (key: string, value: unknown) => {
    if (value !== null && value !== undefined && value !== '') wire[key] = value;
  };
  put('mobilePhone', customer.mobile_phone);
  wire.isMobilePhoneConfirmed = customer.is_mobile_phone_confirmed;
  put('pendingMobilePhone', customer.pending_mobile_phone);
  put('email', customer.email);
  put('lastName', customer.last_name);
  put('firstName', customer.first_name);
  put('middleName', customer.middle_name);
  put('birthDate', customer.birth_date);
  put('sex', customer.sex);
  if (customer.discount_card) wire.discountCard = { ids: { number: customer.discount_card } };
  wire.customFields = customFields;
  return wire;
}

function parseCustomerNode(ctx: GuestContext, node: Record<string, unknown>, allowClear: boolean) {
  return parseProfile(node, {
    customerFields: ctx.project.customFields('Customer'),
    allowClear,
    today: localDate(ctx.now, ctx.project.settings.timeZone),
  });
}

/** Identifier custom fields given in `customer.ids` of a registration. */
function parseNewIdentifiers(ctx: GuestContext, node: Record<string, unknown>, messages: ValidationMessage[]): Record<string, string> {
  const values: Record<string, string> = {};
  if (!isObject(node.ids)) return values;
  const identifiers = identifierFields(ctx.project);
  for (const [key, value] of Object.entries(node.ids)) {
    if (!given(value)) continue;
    const location = `/customer/ids/${key}`;
    if (key === 'mindboxId') messages.push({ location, message: 'mindboxId is given by Regulars; leave it out when registering' });
    else if (!identifiers.has(key)) messages.push({ location, message: `"${key}" is not a customer identifier of this project` });
    else if (typeof value !== 'string' && typeof value !== 'number') messages.push({ location, message: 'must be a text' });
    else if (String(value).trim().length > 1000) messages.push({ location, message: 'an identifier has at most 1000 characters' });
    else values[key] = String(value).trim();
  }
  return values;
}

/** A unique index refused the write: another transaction registered the same phone or card a moment earlier. */
function uniquenessRefusal(error: unknown): never {
  const { code, constraint } = error as { code?: string; constraint?: string };
  if (code === UNIQUE_VIOLATION && constraint === 'customers_mobile_phone')
    throw validationError({ location: '/customer/mobilePhone', message: PHONE_TAKEN });
  if (code === UNIQUE_VIOLATION && constraint === 'customers_discount_card')
    throw validationError({ location: '/customer/discountCard/ids/number', message: CARD_TAKEN });
  throw error;
}

async function issueConfirmationCode(db: Db, ctx: GuestContext, customerId: number, phone: string): Promise<IssuedCode> {
  const settings = ctx.operation.settings as { codeLength?: number; codeLifetime?: keyof typeof CODE_LIFETIMES };
  return issueCode(db, ctx.project.settings, {
    customerId,
    purpose: 'confirmation',
    phone,
    length: settings.codeLength ?? 4,
    lifetime: settings.codeLifetime ?? '1d',
    operation: ctx.operation.systemName,
    now: ctx.now,
    location: '/customer/mobilePhone',
  });
}

function eventSource(ctx: GuestContext) {
  return { operation: ctx.operation.systemName, integrationPoint: ctx.integrationPoint.systemName, at: ctx.now.toISOString() };
}

export interface CodeForSms {
  code: IssuedCode;
  phone: string;
}

/**
 * Registers a guest. On an integration point that confirms phones, a confirmation code is issued and sealed
 * into the "customer registered" event, where the transactional scenario picks it up for the SMS.
 */
export async function registerCustomer(db: Db, ctx: GuestContext, node: unknown): Promise<{ customer: CustomerRow; confirmation: CodeForSms | null }> {
  if (!isObject(node)) throw validationError({ location: '/customer', message: 'give the guest to register in customer' });
  const { changes, messages } = parseCustomerNode(ctx, node, false);
  const identifiers = parseNewIdentifiers(ctx, node, messages);
  if (messages.length) throw validationError(messages);
  if (!changes.mobilePhone && !changes.email && !changes.discountCard && Object.keys(identifiers).length === 0)
    throw validationError({ location: '/customer', message: 'give at least a mobilePhone, an email, a discount card or an identifier' });

  if (changes.mobilePhone && (await repository.findByPhone(db, changes.mobilePhone)).length > 0)
    messages.push({ location: '/customer/mobilePhone', message: PHONE_TAKEN });
  if (changes.discountCard && (await repository.findByDiscountCard(db, changes.discountCard)).length > 0)
    messages.push({ location: '/customer/discountCard/ids/number', message: CARD_TAKEN });
  for (const [key, value] of Object.entries(identifiers))
    if ((await repository.findByCustomField(db, key, value)).length > 0)
      messages.push({ location: `/customer/ids/${key}`, message: 'another guest has this identifier' });
  if (messages.length) throw validationError(messages);

  const customer = await repository
    .insertCustomer(db, {
      mobile_phone: changes.mobilePhone ?? null,
      email: changes.email ?? null,
      first_name: changes.firstName ?? null,
      last_name: changes.lastName ?? null,
      middle_name: changes.middleName ?? null,
      birth_date: changes.birthDate ?? null,
      sex: changes.sex ?? null,
      discount_card: changes.discountCard ?? null,
      custom_fields: JSON.stringify({ ...withoutCleared(changes.customFields), ...identifiers }),
      registered_via: ctx.integrationPoint.systemName,
      created_at: ctx.now,
      updated_at: ctx.now,
    })
    .catch(uniquenessRefusal);

  let confirmation: CodeForSms | null = null;
  if (ctx.integrationPoint.phoneConfirmation && customer.mobile_phone) {
    confirmation = { code: await issueConfirmationCode(db, ctx, customer.id, customer.mobile_phone), phone: customer.mobile_phone };
  }
  await emitEvent(db, {
    type: 'customerRegistered',
    customerId: customer.id,
    ...eventSource(ctx),
    data: confirmation ? { secrets: sealCode(ctx.secrets, 'MobilePhoneConfirmationCode', confirmation) } : {},
  });
  return { customer, confirmation };
}

function withoutCleared(values: Record<string, unknown> | undefined): Record<string, unknown> {
  return Object.fromEntries(Object.entries(values ?? {}).filter(([, value]) => value !== null));
}

function sealCode(box: SecretBox, parameter: string, issued: CodeForSms): string {
  return sealMailingSecrets(box, { parameters: { [parameter]: issued.code.code }, to: issued.phone, validUntil: issued.code.expiresAt.toISOString() });
}

const PROFILE_COLUMNS = {
  email: 'email',
  firstName: 'first_name',
  lastName: 'last_name',
  middleName: 'middle_name',
  birthDate: 'birth_date',
  sex: 'sex',
} as const satisfies Partial<Record<keyof ProfileChanges, keyof CustomerRow>>;

export type EditResult =
  | { status: 'NotFound' | 'Ambiguous' }
  | { status: 'Changed' | 'NotChanged'; customer: CustomerRow; changedFields: string[]; confirmation: CodeForSms | null };

/**
 * Changes a guest's profile. The guest is found by `ids` when given (then `mobilePhone` and the card are new
 * values), otherwise by `mobilePhone` or the card. A new phone on an integration point that confirms phones
 * waits in `pendingMobilePhone` until confirmed; the caller sends it the confirmation code.
 */
export async function editCustomer(db: Db, ctx: GuestContext, node: unknown): Promise<EditResult> {
  if (!isObject(node)) throw validationError({ location: '/customer', message: 'give the guest to edit in customer' });
  const byIds = isObject(node.ids) && Object.values(node.ids).some(given);
  const lookup = await requireLookup(db, ctx.project, byIds ? { ids: node.ids } : { mobilePhone: node.mobilePhone, discountCard: node.discountCard });
  if (lookup.status !== 'Found') return { status: lookup.status };
  const { changes, messages } = parseCustomerNode(ctx, node, true);
  if (messages.length) throw validationError(messages);
  if (!byIds) {
    // the phone or card found the guest: they are identifiers here, not new values
    delete changes.mobilePhone;
    delete changes.discountCard;
  }

  const current = (await repository.getCustomerForUpdate(db, lookup.customer.id))!;
  const update: Record<string, unknown> = {};
  const changedFields: string[] = [];
  for (const [field, column] of Object.entries(PROFILE_COLUMNS) as [keyof typeof PROFILE_COLUMNS, keyof CustomerRow][]) {
    const value = changes[field];
    if (value !== undefined && value !== current[column]) {
      update[column] = value;
      changedFields.push(field);
    }
  }

  if (changes.discountCard !== undefined && changes.discountCard !== current.discount_card) {
    if (changes.discountCard && (await repository.findByDiscountCard(db, changes.discountCard)).some((other) => other.id !== current.id))
      messages.push({ location: '/customer/discountCard/ids/number', message: CARD_TAKEN });
    update.discount_card = changes.discountCard;
    changedFields.push('discountCard');
  }

  if (changes.customFields) {
    const merged: Record<string, unknown> = { ...(current.custom_fields ?? {}) };
    for (const [name, value] of Object.entries(changes.customFields)) {
      if (value === null) delete merged[name];
      else merged[name] = value;
      if (JSON.stringify(current.custom_fields?.[name] ?? null) !== JSON.stringify(value)) changedFields.push(`customFields.${name}`);
    }
    if (changedFields.some((field) => field.startsWith('customFields.'))) update.custom_fields = JSON.stringify(merged);
  }

  let confirmation: CodeForSms | null = null;
  const phone = changes.mobilePhone;
  if (phone === null && (current.mobile_phone !== null || current.pending_mobile_phone !== null)) {
    Object.assign(update, { mobile_phone: null, pending_mobile_phone: null, is_mobile_phone_confirmed: false });
    changedFields.push('mobilePhone');
  } else if (phone && phone === current.mobile_phone && current.pending_mobile_phone !== null) {
    // the guest keeps the number they have: the change that waited for confirmation is dropped
    update.pending_mobile_phone = null;
    changedFields.push('pendingMobilePhone');
  } else if (phone && phone !== current.mobile_phone && phone !== current.pending_mobile_phone) {
    if ((await repository.findByPhone(db, phone)).length > 0) messages.push({ location: '/customer/mobilePhone', message: PHONE_TAKEN });
    else if (ctx.integrationPoint.phoneConfirmation) {
      update.pending_mobile_phone = phone;
      changedFields.push('pendingMobilePhone');
    } else {
      Object.assign(update, { mobile_phone: phone, pending_mobile_phone: null, is_mobile_phone_confirmed: false });
      changedFields.push('mobilePhone');
    }
  }
  if (messages.length) throw validationError(messages);
  if (changedFields.length === 0) return { status: 'NotChanged', customer: current, changedFields, confirmation };

  const customer = await repository.updateCustomer(db, current.id, { ...update, updated_at: ctx.now }).catch(uniquenessRefusal);
  if (update.pending_mobile_phone) {
    const pending = update.pending_mobile_phone as string;
    confirmation = { code: await issueConfirmationCode(db, ctx, customer.id, pending), phone: pending };
  }
  await emitEvent(db, { type: 'customerChanged', customerId: customer.id, ...eventSource(ctx), data: { fields: changedFields } });
  return { status: 'Changed', customer, changedFields, confirmation };
}

export type ResendResult =
  | { status: 'NotFound' | 'Ambiguous' }
  | { status: 'AlreadyConfirmed'; customer: CustomerRow }
  | { status: 'Found'; customer: CustomerRow; confirmation: CodeForSms };

/** A new confirmation code for the phone waiting to be confirmed (or the unconfirmed main phone). */
export async function resendConfirmationCode(db: Db, ctx: GuestContext, node: unknown): Promise<ResendResult> {
  const lookup = await requireLookup(db, ctx.project, node, { matchPendingPhone: true });
  if (lookup.status !== 'Found') return { status: lookup.status };
  const customer = (await repository.getCustomerForUpdate(db, lookup.customer.id))!;
  const phone = customer.pending_mobile_phone ?? customer.mobile_phone;
  if (!phone) throw validationError({ location: '/customer/mobilePhone', message: 'the guest has no mobile phone to confirm' });
  if (!customer.pending_mobile_phone && customer.is_mobile_phone_confirmed) return { status: 'AlreadyConfirmed', customer };
  return { status: 'Found', customer, confirmation: { code: await issueConfirmationCode(db, ctx, customer.id, phone), phone } };
}

export type ConfirmResult =
  | { status: 'NotFound' | 'Ambiguous'; description?: string }
  | { status: 'AlreadyConfirmed' | 'MobilePhoneConfirmed'; customer: CustomerRow }
  | { status: 'IncorrectConfirmationCode'; customer: CustomerRow; description: string };

/** Checks a confirmation code; the right one confirms the phone it was sent to (a pending phone becomes the main one). */
export async function confirmMobilePhone(db: Db, ctx: GuestContext, node: unknown, typed: string | null): Promise<ConfirmResult> {
  const lookup = await requireLookup(db, ctx.project, node, { matchPendingPhone: true });
  if (lookup.status !== 'Found') return { status: lookup.status };
  const customer = (await repository.getCustomerForUpdate(db, lookup.customer.id))!;
  if (!customer.pending_mobile_phone && !customer.mobile_phone) return { status: 'NotFound', description: 'the guest has no mobile phone to confirm' };
  if (!customer.pending_mobile_phone && customer.is_mobile_phone_confirmed) return { status: 'AlreadyConfirmed', customer };
  const check = await checkCode(db, ctx.project.settings, { customerId: customer.id, purpose: 'confirmation', typed, now: ctx.now });
  if (!check.ok) return { status: 'IncorrectConfirmationCode', customer, description: codeRefusal(check) };
  let confirmed: CustomerRow;
  if (check.phone === customer.pending_mobile_phone) {
    if ((await repository.findByPhone(db, check.phone)).some((other) => other.id !== customer.id))
      throw validationError({ location: '/customer/mobilePhone', message: PHONE_TAKEN });
    confirmed = await repository
      .updateCustomer(db, customer.id, { mobile_phone: check.phone, pending_mobile_phone: null, is_mobile_phone_confirmed: true, updated_at: ctx.now })
      .catch(uniquenessRefusal);
  } else if (check.phone === customer.mobile_phone) {
    confirmed = await repository.updateCustomer(db, customer.id, { is_mobile_phone_confirmed: true, updated_at: ctx.now });
  } else {
    return { status: 'IncorrectConfirmationCode', customer, description: 'the code was sent to a number the guest no longer has; request a new code' };
  }
  await emitEvent(db, { type: 'phoneConfirmed', customerId: customer.id, ...eventSource(ctx), data: {} });
  return { status: 'MobilePhoneConfirmed', customer: confirmed };
}

export type AuthorizationRequest = { status: 'NotFound' | 'Ambiguous' } | { status: 'Found'; customer: CustomerRow; codeIssued: boolean };

/** Issues an authorization code and fires "customer requested an authorization code" with it, sealed. */
export async function requestAuthorizationCode(db: Db, ctx: GuestContext, node: unknown): Promise<AuthorizationRequest> {
  const lookup = await requireLookup(db, ctx.project, node);
  if (lookup.status !== 'Found') return { status: lookup.status };
  const settings = ctx.operation.settings as { generateCode?: boolean; codeLength?: number; codeLifetime?: keyof typeof CODE_LIFETIMES };
  if (settings.generateCode === false) return { status: 'Found', customer: lookup.customer, codeIssued: false };
  const phone = lookup.customer.mobile_phone;
  if (!phone) throw validationError({ location: '/customer/mobilePhone', message: 'the guest has no mobile phone to send a code to' });
  const code = await issueCode(db, ctx.project.settings, {
    customerId: lookup.customer.id,
    purpose: 'authorization',
    phone,
    length: settings.codeLength ?? 4,
    lifetime: settings.codeLifetime ?? '5m',
    operation: ctx.operation.systemName,
    now: ctx.now,
    location: '/customer/mobilePhone',
  });
  await emitEvent(db, {
    type: 'authorizationCodeRequested',
    customerId: lookup.customer.id,
    ...eventSource(ctx),
    data: { secrets: sealCode(ctx.secrets, 'AuthentificationCode', { code, phone }) },
  });
  return { status: 'Found', customer: lookup.customer, codeIssued: true };
}

export type AuthorizationCheck = { status: 'Accepted'; customer: CustomerRow } | { status: 'Refused'; message: string };

/** Checks an authorization code: right and unexpired → consumed; anything else is refused with the reason. */
export async function checkAuthorizationCode(db: Db, ctx: GuestContext, node: unknown, typed: string | null, codeGiven: boolean): Promise<AuthorizationCheck> {
  const lookup = await requireLookup(db, ctx.project, node);
  if (lookup.status === 'NotFound') throw validationError({ location: '/customer', message: 'no guest has these identifiers' });
  if (lookup.status === 'Ambiguous') throw validationError({ location: '/customer', message: 'the identifiers point to different guests' });
  if (!codeGiven) throw validationError({ location: '/authentificationCode', message: 'give the code the guest received' });
  const check = await checkCode(db, ctx.project.settings, { customerId: lookup.customer.id, purpose: 'authorization', typed, now: ctx.now });
  return check.ok ? { status: 'Accepted', customer: lookup.customer } : { status: 'Refused', message: codeRefusal(check) };
}

/** Sets one custom field (a scenario step); `null` removes it. */
export async function setCustomerCustomField(db: Db, customerId: number, field: string, value: unknown, now: Date): Promise<void> {
  await repository.setCustomFieldValue(db, customerId, field, value, now);
}

// Reads of the admin console; each uses an index or one pass (the rank distribution), see decision 0501.
export const searchCustomers = repository.searchCustomers;
export const newCustomersPerDay = repository.newCustomersPerDay;
export const countCustomersBefore = repository.countCustomersBefore;
export const customFieldDistribution = repository.customFieldDistribution;
