// Limits on guessing a credential (decision 0502): failures are counted in the database per credential (an
// account, the admin token or a report secret seen from an address) and per address, each counter allowing a few
// free failures and then backing off exponentially. A success clears its credential's failures and no other's.
//
// A password is checked by scrypt, which is expensive, so its attempt is counted as failed before the check
// (`countThenCheck`): parallel guesses cannot outrun the count, and the count is taken back when the check
// succeeds. Long random secrets sent by machines (the admin token, a delivery-report secret) are checked by one
// hash and often in parallel, so the check runs first and only a failure is counted (`checkThenCount`); the
// answer follows the count either way, so a guess beyond the allowance is refused, the right one included.
import { isIPv6 } from 'node:net';
import type { Db } from '../db/database.ts';
import { AppError } from './errors.ts';
import * as repository from './failed-attempts.repository.ts';
import type { CounterRule } from './failed-attempts.repository.ts';

const BACK_OFF = { firstDelayMs: 30_000, maxDelayMs: 15 * 60_000, forgetAfterMs: 24 * 3_600_000 } as const;
/** A credential: five failures, then a wait of 30 s, doubling with every further failure up to 15 minutes. */
export const CREDENTIAL_RULE: CounterRule = { freeFailures: 5, ...BACK_OFF };
/** An address: ten times a credential's allowance, so a venue behind one address is not stopped by one person's typos. */
export const ADDRESS_RULE: CounterRule = { freeFailures: 50, ...BACK_OFF };

export interface Counter {
  key: string;
  rule: CounterRule;
  /** a credential's counter is cleared by a success; an address's keeps the failures of everyone else there */
  clearedBySuccess: boolean;
}

export function credentialCounter(credential: string): Counter {
  return { key: `credential:${credential}`, rule: CREDENTIAL_RULE, clearedBySuccess: true };
}

export function addressCounter(ip: string): Counter {
  return { key: `address:${addressGroup(ip)}`, rule: ADDRESS_RULE, clearedBySuccess: false };
}

/**
 * The address a client is counted under: an IPv4 address (also when mapped into IPv6) as it is, an IPv6 address by
 * its /64, since one client usually holds a whole /64.
 */
export function addressGroup(ip: string): string {
  const address = ip.replace(/%.*$/, '').toLowerCase();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(address);
  if (mapped) return mapped[1];
  if (!isIPv6(address)) return address;
  const [head, tail] = address.split('::');
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail === undefined ? [] : tail ? tail.split(':') : [];
  const groups = tail === undefined ? headGroups : [...headGroups, ...Array(Math.max(8 - headGroups.length - tailGroups.length, 0)).fill('0'), ...tailGroups];
  return `${groups.slice(0, 4).map((group) => group.replace(/^0+(?=.)/, '')).join(':')}::/64`;
}

/**
 * Requests that cost something (an SMS) from one address, all counted: twenty, then a wait of a minute that doubles
 * up to 15 minutes; an hour without one starts again.
 */
export function addressRequestCounter(ip: string, what: string): Counter {
  return { key: `requests:${what}:${addressGroup(ip)}`, rule: { freeFailures: 20, firstDelayMs: 60_000, maxDelayMs: 15 * 60_000, forgetAfterMs: 3_600_000 }, clearedBySuccess: false };
}

function tooManyFailures(until: Date, now: Date): AppError {
  const seconds = Math.max(1, Math.ceil((until.getTime() - now.getTime()) / 1000));
  return new AppError('rate_limited', `too many failed attempts; try again in ${seconds} s`, { retryAfterSeconds: seconds });
}

/** Counts a failure on every counter, or on none (throwing how long to wait) when one of them is backing off. */
async function countOnAllOrRefuse(db: Db, counters: Counter[], now: Date): Promise<void> {
  const counted: Counter[] = [];
  for (const counter of counters) {
    const until = await repository.countFailure(db, counter.key, counter.rule, now);
    if (until) {
      for (const earlier of counted) await repository.takeBackFailure(db, earlier.key);
      throw tooManyFailures(until, now);
    }
    counted.push(counter);
  }
}

/** Counts a request on every counter; throws `rate_limited` with the wait while one of them backs off. */
export async function countRequest(db: Db, counters: Counter[], now: Date): Promise<void> {
  await countOnAllOrRefuse(db, counters, now);
}

/**
 * An expensive check (null: it failed), counted as a failure on every counter before it runs; a success takes
 * the count back and clears its credential. Throws `rate_limited` without checking while a counter backs off.
 */
export async function countThenCheck<T>(db: Db, counters: Counter[], now: Date, check: () => Promise<T | null>): Promise<T | null> {
  await countOnAllOrRefuse(db, counters, now);
  const result = await check();
  if (result === null) return null;
  await repository.clearFailures(db, counters.filter((counter) => counter.clearedBySuccess).map((counter) => counter.key));
  for (const counter of counters) if (!counter.clearedBySuccess) await repository.takeBackFailure(db, counter.key);
  return result;
}

/**
 * A cheap check (null: it failed) that runs first; a failure is counted on every counter. While a counter backs
 * off, the answer is `rate_limited` whatever the check found, so the count bounds what a guesser learns.
 */
export async function checkThenCount<T>(db: Db, counters: Counter[], now: Date, check: () => Promise<T | null>): Promise<T | null> {
  const result = await check();
  if (result === null) {
    await countOnAllOrRefuse(db, counters, now);
    return null;
  }
  const stored = await repository.findCounters(db, counters.map((counter) => counter.key));
  const blocking = stored.filter((counter) => counter.blocked_until.getTime() > now.getTime());
  if (blocking.length) throw tooManyFailures(new Date(Math.max(...blocking.map((counter) => counter.blocked_until.getTime()))), now);
  const cleared = counters.filter((counter) => counter.clearedBySuccess && stored.some((row) => row.key === counter.key));
  await repository.clearFailures(db, cleared.map((counter) => counter.key));
  return result;
}

/** Forgets every failure of a credential (its password was just set). */
export async function forgetFailures(db: Db, counter: Counter): Promise<void> {
  await repository.clearFailures(db, [counter.key]);
}

/** Removes counters with no failure for longer than they remember one. */
export async function deleteForgottenFailures(db: Db, now: Date): Promise<number> {
  return repository.deleteFailuresBefore(db, new Date(now.getTime() - BACK_OFF.forgetAfterMs));
}
