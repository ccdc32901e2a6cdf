// Mailings: render a mailing's template for one guest and store the SMS as a durable message row whose
// sending is an outbox job (`sms.send`) committed in the same transaction. With an `outbox:` connection the
// row is the whole delivery: it is stored as sent at once. A one-time code is never readable from the row
// once the message has left (decision 0101): the text kept for the SMS log is rendered with the codes
// masked, and the text with the codes waits, encrypted, only until it is sent or has failed.
// A marketing message (a campaign's, or a non-transactional scenario's) goes only to a guest who agreed to SMS and
// has had fewer than the project's cap of them in 7 days; it is sent by the marketing sender (marketing-sender.ts)
// within the project's hours and at the connection's rate, not by an `sms.send` job (decision 0020).
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { z } from 'zod';
import type { Db } from '../db/database.ts';
import { isSubscribed } from '../customers/subscriptions.service.ts';
import type { MessageKind, MessageStatus } from '../db/schema.ts';
import { enqueueJob } from '../jobs/outbox.ts';
import { jobTopic } from '../jobs/topic.ts';
import { customerBalances } from '../loyalty/balances.ts';
import type { ProjectDefinition } from '../project/schemas.ts';
import type { ProjectSnapshot } from '../project/snapshot.ts';
import { maskPhone } from '../shared/mask-phone.ts';
import type { SecretBox } from '../shared/secret-box.ts';
import { wallClockDate } from '../shared/time-zone.ts';
import * as repository from './messages.repository.ts';
import { compileTemplate, recipientParameters, renderTemplate, type CompiledTemplate } from './template/index.ts';

export interface SmsSendJob {
  messageId: string;
  /** for the list of parked work (jobs queued before 0.3 lack it) */
  mailing?: string | null;
}

/**
 * Sending one stored message (src/messaging/sms-delivery.ts). A gateway that is down or throttling is tried again
 * for about an hour (1 s doubling to 5 min, or later when it asks); then the job is parked and the message waits,
 * queued, for an operator's retry. A message no longer useful by then fails instead of going out late.
 */
export const smsSendTopic = jobTopic<SmsSendJob>({
  name: 'sms.send',
  payload: z.object({ messageId: z.uuid(), mailing: z.string().nullish() }),
  retry: { maxAttempts: 20, firstRetryMs: 1000, maxRetryMs: 5 * 60_000 },
  describe: ({ messageId, mailing }) => `SMS ${mailing ? `of mailing ${mailing} ` : ''}(message ${messageId})`,
});
const DEFAULT_VALIDITY_MS = 24 * 3600_000;

/** The guest a mailing goes to, as the template's `Recipient` sees them. */
export interface MailingRecipient {
  id: number;
  firstName: string | null;
  lastName: string | null;
  middleName: string | null;
  email: string | null;
  mobilePhone: string | null;
  /** 'YYYY-MM-DD' */
  birthDate: string | null;
  /** the customer custom fields by system name (`Recipient.CustomFields.Rank`) */
  customFields: Record<string, unknown>;
}

/** What a message says and where it goes: a project mailing's template, or a campaign's own text. */
export interface SmsText {
  template: string;
  /** the mailing's system name; null for a campaign's text */
  mailing: string | null;
  connection: string;
}

export interface SmsRequest {
  text: SmsText;
  recipient: MailingRecipient;
  /** the number to send to; the recipient's mobile phone when absent */
  to?: string | null;
  /** clear-text parameters for this message only (codes) */
  parameters?: Record<string, string>;
  /** when sending becomes pointless; with a code, the code's expiry (the template's `Recipient.CodeExpiresAt`) */
  validUntil?: Date;
  /** what caused it, for the operator: `scenario:PhoneConfirmationSms`, `operation:Offline.EditCustomer`, `campaign:42` */
  source: string;
  now: Date;
  /** marketing: only with the guest's consent and under the frequency cap, sent within the project's hours; transactional by default */
  kind?: MessageKind;
  /** the coupon an issueCoupon step gave the guest (`Recipient.CouponCode`) */
  coupon?: string;
}

export interface MailingRequest extends Omit<SmsRequest, 'text'> {
  mailing: string;
}

/** Why a marketing message is not written: the guest did not agree, has no number an SMS reaches, or has had enough this week. */
export type MarketingRefusal = 'noConsent' | 'invalidPhone' | 'frequencyCap';

