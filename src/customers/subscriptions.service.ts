// Guests' subscriptions: changed in the transaction that changes the guest (a registration, an edit, a person in
// the console), each change written into the history with where it came from; and the two questions a campaign
// asks — may this guest be written to on this channel, and who may.
import type { Db } from '../db/database.ts';
import { emitEvent } from '../jobs/outbox.ts';
import { validationError } from '../shared/errors.ts';
import * as customers from './customers.repository.ts';
import * as repository from './subscriptions.repository.ts';
import {
  changedFieldName,
  MIN_REASON,
  type PointOfContact,
  type Subscription,
  type SubscriptionChange,
  type SubscriptionHistoryEntry,
  type SubscriptionSource,
} from './subscriptions.ts';

/**
 * Sets each consent given and writes every one that changes into the history; a consent given for the first time is a change from "no answer", even when it is "no". Returns the
 * changes made. Runs in the caller's transaction, on a guest the caller has created or locked.
 */
export async function changeSubscriptions(db: Db, customerId: number, changes: SubscriptionChange[], source: SubscriptionSource, now: Date): Promise<SubscriptionChange[]> {
  const made: SubscriptionChange[] = [];
  for (const change of changes) {
    const current = await repository.currentValueForUpdate(db, customerId, change);
    if (current === change.isSubscribed) continue;
    await repository.recordChange(db, customerId, change, current ?? null, source, now);
    made.push(change);
  }
  return made;
}

/** The names a `customerChanged` event gives the consents that changed: one per channel. */
export function changedSubscriptionFields(changes: SubscriptionChange[]): string[] {
  return [...new Set(changes.map(changedFieldName))];
}

export async function guestSubscriptions(db: Db, customerId: number): Promise<Subscription[]> {
  return repository.subscriptionsOf(db, customerId);
}

export async function subscriptionHistory(db: Db, customerId: number, page: { beforeId?: number; limit: number }): Promise<SubscriptionHistoryEntry[]> {
  return repository.historyOf(db, customerId, page);
}

export type ConsentChange = { status: 'NotFound' } | { status: 'Changed' | 'NotChanged'; subscriptions: Subscription[] };

/**
 * A person changes a guest's consent in the console, saying why (the guest asked at the counter, wrote in, …):
 * recorded in the history with their name and reason; "customer changed" fires with the channel.
 */
export async function changeConsent(
  db: Db,
  request: { customerId: number; change: SubscriptionChange; actor: string; reason: string; now: Date },
): Promise<ConsentChange> {
  const reason = request.reason.trim();
  if (reason.length < MIN_REASON) throw validationError({ location: '/reason', message: `say why, in at least ${MIN_REASON} characters` });
  const customer = await customers.getCustomerForUpdate(db, request.customerId);
  if (!customer) return { status: 'NotFound' };
  const made = await changeSubscriptions(db, customer.id, [request.change], { kind: 'admin', actor: request.actor, reason }, request.now);
  if (made.length > 0) {
    await customers.updateCustomer(db, customer.id, { updated_at: request.now });
    await emitEvent(db, {
      type: 'customerChanged',
      customerId: customer.id,
      operation: null,
      integrationPoint: null,
      at: request.now.toISOString(),
      data: { fields: changedSubscriptionFields(made), actor: request.actor },
    });
  }
  return { status: made.length > 0 ? 'Changed' : 'NotChanged', subscriptions: await repository.subscriptionsOf(db, customer.id) };
}

/**
 * A guest replied STOP (СТОП) to an SMS: every guest with that number stops getting marketing SMS, recorded with the
 * connection the reply came through and the word as written; "customer changed" fires for each. Returns how many
 * guests it unsubscribed (a number nobody has, or one already unsubscribed, changes nothing).
 */
export async function optOutByReply(db: Db, reply: { phone: string; connection: string; text: string; now: Date }): Promise<number> {
  let unsubscribed = 0;
  for (const found of await customers.findByPhone(db, reply.phone)) {
    const customer = await customers.getCustomerForUpdate(db, found.id);
    if (!customer) continue;
    const source: SubscriptionSource = { kind: 'reply', connection: reply.connection, text: reply.text.trim() };
    const made = await changeSubscriptions(db, customer.id, [{ pointOfContact: 'Sms', brand: null, topic: null, isSubscribed: false }], source, reply.now);
    if (made.length === 0) continue;
    unsubscribed += 1;
    await customers.updateCustomer(db, customer.id, { updated_at: reply.now });
    await emitEvent(db, {
      type: 'customerChanged',
      customerId: customer.id,
      operation: null,
      integrationPoint: null,
      at: reply.now.toISOString(),
      data: { fields: changedSubscriptionFields(made), reply: reply.connection },
    });
  }
  return unsubscribed;
}

/** Where the guest's own changes on the card page come from in the history (decision 0023). */
export const CARD_PAGE_SOURCE = { kind: 'operation', integrationPoint: 'card', operation: 'GuestCard.ChangeConsent' } as const satisfies SubscriptionSource;

/** The guest switches a consent on their card page: recorded as the card page's; "customer changed" fires with the channel. */
export async function changeOwnConsent(db: Db, request: { customerId: number; change: SubscriptionChange; now: Date }): Promise<Subscription[]> {
  const customer = await customers.getCustomerForUpdate(db, request.customerId);
  if (!customer) return [];
  const made = await changeSubscriptions(db, customer.id, [request.change], CARD_PAGE_SOURCE, request.now);
  if (made.length > 0) {
    await customers.updateCustomer(db, customer.id, { updated_at: request.now });
    await emitEvent(db, {
      type: 'customerChanged',
      customerId: customer.id,
      operation: CARD_PAGE_SOURCE.operation,
      integrationPoint: CARD_PAGE_SOURCE.integrationPoint,
      at: request.now.toISOString(),
      data: { fields: changedSubscriptionFields(made) },
    });
  }
  return repository.subscriptionsOf(db, customer.id);
}

/** Narrows a question to a brand and/or a topic; without them it is about the channel's own consent. */
export interface ConsentScope {
  brand?: string | null;
  topic?: string | null;
}

/**
 * Whether the guest agreed to be written to on the channel (within the brand and topic, when given). A guest
 * who never answered has not agreed: campaigns send only to those who did.
 */
export async function isSubscribed(db: Db, customerId: number, pointOfContact: PointOfContact, scope: ConsentScope = {}): Promise<boolean> {
  return repository.isSubscribed(db, customerId, { pointOfContact, brand: scope.brand ?? null, topic: scope.topic ?? null });
}

/**
 * The ids of the guests subscribed to the channel (within the brand and topic, when given), ascending, a page at
 * a time: pass the last id of a page as `afterId` for the next. Each page is one walk of an index.
 */
export async function subscribedGuestIds(
  db: Db,
  pointOfContact: PointOfContact,
  page: ConsentScope & { afterId?: number; limit: number },
): Promise<number[]> {
  return repository.subscribedCustomerIds(db, { pointOfContact, brand: page.brand ?? null, topic: page.topic ?? null }, page);
}
