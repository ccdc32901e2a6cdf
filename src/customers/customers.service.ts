// Guests: finding them by what a caller knows of them, registering, editing, confirming phones and checking
// codes. Inputs are parsed already (the protocol layer reads its request bodies into these types) and results
// are domain results, not answers of any protocol. Every function runs in the caller's transaction; the events
// it causes are written to the outbox there too.
//
// Refusals name the field as a path in the guest's own terms (`/customer/mobilePhone`); the domain names its
// fields as the Mindbox customer node does, so those paths are the protocol's locations too (decision 0010).
import type { Db } from '../db/database.ts';
import { isUniqueViolation } from '../db/errors.ts';
import { emitEvent } from '../jobs/outbox.ts';
import { sealMailingSecrets } from '../messaging/mailing-secrets.ts';
import { queueMailing, type MailingRecipient } from '../messaging/mailings.service.ts';
import type { CODE_LIFETIMES } from '../project/schemas.ts';
import type { ProjectSnapshot } from '../project/snapshot.ts';
import { validationError, type ValidationMessage } from '../shared/errors.ts';
import type { SecretBox } from '../shared/secret-box.ts';
import { checkCode, codeRefusal, issueCode, type IssuedCode } from './codes.service.ts';
import type { CodePurpose } from './codes.ts';
import * as repository from './customers.repository.ts';
import type { GuestFields } from '../wire/customer.ts';
import type { ProfileChanges } from './profile.ts';
import { changedSubscriptionFields, changeSubscriptions, guestSubscriptions } from './subscriptions.service.ts';
import type { SubscriptionSource } from './subscriptions.ts';

export type CustomerRow = repository.CustomerRow;

/** A guest as a mailing's template sees them (`Recipient`). */
export function mailingRecipient(customer: CustomerRow): MailingRecipient {
  return {
    id: customer.id,
    firstName: customer.first_name,
    lastName: customer.last_name,
    middleName: customer.middle_name,
    email: customer.email,
    mobilePhone: customer.mobile_phone,
    birthDate: customer.birth_date,
    customFields: customer.custom_fields ?? {},
  };
}

/** How a caller names a guest; every identifier given must name the same guest. */
export interface GuestIdentifiers {
  /** Regulars' own id of the guest (Mindbox's `mindboxId`) */
  id?: number;
  /** identifier custom fields (type ExternalIdentifier) by system name */
  fields?: Record<string, string>;
  /** normalised, as stored */
  mobilePhone?: string;
  discountCard?: string;
}

export type CustomerLookup =
  | { status: 'Found'; customer: CustomerRow }
  | { status: 'NotFound' }
  | { status: 'Ambiguous' }
  | { status: 'NoIdentifiers' };

/** Where a guest-changing call comes from and what it may use besides the transaction. */
export interface GuestContext {
  project: ProjectSnapshot;
  /** recorded on the events and codes the call causes */
  source: { integrationPoint: string; operation: string };
  /** the caller's integration point confirms phones by SMS: a new phone waits for its code */
  confirmsPhones: boolean;
  now: Date;
  /** seals the codes an event carries to its SMS */
  secrets: SecretBox;
  /** REGULARS_SMS_URL, for a confirmation SMS sent straight from the call */
  defaultSmsUrl: string;
}

/** How a code the call issues is made. */
export interface CodePolicy {
  length: number;
  lifetime: keyof typeof CODE_LIFETIMES;
}

/** A confirmation code the call issues, and the mailing that takes it to the phone (none: the caller sends nothing). */
export interface ConfirmationPolicy {
  code: CodePolicy;
  mailing: string | null;
}

/** What became of a confirmation SMS sent straight from the call. */
export type ConfirmationSms = { status: 'queued' } | { status: 'notSent'; reason: string };

const PHONE_TAKEN = 'a guest with this mobile phone is registered already';
const CARD_TAKEN = 'this discount card is bound to another guest';

/** Customer custom fields of type ExternalIdentifier: the keys a guest may be found by. */
export function customerIdentifierFields(project: ProjectSnapshot): Set<string> {
  return new Set(project.customFields('Customer').filter((f) => f.type === 'ExternalIdentifier').map((f) => f.systemName));
}

export function hasIdentifiers(identifiers: GuestIdentifiers): boolean {
  return identifiers.id !== undefined || Object.keys(identifiers.fields ?? {}).length > 0 || !!identifiers.mobilePhone || !!identifiers.discountCard;
}

/**
 * Finds the guest the identifiers name. Identifiers that point to different guests, or one that finds nobody
 * while another finds a guest, are `Ambiguous`. With `matchPendingPhone`, a phone also finds the guest it is
 * waiting to be confirmed for.
 */
