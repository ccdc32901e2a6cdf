// Orders created without a transactionId, as older Mindbox clients send them (decision 0017): the order's own
// ids keep a repeat from spending twice, sync, async and in XML; a create naming no order at all is refused;
// a transactionId keeps working exactly as before.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { ledgerDiscrepancies } from '../src/loyalty/ledger.repository.ts';
import { createTestApp, type TestApp } from './support/app.ts';

let t: TestApp;
let phoneCounter = 0;

before(async () => {
  t = await createTestApp({ now: '2026-03-02T09:30:00Z' });
});
after(async () => {
  await t.close();
});

async function guestWith(points: number): Promise<{ phone: string; id: number }> {
  const phone = `7917${String(++phoneCounter).padStart(7, '0')}`;
  const registered = await t.call('Offline.RegisterCustomer', { customer: { mobilePhone: phone } });
  const id = Number(registered.body.customer.ids.mindboxId);
  if (points === 0) return { phone, id };
  const adjusted = await t.admin('POST', `/api/admin/customers/${id}/adjustments`, { balanceType: 'Bonus', amount: points, reason: 'Баллы для проверки' });
  assert.equal(adjusted.httpStatus, 200);
  return { phone, id };
}

/** 390 ₽ of soup and 250 ₽ of coffee, 100 points asked: the POS charges 540 ₽. */
function createBody(phone: string, ids: Record<string, unknown>) {
  return {
    customer: { mobilePhone: phone },
    pointOfContact: 'cafe-1',
    order: {
      ids,
      totalPrice: 540,
      bonusPoints: [{ amount: 100 }],
      lines: [
        { lineNumber: 1, quantity: 1, basePricePerItem: 390, product: { ids: { iiko: 'borscht' } } },
        { lineNumber: 2, quantity: 1, basePricePerItem: 250, product: { ids: { iiko: 'cappuccino' } } },
      ],
    },
  };
}

async function balanceOf(phone: string) {
  const answer = await t.call('Offline.CheckCustomer', { customer: { mobilePhone: phone } });
  return answer.body.balances[0];
}

async function ordersNamed(orderId: string): Promise<number> {
  const rows = await t.app.db.selectFrom('order_identifiers').select('order_id').where('field', '=', 'iikoOrderId').where('value', '=', orderId).execute();
  return rows.length;
}

async function lastLogEntry(operation: string) {
  return t.app.db.selectFrom('operation_log').selectAll().where('operation', '=', operation).orderBy('id', 'desc').executeTakeFirstOrThrow();
}

