// A create whose answer the POS lost: the server saved it (points spent), the POS sold at full price without
// points and queued the same sale as an offline order. The offline order must end as what the cashier charged,
// whichever of the two arrives first, with no points doubled, while a true duplicate stays AlreadyExists.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { ledgerDiscrepancies } from '../src/loyalty/ledger.repository.ts';
import { createTestApp, type TestApp } from './support/app.ts';

let t: TestApp;
let phoneCounter = 0;
let orderCounter = 0;

const nextPhone = () => `7917${String(++phoneCounter).padStart(7, '0')}`;
const nextOrderId = () => `LOST-${++orderCounter}`;

// 390 + 590 + 2 × 250 = 1 480 ₽: 5 % earned on what is paid in money
const BILL = [
  { id: 'borscht', price: 390, quantity: 1 },
  { id: 'carbonara', price: 590, quantity: 1 },
  { id: 'cappuccino', price: 250, quantity: 2 },
];

function lines(status: string) {
  return BILL.map((dish, index) => ({
    lineNumber: index + 1,
    quantity: dish.quantity,
    basePricePerItem: dish.price,
    product: { ids: { iiko: dish.id } },
    status: { ids: { externalId: status } },
  }));
}

async function registerGuest(bonus: number): Promise<{ phone: string; id: number }> {
  const phone = nextPhone();
  const answer = await t.call('Offline.RegisterCustomer', { customer: { mobilePhone: phone, firstName: 'Вера' } });
  assert.equal(answer.body.status, 'Success', JSON.stringify(answer.body));
  const id = Number(answer.body.customer.ids.mindboxId);
  if (bonus > 0) {
    const adjusted = await t.admin('POST', `/api/admin/customers/${id}/adjustments`, { balanceType: 'Bonus', amount: bonus, reason: 'Стартовые баллы' });
    assert.equal(adjusted.httpStatus, 200, JSON.stringify(adjusted.body));
  }
  return { phone, id };
}

/** The create the POS sent before its answer was lost: 400 points pay part of the 1 480 ₽ bill. */
function createAuthorized(phone: string, orderId: string) {
  return t.call(
    'Offline.CreateAuthorizedOrder',
    { customer: { mobilePhone: phone }, order: { ids: { iikoOrderId: orderId }, totalPrice: 1080, bonusPoints: [{ amount: 400 }], lines: lines('iikoCheckedOut') } },
    { transactionId: randomUUID() },
  );
}

/** What the POS queued for the same sale: full price, paid, no points. */
function offlineBody(orderId: string, customer: Record<string, unknown> | null) {
  return {
    ...(customer ? { customer } : {}),
    executionDateTimeUtc: '2026-03-02 09:29:50.000',
    order: { ids: { iikoOrderId: orderId }, totalPrice: 1480, lines: lines('iikoPaid') },
  };
}

function saveOffline(body: object) {
  return t.call('Offline.SaveOfflineOrder', body, { transactionId: randomUUID() });
}

async function balanceOf(phone: string): Promise<number> {
  const answer = await t.call('Offline.CheckCustomer', { customer: { mobilePhone: phone } });
  assert.equal(answer.body.customer?.processingStatus, 'Found', JSON.stringify(answer.body));
  return answer.body.balances[0].total;
}

async function ledgerOf(customerId: number): Promise<Array<{ kind: string; amount: number; reason: string }>> {
  const answer = await t.admin('GET', `/api/admin/customers/${customerId}/ledger`);
  return answer.body.items.reverse();
}

before(async () => {
  t = await createTestApp({ now: '2026-03-02T09:30:00Z' });
});
after(async () => {
  await t.close();
});

