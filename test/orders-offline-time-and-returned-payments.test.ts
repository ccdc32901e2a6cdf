// An offline order counts when it was rung up, not when it arrived: its date in the console's list and on the
// dashboard, the rank segments' paid windows and the points' dates follow `order.createdDateTimeUtc` (or
// `executionDateTimeUtc`), with the arrival kept beside it; a time ahead or absurdly old is refused. The money a POS
// gives back with a return (`order.returnedPayments`) is kept with the order's history.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { customerPaidTotal } from '../src/orders/orders.service.ts';
import { createTestApp, type TestApp } from './support/app.ts';

let t: TestApp;
// Wednesday 4 March 2026, 10:00 in Moscow; the sale was on Monday evening
const WEDNESDAY = '2026-03-04T07:00:00Z';
const MONDAY_EVENING = '2026-03-02T17:30:00.000Z';

before(async () => {
  t = await createTestApp({ now: WEDNESDAY });
});
after(async () => {
  await t.close();
});

let phones = 0;
async function guest(): Promise<{ phone: string; id: number }> {
  const phone = `7918${String(++phones).padStart(7, '0')}`;
  const registered = await t.call('Offline.RegisterCustomer', { customer: { mobilePhone: phone } });
  return { phone, id: Number(registered.body.customer.ids.mindboxId) };
}

function offlineOrder(phone: string, orderId: string, times: { created?: string; execution?: string }) {
  return {
    customer: { mobilePhone: phone },
    pointOfContact: 'cafe-1',
    ...(times.execution ? { executionDateTimeUtc: times.execution } : {}),
    order: {
      ids: { iikoOrderId: orderId },
      ...(times.created ? { createdDateTimeUtc: times.created } : {}),
      totalPrice: 1000,
      payments: [{ type: 'cash', amount: 1000 }],
      lines: [{ lineNumber: 1, quantity: 1, basePricePerItem: 1000, product: { ids: { iiko: 'steak' } } }],
    },
  };
}

async function orderNamed(orderId: string) {
  const row = await t.app.db
    .selectFrom('order_identifiers')
    .select('order_id')
    .where('field', '=', 'iikoOrderId')
    .where('value', '=', orderId)
    .executeTakeFirstOrThrow();
  return (await t.admin('GET', `/api/admin/orders/${row.order_id}`)).body;
}