export async function findCustomer(db: Db, identifiers: GuestIdentifiers, options: { matchPendingPhone?: boolean } = {}): Promise<CustomerLookup> {
  const candidates: CustomerRow[][] = [];
  if (identifiers.id !== undefined) {
    const customer = await repository.getCustomer(db, identifiers.id);
    candidates.push(customer ? [customer] : []);
  }
  for (const [field, value] of Object.entries(identifiers.fields ?? {})) candidates.push(await repository.findByCustomField(db, field, value));
  if (identifiers.mobilePhone) {
    const byPhone = await repository.findByPhone(db, identifiers.mobilePhone);
    candidates.push(byPhone.length === 0 && options.matchPendingPhone ? await repository.findByPendingPhone(db, identifiers.mobilePhone) : byPhone);
  }
  if (identifiers.discountCard) candidates.push(await repository.findByDiscountCard(db, identifiers.discountCard));
  if (candidates.length === 0) return { status: 'NoIdentifiers' };
  const found = new Map(candidates.flat().map((customer) => [customer.id, customer]));
  if (found.size > 1 || candidates.some((list) => list.length > 1)) return { status: 'Ambiguous' };
  if (found.size === 0) return { status: 'NotFound' };
  if (candidates.some((list) => list.length === 0)) return { status: 'Ambiguous' };
  return { status: 'Found', customer: [...found.values()][0] };
}

export async function getCustomerById(db: Db, id: number): Promise<CustomerRow | undefined> {
  return repository.getCustomer(db, id);
}

/** These guests, those that exist, in no order. */
export async function getCustomersByIds(db: Db, ids: number[]): Promise<CustomerRow[]> {
  return repository.getCustomers(db, ids);
}

/** The guest, locked until the caller's transaction ends: work on one guest (scenario runs) queues up. */
export async function lockCustomerById(db: Db, id: number): Promise<CustomerRow | undefined> {
  return repository.getCustomerForUpdate(db, id);
}

/** A unique index refused the write: another transaction registered the same phone or card a moment earlier. */
function uniquenessRefusal(error: unknown): never {
  if (isUniqueViolation(error, 'customers_mobile_phone')) throw validationError({ location: '/customer/mobilePhone', message: PHONE_TAKEN });
  if (isUniqueViolation(error, 'customers_discount_card')) throw validationError({ location: '/customer/discountCard/ids/number', message: CARD_TAKEN });
  throw error;
}

/** A new code of `purpose` for the guest's phone, within the limits of codes to a phone (refused at /customer/mobilePhone). */
async function issueGuestCode(db: Db, ctx: GuestContext, purpose: CodePurpose, customerId: number, phone: string, policy: CodePolicy): Promise<IssuedCode> {
  return issueCode(db, ctx.project.settings, {
    customerId,
    purpose,
    phone,
    length: policy.length,
    lifetime: policy.lifetime,
    operation: ctx.source.operation,
    now: ctx.now,
    location: '/customer/mobilePhone',
  });
}

function operationSource(ctx: GuestContext): SubscriptionSource {
  return { kind: 'operation', integrationPoint: ctx.source.integrationPoint, operation: ctx.source.operation };
}

function eventSource(ctx: Pick<GuestContext, 'source' | 'now'>) {
  return { operation: ctx.source.operation, integrationPoint: ctx.source.integrationPoint, at: ctx.now.toISOString() };
}

export interface CodeForSms {
  code: IssuedCode;
  phone: string;
}

function sealCode(box: SecretBox, parameter: string, issued: CodeForSms): string {
  return sealMailingSecrets(box, { parameters: { [parameter]: issued.code.code }, to: issued.phone, validUntil: issued.code.expiresAt.toISOString() });
}

/** Sends a confirmation code through the call's confirmation mailing, in the caller's transaction. */
async function sendConfirmationSms(db: Db, ctx: GuestContext, customer: CustomerRow, confirmation: CodeForSms, mailing: string | null): Promise<ConfirmationSms> {
  if (!mailing) return { status: 'notSent', reason: 'no confirmation mailing is set for this call' };
  const outcome = await queueMailing(db, { project: ctx.project, defaultSmsUrl: ctx.defaultSmsUrl, secrets: ctx.secrets }, {
    mailing,
    recipient: mailingRecipient(customer),
    to: confirmation.phone,
    parameters: { MobilePhoneConfirmationCode: confirmation.code.code },
    validUntil: confirmation.code.expiresAt,
    source: `operation:${ctx.source.operation}`,
    now: ctx.now,
  });
  return outcome.status === 'skipped' ? { status: 'notSent', reason: outcome.reason } : { status: 'queued' };
}