describe('a create whose answer was lost, then the offline order of the same sale', () => {
  it('becomes the offline order: spent points back with a reason, full price, paid, earned by the offline rules, once', async () => {
    const guest = await registerGuest(1000);
    const orderId = nextOrderId();
    const created = await createAuthorized(guest.phone, orderId);
    assert.equal(created.body.order?.processingStatus, 'Created', JSON.stringify(created.body));
    assert.equal(await balanceOf(guest.phone), 600);

    const body = offlineBody(orderId, { mobilePhone: guest.phone });
    const transactionId = randomUUID();
    const saved = await t.call('Offline.SaveOfflineOrder', body, { transactionId });
    assert.equal(saved.body.status, 'Success', JSON.stringify(saved.body));
    assert.equal(saved.body.order.processingStatus, 'Updated');
    assert.equal(saved.body.order.ids.iikoOrderId, orderId);
    const mindboxId = saved.body.order.ids.mindboxId;
    assert.equal(mindboxId, created.body.order.ids.mindboxId);
    assert.equal(await balanceOf(guest.phone), 1000 + 74);

    const details = (await t.admin('GET', `/api/admin/orders/${mindboxId}`)).body;
    assert.equal(details.kind, 'offline');
    assert.equal(details.totalPrice, 1480);
    assert.equal(details.discountTotal, 0);
    assert.equal(details.executedAt, '2026-03-02T09:29:50.000Z');
    assert.deepEqual(
      details.lines.map((line: any) => [line.lineNumber, line.status, line.discountedPriceOfLine, line.pointsSpentNow, line.paidAt]),
      [
        [1, 'iikoPaid', 390, 0, '2026-03-02T09:29:50.000Z'],
        [2, 'iikoPaid', 590, 0, '2026-03-02T09:29:50.000Z'],
        [3, 'iikoPaid', 500, 0, '2026-03-02T09:29:50.000Z'],
      ],
    );
    assert.equal(details.lines.reduce((sum: number, line: any) => sum + line.pointsEarnedNow, 0), 74);
    assert.deepEqual(
      details.history.filter((entry: any) => entry.lineNumber === 1).map((entry: any) => [entry.status, entry.operation]),
      [['iikoCheckedOut', 'Offline.CreateAuthorizedOrder'], ['iikoPaid', 'Offline.SaveOfflineOrder']],
    );

    const ledger = await ledgerOf(guest.id);
    assert.deepEqual(ledger.map((item) => [item.kind, item.amount]), [['adjustment', 1000], ['spend', -400], ['spendRefund', 400], ['accrual', 74]]);
    assert.match(ledger[2].reason, new RegExp(`касса не получила ответ и провела заказ ${orderId} без баллов`));
    assert.match(ledger[3].reason, new RegExp(`Начислено за заказ ${orderId}`));

    // the queue repeats the delivery: same transactionId, then (say, a re-queued copy) a fresh one
    assert.equal((await t.call('Offline.SaveOfflineOrder', body, { transactionId })).body.status, 'TransactionAlreadyProcessed');
    const again = await saveOffline(body);
    assert.equal(again.body.order.processingStatus, 'AlreadyExists', JSON.stringify(again.body));
    // a create of the same sale arriving late changes nothing either
    const late = await createAuthorized(guest.phone, orderId);
    assert.equal(late.body.status, 'ValidationError', JSON.stringify(late.body));
    assert.equal(late.body.validationMessages[0].location, '/order/ids');
    assert.equal(await balanceOf(guest.phone), 1074);
    assert.equal((await ledgerOf(guest.id)).length, 4);
    assert.deepEqual(await ledgerDiscrepancies(t.app.db), []);
  });

  it('the offline order first, the create after it: the create is refused and nothing is spent', async () => {
    const guest = await registerGuest(1000);
    const orderId = nextOrderId();
    const saved = await saveOffline(offlineBody(orderId, { mobilePhone: guest.phone }));
    assert.equal(saved.body.order.processingStatus, 'Created', JSON.stringify(saved.body));
    const created = await createAuthorized(guest.phone, orderId);
    assert.equal(created.body.status, 'ValidationError', JSON.stringify(created.body));
    assert.equal(await balanceOf(guest.phone), 1074);
    assert.deepEqual((await ledgerOf(guest.id)).map((item) => item.kind), ['adjustment', 'accrual']);
  });

  it('an anonymous create and the offline order without a guest', async () => {
    const orderId = nextOrderId();
    const created = await t.call(
      'Offline.CreateAnonymousOrder',
      { order: { ids: { iikoOrderId: orderId }, totalPrice: 1480, lines: lines('iikoCheckedOut') } },
      { transactionId: randomUUID() },
    );
    assert.equal(created.body.order?.processingStatus, 'Created', JSON.stringify(created.body));
    const saved = await saveOffline(offlineBody(orderId, null));
    assert.equal(saved.body.order.processingStatus, 'Updated', JSON.stringify(saved.body));
    const details = (await t.admin('GET', `/api/admin/orders/${saved.body.order.ids.mindboxId}`)).body;
    assert.equal(details.kind, 'offline');
    assert.deepEqual(details.lines.map((line: any) => line.status), ['iikoPaid', 'iikoPaid', 'iikoPaid']);
  });

  it("the guest's phone changed between the create and the offline order: settled for the create's guest", async () => {
    const guest = await registerGuest(1000);
    const orderId = nextOrderId();
    await createAuthorized(guest.phone, orderId);
    const newPhone = nextPhone();
    // (an edit on another till, confirmed)
    await t.app.db.updateTable('customers').set({ mobile_phone: newPhone }).where('id', '=', guest.id).execute();
    const saved = await saveOffline(offlineBody(orderId, { mobilePhone: guest.phone }));
    assert.equal(saved.body.order.processingStatus, 'Updated', JSON.stringify(saved.body));
    assert.equal(await balanceOf(newPhone), 1074);
  });

  it('keeps AlreadyExists for a true duplicate: a paid order, an order of another guest or another integration point', async () => {
    const guest = await registerGuest(2000);
    const paidId = nextOrderId();
    await createAuthorized(guest.phone, paidId);
    const paid = await t.call('Offline.ChangeStatus', { order: { ids: { iikoOrderId: paidId } }, orderLinesStatus: 'iikoPaid' });
    assert.equal(paid.body.status, 'Success', JSON.stringify(paid.body));
    assert.equal(await balanceOf(guest.phone), 1600 + 54);
    assert.equal((await saveOffline(offlineBody(paidId, { mobilePhone: guest.phone }))).body.order.processingStatus, 'AlreadyExists');

    const otherGuest = await registerGuest(0);
    const othersId = nextOrderId();
    await createAuthorized(guest.phone, othersId);
    assert.equal((await saveOffline(offlineBody(othersId, { mobilePhone: otherGuest.phone }))).body.order.processingStatus, 'AlreadyExists');
    assert.equal((await saveOffline(offlineBody(othersId, null))).body.order.processingStatus, 'AlreadyExists');

    const elsewhereId = nextOrderId();
    const elsewhere = await createAuthorized(guest.phone, elsewhereId);
    await t.app.db.updateTable('orders').set({ integration_point: 'website' }).where('id', '=', elsewhere.body.order.ids.mindboxId).execute();
    assert.equal((await saveOffline(offlineBody(elsewhereId, { mobilePhone: guest.phone }))).body.order.processingStatus, 'AlreadyExists');

    assert.equal(await balanceOf(guest.phone), 1600 + 54 - 400 - 400);
    assert.equal(await balanceOf(otherGuest.phone), 0);
    assert.deepEqual(await ledgerDiscrepancies(t.app.db), []);
  });

  it('the create and the offline order of one sale arriving at the same time: whichever wins, the guest ends with full price and the offline accrual', async () => {
    const guests = await Promise.all(Array.from({ length: 6 }, () => registerGuest(1000)));
    await Promise.all(
      guests.map(async (guest, index) => {
        const orderId = nextOrderId();
        const body = offlineBody(orderId, { mobilePhone: guest.phone });
        // alternate which request is sent first
        const calls = index % 2 === 0 ? [createAuthorized(guest.phone, orderId), saveOffline(body)] : [saveOffline(body), createAuthorized(guest.phone, orderId)];
        await Promise.all(calls);
        assert.equal(await balanceOf(guest.phone), 1074, `guest ${index}`);
        const ledger = await ledgerOf(guest.id);
        assert.equal(ledger.filter((item) => item.kind === 'accrual').length, 1);
        assert.equal(ledger.reduce((sum, item) => sum + item.amount, 0), 1074);
      }),
    );
    assert.deepEqual(await ledgerDiscrepancies(t.app.db), []);
  });
});
