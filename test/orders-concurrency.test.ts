// Correctness under load: many creates spending from one guest's balance at the same moment never
// overdraw it, and a transactionId sent several times at once spends once, as does one order sent several
// times at once without a transactionId (its ids serialise the calls, decision 0017). Meant for PostgreSQL
// (TEST_DATABASE_URL), where the calls really run in parallel; on PGlite they queue on one connection.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { ledgerDiscrepancies } from '../src/loyalty/ledger.repository.ts';
import { createTestApp, type TestApp } from './support/app.ts';

let t: TestApp;

before(async () => {
  t = await createTestApp({ now: '2026-03-02T09:30:00Z' });
});
after(async () => {
  await t.close();
});

async function guestWith(points: number, phone: string): Promise<number> {
  const registered = await t.call('Offline.RegisterCustomer', { customer: { mobilePhone: phone } });
  const id = Number(registered.body.customer.ids.mindboxId);
  const adjusted = await t.admin('POST', `/api/admin/customers/${id}/adjustments`, { balanceType: 'Bonus', amount: points, reason: 'Баллы для проверки' });
  assert.equal(adjusted.httpStatus, 200);
  return id;
}

function createBody(phone: string, orderId: string) {
  // 390 ₽ of soup, 100 points asked: the POS expects to charge 290 ₽
  return {
    customer: { mobilePhone: phone },
    order: {
      ids: { iikoOrderId: orderId },
      totalPrice: 290,
      bonusPoints: [{ amount: 100 }],
      lines: [{ lineNumber: 1, quantity: 1, basePricePerItem: 390, product: { ids: { iiko: 'borscht' } } }],
    },
  };
}

async function balanceOf(phone: string) {
  const answer = await t.call('Offline.CheckCustomer', { customer: { mobilePhone: phone } });
  return answer.body.balances[0];
}

describe('orders under concurrency', () => {
  it('50 simultaneous creates spending from one balance of 1 000 points spend exactly 1 000', async () => {
    const phone = '79170000001';
    await guestWith(1000, phone);
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) => t.call('Offline.CreateAuthorizedOrder', createBody(phone, `C-${i}`), { transactionId: randomUUID() })),
    );
    const statuses = answers.map((answer) => answer.body.order?.processingStatus ?? answer.body.status);
    assert.equal(statuses.filter((status) => status === 'Created').length, 10, statuses.join(','));
    assert.equal(statuses.filter((status) => status === 'PriceHasBeenChanged').length, 40);
    const balance = await balanceOf(phone);
    assert.deepEqual([balance.total, balance.available], [0, 0]);
    assert.deepEqual(await ledgerDiscrepancies(t.app.db), []);
  });

  it('simultaneous creates spending from ten lots take each point from a lot that holds it', async () => {
    const phone = '79170000004';
    const id = await guestWith(100, phone);
    for (let i = 1; i < 10; i++) {
      const adjusted = await t.admin('POST', `/api/admin/customers/${id}/adjustments`, { balanceType: 'Bonus', amount: 100, reason: 'Ещё баллы для проверки' });
      assert.equal(adjusted.httpStatus, 200);
    }
    const answers = await Promise.all(
      Array.from({ length: 30 }, (_, i) => t.call('Offline.CreateAuthorizedOrder', createBody(phone, `L-${i}`), { transactionId: randomUUID() })),
    );
    assert.equal(answers.filter((answer) => answer.body.order?.processingStatus === 'Created').length, 10);
    const lots = await t.app.db.selectFrom('point_lots').select('remaining').where('customer_id', '=', id).execute();
    assert.equal(lots.length, 10);
    assert.deepEqual(lots.map((lot) => Number(lot.remaining)), Array.from({ length: 10 }, () => 0));
    assert.deepEqual(await ledgerDiscrepancies(t.app.db), []);
  });

  it('the same transactionId sent ten times at once creates and spends once', async () => {
    const phone = '79170000002';
    await guestWith(500, phone);
    const transactionId = randomUUID();
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => t.call('Offline.CreateAuthorizedOrder', createBody(phone, 'R-1'), { transactionId })),
    );
    const created = answers.filter((answer) => answer.body.order?.processingStatus === 'Created');
    const replays = answers.filter((answer) => answer.body.status === 'TransactionAlreadyProcessed');
    assert.equal(created.length, 1, JSON.stringify(answers.map((answer) => answer.body.status)));
    assert.equal(replays.length, 9);
    assert.equal((await balanceOf(phone)).total, 400);
    assert.deepEqual(await ledgerDiscrepancies(t.app.db), []);
  });

  it('the same order sent ten times at once without a transactionId is created once and spends once', async () => {
    const phone = '79170000005';
    await guestWith(500, phone);
    const answers = await Promise.all(Array.from({ length: 10 }, () => t.call('Offline.CreateAuthorizedOrder', createBody(phone, 'N-1'))));
    const statuses = answers.map((answer) => answer.body.order?.processingStatus ?? answer.body.status);
    assert.equal(statuses.filter((status) => status === 'Created').length, 1, statuses.join(','));
    assert.equal(statuses.filter((status) => status === 'Updated').length, 9, statuses.join(','));
    const orders = await t.app.db.selectFrom('order_identifiers').select('order_id').where('value', '=', 'N-1').execute();
    assert.equal(orders.length, 1);
    assert.equal((await balanceOf(phone)).total, 400);
    assert.deepEqual(await ledgerDiscrepancies(t.app.db), []);
  });

  it('an order paid and returned at once by racing calls ends consistent', async () => {
    const phone = '79170000003';
    await guestWith(100, phone);
    const created = await t.call('Offline.CreateAuthorizedOrder', createBody(phone, 'P-1'), { transactionId: randomUUID() });
    assert.equal(created.body.order.processingStatus, 'Created');
    const answers = await Promise.all([
      t.call('Offline.ChangeStatus', { order: { ids: { iikoOrderId: 'P-1' } }, orderLinesStatus: 'iikoPaid' }),
      t.call('Offline.ChangeStatus', { order: { ids: { iikoOrderId: 'P-1' } }, orderLinesStatus: 'iikoPaid' }),
      t.call('Offline.Return', { order: { ids: { iikoOrderId: 'P-1' } }, orderLinesStatus: 'iikoReturn' }),
    ]);
    assert.ok(answers.every((answer) => answer.body.status === 'Success' || answer.body.status === 'ValidationError'));
    // whatever the order of the calls, the return leaves the guest where they started
    assert.equal((await balanceOf(phone)).total, 100);
    assert.deepEqual(await ledgerDiscrepancies(t.app.db), []);
  });
});