export type MailingOutcome =
  | { status: 'queued' | 'sent'; messageId: string }
  | { status: 'skipped'; reason: string; refusal?: MarketingRefusal };

/** Compiled templates by source; the customer fields a template may name come from the project, so a new project compiles anew. */
const compiled = new WeakMap<ProjectSnapshot, Map<string, CompiledTemplate>>();
function compiledTemplate(source: string, project: ProjectSnapshot): CompiledTemplate {
  let ofProject = compiled.get(project);
  if (!ofProject) {
    ofProject = new Map();
    compiled.set(project, ofProject);
  }
  let template = ofProject.get(source);
  if (!template) {
    template = compileTemplate(source, { parameters: recipientParameters(project.customFields('Customer')) });
    ofProject.set(source, template);
  }
  return template;
}

/** Recipient parameters a template uses that only a code-issuing event can give. */
const CODE_PARAMETERS = ['AuthentificationCode', 'MobilePhoneConfirmationCode'];

const DAY_MS = 86_400_000;
/** A number an SMS can reach, in the stored form (the international number's digits). */
export const SMS_PHONE = /^[1-9]\d{9,14}$/;

const REFUSAL_TEXT: Record<MarketingRefusal, string> = {
  noConsent: 'the guest has not agreed to marketing SMS',
  invalidPhone: 'the guest has no mobile phone an SMS can reach',
  frequencyCap: 'the guest has had as many marketing SMS in 7 days as the project allows',
};

/**
 * Holds the guests' marketing sends until the caller's transaction ends, so that two campaigns (or a campaign and
 * a scenario) cannot both see a guest under the cap and both write. Taken in id order, several at once.
 */
export async function lockGuestsForMarketing(db: Db, customerIds: readonly number[]): Promise<void> {
  if (customerIds.length === 0) return;
  await sql`select pg_advisory_xact_lock(hashtext(current_schema() || ':marketing:' || id))
    from unnest(${sql.val([...customerIds].sort((a, b) => a - b))}::bigint[]) as id order by id`.execute(db);
}

/** Why a marketing SMS may not be written to these guests now, by guest (those missing may get one); the caller holds their locks. */
export async function marketingRefusals(
  db: Db,
  settings: Pick<ProjectDefinition['settings'], 'marketingSmsPer7Days'>,
  guests: readonly { id: number; mobilePhone: string | null }[],
  now: Date,
): Promise<Map<number, MarketingRefusal>> {
  const refusals = new Map<number, MarketingRefusal>();
  const sent = await repository.marketingMessagesSince(
    db,
    guests.map((guest) => guest.id),
    new Date(now.getTime() - 7 * DAY_MS),
  );
  for (const guest of guests) {
    if (!(await isSubscribed(db, guest.id, 'Sms'))) refusals.set(guest.id, 'noConsent');
    else if (!guest.mobilePhone || !SMS_PHONE.test(guest.mobilePhone)) refusals.set(guest.id, 'invalidPhone');
    else if ((sent.get(guest.id) ?? 0) >= settings.marketingSmsPer7Days) refusals.set(guest.id, 'frequencyCap');
  }
  return refusals;
}

/** The code a message carries expires when the message stops being worth sending. */
function codeExpiry(request: SmsRequest): Date | null {
  const carriesCode = CODE_PARAMETERS.some((name) => request.parameters?.[name]);
  return carriesCode && request.validUntil ? request.validUntil : null;
}

/** What a template needs that this message cannot give: a code, the expiry of one, or a coupon. */
function missingEventParameters(template: string, request: SmsRequest): string[] {
  const given = (name: string) => {
    if (name === 'CodeExpiresAt') return codeExpiry(request) !== null;
    if (name === 'CouponCode') return Boolean(request.coupon);
    return Boolean(request.parameters?.[name]);
  };
  return [...CODE_PARAMETERS, 'CodeExpiresAt', 'CouponCode'].filter((name) => template.includes(`Recipient.${name}`) && !given(name));
}

/** What storing a mailing needs besides the transaction. */
export interface MailingDeps {
  project: ProjectSnapshot;
  /** REGULARS_SMS_URL: the connection of a mailing whose connection names no URL */
  defaultSmsUrl: string;
  secrets: SecretBox;
}

/** The code parameters as the SMS log shows them: every character masked. */
function maskedParameters(parameters: Record<string, string> | undefined): Record<string, string> | undefined {
  return parameters && Object.fromEntries(Object.entries(parameters).map(([name, value]) => [name, '•'.repeat(value.length)]));
}