describe("an offline order's own time", () => {
  it('is order.createdDateTimeUtc: the console, the dashboard, the paid windows and the points are Monday, the arrival Wednesday', async () => {
    const anna = await guest();
    const saved = await t.call('Offline.SaveOfflineOrder', offlineOrder(anna.phone, 'OT-1', { created: '2026-03-02 17:30:00.000' }));
    assert.equal(saved.body.order?.processingStatus, 'Created', JSON.stringify(saved.body));

    const order = await orderNamed('OT-1');
    assert.equal(order.executedAt, MONDAY_EVENING);
    assert.equal(order.receivedAt, '2026-03-04T07:00:00.000Z');
    assert.equal(order.lines[0].paidAt, MONDAY_EVENING);

    const monday = await t.admin('GET', '/api/admin/orders?from=2026-03-02&to=2026-03-02');
    const listed = monday.body.items.find((item: any) => item.ids.iikoOrderId === 'OT-1');
    assert.ok(listed, JSON.stringify(monday.body));
    assert.deepEqual([listed.executedAt, listed.receivedAt], [MONDAY_EVENING, '2026-03-04T07:00:00.000Z']);
    assert.equal((await t.admin('GET', '/api/admin/orders?from=2026-03-04&to=2026-03-04')).body.items.length, 0);

    const dashboard = await t.admin('GET', '/api/admin/dashboard?from=2026-03-02&to=2026-03-04');
    const perDay = Object.fromEntries(dashboard.body.orders.perDay.map((day: any) => [day.day, day.orders]));
    assert.deepEqual(perDay, { '2026-03-02': 1, '2026-03-03': 0, '2026-03-04': 0 });

    // rank segments read what a guest paid in a window by the lines' payment time
    assert.equal(await customerPaidTotal(t.app.db, anna.id, new Date('2026-03-02T00:00:00Z'), new Date('2026-03-03T00:00:00Z')), 100_000);
    assert.equal(await customerPaidTotal(t.app.db, anna.id, new Date('2026-03-03T00:00:00Z'), new Date('2026-03-05T00:00:00Z')), 0);

    // the points were earned on Monday: active from then, expiring a year after it
    const ledger = await t.admin('GET', `/api/admin/customers/${anna.id}/ledger`);
    assert.equal(ledger.body.items[0].activeFrom, MONDAY_EVENING);
    assert.equal(ledger.body.items[0].expiresAt, '2027-03-02T17:30:00.000Z');
  });

  it('is executionDateTimeUtc when the order gives no time of its own; the order\'s own time wins when both are given', async () => {
    const boris = await guest();
    await t.call('Offline.SaveOfflineOrder', offlineOrder(boris.phone, 'OT-2', { execution: '2026-03-02T17:30:00Z' }));
    assert.equal((await orderNamed('OT-2')).executedAt, MONDAY_EVENING);
    // a client may set the execution time to when it sent its queue
    await t.call('Offline.SaveOfflineOrder', offlineOrder(boris.phone, 'OT-3', { created: '2026-03-02T17:30:00Z', execution: '2026-03-04T06:59:00Z' }));
    assert.equal((await orderNamed('OT-3')).executedAt, MONDAY_EVENING);
    // with no time at all the order is recorded when it arrives
    await t.call('Offline.SaveOfflineOrder', offlineOrder(boris.phone, 'OT-4', {}));
    const now = await orderNamed('OT-4');
    assert.deepEqual([now.executedAt, now.receivedAt], ['2026-03-04T07:00:00.000Z', '2026-03-04T07:00:00.000Z']);
  });

  it('keeps orders created online without an arrival time: their creation is their arrival', async () => {
    const created = await t.call('Offline.CreateAnonymousOrder', {
      order: { ids: { iikoOrderId: 'OT-5' }, totalPrice: 1000, lines: [{ lineNumber: 1, quantity: 1, basePricePerItem: 1000, product: { ids: { iiko: 'steak' } } }] },
    }, { transactionId: randomUUID() });
    assert.equal(created.body.order?.processingStatus, 'Created');
    const order = await orderNamed('OT-5');
    assert.deepEqual([order.executedAt, order.receivedAt], ['2026-03-04T07:00:00.000Z', null]);
  });

  it('refuses a time ahead of the clock, one more than a year ago and one that is not a time, at its location, saving nothing', async () => {
    const vera = await guest();
    const cases: [{ created?: string; execution?: string }, string, RegExp][] = [
      [{ created: '2026-03-04T07:02:00Z' }, '/order/createdDateTimeUtc', /in the future/],
      [{ created: '2000-01-01T00:00:00Z' }, '/order/createdDateTimeUtc', /more than 365 days ago; check the clock of the POS/],
      [{ execution: '1970-01-01 00:00:00' }, '/executionDateTimeUtc', /more than 365 days ago/],
      [{ created: 'понедельник' }, '/order/createdDateTimeUtc', /is a UTC date and time/],
    ];
    for (const [times, location, message] of cases) {
      const answer = await t.call('Offline.SaveOfflineOrder', offlineOrder(vera.phone, `OT-R-${location.length}-${Object.values(times)[0]}`, times));
      assert.equal(answer.body.status, 'ValidationError', JSON.stringify(answer.body));
      assert.equal(answer.body.validationMessages[0].location, location);
      assert.match(answer.body.validationMessages[0].message, message);
    }
    // a minute of clock skew is allowed
    const skewed = await t.call('Offline.SaveOfflineOrder', offlineOrder(vera.phone, 'OT-6', { created: '2026-03-04T07:00:50Z' }));
    assert.equal(skewed.body.order?.processingStatus, 'Created', JSON.stringify(skewed.body));
    const rows = await t.app.db.selectFrom('order_identifiers').select('value').where('value', 'like', 'OT-R-%').execute();
    assert.deepEqual(rows, []);
  });
});