/** A guest to register: the profile and the identifier fields, parsed and checked for their form. */
export interface NewGuest {
  profile: ProfileChanges;
  identifierFields: Record<string, string>;
}

/**
 * Registers a guest. When the caller confirms phones, a confirmation code is issued and sealed into the
 * "customer registered" event, where the transactional scenario picks it up for the SMS.
 */
export async function registerCustomer(db: Db, ctx: GuestContext, guest: NewGuest, confirmationCode: CodePolicy): Promise<{ customer: CustomerRow; confirmation: CodeForSms | null }> {
  const { profile, identifierFields } = guest;
  if (!profile.mobilePhone && !profile.email && !profile.discountCard && Object.keys(identifierFields).length === 0)
    throw validationError({ location: '/customer', message: 'give at least a mobilePhone, an email, a discount card or an identifier' });

  const messages: ValidationMessage[] = [];
  if (profile.mobilePhone && (await repository.findByPhone(db, profile.mobilePhone)).length > 0) messages.push({ location: '/customer/mobilePhone', message: PHONE_TAKEN });
  if (profile.discountCard && (await repository.findByDiscountCard(db, profile.discountCard)).length > 0)
    messages.push({ location: '/customer/discountCard/ids/number', message: CARD_TAKEN });
  for (const [key, value] of Object.entries(identifierFields))
    if ((await repository.findByCustomField(db, key, value)).length > 0) messages.push({ location: `/customer/ids/${key}`, message: 'another guest has this identifier' });
  if (messages.length) throw validationError(messages);

  const customer = await repository
    .insertCustomer(db, {
      mobile_phone: profile.mobilePhone ?? null,
      email: profile.email ?? null,
      first_name: profile.firstName ?? null,
      last_name: profile.lastName ?? null,
      middle_name: profile.middleName ?? null,
      birth_date: profile.birthDate ?? null,
      sex: profile.sex ?? null,
      discount_card: profile.discountCard ?? null,
      custom_fields: JSON.stringify({ ...withoutCleared(profile.customFields), ...identifierFields }),
      registered_via: ctx.source.integrationPoint,
      created_at: ctx.now,
      updated_at: ctx.now,
    })
    .catch(uniquenessRefusal);
  await changeSubscriptions(db, customer.id, profile.subscriptions ?? [], operationSource(ctx), ctx.now);

  let confirmation: CodeForSms | null = null;
  if (ctx.confirmsPhones && customer.mobile_phone) {
    confirmation = { code: await issueGuestCode(db, ctx, 'confirmation', customer.id, customer.mobile_phone, confirmationCode), phone: customer.mobile_phone };
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
  | { status: 'Changed' | 'NotChanged'; customer: CustomerRow; changedFields: string[]; confirmationSms: ConfirmationSms | null };

/**
 * Changes the profile of the guest `target` names. A new phone, when the caller confirms phones, waits in
 * `pendingMobilePhone` until confirmed, and its confirmation code goes out through `confirmation.mailing`.
 */
export async function editCustomer(db: Db, ctx: GuestContext, target: GuestIdentifiers, changes: ProfileChanges, confirmation: ConfirmationPolicy): Promise<EditResult> {
  const lookup = await findCustomer(db, target);
  if (lookup.status === 'NoIdentifiers') throw noIdentifiers();
  if (lookup.status !== 'Found') return { status: lookup.status };
  const messages: ValidationMessage[] = [];
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
    else if (ctx.confirmsPhones) {
      update.pending_mobile_phone = phone;
      changedFields.push('pendingMobilePhone');
    } else {
      Object.assign(update, { mobile_phone: phone, pending_mobile_phone: null, is_mobile_phone_confirmed: false });
      changedFields.push('mobilePhone');
    }
  }
  if (messages.length) throw validationError(messages);
  const subscriptions = await changeSubscriptions(db, current.id, changes.subscriptions ?? [], operationSource(ctx), ctx.now);
  changedFields.push(...changedSubscriptionFields(subscriptions));
  if (changedFields.length === 0) return { status: 'NotChanged', customer: current, changedFields, confirmationSms: null };

  const customer = await repository.updateCustomer(db, current.id, { ...update, updated_at: ctx.now }).catch(uniquenessRefusal);
  let confirmationSms: ConfirmationSms | null = null;
  if (update.pending_mobile_phone) {
    const pending = update.pending_mobile_phone as string;
    const code = await issueGuestCode(db, ctx, 'confirmation', customer.id, pending, confirmation.code);
    confirmationSms = await sendConfirmationSms(db, ctx, customer, { code, phone: pending }, confirmation.mailing);
  }
  await emitEvent(db, { type: 'customerChanged', customerId: customer.id, ...eventSource(ctx), data: { fields: changedFields } });
  return { status: 'Changed', customer, changedFields, confirmationSms };
}

function noIdentifiers() {
  return validationError({ location: '/customer', message: "give the guest's mobilePhone, discountCard.ids.number or ids" });
}

/** The guest an operation on an existing guest names: no identifiers at all is the caller's mistake. */
async function requireLookup(db: Db, target: GuestIdentifiers, options: { matchPendingPhone?: boolean } = {}) {
  const lookup = await findCustomer(db, target, options);
  if (lookup.status === 'NoIdentifiers') throw noIdentifiers();
  return lookup;
}

export type ResendResult =
  | { status: 'NotFound' | 'Ambiguous' }
  | { status: 'AlreadyConfirmed'; customer: CustomerRow }
  | { status: 'Found'; customer: CustomerRow; confirmationSms: ConfirmationSms };

/**
 * A new confirmation code for the phone waiting to be confirmed (or the unconfirmed main phone), sent through
 * `confirmation.mailing` (none: the code is issued and nothing is sent).
 */
export async function resendConfirmationCode(db: Db, ctx: GuestContext, target: GuestIdentifiers, confirmation: ConfirmationPolicy): Promise<ResendResult> {
  const lookup = await requireLookup(db, target, { matchPendingPhone: true });
  if (lookup.status !== 'Found') return { status: lookup.status };
  const customer = (await repository.getCustomerForUpdate(db, lookup.customer.id))!;
  const phone = customer.pending_mobile_phone ?? customer.mobile_phone;
  if (!phone) throw validationError({ location: '/customer/mobilePhone', message: 'the guest has no mobile phone to confirm' });
  if (!customer.pending_mobile_phone && customer.is_mobile_phone_confirmed) return { status: 'AlreadyConfirmed', customer };
  const code = await issueGuestCode(db, ctx, 'confirmation', customer.id, phone, confirmation.code);
  const confirmationSms = confirmation.mailing
    ? await sendConfirmationSms(db, ctx, customer, { code, phone }, confirmation.mailing)
    : ({ status: 'notSent', reason: 'sending is off for this call' } as const);
  return { status: 'Found', customer, confirmationSms };
}

export type ConfirmResult =
  | { status: 'NotFound' | 'Ambiguous'; description?: string }
  | { status: 'AlreadyConfirmed' | 'MobilePhoneConfirmed'; customer: CustomerRow }
  | { status: 'IncorrectConfirmationCode'; customer: CustomerRow; description: string };

/** Checks a confirmation code; the right one confirms the phone it was sent to (a pending phone becomes the main one). */
export async function confirmMobilePhone(db: Db, ctx: GuestContext, target: GuestIdentifiers, typed: string | null): Promise<ConfirmResult> {
  const lookup = await requireLookup(db, target, { matchPendingPhone: true });
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

/**
 * Issues an authorization code (unless `code` is null: the caller only finds the guest) and fires "customer
 * requested an authorization code" with it, sealed.
 */
export async function requestAuthorizationCode(db: Db, ctx: GuestContext, target: GuestIdentifiers, code: CodePolicy | null): Promise<AuthorizationRequest> {
  const lookup = await requireLookup(db, target);
  if (lookup.status !== 'Found') return { status: lookup.status };
  if (!code) return { status: 'Found', customer: lookup.customer, codeIssued: false };
  const phone = lookup.customer.mobile_phone;
  if (!phone) throw validationError({ location: '/customer/mobilePhone', message: 'the guest has no mobile phone to send a code to' });
  const issued = await issueGuestCode(db, ctx, 'authorization', lookup.customer.id, phone, code);
  await emitEvent(db, {
    type: 'authorizationCodeRequested',
    customerId: lookup.customer.id,
    ...eventSource(ctx),
    data: { secrets: sealCode(ctx.secrets, 'AuthentificationCode', { code: issued, phone }) },
  });
  return { status: 'Found', customer: lookup.customer, codeIssued: true };
}

/**
 * Issues an authorization code to the guest's phone and sends it through `mailing` (the card page's sign-in), in
 * the caller's transaction. The limits of codes to a phone apply and refuse as for the till.
 */
export async function sendAuthorizationCodeSms(db: Db, ctx: GuestContext, customer: CustomerRow, code: CodePolicy, mailing: string): Promise<ConfirmationSms> {
  const phone = customer.mobile_phone;
  if (!phone) return { status: 'notSent', reason: 'the guest has no mobile phone' };
  const issued = await issueGuestCode(db, ctx, 'authorization', customer.id, phone, code);
  const outcome = await queueMailing(db, { project: ctx.project, defaultSmsUrl: ctx.defaultSmsUrl, secrets: ctx.secrets }, {
    mailing,
    recipient: mailingRecipient(customer),
    to: phone,
    parameters: { AuthentificationCode: issued.code },
    validUntil: issued.expiresAt,
    source: `operation:${ctx.source.operation}`,
    now: ctx.now,
  });
  return outcome.status === 'skipped' ? { status: 'notSent', reason: outcome.reason } : { status: 'queued' };
}

/**
 * Gives the guest a discount card number, unless they have one or another guest holds this one (null: try
 * another number). "customer changed" fires with `discountCard`.
 */
export async function assignDiscountCard(db: Db, ctx: Pick<GuestContext, 'source' | 'now'>, customerId: number, number: string): Promise<CustomerRow | null> {
  const current = await repository.getCustomerForUpdate(db, customerId);
  if (!current) return null;
  if (current.discount_card) return current;
  if ((await repository.findByDiscountCard(db, number)).length > 0) return null;
  const customer = await repository.updateCustomer(db, customerId, { discount_card: number, updated_at: ctx.now });
  await emitEvent(db, { type: 'customerChanged', customerId, ...eventSource(ctx), data: { fields: ['discountCard'] } });
  return customer;
}

export type AuthorizationCheck = { status: 'NotFound' | 'Ambiguous' } | { status: 'Accepted'; customer: CustomerRow } | { status: 'Refused'; message: string };

/** Checks an authorization code: right and unexpired → consumed; anything else is refused with the reason. */
export async function checkAuthorizationCode(db: Db, ctx: GuestContext, target: GuestIdentifiers, typed: string | null): Promise<AuthorizationCheck> {
  const lookup = await requireLookup(db, target);
  if (lookup.status !== 'Found') return { status: lookup.status };
  const check = await checkCode(db, ctx.project.settings, { customerId: lookup.customer.id, purpose: 'authorization', typed, now: ctx.now });
  return check.ok ? { status: 'Accepted', customer: lookup.customer } : { status: 'Refused', message: codeRefusal(check) };
}

/**
 * Guests whose profile or fields changed at or after `since` (at most `limit`, oldest change first), and the time
 * of the last change read: what the Wallet pass updates go on from.
 */
export async function customersChangedSince(db: Db, since: Date, limit: number): Promise<{ customerIds: number[]; lastChange: Date | null }> {
  const rows = await repository.changedSince(db, since, limit);
  return { customerIds: rows.map((row) => row.id), lastChange: rows.at(-1)?.updated_at ?? null };
}

/** Sets one custom field (a scenario step); `null` removes it. */
export async function setCustomerCustomField(db: Db, customerId: number, field: string, value: unknown, now: Date): Promise<void> {
  await repository.setCustomFieldValue(db, customerId, field, value, now);
}

/** The guest's profile as Regulars shows it outside: identifier fields apart from the others. */
export type GuestView = GuestFields;

/** The guest as an answer that shows the profile shows them: the profile and the subscriptions. */
export async function loadGuestView(db: Db, customer: CustomerRow, project: ProjectSnapshot): Promise<GuestView> {
  return { ...guestView(customer, project), subscriptions: await guestSubscriptions(db, customer.id) };
}

/** The profile alone, without the subscriptions (those take a query: loadGuestView). */
export function guestView(customer: CustomerRow, project: ProjectSnapshot): GuestView {
  const identifiers = customerIdentifierFields(project);
  const identifierFields: Record<string, unknown> = {};
  const customFields: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(customer.custom_fields ?? {})) {
    if (identifiers.has(name)) identifierFields[name] = value;
    else customFields[name] = value;
  }
  return {
    id: customer.id,
    identifierFields,
    customFields,
    mobilePhone: customer.mobile_phone,
    isMobilePhoneConfirmed: customer.is_mobile_phone_confirmed,
    pendingMobilePhone: customer.pending_mobile_phone,
    email: customer.email,
    lastName: customer.last_name,
    firstName: customer.first_name,
    middleName: customer.middle_name,
    birthDate: customer.birth_date,
    sex: customer.sex,
    discountCard: customer.discount_card,
  };
}

// Reads of the admin console; each uses an index or one pass (the rank distribution), see decision 0501.
export const searchCustomers = repository.searchCustomers;
export const newCustomersPerDay = repository.newCustomersPerDay;
export const countCustomersBefore = repository.countCustomersBefore;
export const customFieldDistribution = repository.customFieldDistribution;
