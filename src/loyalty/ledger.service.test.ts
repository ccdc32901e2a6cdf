import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { inTransaction } from '../db/database.ts';
import { projectSchema, type BalanceTypeDefinition } from '../project/schemas.ts';
import { ProjectSnapshot } from '../project/snapshot.ts';
import { createTestDatabase, type TestDatabase } from '../../test/support/db.ts';
import { customerBalances, customerBalancesMinor } from './balances.ts';
import * as repository from './ledger.repository.ts';
import {
  accruePoints,
  adjustBalance,
  customerLedger,
  expireDuePoints,
  expiryOf,
  InsufficientPointsError,
  refundSpend,
  reverseAccrual,
  spendPoints,
  type LedgerSourceRef,
} from './ledger.service.ts';

const DAY = 86_400_000;
const project = new ProjectSnapshot(
  projectSchema.parse({
    settings: { timeZone: 'Europe/Moscow' },
    balanceTypes: [
      { systemName: 'Bonus', name: 'Бонусы', fractional: false, lifetimeDays: 365 },
      { systemName: 'Delayed', name: 'С задержкой', fractional: false, activationDelayHours: 24, lifetimeDays: 30 },
      { systemName: 'Cents', name: 'Дробные', fractional: true, lifetimeDays: null },
    ],
  }),
  1,
);
const BONUS = project.balanceType('Bonus')!;
const DELAYED = project.balanceType('Delayed')!;
const CENTS = project.balanceType('Cents')!;
const T0 = new Date('2026-03-01T09:00:00Z');
const ORDER_SOURCE = (orderId: number): LedgerSourceRef => ({ source: 'operation', operation: 'Offline.CreateAuthorizedOrder', orderId });

let database: TestDatabase;
let phoneCounter = 0;

