// SQL of stored SMS messages.
import { sql, type Selectable } from 'kysely';
import type { Db } from '../db/database.ts';
import type { MessageKind, MessagesTable, MessageStatus } from '../db/schema.ts';

export type MessageRow = Selectable<MessagesTable>;

export async function insertMessage(
  db: Db,
  message: {
    id: string;
    customerId: number | null;
    phone: string;
    shownTextEncrypted: string;
    outgoingTextEncrypted: string | null;
    mailing: string | null;
    connection: string;
    source: string | null;
    status: 'queued' | 'sent';
    kind: MessageKind;
    now: Date;
    validUntil: Date;
  },
): Promise<void> {
  await db
    .insertInto('messages')
    .values({
      id: message.id,
      customer_id: message.customerId,
      phone: message.phone,
      text_encrypted: message.shownTextEncrypted,
      outgoing_text_encrypted: message.outgoingTextEncrypted,
      mailing: message.mailing,
      connection: message.connection,
      source: message.source,
      status: message.status,
      kind: message.kind,
      created_at: message.now,
      updated_at: message.now,
      valid_until: message.validUntil,
      sent_at: message.status === 'sent' ? message.now : null,
    })
    .execute();
}

export async function getMessage(db: Db, id: string): Promise<MessageRow | undefined> {
  return db.selectFrom('messages').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Takes a queued message (or one whose sender vanished past its lease) for sending; undefined when it is not to be sent now. */
export async function claimForSending(db: Db, id: string, now: Date, leaseUntil: Date): Promise<MessageRow | undefined> {
  return db
    .updateTable('messages')
    .set((eb) => ({ status: 'sending' as const, sending_until: leaseUntil, attempts: eb('attempts', '+', 1), updated_at: now }))
    .where('id', '=', id)
    .where((eb) => eb.or([eb('status', '=', 'queued'), eb.and([eb('status', '=', 'sending'), eb('sending_until', '<', now)])]))
    .returningAll()
    .executeTakeFirst();
}

/** The connection of the oldest queued marketing message (not of a connection in `except`, whose gateway is paused). */
export async function nextMarketingConnection(db: Db, except: readonly string[]): Promise<string | undefined> {
  const row = await db
    .selectFrom('messages')
    .select('connection')
    .where('kind', '=', 'marketing')
    .where('status', '=', 'queued')
    .$if(except.length > 0, (query) => query.where('connection', 'not in', except))
    .orderBy('created_at')
    .orderBy('id')
    .limit(1)
    .executeTakeFirst();
  return row?.connection;
}

/** Takes the connection's oldest queued marketing message for sending, marking it `sending` until `leaseUntil`; undefined when none waits. */
export async function claimNextMarketingMessage(db: Db, connection: string, now: Date, leaseUntil: Date): Promise<MessageRow | undefined> {
  const next = db
    .selectFrom('messages')
    .select('id')
    .where('kind', '=', 'marketing')
    .where('status', '=', 'queued')
    .where('connection', '=', connection)
    .orderBy('created_at')
    .orderBy('id')
    .limit(1)
    .forUpdate()
    .skipLocked();
  return db
    .updateTable('messages')
    .set((eb) => ({ status: 'sending' as const, sending_until: leaseUntil, attempts: eb('attempts', '+', 1), updated_at: now }))
    .where('id', '=', next)
    .returningAll()
    .executeTakeFirst();
}

/**
 * Marketing messages whose sender stopped while sending them (its lease ran out): they fail rather than go again,
 * since the gateway may have taken them, and a guest gets a marketing text at most once. How many.
 */
export async function failInterruptedMarketing(db: Db, now: Date): Promise<number> {
  const result = await db
    .updateTable('messages')
    .set({
      status: 'failed',
      failed_at: now,
      sending_until: null,
      outgoing_text_encrypted: null,
      updated_at: now,
      last_error: 'the sender stopped while sending it: the gateway may have taken it, so it is not sent again',
    })
    .where('kind', '=', 'marketing')
    .where('status', '=', 'sending')
    .where('sending_until', '<', now)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** How many marketing messages each guest was sent (or is about to be) since `since`: failed ones reached no one. */
export async function marketingMessagesSince(db: Db, customerIds: readonly number[], since: Date): Promise<Map<number, number>> {
  if (customerIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('messages')
    .select(['customer_id', (eb) => eb.fn.countAll<string>().as('messages')])
    .where('kind', '=', 'marketing')
    .where('customer_id', 'in', customerIds)
    .where('created_at', '>', since)
    .where('status', '<>', 'failed')
    .groupBy('customer_id')
    .execute();
  return new Map(rows.map((row) => [row.customer_id!, Number(row.messages)]));
}

/** The marketing messages of one source (`campaign:42`) by status. */
export async function marketingMessagesBySource(db: Db, source: string): Promise<Partial<Record<MessageStatus, number>>> {
  const rows = await db
    .selectFrom('messages')
    .select(['status', (eb) => eb.fn.countAll<string>().as('messages')])
    .where('kind', '=', 'marketing')
    .where('source', '=', source)
    .groupBy('status')
    .execute();
  return Object.fromEntries(rows.map((row) => [row.status, Number(row.messages)]));
}

/** Queued marketing messages of one source fail, not sent: what caused them was stopped. How many. */
export async function failQueuedMarketing(db: Db, source: string, reason: string, now: Date): Promise<number> {
  const result = await db
    .updateTable('messages')
    .set({ status: 'failed', failed_at: now, outgoing_text_encrypted: null, last_error: reason, updated_at: now })
    .where('kind', '=', 'marketing')
    .where('source', '=', source)
    .where('status', '=', 'queued')
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

export async function markSent(db: Db, id: string, providerMessageId: string | null, now: Date): Promise<void> {
  await db
    .updateTable('messages')
    .set({ status: 'sent', provider_message_id: providerMessageId, sent_at: now, sending_until: null, last_error: null, outgoing_text_encrypted: null, updated_at: now })
    .where('id', '=', id)
    .where('status', '=', 'sending')
    .execute();
}

export async function markQueuedAgain(db: Db, id: string, error: string, now: Date): Promise<void> {
  await db
    .updateTable('messages')
    .set({ status: 'queued', sending_until: null, last_error: error, updated_at: now })
    .where('id', '=', id)
    .where('status', '=', 'sending')
    .execute();
}

export async function markFailed(db: Db, id: string, error: string, now: Date): Promise<void> {
  await db
    .updateTable('messages')
    .set({ status: 'failed', sending_until: null, last_error: error, failed_at: now, outgoing_text_encrypted: null, updated_at: now })
    .where('id', '=', id)
    .where('status', 'in', ['queued', 'sending', 'sent'])
    .execute();
}

/** A delivery receipt for a sent message; false when no sent message has that provider id (yet). */
export async function recordDelivery(db: Db, providerMessageId: string, outcome: { status: 'delivered' | 'failed'; error?: string }, now: Date): Promise<boolean> {
  const result = await db
    .updateTable('messages')
    .set(
      outcome.status === 'delivered'
        ? { status: 'delivered', delivered_at: now, updated_at: now }
        : { status: 'failed', failed_at: now, last_error: `delivery failed: ${outcome.error ?? 'no reason given'}`, updated_at: now },
    )
    .where('provider_message_id', '=', providerMessageId)
    .where('status', '=', 'sent')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/**
 * A delivery report from an HTTP gateway's webhook for one of the connection's messages. Only a `sent`
 * message moves (to `delivered` or `failed`): the first final report wins, so a repeated or late report
 * changes nothing. Undefined when the connection has no message with that gateway id.
 */
export async function recordDeliveryReport(
  db: Db,
  report: { connection: string; providerMessageId: string; status: 'delivered' | 'failed'; error?: string },
  now: Date,
): Promise<{ id: string; status: MessageStatus; changed: boolean } | undefined> {
  const updated = await db
    .updateTable('messages')
    .set(
      report.status === 'delivered'
        ? { status: 'delivered', delivered_at: now, updated_at: now }
        : { status: 'failed', failed_at: now, last_error: `delivery failed: ${report.error ?? 'no reason given'}`, updated_at: now },
    )
    .where('connection', '=', report.connection)
    .where('provider_message_id', '=', report.providerMessageId)
    .where('status', '=', 'sent')
    .returning(['id', 'status'])
    .executeTakeFirst();
  if (updated) return { ...updated, changed: true };
  const current = await db
    .selectFrom('messages')
    .select(['id', 'status'])
    .where('connection', '=', report.connection)
    .where('provider_message_id', '=', report.providerMessageId)
    .orderBy('created_at', 'desc')
    .executeTakeFirst();
  return current && { ...current, changed: false };
}

/**
 * One part of the SMS log, newest first, after a (created_at, id) cursor: the failed messages, the others, or all.
 * The part's condition is a literal so that the planner uses the partial index of that part.
 */
export async function messagesPage(
  db: Db,
  page: { part: 'failed' | 'others' | 'all'; phone?: string; customerId?: number; status?: MessageStatus; after?: { createdAt: Date; id: string }; limit: number },
): Promise<MessageRow[]> {
  let query = db.selectFrom('messages').selectAll().orderBy('created_at', 'desc').orderBy('id', 'desc').limit(page.limit);
  if (page.phone) query = query.where('phone', '=', page.phone);
  if (page.customerId) query = query.where('customer_id', '=', page.customerId);
  if (page.status) query = query.where('status', '=', page.status);
  if (page.part === 'failed') query = query.where(sql<boolean>`status = 'failed'`);
  if (page.part === 'others') query = query.where(sql<boolean>`status <> 'failed'`);
  if (page.after) query = query.where(sql<boolean>`(created_at, id) < (${page.after.createdAt}, ${page.after.id})`);
  return query.execute();
}

export async function listMessages(db: Db, filter: { phone?: string; status?: MessageStatus; limit: number }): Promise<MessageRow[]> {
  let query = db.selectFrom('messages').selectAll().orderBy('created_at', 'desc').orderBy('id', 'desc').limit(filter.limit);
  if (filter.phone) query = query.where('phone', '=', filter.phone);
  if (filter.status) query = query.where('status', '=', filter.status);
  return query.execute();
}

/** Messages created per local day in [from, to), by their current status. */
export async function messagesPerDay(db: Db, from: Date, to: Date, timeZone: string): Promise<{ day: string; status: MessageStatus; count: number }[]> {
  return db
    .selectFrom('messages')
    .select([sql<string>`to_char((created_at at time zone ${timeZone})::date, 'YYYY-MM-DD')`.as('day'), 'status', (eb) => eb.fn.countAll<number>().as('count')])
    .where('created_at', '>=', from)
    .where('created_at', '<', to)
    // by position: the time zone is a parameter, so the same expression written twice would not match
    .groupBy([sql`1`, 'status'])
    .orderBy(sql`1`)
    .execute();
}

/** Drops the shown text of at most `limit` messages created before `cutoff`, oldest first; the rows stay (the log, the dashboard's counts). */
export async function dropTextsBefore(db: Db, cutoff: Date, limit: number): Promise<number> {
  const result = await db
    .updateTable('messages')
    .set({ text_encrypted: null })
    .where(
      'id',
      'in',
      db.selectFrom('messages').select('id').where('text_encrypted', 'is not', null).where('created_at', '<', cutoff).orderBy('created_at').limit(limit),
    )
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** Deletes at most `limit` messages created before `cutoff`, oldest first. */
export async function deleteMessagesBefore(db: Db, cutoff: Date, limit: number): Promise<number> {
  const result = await db
    .deleteFrom('messages')
    .where('id', 'in', db.selectFrom('messages').select('id').where('created_at', '<', cutoff).orderBy('created_at').limit(limit))
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** SMS created since `since`, per status; and how long the oldest still waiting to leave (queued, sending) has waited. */
export async function smsStates(db: Db, since: Date, now: Date): Promise<{ recent: { status: MessageStatus; count: number }[]; oldestWaitingSeconds: number }> {
  const recent = await db
    .selectFrom('messages')
    .select((eb) => ['status', eb.fn.countAll<number>().as('count')])
    .where('created_at', '>', since)
    .groupBy('status')
    .execute();
  const { rows } = await sql<{ oldest: Date | null }>`
    select least((select min(created_at) from messages where status = 'queued'), (select min(created_at) from messages where status = 'sending')) as oldest`.execute(db);
  const oldest = rows[0]?.oldest;
  return {
    recent: recent.map((row) => ({ status: row.status, count: Number(row.count) })),
    oldestWaitingSeconds: oldest ? Math.max(0, (now.getTime() - new Date(oldest).getTime()) / 1000) : 0,
  };
}