describe('creating an order without a transactionId', () => {
  it('creates the order, and the same order sent again updates it and spends nothing more', async () => {
    const guest = await guestWith(500);
    const created = await t.call('Offline.CreateAuthorizedOrder', createBody(guest.phone, { iikoOrderId: 'NT-1' }));
    assert.equal(created.httpStatus, 200);
    assert.equal(created.body.order?.processingStatus, 'Created', JSON.stringify(created.body));
    assert.equal(created.body.order.bonusPointsChanges[0].spentAmount, 100);
    assert.equal((await balanceOf(guest.phone)).available, 400);

    const again = await t.call('Offline.CreateAuthorizedOrder', createBody(guest.phone, { iikoOrderId: 'NT-1' }));
    assert.equal(again.body.order?.processingStatus, 'Updated', JSON.stringify(again.body));
    assert.equal(again.body.order.ids.mindboxId, created.body.order.ids.mindboxId);
    // the answer shows what the order spends, the same 100 points, and the balance did not move
    assert.equal(again.body.order.bonusPointsChanges[0].spentAmount, 100);
    assert.equal((await balanceOf(guest.phone)).available, 400);
    assert.equal(await ordersNamed('NT-1'), 1);
    assert.match(JSON.stringify((await lastLogEntry('Offline.CreateAuthorizedOrder')).notes), /no transactionId: order NT-1 is known by its ids/);
    assert.deepEqual(await ledgerDiscrepancies(t.app.db), []);
  });

  it('names the order by mindboxId alone, as a POS that kept the answer of the first create does', async () => {
    const guest = await guestWith(300);
    const created = await t.call('Offline.CreateAuthorizedOrder', createBody(guest.phone, { iikoOrderId: 'NT-2' }), { transactionId: randomUUID() });
    const mindboxId = created.body.order.ids.mindboxId;
    const again = await t.call('Offline.CreateAuthorizedOrder', createBody(guest.phone, { mindboxId }));
    assert.equal(again.body.order?.processingStatus, 'Updated', JSON.stringify(again.body));
    assert.equal((await balanceOf(guest.phone)).available, 200);
  });

  it('refuses a create that names no order, authorized or anonymous, and saves nothing', async () => {
    const guest = await guestWith(300);
    for (const [operation, body] of [
      ['Offline.CreateAuthorizedOrder', createBody(guest.phone, {})],
      ['Offline.CreateAnonymousOrder', { order: { totalPrice: 390, lines: [{ lineNumber: 1, quantity: 1, basePricePerItem: 390, product: { ids: { iiko: 'borscht' } } }] } }],
    ] as const) {
      const answer = await t.call(operation, body);
      assert.equal(answer.httpStatus, 200);
      assert.equal(answer.body.status, 'ValidationError', JSON.stringify(answer.body));
      assert.equal(answer.body.validationMessages[0].location, '/order/ids');
      assert.match(answer.body.validationMessages[0].message, /iikoOrderId.*transactionId/);
    }
    assert.equal((await balanceOf(guest.phone)).available, 300);
    // with a transactionId an order without ids is created as before: the key makes a repeat harmless
    const keyed = await t.call('Offline.CreateAuthorizedOrder', createBody(guest.phone, {}), { transactionId: randomUUID() });
    assert.equal(keyed.body.order?.processingStatus, 'Created', JSON.stringify(keyed.body));
  });

  it('keeps transactionId idempotency as it was: a replay is TransactionAlreadyProcessed, a new key on the same ids updates', async () => {
    const guest = await guestWith(500);
    const transactionId = randomUUID();
    const created = await t.call('Offline.CreateAuthorizedOrder', createBody(guest.phone, { iikoOrderId: 'NT-3' }), { transactionId });
    assert.equal(created.body.order?.processingStatus, 'Created');
    const replay = await t.call('Offline.CreateAuthorizedOrder', createBody(guest.phone, { iikoOrderId: 'NT-3' }), { transactionId });
    assert.deepEqual(replay.body, { status: 'TransactionAlreadyProcessed' });
    const updated = await t.call('Offline.CreateAuthorizedOrder', createBody(guest.phone, { iikoOrderId: 'NT-3' }), { transactionId: randomUUID() });
    assert.equal(updated.body.order?.processingStatus, 'Updated');
    assert.equal((await balanceOf(guest.phone)).available, 400);
    assert.doesNotMatch(JSON.stringify((await lastLogEntry('Offline.CreateAuthorizedOrder')).notes), /no transactionId/);
  });

  it('goes through the async endpoint end to end: accepted, created by the worker, a repeat spends nothing more', async () => {
    const guest = await guestWith(500);
    const accepted = await t.call('Offline.CreateAuthorizedOrder', createBody(guest.phone, { iikoOrderId: 'NT-4' }), { mode: 'async' });
    assert.deepEqual(accepted.body, { status: 'Success' });
    await t.drain();
    const run = await lastLogEntry('Offline.CreateAuthorizedOrder');
    assert.equal(run.mode, 'async');
    assert.equal(run.status, 'Success', JSON.stringify(run.response));
    assert.equal(await ordersNamed('NT-4'), 1);
    assert.equal((await balanceOf(guest.phone)).available, 400);

    const repeated = await t.call('Offline.CreateAuthorizedOrder', createBody(guest.phone, { iikoOrderId: 'NT-4' }), { mode: 'async' });
    assert.deepEqual(repeated.body, { status: 'Success' });
    await t.drain();
    assert.equal((await lastLogEntry('Offline.CreateAuthorizedOrder')).status, 'Success');
    assert.equal(await ordersNamed('NT-4'), 1);
    assert.equal((await balanceOf(guest.phone)).available, 400);
    const calls = await t.app.db.selectFrom('async_operations').select('status').where('operation', '=', 'Offline.CreateAuthorizedOrder').execute();
    assert.deepEqual(calls.map((call) => call.status), ['done', 'done']);
    assert.deepEqual(await ledgerDiscrepancies(t.app.db), []);
  });

  it('takes an XML create without a transactionId', async () => {
    const guest = await guestWith(0);
    const xml =
      `<operation><customer><mobilePhone>${guest.phone}</mobilePhone></customer><order><ids><iikoOrderId>NT-5</iikoOrderId></ids>` +
      '<totalPrice>390</totalPrice><lines><line><lineNumber>1</lineNumber><quantity>1</quantity><basePricePerItem>390</basePricePerItem>' +
      '<product><ids><iiko>borscht</iiko></ids></product></line></lines></order></operation>';
    const created = await t.call('Offline.CreateAuthorizedOrder', xml, { format: 'xml' });
    assert.match(created.text, /<processingStatus>Created<\/processingStatus>/);
    const again = await t.call('Offline.CreateAuthorizedOrder', xml, { format: 'xml' });
    assert.match(again.text, /<order><processingStatus>Updated<\/processingStatus>/);
    assert.equal(await ordersNamed('NT-5'), 1);
  });
});