async function recipientContext(db: Db, project: ProjectSnapshot, request: SmsRequest): Promise<Record<string, unknown>> {
  // balances cost a query per balance type: only for a template that prints one
  const names = request.text.template.includes('GetBonusPointsAccount') ? project.definition.balanceTypes.map((type) => type.systemName) : [];
  const balances = names.length > 0 ? await customerBalances(db, project, request.recipient.id, names, request.now) : [];
  const accounts = new Map(balances.map((balance) => [balance.systemName, { Available: balance.available, Blocked: balance.blocked, Total: balance.total }]));
  const { recipient } = request;
  const expiry = codeExpiry(request);
  return {
    Recipient: {
      FirstName: recipient.firstName ?? '',
      LastName: recipient.lastName ?? '',
      MiddleName: recipient.middleName ?? '',
      Email: recipient.email ?? '',
      MobilePhone: request.to ?? recipient.mobilePhone ?? '',
      // dates are wall-clock values (template/dates.ts): a birthday has no time, an expiry is local to the project
      BirthDate: recipient.birthDate ? new Date(`${recipient.birthDate}T00:00:00Z`) : null,
      CodeExpiresAt: expiry && wallClockDate(expiry, project.settings.timeZone),
      CustomFields: recipient.customFields,
      CouponCode: request.coupon ?? '',
      ...request.parameters,
      GetBonusPointsAccount: (systemName: string) => accounts.get(systemName) ?? null,
    },
  };
}

/** Renders and stores one SMS of a mailing, in the caller's transaction. */
export async function queueMailing(db: Db, deps: MailingDeps, request: MailingRequest): Promise<MailingOutcome> {
  const { mailing: name, ...rest } = request;
  const mailing = deps.project.mailing(name);
  if (!mailing) return { status: 'skipped', reason: `mailing "${name}" is not defined` };
  return queueSms(db, deps, { ...rest, text: { template: mailing.template, mailing: mailing.systemName, connection: mailing.connection } });
}

/** The text a guest would get (no code), stored nowhere: what a campaign's estimate counts the parts of. */
export async function renderSms(db: Db, project: ProjectSnapshot, text: SmsText, recipient: MailingRecipient, now: Date): Promise<string> {
  const context = await recipientContext(db, project, { text, recipient, source: 'estimate', now });
  return renderTemplate(compiledTemplate(text.template, project), context).trim();
}

/**
 * Renders and stores one SMS, in the caller's transaction. A marketing one is refused (skipped, with the
 * refusal) for a guest who did not agree, has no reachable number or reached the cap; it waits for the marketing
 * sender rather than an `sms.send` job.
 */
export async function queueSms(db: Db, deps: MailingDeps, request: SmsRequest): Promise<MailingOutcome> {
  const { project, defaultSmsUrl, secrets } = deps;
  const { text: sms } = request;
  const kind = request.kind ?? 'transactional';
  const phone = request.to ?? request.recipient.mobilePhone;
  if (kind === 'marketing') {
    await lockGuestsForMarketing(db, [request.recipient.id]);
    const refusal = (await marketingRefusals(db, project.settings, [{ id: request.recipient.id, mobilePhone: phone }], request.now)).get(request.recipient.id);
    if (refusal) return { status: 'skipped', reason: REFUSAL_TEXT[refusal], refusal };
  }
  if (!phone) return { status: 'skipped', reason: 'the guest has no mobile phone' };
  const missing = missingEventParameters(sms.template, request);
  if (missing.length) return { status: 'skipped', reason: `the template needs ${missing.join(', ')}, which this event does not carry` };
  const template = compiledTemplate(sms.template, project);
  const context = await recipientContext(db, project, request);
  const text = renderTemplate(template, context).trim();
  if (text === '') return { status: 'skipped', reason: 'the template rendered an empty text' };
  const recipient = context.Recipient as Record<string, unknown>;
  const shownText = request.parameters
    ? renderTemplate(template, { Recipient: { ...recipient, ...maskedParameters(request.parameters) } }).trim()
    : text;
  const storedOnly = project.smsConnectionUrl(sms.connection, defaultSmsUrl).startsWith('outbox:');
  const id = randomUUID();
  await repository.insertMessage(db, {
    id,
    customerId: request.recipient.id,
    phone,
    shownTextEncrypted: secrets.seal(shownText),
    outgoingTextEncrypted: storedOnly ? null : secrets.seal(text),
    mailing: sms.mailing,
    connection: sms.connection,
    source: request.source,
    status: storedOnly ? 'sent' : 'queued',
    kind,
    now: request.now,
    validUntil: request.validUntil ?? new Date(request.now.getTime() + DEFAULT_VALIDITY_MS),
  });
  if (!storedOnly && kind === 'transactional') await enqueueJob(db, smsSendTopic, { messageId: id, mailing: sms.mailing });
  return { status: storedOnly ? 'sent' : 'queued', messageId: id };
}

