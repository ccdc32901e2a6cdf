import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { createTestDatabase, type TestDatabase } from '../../test/support/db.ts';
import { isAppError } from './errors.ts';
import { addressCounter, addressGroup, checkThenCount, countThenCheck, credentialCounter, deleteForgottenFailures } from './failed-attempts.ts';

const T0 = new Date('2026-12-01T10:00:00Z');
const at = (ms: number) => new Date(T0.getTime() + ms);

/** what an attempt answered: the check's result, or how long to wait */
async function outcome<T>(attempt: Promise<T>): Promise<T | { retryAfter: number }> {
  try {
    return await attempt;
  } catch (error) {
    if (isAppError(error) && error.code === 'rate_limited') return { retryAfter: error.retryAfterSeconds! };
    throw error;
  }
}

describe('failed attempts', () => {
  let database: TestDatabase;
  before(async () => {
    database = await createTestDatabase();
  });
  after(async () => database.close());

  test('five failures of a credential, then a wait of 30 s that doubles with every further failure, up to 15 minutes', async () => {
    const counters = [addressCounter('192.0.2.1'), credentialCounter('account:olga')];
    const wrong = (now: Date) => outcome(countThenCheck(database.db, counters, now, async () => null));
    for (let i = 0; i < 5; i += 1) assert.equal(await wrong(at(i)), null);
    assert.deepEqual(await wrong(at(10)), { retryAfter: 30 });
    assert.equal(await wrong(at(30_004)), null, 'the sixth is checked after 30 s');
    assert.deepEqual(await wrong(at(30_010)), { retryAfter: 60 });
    assert.equal(await wrong(at(90_004)), null);
    assert.deepEqual(await wrong(at(90_010)), { retryAfter: 120 });
    let now = 90_004;
    for (let failure = 8; failure <= 12; failure += 1) {
      now += 16 * 60_000;
      assert.equal(await wrong(at(now)), null);
    }
    assert.deepEqual(await wrong(at(now + 1)), { retryAfter: 15 * 60 }, 'the wait stops growing at 15 minutes');
    assert.equal(await wrong(at(now + 24 * 3_600_000 + 1)), null, 'a day later the failures are forgotten');
    assert.equal(await wrong(at(now + 24 * 3_600_000 + 2)), null);
  });

  test('parallel guesses cannot outrun the count: of 60 at once, five are checked', async () => {
    let checked = 0;
    const counters = [addressCounter('192.0.2.2'), credentialCounter('account:parallel')];
    const answers = await Promise.all(
      Array.from({ length: 60 }, () =>
        outcome(
          countThenCheck(database.db, counters, T0, async () => {
            checked += 1;
            await sleep(20);
            return null;
          }),
        ),
      ),
    );
    assert.equal(checked, 5);
    assert.equal(answers.filter((answer) => answer === null).length, 5);
  });

  test('attempts reaching the database in another order than their clocks were read are all counted within the allowance', async () => {
    const counters = [credentialCounter('account:skewed')];
    for (const ms of [40, 30, 20, 10]) assert.equal(await outcome(countThenCheck(database.db, counters, at(ms), async () => null)), null);
    assert.equal(await outcome(countThenCheck(database.db, counters, at(0), async () => null)), null, 'the fifth, whose clock was read first of all');
    assert.deepEqual(await outcome(countThenCheck(database.db, counters, at(50), async () => null)), { retryAfter: 30 });
  });

  test("a success clears its own credential's failures and no one else's; the address keeps the others'", async () => {
    const address = '192.0.2.3';
    const olga = [addressCounter(address), credentialCounter('account:olga-3')];
    const vera = [addressCounter(address), credentialCounter('account:vera-3')];
    for (let i = 0; i < 4; i += 1) await countThenCheck(database.db, olga, at(i), async () => null);
    for (let i = 0; i < 3; i += 1) assert.equal(await countThenCheck(database.db, vera, at(10 + i), async () => 'signed in'), 'signed in');
    assert.equal(await outcome(countThenCheck(database.db, olga, at(20), async () => null)), null, "vera's sign-ins left olga's four failures: this is the fifth");
    assert.deepEqual(await outcome(countThenCheck(database.db, olga, at(30), async () => 'signed in')), { retryAfter: 30 });
    const stored = await database.db.selectFrom('failed_attempts').select(['key', 'failures']).where('key', 'like', '%3').orderBy('key').execute();
    assert.deepEqual(stored, [
      { key: 'address:192.0.2.3', failures: 5 },
      { key: 'credential:account:olga-3', failures: 5 },
    ]);
    assert.equal(await countThenCheck(database.db, olga, at(30_100), async () => 'signed in'), 'signed in');
    assert.equal((await database.db.selectFrom('failed_attempts').select('key').where('key', '=', 'credential:account:olga-3').execute()).length, 0);
  });

  test('an address allows ten times more failures than one credential, across credentials', async () => {
    const address = '192.0.2.4';
    for (let i = 0; i < 50; i += 1) {
      assert.equal(await outcome(countThenCheck(database.db, [addressCounter(address), credentialCounter(`account:guess-${i}`)], at(i), async () => null)), null);
    }
    assert.deepEqual(await outcome(countThenCheck(database.db, [addressCounter(address), credentialCounter('account:fresh')], at(60), async () => 'signed in')), { retryAfter: 30 });
    const fresh = await database.db.selectFrom('failed_attempts').select('key').where('key', '=', 'credential:account:fresh').execute();
    assert.deepEqual(fresh, [], 'the refused attempt counted nothing on the credential');
    assert.equal(await countThenCheck(database.db, [addressCounter('192.0.2.5'), credentialCounter('account:fresh')], at(60), async () => 'signed in'), 'signed in');
  });

  test('a cheap check runs first; parallel successes are never refused, and once the count backs off the right secret is refused too', async () => {
    const counters = [addressCounter('192.0.2.6'), credentialCounter('admin-token@192.0.2.6')];
    const answers = await Promise.all(Array.from({ length: 40 }, () => outcome(checkThenCount(database.db, counters, T0, async () => 'token'))));
    assert.ok(answers.every((answer) => answer === 'token'));
    const wrongs = await Promise.all(Array.from({ length: 30 }, () => outcome(checkThenCount(database.db, counters, at(1), async () => null))));
    assert.equal(wrongs.filter((answer) => answer === null).length, 5, 'five failures are answered as such');
    assert.ok(wrongs.filter((answer) => answer !== null).every((answer) => (answer as { retryAfter: number }).retryAfter === 30));
    assert.deepEqual(await outcome(checkThenCount(database.db, counters, at(2), async () => 'token')), { retryAfter: 30 });
    assert.equal(await checkThenCount(database.db, counters, at(30_100), async () => 'token'), 'token');
    assert.equal(await outcome(checkThenCount(database.db, counters, at(30_101), async () => null)), null, 'the success cleared the credential');
  });

  test('old counters are removed', async () => {
    await countThenCheck(database.db, [credentialCounter('account:old')], T0, async () => null);
    assert.ok((await deleteForgottenFailures(database.db, at(25 * 3_600_000))) >= 1);
    assert.equal((await database.db.selectFrom('failed_attempts').select('key').where('key', '=', 'credential:account:old').execute()).length, 0);
  });

  test('an IPv6 client counts by its /64; an IPv4 address mapped into IPv6 as the IPv4 address', () => {
    assert.equal(addressGroup('2001:db8:1:2:3:4:5:6'), '2001:db8:1:2::/64');
    assert.equal(addressGroup('2001:DB8:1:2::9'), '2001:db8:1:2::/64');
    assert.equal(addressGroup('2001:db8::1'), '2001:db8:0:0::/64');
    assert.equal(addressGroup('::1'), '0:0:0:0::/64');
    assert.equal(addressGroup('fe80::1%eth0'), 'fe80:0:0:0::/64');
    assert.equal(addressGroup('::ffff:192.0.2.7'), '192.0.2.7');
    assert.equal(addressGroup('192.0.2.7'), '192.0.2.7');
  });
});
