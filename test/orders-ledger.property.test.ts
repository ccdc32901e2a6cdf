// After any sequence of cashier and admin actions — creates spending points, payments, partial and full
// returns, manual adjustments, time passing and expiry — every balance equals its ledger, the lots hold
// exactly its positive part, and each order's lines hold what the ledger says the order spent and earned.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { sql } from 'kysely';
import { ledgerDiscrepancies } from '../src/loyalty/ledger.repository.ts';
import { expireDuePoints } from '../src/loyalty/ledger.service.ts';
import { createTestApp, type TestApp } from './support/app.ts';

let t: TestApp;
let guestCounter = 0;

before(async () => {
  t = await createTestApp({ now: '2026-03-02T09:30:00Z' });
});
after(async () => {
  await t.close();
});

type Action =
  | { kind: 'create'; dishes: number[]; spend: number; paid: boolean }
  | { kind: 'pay'; order: number }
  | { kind: 'return'; order: number; line: number; quantity: number | null }
  | { kind: 'adjust'; amount: number }
  | { kind: 'wait'; days: number }
  | { kind: 'expire' };

const action: fc.Arbitrary<Action> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('create' as const), dishes: fc.array(fc.integer({ min: 100, max: 2000 }), { minLength: 1, maxLength: 4 }), spend: fc.integer({ min: 0, max: 800 }), paid: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('pay' as const), order: fc.nat(10) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('return' as const), order: fc.nat(10), line: fc.nat(3), quantity: fc.option(fc.integer({ min: 1, max: 3 }), { nil: null }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('adjust' as const), amount: fc.integer({ min: -300, max: 600 }).filter((n) => n !== 0) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('wait' as const), days: fc.integer({ min: 1, max: 200 }) }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'expire' as const }) },
);

async function checkInvariants(customerId: number) {
  assert.deepEqual(await ledgerDiscrepancies(t.app.db), []);
  const { rows: balance } = await sql<{ total: string; lots: string }>`
    select b.total::text as total, coalesce((select sum(remaining) from point_lots l where l.customer_id = b.customer_id and l.balance_type = b.balance_type), 0)::text as lots
    from point_balances b where b.customer_id = ${customerId}`.execute(t.app.db);
  for (const row of balance) assert.equal(Number(row.lots), Math.max(Number(row.total), 0), `lots ${row.lots} for a balance of ${row.total}`);
  // per order: the lines' net spent and earned equal the order's ledger entries
  const { rows: orders } = await sql<{ id: number; spent: string; earned: string; ledger_spent: string; ledger_earned: string }>`
    select o.id,
      (select coalesce(sum(points_spent_net), 0) from order_lines where order_id = o.id)::text as spent,
      (select coalesce(sum(points_earned_net), 0) from order_lines where order_id = o.id)::text as earned,
      (select coalesce(-sum(amount), 0) from ledger_entries where order_id = o.id and kind in ('spend', 'spendRefund'))::text as ledger_spent,
      (select coalesce(sum(amount), 0) from ledger_entries where order_id = o.id and kind in ('accrual', 'accrualReversal'))::text as ledger_earned
    from orders o where o.customer_id = ${customerId}`.execute(t.app.db);
  for (const order of orders) {
    assert.equal(Number(order.spent), Number(order.ledger_spent), `order ${order.id} spent`);
    assert.equal(Number(order.earned), Number(order.ledger_earned), `order ${order.id} earned`);
  }
}

describe('orders and the ledger (property)', () => {
  it('every balance equals its ledger after any sequence of orders, returns, adjustments and expiry', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(action, { minLength: 1, maxLength: 12 }), async (actions) => {
        t.clock.set('2026-03-02T09:30:00Z');
        const phone = `7925${String(++guestCounter).padStart(7, '0')}`;
        const registered = await t.call('Offline.RegisterCustomer', { customer: { mobilePhone: phone } });
        const customerId = Number(registered.body.customer.ids.mindboxId);
        await t.admin('POST', `/api/admin/customers/${customerId}/adjustments`, { balanceType: 'Bonus', amount: 500, reason: 'Начальные баллы' });
        const orders: string[] = [];
        for (const step of actions) {
          if (step.kind === 'create') {
            const orderId = `G${guestCounter}-${orders.length}`;
            const order = {
              ids: { iikoOrderId: orderId },
              bonusPoints: [{ amount: step.spend }],
              lines: step.dishes.map((price, index) => ({
                lineNumber: index + 1,
                quantity: 1 + (price % 3),
                basePricePerItem: price,
                product: { ids: { iiko: `dish-${price}` } },
                ...(step.paid ? { status: 'iikoPaid' } : {}),
              })),
            };
            const preorder = await t.call('Offline.AuthorizedPreorder', { customer: { mobilePhone: phone }, order });
            const created = await t.call(
              'Offline.CreateAuthorizedOrder',
              { customer: { mobilePhone: phone }, order: { ...order, totalPrice: preorder.body.order.totalPrice } },
              { transactionId: randomUUID() },
            );
            assert.equal(created.body.order.processingStatus, 'Created', JSON.stringify(created.body));
            orders.push(orderId);
          } else if (step.kind === 'pay' && orders.length > 0) {
            const answer = await t.call('Offline.ChangeStatus', { order: { ids: { iikoOrderId: orders[step.order % orders.length] } }, orderLinesStatus: 'iikoPaid' });
            assert.ok(['Success', 'ValidationError'].includes(answer.body.status), JSON.stringify(answer.body));
          } else if (step.kind === 'return' && orders.length > 0) {
            const answer = await t.call('Offline.Return', {
              order: {
                ids: { iikoOrderId: orders[step.order % orders.length] },
                lines: [{ lineNumber: 1 + step.line, status: 'iikoReturn', ...(step.quantity === null ? {} : { quantity: step.quantity }) }],
              },
            });
            assert.ok(['Success', 'ValidationError'].includes(answer.body.status), JSON.stringify(answer.body));
          } else if (step.kind === 'adjust') {
            const answer = await t.admin('POST', `/api/admin/customers/${customerId}/adjustments`, { balanceType: 'Bonus', amount: step.amount, reason: 'Корректировка' });
            assert.equal(answer.httpStatus, 200);
          } else if (step.kind === 'wait') {
            t.clock.advance(step.days * 86_400_000);
          } else if (step.kind === 'expire') {
            while ((await expireDuePoints(t.app.db, t.app.project.current, t.app.now())) > 0);
          }
          await checkInvariants(customerId);
        }
      }),
      { numRuns: 20 },
    );
  });
});