describe('returned payments', () => {
  async function paidOrder(orderId: string) {
    const created = await t.call('Offline.CreateAnonymousOrder', {
      order: {
        ids: { iikoOrderId: orderId },
        totalPrice: 1500,
        lines: [
          { lineNumber: 1, quantity: 1, basePricePerItem: 1000, product: { ids: { iiko: 'steak' } } },
          { lineNumber: 2, quantity: 2, basePricePerItem: 250, product: { ids: { iiko: 'lemonade' } } },
        ],
      },
    }, { transactionId: randomUUID() });
    assert.equal(created.body.order?.processingStatus, 'Created');
    const paid = await t.call('Offline.ChangeStatus', { order: { ids: { iikoOrderId: orderId } }, orderLinesStatus: 'iikoPaid' });
    assert.equal(paid.body.status, 'Success');
  }

  it('are kept with the return that gave the money back and shown in the order, each with its type, amount and call', async () => {
    await paidOrder('RP-1');
    const transactionId = randomUUID();
    const returned = await t.call(
      'Offline.Return',
      {
        executionDateTimeUtc: '2026-03-04T06:30:00Z',
        order: {
          ids: { iikoOrderId: 'RP-1' },
          lines: [{ lineNumber: 2, quantity: 1, status: 'iikoReturn' }],
          returnedPayments: [{ type: 'card', amount: 200 }, { type: 'cash', amount: '50.50' }],
        },
      },
      { transactionId },
    );
    assert.equal(returned.body.status, 'Success', JSON.stringify(returned.body));
    const order = await orderNamed('RP-1');
    assert.deepEqual(order.returnedPayments, [
      { type: 'card', amount: 200, operation: 'Offline.Return', transactionId, at: '2026-03-04T06:30:00.000Z' },
      { type: 'cash', amount: 50.5, operation: 'Offline.Return', transactionId, at: '2026-03-04T06:30:00.000Z' },
    ]);
    // the return of the whole order through a status change keeps its own
    const rest = await t.call('Offline.ChangeStatus', {
      order: { ids: { iikoOrderId: 'RP-1' }, returnedPayments: [{ type: 'card', amount: 1250 }] },
      orderLinesStatus: 'iikoReturn',
    });
    assert.equal(rest.body.status, 'Success', JSON.stringify(rest.body));
    const after = await orderNamed('RP-1');
    assert.deepEqual(after.returnedPayments.map((payment: any) => [payment.type, payment.amount, payment.operation]), [
      ['card', 200, 'Offline.Return'],
      ['cash', 50.5, 'Offline.Return'],
      ['card', 1250, 'Offline.ChangeStatus'],
    ]);
  });

  it('are read from XML, one payment alone in its wrapper', async () => {
    await paidOrder('RP-2');
    const xml =
      '<operation><order><ids><iikoOrderId>RP-2</iikoOrderId></ids><lines><line><lineNumber>1</lineNumber><quantity>1</quantity>' +
      '<status>iikoReturn</status></line></lines><returnedPayments><returnedPayment><type>cash</type><amount>1000</amount></returnedPayment>' +
      '</returnedPayments></order></operation>';
    const answer = await t.call('Offline.Return', xml, { format: 'xml' });
    assert.match(answer.text, /<status>Success<\/status>/);
    assert.deepEqual((await orderNamed('RP-2')).returnedPayments.map((payment: any) => [payment.type, payment.amount]), [['cash', 1000]]);
  });

  it('are refused at their location when malformed, and a refused return keeps none', async () => {
    await paidOrder('RP-3');
    const bad = await t.call('Offline.Return', {
      order: { ids: { iikoOrderId: 'RP-3' }, orderLinesStatus: 'iikoReturn', returnedPayments: [{ amount: 100 }, { type: 'card', amount: -5 }] },
    });
    assert.equal(bad.body.status, 'ValidationError');
    assert.deepEqual(bad.body.validationMessages.map((message: any) => message.location), ['/order/returnedPayments/0/type', '/order/returnedPayments/1/amount']);
    const refused = await t.call('Offline.Return', {
      order: { ids: { iikoOrderId: 'RP-3' }, lines: [{ lineNumber: 2, quantity: 5, status: 'iikoReturn' }], returnedPayments: [{ type: 'card', amount: 1250 }] },
    });
    assert.equal(refused.body.status, 'ValidationError');
    assert.deepEqual((await orderNamed('RP-3')).returnedPayments, []);
  });
});
