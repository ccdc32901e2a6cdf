// All SQL of guests' subscriptions. A brand or topic that is not given is stored as '' (a key column cannot be
// null) and read back as null.
import type { Db } from '../db/database.ts';
import type { SubscriptionChangeSource } from '../db/schema.ts';
import type { PointOfContact, Subscription, SubscriptionChange, SubscriptionHistoryEntry, SubscriptionKey, SubscriptionSource } from './subscriptions.ts';

const stored = (text: string | null) => text ?? '';
const read = (text: string) => (text === '' ? null : text);

export async function subscriptionsOf(db: Db, customerId: number): Promise<Subscription[]> {
  const rows = await db
    .selectFrom('customer_subscriptions')
    .select(['point_of_contact', 'brand', 'topic', 'is_subscribed', 'changed_at'])
    .where('customer_id', '=', customerId)
    .orderBy('point_of_contact')
    .orderBy('brand')
    .orderBy('topic')
    .execute();
  return rows.map((row) => ({
    pointOfContact: row.point_of_contact as PointOfContact,
    brand: read(row.brand),
    topic: read(row.topic),
    isSubscribed: row.is_subscribed,
    changedAt: row.changed_at,
  }));
}

/** The current value of one consent, its row locked until the caller's transaction ends; undefined: never given. */
export async function currentValueForUpdate(db: Db, customerId: number, key: SubscriptionKey): Promise<boolean | undefined> {
  return (await consentRow(db, customerId, key).forUpdate().executeTakeFirst())?.is_subscribed;
}

/** The row of one consent of one guest. */
function consentRow(db: Db, customerId: number, key: SubscriptionKey) {
  return db
    .selectFrom('customer_subscriptions')
    .select('is_subscribed')
    .where('customer_id', '=', customerId)
    .where('point_of_contact', '=', key.pointOfContact)
    .where('brand', '=', stored(key.brand))
    .where('topic', '=', stored(key.topic));
}

/** Sets one consent and writes the change into the history, in the caller's transaction. */
export async function recordChange(
  db: Db,
  customerId: number,
  change: SubscriptionChange,
  was: boolean | null,
  source: SubscriptionSource,
  at: Date,
): Promise<void> {
  const key = { customer_id: customerId, point_of_contact: change.pointOfContact, brand: stored(change.brand), topic: stored(change.topic) };
  await db
    .insertInto('customer_subscriptions')
    .values({ ...key, is_subscribed: change.isSubscribed, changed_at: at })
    .onConflict((conflict) => conflict.columns(['customer_id', 'point_of_contact', 'brand', 'topic']).doUpdateSet({ is_subscribed: change.isSubscribed, changed_at: at }))
    .execute();
  await db
    .insertInto('customer_subscription_changes')
    .values({
      ...key,
      was_subscribed: was,
      is_subscribed: change.isSubscribed,
      source: source.kind,
      integration_point: source.kind === 'operation' ? source.integrationPoint : null,
      operation: source.kind === 'operation' ? source.operation : null,
      // a reply keeps its SMS connection as the actor and the guest's word as the reason
      actor: source.kind === 'admin' ? source.actor : source.kind === 'reply' ? source.connection : null,
      reason: source.kind === 'admin' ? source.reason : source.kind === 'reply' ? source.text : null,
      at,
    })
    .execute();
}

/** A guest's changes of consent, newest first; `beforeId` continues a page. */
export async function historyOf(db: Db, customerId: number, page: { beforeId?: number; limit: number }): Promise<SubscriptionHistoryEntry[]> {
  let query = db
    .selectFrom('customer_subscription_changes')
    .selectAll()
    .where('customer_id', '=', customerId)
    .orderBy('id', 'desc')
    .limit(page.limit);
  if (page.beforeId !== undefined) query = query.where('id', '<', page.beforeId);
  const rows = await query.execute();
  return rows.map((row) => ({
    id: row.id,
    pointOfContact: row.point_of_contact as PointOfContact,
    brand: read(row.brand),
    topic: read(row.topic),
    wasSubscribed: row.was_subscribed,
    isSubscribed: row.is_subscribed,
    at: row.at,
    source: sourceOf(row.source, row),
  }));
}

function sourceOf(
  kind: SubscriptionChangeSource,
  row: { integration_point: string | null; operation: string | null; actor: string | null; reason: string | null },
): SubscriptionSource {
  if (kind === 'admin') return { kind, actor: row.actor ?? '', reason: row.reason ?? '' };
  if (kind === 'reply') return { kind, connection: row.actor ?? '', text: row.reason ?? '' };
  return { kind, integrationPoint: row.integration_point ?? '', operation: row.operation ?? '' };
}

export async function isSubscribed(db: Db, customerId: number, key: SubscriptionKey): Promise<boolean> {
  return (await consentRow(db, customerId, key).executeTakeFirst())?.is_subscribed === true;
}

/** Ids of the guests subscribed to one consent, ascending from `afterId`: a walk of the partial index. */
export async function subscribedCustomerIds(db: Db, key: SubscriptionKey, page: { afterId?: number; limit: number }): Promise<number[]> {
  let query = db
    .selectFrom('customer_subscriptions')
    .select('customer_id')
    .where('point_of_contact', '=', key.pointOfContact)
    .where('brand', '=', stored(key.brand))
    .where('topic', '=', stored(key.topic))
    .where('is_subscribed', '=', true)
    .orderBy('customer_id')
    .limit(page.limit);
  if (page.afterId !== undefined) query = query.where('customer_id', '>', page.afterId);
  return (await query.execute()).map((row) => row.customer_id);
}
