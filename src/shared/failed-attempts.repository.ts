// All SQL of the failed-attempt counters (decision 0502). Each statement reads and writes one counter
// atomically, so processes sharing one PostgreSQL count the same failures.
import { sql } from 'kysely';
import type { Db } from '../db/database.ts';

export interface CounterRule {
  /** failures before the counter backs off */
  freeFailures: number;
  /** the wait after the first failure beyond the free ones; it doubles with every further failure */
  firstDelayMs: number;
  maxDelayMs: number;
  /** a counter whose last failure is older starts again from nothing */
  forgetAfterMs: number;
}

/**
 * Counts one failure unless the counter is backing off. Returns null when counted, or until when it backs off
 * (nothing is counted then). Within the free failures the counter's `blocked_until` stays in the past: set to the
 * attempt's own time, it would refuse a parallel attempt whose clock was read a moment earlier.
 */
export async function countFailure(db: Db, key: string, rule: CounterRule, now: Date): Promise<Date | null> {
  const forgetBefore = new Date(now.getTime() - rule.forgetAfterMs);
  const failures = sql<number>`case when f.last_failure_at < ${forgetBefore} then 1 else f.failures + 1 end`;
  const blockedAfter = (count: unknown, otherwise: unknown) =>
    sql`case when ${count} < ${sql.lit(rule.freeFailures)} then ${otherwise}
      else ${now}::timestamptz + least(${sql.lit(rule.firstDelayMs)} * power(2, least(${count} - ${sql.lit(rule.freeFailures)}, 40)), ${sql.lit(rule.maxDelayMs)}) * interval '1 millisecond' end`;
  const counted = await sql<{ failures: number }>`
    insert into failed_attempts as f (key, failures, last_failure_at, blocked_until)
    values (${key}, 1, ${now}, ${blockedAfter(sql.lit(1), sql`'epoch'::timestamptz`)})
    on conflict (key) do update set
      failures = ${failures},
      last_failure_at = ${now},
      blocked_until = ${blockedAfter(failures, sql`f.blocked_until`)}
    where f.blocked_until <= ${now}
    returning failures
  `.execute(db);
  if (counted.rows.length) return null;
  const row = await db.selectFrom('failed_attempts').select('blocked_until').where('key', '=', key).executeTakeFirst();
  return row?.blocked_until ?? null;
}

export async function findCounters(db: Db, keys: string[]): Promise<{ key: string; blocked_until: Date }[]> {
  return db.selectFrom('failed_attempts').select(['key', 'blocked_until']).where('key', 'in', keys).execute();
}

/** Takes one counted failure back (an attempt counted before its check that then succeeded, or was not checked). */
export async function takeBackFailure(db: Db, key: string): Promise<void> {
  await db.updateTable('failed_attempts').set((eb) => ({ failures: sql`greatest(${eb.ref('failures')} - 1, 0)` })).where('key', '=', key).execute();
}

export async function clearFailures(db: Db, keys: string[]): Promise<void> {
  if (keys.length) await db.deleteFrom('failed_attempts').where('key', 'in', keys).execute();
}

/** Removes counters nobody failed on since `before`. */
export async function deleteFailuresBefore(db: Db, before: Date): Promise<number> {
  const result = await db.deleteFrom('failed_attempts').where('last_failure_at', '<', before).executeTakeFirst();
  return Number(result.numDeletedRows);
}
