// All SQL of campaigns. A campaign's audience is read from the guests' segment membership, consents, phones and
// marketing messages, read-only and in raw SQL, as the segments module reads orders (decision 0020); the rule of
// who may get a marketing SMS is the one of `marketingRefusals` (src/messaging/mailings.service.ts), which checks
// each guest again when the SMS is written:
// - no consent: no recorded "yes" on the channel Sms as a whole (brand and topic '') — a guest who never answered
//   has not agreed;
// - invalid phone: no mobile phone, or not the digits of an international number;
// - frequency cap: as many marketing messages in the last 7 days (not failed: those reached nobody) as the project allows.
import { sql, type RawBuilder, type Selectable } from 'kysely';
import type { CustomerRow } from '../customers/customers.service.ts';
import type { Db } from '../db/database.ts';
import type { CampaignEstimate, CampaignRecipientStatus, CampaignsTable, CampaignStatus } from '../db/schema.ts';

export type CampaignRow = Selectable<CampaignsTable>;

/** Why a guest of the audience does not get the campaign. */
export type SkipReason = 'noConsent' | 'invalidPhone' | 'frequencyCap' | 'emptyText' | 'stopped';

export interface AudienceRule {
  segments: readonly string[];
  excludeSegments: readonly string[];
  /** marketing messages before this time do not count for the cap */
  capSince: Date;
  cap: number;
}

const textArray = (values: readonly string[]) => sql`${sql.val([...values])}::text[]`;

/** The reason guest `c` (a customers row) would not get a marketing SMS now, or null. */
function refusalOf(rule: AudienceRule): RawBuilder<SkipReason | null> {
  return sql<SkipReason | null>`case
    when not exists (select 1 from customer_subscriptions s
      where s.customer_id = c.id and s.point_of_contact = 'Sms' and s.brand = '' and s.topic = '' and s.is_subscribed) then 'noConsent'
    when c.mobile_phone is null or c.mobile_phone !~ '^[1-9][0-9]{9,14}$' then 'invalidPhone'
    when (select count(*) from messages m where m.kind = 'marketing' and m.customer_id = c.id
      and m.created_at > ${rule.capSince} and m.status <> 'failed') >= ${rule.cap} then 'frequencyCap'
  end`;
}

/** The guest `id` is in none of the excluded segments. */
function notExcluded(rule: AudienceRule, id: RawBuilder<unknown>): RawBuilder<boolean> {
  if (rule.excludeSegments.length === 0) return sql<boolean>`true`;
  return sql<boolean>`not exists (select 1 from customer_segments e where e.customer_id = ${id} and e.segment = any(${textArray(rule.excludeSegments)}))`;
}

/** The audience now, by the reason a guest would not get the SMS (null: would get it). */
export async function audienceByRefusal(db: Db, rule: AudienceRule): Promise<Map<SkipReason | null, number>> {
  const { rows } = await sql<{ reason: SkipReason | null; guests: string }>`
    with audience as (
      select distinct m.customer_id from customer_segments m
      where m.segment = any(${textArray(rule.segments)}) and ${notExcluded(rule, sql`m.customer_id`)}
    )
    select reason, count(*) as guests
    from (select ${refusalOf(rule)} as reason from audience a join customers c on c.id = a.customer_id) refused
    group by reason`.execute(db);
  return new Map(rows.map((row) => [row.reason, Number(row.guests)]));
}

/** Up to `limit` guests of the audience who would get the SMS now, the first by id: whose texts make the estimate. */
export async function audienceSample(db: Db, rule: AudienceRule, limit: number): Promise<CustomerRow[]> {
  const { rows } = await sql<CustomerRow>`
    select c.* from customers c
    where c.id in (select m.customer_id from customer_segments m where m.segment = any(${textArray(rule.segments)}))
      and ${notExcluded(rule, sql`c.id`)} and ${refusalOf(rule)} is null
    order by c.id limit ${limit}`.execute(db);
  return rows;
}