async function newGuest(): Promise<number> {
  phoneCounter += 1;
  const row = await database.db
    .insertInto('customers')
    .values({ mobile_phone: `7999${String(phoneCounter).padStart(7, '0')}`, custom_fields: '{}', created_at: T0, updated_at: T0 })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

const tx = <T>(work: Parameters<typeof inTransaction<T>>[1]) => inTransaction(database.db, work);

async function accrue(customerId: number, amount: number, at: Date, options: { balanceType?: BalanceTypeDefinition; lifetimeDays?: number | null; orderId?: number } = {}) {
  const balanceType = options.balanceType ?? BONUS;
  return tx((db) =>
    accruePoints(
      db,
      project,
      {
        customerId,
        balanceType,
        amount,
        activeFrom: new Date(at.getTime() + balanceType.activationDelayHours * 3_600_000),
        expiresAt: expiryOf(at, options.lifetimeDays === undefined ? balanceType.lifetimeDays : options.lifetimeDays),
        reason: `Начислено за заказ ${options.orderId ?? '—'}`,
        now: at,
      },
      { source: 'operation', orderId: options.orderId ?? null },
    ),
  );
}

async function balanceOf(customerId: number, at: Date, balanceType = BONUS) {
  const [balance] = await customerBalancesMinor(database.db, project, customerId, [balanceType.systemName], at);
  return balance;
}

async function assertLedgerMatchesBalances(): Promise<void> {
  assert.deepEqual(await repository.ledgerDiscrepancies(database.db), []);
}

before(async () => {
  database = await createTestDatabase();
});
after(async () => {
  await database.close();
});

describe('points ledger', () => {
  it('spends the points that expire first and a refund puts them back with their original expiry', async () => {
    const guest = await newGuest();
    await accrue(guest, 100, T0);
    await accrue(guest, 50, T0, { lifetimeDays: 30 });
    assert.deepEqual((await balanceOf(guest, T0)).nearestExpiration?.total, 50);

    const at = new Date(T0.getTime() + DAY);
    await tx((db) => spendPoints(db, project, { customerId: guest, balanceType: BONUS, amount: 70, reason: 'Списано в оплату заказа 1', now: at }, ORDER_SOURCE(1)));
    let balance = await balanceOf(guest, at);
    assert.equal(balance.total, 80);
    assert.equal(balance.available, 80);
    // the 30-day points went first: what is left expires in a year
    assert.deepEqual(balance.nearestExpiration?.total, 80);
    assert.equal(balance.nearestExpiration?.date, '2027-03-01');

    await tx((db) => refundSpend(db, project, { customerId: guest, balanceType: BONUS, orderId: 1, amount: 70, reason: 'Возврат по заказу 1', now: at }, ORDER_SOURCE(1)));
    balance = await balanceOf(guest, at);
    assert.equal(balance.total, 150);
    assert.deepEqual(balance.nearestExpiration, { total: 50, expiresAt: new Date(T0.getTime() + 30 * DAY), date: '2026-03-31' });
    await assertLedgerMatchesBalances();
  });

  it('refuses to spend more than is available and answers the wire shape', async () => {
    const guest = await newGuest();
    await accrue(guest, 40, T0);
    await assert.rejects(
      tx((db) => spendPoints(db, project, { customerId: guest, balanceType: BONUS, amount: 41, reason: 'x', now: T0 }, ORDER_SOURCE(2))),
      InsufficientPointsError,
    );
    assert.deepEqual(await customerBalances(database.db, project, guest, ['Bonus'], T0), [
      {
        systemName: 'Bonus',
        balanceType: { ids: { systemName: 'Bonus' }, name: 'Бонусы' },
        total: 40,
        available: 40,
        blocked: 0,
        nearestExpiration: { total: 40, date: '2027-03-01' },
      },
    ]);
  });

  it('keeps earned points blocked until the activation delay has passed', async () => {
    const guest = await newGuest();
    await accrue(guest, 30, T0, { balanceType: DELAYED });
    const balance = await balanceOf(guest, T0, DELAYED);
    assert.deepEqual([balance.total, balance.available, balance.blocked], [30, 0, 30]);
    await assert.rejects(
      tx((db) => spendPoints(db, project, { customerId: guest, balanceType: DELAYED, amount: 1, reason: 'x', now: T0 }, ORDER_SOURCE(3))),
      InsufficientPointsError,
    );
    const nextDay = new Date(T0.getTime() + DAY);
    const later = await balanceOf(guest, nextDay, DELAYED);
    assert.deepEqual([later.total, later.available, later.blocked], [30, 30, 0]);
    await tx((db) => spendPoints(db, project, { customerId: guest, balanceType: DELAYED, amount: 30, reason: 'x', now: nextDay }, ORDER_SOURCE(3)));
    assert.equal((await balanceOf(guest, nextDay, DELAYED)).total, 0);
  });

  it('stops counting expired points at once and writes them off in the expiry task', async () => {
    const guest = await newGuest();
    await accrue(guest, 25, T0, { lifetimeDays: 10 });
    await accrue(guest, 5, T0);
    const expiredAt = new Date(T0.getTime() + 10 * DAY);
    const before = await balanceOf(guest, expiredAt);
    assert.deepEqual([before.total, before.available], [5, 5]);

    while ((await expireDuePoints(database.db, project, expiredAt)) > 0);
    const ledger = await customerLedger(database.db, project, guest, { limit: 10 });
    assert.equal(ledger[0].kind, 'expiry');
    assert.equal(ledger[0].amount, -25);
    assert.equal(ledger[0].balanceAfter, 5);
    assert.match(ledger[0].reason, /Сгорели баллы: срок действия истёк 2026-03-11/);
    assert.equal((await balanceOf(guest, expiredAt)).total, 5);
    await assertLedgerMatchesBalances();
  });

  it('lets a reversal drive the balance negative, refuses spending, and pays the debt from the next points', async () => {
    const guest = await newGuest();
    await accrue(guest, 100, T0, { orderId: 10 });
    await tx((db) => spendPoints(db, project, { customerId: guest, balanceType: BONUS, amount: 100, reason: 'x', now: T0 }, ORDER_SOURCE(11)));
    await tx((db) => reverseAccrual(db, project, { customerId: guest, balanceType: BONUS, orderId: 10, amount: 100, reason: 'Возврат заказа 10', now: T0 }, ORDER_SOURCE(10)));
    let balance = await balanceOf(guest, T0);
    assert.deepEqual([balance.total, balance.available], [-100, -100]);
    await assert.rejects(
      tx((db) => spendPoints(db, project, { customerId: guest, balanceType: BONUS, amount: 1, reason: 'x', now: T0 }, ORDER_SOURCE(12))),
      InsufficientPointsError,
    );
    await accrue(guest, 130, T0);
    balance = await balanceOf(guest, T0);
    assert.deepEqual([balance.total, balance.available, balance.nearestExpiration?.total], [30, 30, 30]);
    await assertLedgerMatchesBalances();
  });

  it('records manual adjustments with their reason and actor, and refuses bad ones', async () => {
    const guest = await newGuest();
    await tx((db) => adjustBalance(db, project, { customerId: guest, balanceType: BONUS, amount: 200, reason: 'Компенсация за ожидание', actor: 'admin', now: T0 }));
    await tx((db) => adjustBalance(db, project, { customerId: guest, balanceType: CENTS, amount: '12.5', reason: 'Подарок', actor: 'admin', now: T0 }));
    const [item] = await customerLedger(database.db, project, guest, { balanceType: 'Bonus', limit: 5 });
    assert.deepEqual(
      { kind: item.kind, amount: item.amount, reason: item.reason, actor: item.actor, source: item.source },
      { kind: 'adjustment', amount: 200, reason: 'Компенсация за ожидание', actor: 'admin', source: 'admin' },
    );
    assert.equal((await balanceOf(guest, T0, CENTS)).total, 1250);
    await assert.rejects(
      tx((db) => adjustBalance(db, project, { customerId: guest, balanceType: BONUS, amount: 1.5, reason: 'Подарок', actor: 'admin' })),
      (error: any) => error.validationMessages?.[0]?.location === '/amount',
    );
    await assert.rejects(
      tx((db) => adjustBalance(db, project, { customerId: guest, balanceType: BONUS, amount: 10, reason: ' ', actor: 'admin' })),
      (error: any) => error.validationMessages?.[0]?.location === '/reason',
    );
  });
});

describe('points ledger invariants (property)', () => {
  type Step =
    | { op: 'accrue'; amount: number; lifetimeDays: number; delayed: boolean }
    | { op: 'spend'; amount: number }
    | { op: 'refund'; share: number }
    | { op: 'reverse'; amount: number }
    | { op: 'adjust'; amount: number }
    | { op: 'wait'; days: number }
    | { op: 'expire' };

  const step: fc.Arbitrary<Step> = fc.oneof(
    fc.record({ op: fc.constant('accrue' as const), amount: fc.integer({ min: 1, max: 500 }), lifetimeDays: fc.integer({ min: 1, max: 60 }), delayed: fc.boolean() }),
    fc.record({ op: fc.constant('spend' as const), amount: fc.integer({ min: 1, max: 400 }) }),
    fc.record({ op: fc.constant('refund' as const), share: fc.integer({ min: 1, max: 100 }) }),
    fc.record({ op: fc.constant('reverse' as const), amount: fc.integer({ min: 1, max: 300 }) }),
    fc.record({ op: fc.constant('adjust' as const), amount: fc.integer({ min: -300, max: 300 }).filter((n) => n !== 0) }),
    fc.record({ op: fc.constant('wait' as const), days: fc.integer({ min: 1, max: 40 }) }),
    fc.constant({ op: 'expire' as const }),
  );

  it('after any sequence of changes every balance equals its ledger and its lots', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 14 }), async (steps) => {
        const guest = await newGuest();
        let now = T0;
        let orderId = 1000 + guest * 100;
        const unrefunded = new Map<number, number>();
        for (const s of steps) {
          const balanceType = BONUS;
          switch (s.op) {
            case 'accrue':
              await accrue(guest, s.amount, now, { lifetimeDays: s.lifetimeDays, balanceType: s.delayed ? DELAYED : BONUS, orderId: ++orderId });
              break;
            case 'spend': {
              const available = (await balanceOf(guest, now)).available;
              const id = ++orderId;
              const spend = tx((db) => spendPoints(db, project, { customerId: guest, balanceType, amount: s.amount, reason: 'x', now }, ORDER_SOURCE(id)));
              if (s.amount > available) await assert.rejects(spend, InsufficientPointsError);
              else {
                await spend;
                unrefunded.set(id, s.amount);
              }
              break;
            }
            case 'refund': {
              const [id, left] = [...unrefunded.entries()].at(-1) ?? [];
              if (id === undefined || left === undefined) break;
              const amount = Math.max(1, Math.floor((left * s.share) / 100));
              await tx((db) => refundSpend(db, project, { customerId: guest, balanceType, orderId: id, amount, reason: 'x', now }, ORDER_SOURCE(id)));
              if (left - amount === 0) unrefunded.delete(id);
              else unrefunded.set(id, left - amount);
              break;
            }
            case 'reverse':
              await tx((db) => reverseAccrual(db, project, { customerId: guest, balanceType, orderId, amount: s.amount, reason: 'x', now }, ORDER_SOURCE(orderId)));
              break;
            case 'adjust':
              await tx((db) => adjustBalance(db, project, { customerId: guest, balanceType, amount: s.amount, reason: 'Проверка', actor: 'test', now }));
              break;
            case 'wait':
              now = new Date(now.getTime() + s.days * DAY);
              break;
            case 'expire':
              while ((await expireDuePoints(database.db, project, now)) > 0);
              break;
          }
          await assertLedgerMatchesBalances();
          for (const type of [BONUS, DELAYED]) {
            const rows = await repository.balancesWithLots(database.db, guest, [type.systemName]);
            const stored = Number(rows[0]?.total ?? 0);
            const lots = rows.reduce((sum, row) => sum + Number(row.remaining ?? 0), 0);
            // lots hold exactly the positive part of the balance; a debt leaves them empty
            assert.equal(lots, Math.max(stored, 0), `lots ${lots} vs balance ${stored}`);
            const balance = await balanceOf(guest, now, type);
            assert.equal(balance.available + balance.blocked, balance.total);
          }
        }
      }),
      { numRuns: 30 },
    );
  });
});
