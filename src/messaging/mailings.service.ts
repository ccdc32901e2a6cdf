// Mailings: render a mailing's template for one guest and store the SMS as a durable message row whose
// sending is an outbox job (`sms.send`) committed in the same transaction. With an `outbox:` connection the
// row is the whole delivery: it is stored as sent at once. A one-time code is never readable from the row
// once the message has left (decision 0101): the text kept for the SMS log is rendered with the codes
// masked, and the text with the codes waits, encrypted, only until it is sent or has failed.
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Db } from '../db/database.ts';
import type { MessageStatus } from '../db/schema.ts';
import { enqueueJob } from '../jobs/outbox.ts';
import { jobTopic } from '../jobs/topic.ts';
import { customerBalances } from '../loyalty/balances.ts';
import type { ProjectSnapshot } from '../project/snapshot.ts';
import { maskPhone } from '../shared/mask-phone.ts';
import type { SecretBox } from '../shared/secret-box.ts';
import { wallClockDate } from '../shared/time-zone.ts';
import * as repository from './messages.repository.ts';
import { compileTemplate, RECIPIENT_PARAMETERS, renderTemplate, type CompiledTemplate } from './template/index.ts';

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
}

export interface MailingRequest {
  mailing: string;
  recipient: MailingRecipient;
  /** the number to send to; the recipient's mobile phone when absent */
  to?: string | null;
  /** clear-text parameters for this message only (codes) */
  parameters?: Record<string, string>;
  /** when sending becomes pointless; with a code, the code's expiry (the template's `Recipient.CodeExpiresAt`) */
  validUntil?: Date;
  /** what caused it, for the operator: `scenario:PhoneConfirmationSms`, `operation:Offline.EditCustomer` */
  source: string;
  now: Date;
}

export type MailingOutcome = { status: 'queued' | 'sent'; messageId: string } | { status: 'skipped'; reason: string };

const compiled = new Map<string, CompiledTemplate>();
function compiledTemplate(source: string): CompiledTemplate {
  let template = compiled.get(source);
  if (!template) {
    template = compileTemplate(source, { parameters: RECIPIENT_PARAMETERS });
    compiled.set(source, template);
  }
  return template;
}

/** Recipient parameters a template uses that only a code-issuing event can give. */
const CODE_PARAMETERS = ['AuthentificationCode', 'MobilePhoneConfirmationCode'];

/** The code a message carries expires when the message stops being worth sending. */
function codeExpiry(request: MailingRequest): Date | null {
  const carriesCode = CODE_PARAMETERS.some((name) => request.parameters?.[name]);
  return carriesCode && request.validUntil ? request.validUntil : null;
}

/** What a template needs that this message cannot give: a code, or the expiry of one. */
function missingCodeParameters(template: string, request: MailingRequest): string[] {
  const given = (name: string) => (name === 'CodeExpiresAt' ? codeExpiry(request) !== null : Boolean(request.parameters?.[name]));
  return [...CODE_PARAMETERS, 'CodeExpiresAt'].filter((name) => template.includes(`Recipient.${name}`) && !given(name));
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

async function recipientContext(db: Db, project: ProjectSnapshot, request: MailingRequest): Promise<Record<string, unknown>> {
  const names = project.definition.balanceTypes.map((type) => type.systemName);
  const balances = await customerBalances(db, project, request.recipient.id, names, request.now);
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
      ...request.parameters,
      GetBonusPointsAccount: (systemName: string) => accounts.get(systemName) ?? null,
    },
  };
}

/** Renders and stores one SMS of a mailing, in the caller's transaction. */
export async function queueMailing(db: Db, deps: MailingDeps, request: MailingRequest): Promise<MailingOutcome> {
  const { project, defaultSmsUrl, secrets } = deps;
  const mailing = project.mailing(request.mailing);
  if (!mailing) return { status: 'skipped', reason: `mailing "${request.mailing}" is not defined` };
  const phone = request.to ?? request.recipient.mobilePhone;
  if (!phone) return { status: 'skipped', reason: 'the guest has no mobile phone' };
  const missing = missingCodeParameters(mailing.template, request);
  if (missing.length) return { status: 'skipped', reason: `the template needs ${missing.join(', ')}, which this event does not carry` };
  const template = compiledTemplate(mailing.template);
  const context = await recipientContext(db, project, request);
  const text = renderTemplate(template, context).trim();
  if (text === '') return { status: 'skipped', reason: 'the template rendered an empty text' };
  const recipient = context.Recipient as Record<string, unknown>;
  const shownText = request.parameters
    ? renderTemplate(template, { Recipient: { ...recipient, ...maskedParameters(request.parameters) } }).trim()
    : text;
  const storedOnly = project.smsConnectionUrl(mailing.connection, defaultSmsUrl).startsWith('outbox:');
  const id = randomUUID();
  await repository.insertMessage(db, {
    id,
    customerId: request.recipient.id,
    phone,
    shownTextEncrypted: secrets.seal(shownText),
    outgoingTextEncrypted: storedOnly ? null : secrets.seal(text),
    mailing: mailing.systemName,
    connection: mailing.connection,
    source: request.source,
    status: storedOnly ? 'sent' : 'queued',
    now: request.now,
    validUntil: request.validUntil ?? new Date(request.now.getTime() + DEFAULT_VALIDITY_MS),
  });
  if (!storedOnly) await enqueueJob(db, smsSendTopic, { messageId: id, mailing: mailing.systemName });
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