export async function insertCampaign(
  db: Db,
  campaign: { name: string; text: string; connection: string; segments: string[]; excludeSegments: string[]; sendAt: Date | null; estimate: CampaignEstimate; createdBy: string; now: Date },
): Promise<number> {
  const row = await db
    .insertInto('campaigns')
    .values({
      name: campaign.name,
      text: campaign.text,
      connection: campaign.connection,
      segments: campaign.segments,
      exclude_segments: campaign.excludeSegments,
      status: 'draft',
      send_at: campaign.sendAt,
      estimate: JSON.stringify(campaign.estimate),
      created_by: campaign.createdBy,
      created_at: campaign.now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function getCampaign(db: Db, id: number, options: { lock?: boolean } = {}): Promise<CampaignRow | undefined> {
  let query = db.selectFrom('campaigns').selectAll().where('id', '=', id);
  if (options.lock) query = query.forUpdate();
  return query.executeTakeFirst();
}

/** Campaigns newest first, before the id `before`. */
export async function listCampaigns(db: Db, page: { before?: number; limit: number }): Promise<CampaignRow[]> {
  let query = db.selectFrom('campaigns').selectAll().orderBy('id', 'desc').limit(page.limit);
  if (page.before !== undefined) query = query.where('id', '<', page.before);
  return query.execute();
}

export async function setStatus(
  db: Db,
  id: number,
  change: { status: CampaignStatus; startedAt?: Date; finishedAt?: Date; cancelledAt?: Date; cancelledBy?: string },
): Promise<void> {
  await db
    .updateTable('campaigns')
    .set({
      status: change.status,
      ...(change.startedAt ? { started_at: change.startedAt } : {}),
      ...(change.finishedAt ? { finished_at: change.finishedAt } : {}),
      ...(change.cancelledAt ? { cancelled_at: change.cancelledAt, cancelled_by: change.cancelledBy ?? null } : {}),
    })
    .where('id', '=', id)
    .execute();
}

/** Scheduled campaigns whose time has come start sending; their ids. */
export async function startDueCampaigns(db: Db, now: Date): Promise<number[]> {
  const rows = await db
    .updateTable('campaigns')
    .set({ status: 'sending', started_at: now })
    .where('status', '=', 'scheduled')
    .where('send_at', '<=', now)
    .returning('id')
    .execute();
  return rows.map((row) => row.id);
}

export async function sendingCampaigns(db: Db): Promise<CampaignRow[]> {
  return db.selectFrom('campaigns').selectAll().where('status', '=', 'sending').orderBy('id').execute();
}

/** The next guests of the audience by id after `afterId`, before exclusions (the walk's position). */
export async function nextAudienceIds(db: Db, segments: readonly string[], afterId: number, limit: number): Promise<number[]> {
  const { rows } = await sql<{ customer_id: number }>`
    select distinct customer_id from customer_segments
    where segment = any(${textArray(segments)}) and customer_id > ${afterId}
    order by customer_id limit ${limit}`.execute(db);
  return rows.map((row) => Number(row.customer_id));
}

/**
 * Writes the recipient rows of these guests (those not excluded): pending, or skipped with the reason; a guest
 * who has a row keeps it. Then records how far the audience is resolved, and when it is complete.
 */
export async function insertRecipients(db: Db, campaignId: number, ids: readonly number[], rule: AudienceRule, through: number, complete: boolean, now: Date): Promise<void> {
  if (ids.length > 0) {
    await sql`
      insert into campaign_recipients (campaign_id, customer_id, status, skip_reason, updated_at)
      select ${campaignId}, c.id, case when refused.reason is null then 'pending' else 'skipped' end, refused.reason, ${now}
      from customers c cross join lateral (select ${refusalOf(rule)} as reason) refused
      where c.id = any(${sql.val([...ids])}::bigint[]) and ${notExcluded(rule, sql`c.id`)}
      on conflict do nothing`.execute(db);
  }
  await db
    .updateTable('campaigns')
    .set({ resolved_through: through, ...(complete ? { resolved_at: now } : {}) })
    .where('id', '=', campaignId)
    .execute();
}

/** The next pending recipients of a campaign with their guests, locked for the caller's transaction (others skip them). */
export async function lockPendingRecipients(db: Db, campaignId: number, limit: number): Promise<CustomerRow[]> {
  const { rows } = await sql<CustomerRow>`
    select c.* from customers c
    where c.id in (
      select r.customer_id from campaign_recipients r
      where r.campaign_id = ${campaignId} and r.status = 'pending'
      order by r.customer_id limit ${limit} for update skip locked
    )
    order by c.id`.execute(db);
  return rows;
}

export async function settleRecipient(
  db: Db,
  campaignId: number,
  customerId: number,
  outcome: { status: 'messaged'; messageId: string } | { status: 'skipped'; reason: SkipReason },
  now: Date,
): Promise<void> {
  await db
    .updateTable('campaign_recipients')
    .set({
      status: outcome.status,
      message_id: outcome.status === 'messaged' ? outcome.messageId : null,
      skip_reason: outcome.status === 'skipped' ? outcome.reason : null,
      updated_at: now,
    })
    .where('campaign_id', '=', campaignId)
    .where('customer_id', '=', customerId)
    .where('status', '=', 'pending')
    .execute();
}

/** Recipients no longer pending (the campaign stopped): skipped, `stopped`. How many. */
export async function skipPendingRecipients(db: Db, campaignId: number, reason: SkipReason, now: Date): Promise<number> {
  const result = await db
    .updateTable('campaign_recipients')
    .set({ status: 'skipped', skip_reason: reason, updated_at: now })
    .where('campaign_id', '=', campaignId)
    .where('status', '=', 'pending')
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

export async function hasPendingRecipients(db: Db, campaignId: number): Promise<boolean> {
  const row = await db
    .selectFrom('campaign_recipients')
    .select('customer_id')
    .where('campaign_id', '=', campaignId)
    .where('status', '=', 'pending')
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

/** A campaign's recipients by status and skip reason. */
export async function recipientCounts(db: Db, campaignId: number): Promise<{ status: CampaignRecipientStatus; reason: SkipReason | null; recipients: number }[]> {
  const rows = await db
    .selectFrom('campaign_recipients')
    .select(['status', 'skip_reason', (eb) => eb.fn.countAll<string>().as('recipients')])
    .where('campaign_id', '=', campaignId)
    .groupBy(['status', 'skip_reason'])
    .execute();
  return rows.map((row) => ({ status: row.status, reason: row.skip_reason as SkipReason | null, recipients: Number(row.recipients) }));
}