export interface ListedMessage {
  id: string;
  customerId: number | null;
  phone: string;
  /** codes masked; null for a message stored before 0.2, whose text is not shown because it may hold a code */
  text: string | null;
  mailing: string | null;
  connection: string;
  source: string | null;
  status: MessageStatus;
  attempts: number;
  providerMessageId: string | null;
  lastError: string | null;
  createdAt: Date;
  sentAt: Date | null;
  deliveredAt: Date | null;
  failedAt: Date | null;
}

/**
 * Messages for an operator, newest first, with their texts. Phones are masked unless the list is for one
 * phone (the operator typed it, so it shows nothing new).
 */
export async function listMessages(
  db: Db,
  secrets: SecretBox,
  filter: { phone?: string; status?: MessageStatus; limit?: number },
): Promise<ListedMessage[]> {
  const rows = await repository.listMessages(db, { ...filter, limit: filter.limit ?? 50 });
  return rows.map((row) => listedMessage(secrets, row, Boolean(filter.phone)));
}

/** Where a page of messages ended: in which part of the list, at which (created_at, id). */
export interface MessageCursor {
  part: 'failed' | 'others' | 'all';
  createdAt: Date;
  id: string;
}

/**
 * One keyset page of messages for the admin console, newest first; with `failedFirst` (and no status filter)
 * every failed message comes before the others. Each part reads one index in order (migration 0505).
 */
export async function pageOfMessages(
  db: Db,
  secrets: SecretBox,
  filter: { phone?: string; status?: MessageStatus; customerId?: number; failedFirst: boolean; after?: MessageCursor; limit: number },
): Promise<{ items: ListedMessage[]; next: MessageCursor | null }> {
  const parts: MessageCursor['part'][] = filter.failedFirst && !filter.status ? ['failed', 'others'] : ['all'];
  const found: { row: repository.MessageRow; part: MessageCursor['part'] }[] = [];
  for (const part of parts.slice(filter.after ? Math.max(0, parts.indexOf(filter.after.part)) : 0)) {
    const after = filter.after?.part === part ? filter.after : undefined;
    for (const row of await repository.messagesPage(db, { ...filter, part, after, limit: filter.limit - found.length })) found.push({ row, part });
    if (found.length === filter.limit) break;
  }
  const items = found.map(({ row }) => listedMessage(secrets, row, Boolean(filter.phone)));
  const last = found.at(-1);
  return { items, next: found.length === filter.limit && last ? { part: last.part, createdAt: new Date(last.row.created_at), id: last.row.id } : null };
}

/** A message as an operator sees it: the shown text (codes masked), the phone masked unless the operator typed it. */
function listedMessage(secrets: SecretBox, row: repository.MessageRow, showPhone: boolean): ListedMessage {
  return {
    id: row.id,
    customerId: row.customer_id,
    phone: showPhone ? row.phone : maskPhone(row.phone),
    text: row.text_encrypted === null ? null : secrets.open(row.text_encrypted),
    mailing: row.mailing,
    connection: row.connection,
    source: row.source,
    status: row.status,
    attempts: row.attempts,
    providerMessageId: row.provider_message_id,
    lastError: row.last_error,
    createdAt: new Date(row.created_at),
    sentAt: row.sent_at ? new Date(row.sent_at) : null,
    deliveredAt: row.delivered_at ? new Date(row.delivered_at) : null,
    failedAt: row.failed_at ? new Date(row.failed_at) : null,
  };
}

export const messagesPerDay = repository.messagesPerDay;
/** A source's (`campaign:42`) marketing messages by status. */
export const marketingMessagesBySource = repository.marketingMessagesBySource;
/** A source's queued marketing messages fail, unsent: what caused them was stopped. */
export const failQueuedMarketing = repository.failQueuedMarketing;
