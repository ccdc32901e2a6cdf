// SQL of the daily passes of date-triggered scenarios (decision 0020): the pass of a scenario and local day, claimed
// once whichever worker gets there first; the guests a pass concerns, found by index; and the mark per scenario and
// guest that says which occurrence the guest last got.
import { sql } from 'kysely';
import type { Db } from '../db/database.ts';

/** Claims the pass of a scenario for a local day; false when it was claimed already (by this or another worker). */
export async function claimPass(db: Db, scenario: string, localDay: string, now: Date): Promise<boolean> {
  const row = await db
    .insertInto('scenario_daily_passes')
    .values({ scenario, local_day: localDay, started_at: now })
    .onConflict((oc) => oc.columns(['scenario', 'local_day']).doNothing())
    .returning('scenario')
    .executeTakeFirst();
  return row !== undefined;
}

export async function finishPass(db: Db, scenario: string, localDay: string, guests: number, now: Date): Promise<void> {
  await db.updateTable('scenario_daily_passes').set({ finished_at: now, guests }).where('scenario', '=', scenario).where('local_day', '=', localDay).execute();
}

/** Guests born on this month and day (by the birthday index), in id order. */
export async function guestsBornOn(db: Db, monthDays: readonly number[]): Promise<number[]> {
  const { rows } = await sql<{ id: number }>`
    select id from customers
    where birth_date is not null
      and ((extract(month from birth_date) * 100 + extract(day from birth_date))::int) = any(${sql.val([...monthDays])}::int[])
    order by id`.execute(db);
  return rows.map((row) => Number(row.id));
}

/**
 * Guests whose last paid order line was paid in [from, before): found by the paid lines of that window (an index
 * range), less those who paid again since.
 */
export async function guestsLastPaidBetween(db: Db, from: Date, before: Date): Promise<number[]> {
  const { rows } = await sql<{ customer_id: number }>`
    select distinct o.customer_id from order_lines l join orders o on o.id = l.order_id
    where l.paid_at >= ${from} and l.paid_at < ${before} and o.customer_id is not null
      and not exists (
        select 1 from orders later join order_lines paid on paid.order_id = later.id
        where later.customer_id = o.customer_id and paid.paid_at >= ${before}
      )
    order by o.customer_id`.execute(db);
  return rows.map((row) => Number(row.customer_id));
}

/**
 * Marks that the guest gets the scenario for this occurrence; false when the guest got it for the same occurrence,
 * or (with `notSince`) for any occurrence at or after that time.
 */
export async function markOccurrence(db: Db, mark: { scenario: string; customerId: number; occurrence: string; notSince: Date | null; now: Date }): Promise<boolean> {
  const row = await db
    .insertInto('scenario_date_marks')
    .values({ scenario: mark.scenario, customer_id: mark.customerId, occurrence: mark.occurrence, at: mark.now })
    .onConflict((oc) =>
      oc
        .columns(['scenario', 'customer_id'])
        .doUpdateSet({ occurrence: mark.occurrence, at: mark.now })
        .where('scenario_date_marks.occurrence', '<>', mark.occurrence)
        .$call((update) => (mark.notSince ? update.where('scenario_date_marks.at', '<', mark.notSince) : update)),
    )
    .returning('customer_id')
    .executeTakeFirst();
  return row !== undefined;
}
