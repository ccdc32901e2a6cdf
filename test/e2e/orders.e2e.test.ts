// The iiko cashier flow against the real server process, over HTTP as the POS plugin sends it: a guest
// registers, earns on a first bill, pays part of the next bill with points, the bill is paid and partly
// returned; anonymous bills; a balance that changed between preorder and create; an offline bill sent
// twice; status changes the POS must not make.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { createTestDatabase, testDatabaseUrl, type TestDatabase } from '../support/db.ts';
import { freshDataDir, startServerProcess, type ServerProcess } from '../support/process.ts';

const SECRET_KEY = 'e2e-orders-secret-key-0123456789';
const ADMIN_TOKEN = 'e2e-orders-admin-token-0123456789';

let server: ServerProcess;
let database: TestDatabase | null = null;

async function call(operation: string, body: unknown, options: { transactionId?: string } = {}) {
  const query = new URLSearchParams({ endpointId: 'iiko', operation });
  if (options.transactionId) query.set('transactionId', options.transactionId);
  const response = await fetch(`${server.url}/v3/operations/sync?${query}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `SecretKey ${SECRET_KEY}` },
    body: JSON.stringify(body),
  });
  return { httpStatus: response.status, body: (await response.json()) as any };
}

async function admin(method: 'GET' | 'POST', path: string, body?: unknown) {
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { httpStatus: response.status, body: (await response.json()) as any };
}

const MENU = {
  steak: { id: '7a1c-steak', price: 1290 },
  salad: { id: '7a1c-salad', price: 450 },
  lemonade: { id: '7a1c-lemonade', price: 260 },
};

function lines(items: Array<[keyof typeof MENU, number]>) {
  return items.map(([dish, quantity], index) => ({
    lineId: `pos-${index + 1}`,
    lineNumber: index + 1,
    quantity,
    basePricePerItem: MENU[dish].price,
    product: { ids: { iiko: MENU[dish].id } },
  }));
}

async function balance(phone: string) {
  const answer = await call('Offline.CheckCustomer', { customer: { mobilePhone: phone } });
  assert.equal(answer.body.customer.processingStatus, 'Found');
  return answer.body.balances.find((item: any) => item.systemName === 'Bonus');
}

/** What the plugin does at the payment screen: preorder, create with the preorder's total, then pay. */
async function sell(phone: string | null, orderId: string, items: Array<[keyof typeof MENU, number]>, spend = 0) {
  const customer = phone ? { customer: { mobilePhone: phone } } : {};
  const order = { ids: { iikoOrderId: orderId }, lines: lines(items), ...(spend ? { bonusPoints: [{ amount: spend }] } : {}) };
  const preorder = await call(phone ? 'Offline.AuthorizedPreorder' : 'Offline.AnonymousPreorder', { ...customer, pointOfContact: 'resto-1', order });
  assert.equal(preorder.body.status, 'Success', JSON.stringify(preorder.body));
  const created = await call(
    phone ? 'Offline.CreateAuthorizedOrder' : 'Offline.CreateAnonymousOrder',
    { ...customer, pointOfContact: 'resto-1', order: { ...order, totalPrice: preorder.body.order.totalPrice, customFields: { Waiter: 'Пётр' } } },
    { transactionId: randomUUID() },
  );
  assert.equal(created.body.order?.processingStatus, 'Created', JSON.stringify(created.body));
  const paid = await call('Offline.ChangeStatus', { order: { ids: { iikoOrderId: orderId } }, orderLinesStatus: 'iikoPaid' });
  assert.equal(paid.body.status, 'Success', JSON.stringify(paid.body));
  return { preorder: preorder.body, created: created.body };
}

before(async () => {
  let env: Record<string, string>;
  if (testDatabaseUrl) {
    database = await createTestDatabase();
    env = { ...database.env };
  } else {
    env = { REGULARS_DATA_DIR: freshDataDir() };
  }
  server = await startServerProcess({ ...env, REGULARS_SECRET_KEY: SECRET_KEY, REGULARS_ADMIN_TOKEN: ADMIN_TOKEN });
});

after(async () => {
  await server?.stop();
  await database?.close();
});

describe('iiko cashier flow against the server process', () => {
  const phone = '79261112233';
  let guestId: number;

  test('a registered guest earns 5 % on the first bill', async () => {
    const registered = await call('Offline.RegisterCustomer', { customer: { mobilePhone: phone, firstName: 'Мария' } });
    assert.equal(registered.body.customer.processingStatus, 'Created', JSON.stringify(registered.body));
    guestId = Number(registered.body.customer.ids.mindboxId);

    const { preorder } = await sell(phone, 'E2E-1', [['steak', 1], ['salad', 1], ['lemonade', 1]]);
    assert.equal(preorder.order.totalPrice, 2000);
    assert.equal(preorder.order.bonusPointsChanges[0].earnedAmount, 100);
    const after = await balance(phone);
    assert.deepEqual([after.total, after.available, after.blocked], [100, 100, 0]);
    assert.equal(after.nearestExpiration.total, 100);
  });

  test('the next bill is paid partly with points, then part of it is returned', async () => {
    await admin('POST', `/api/admin/customers/${guestId}/adjustments`, { balanceType: 'Bonus', amount: 400, reason: 'Компенсация: долгое ожидание' });
    assert.equal((await balance(phone)).available, 500);

    // 2 lemonades and a steak: 1 810 ₽; points may pay up to 905
    const { preorder, created } = await sell(phone, 'E2E-2', [['steak', 1], ['lemonade', 2]], 600);
    assert.equal(preorder.order.bonusPointsInfo[0].availableAmountForCurrentOrder, 500);
    assert.equal(preorder.order.bonusPointsInfo[0].spentAmountForCurrentOrder, 500);
    assert.equal(preorder.order.totalPrice, 1310);
    assert.equal(created.order.bonusPointsChanges[0].spentAmount, 500);
    // 5 % of the 1 310 ₽ paid in money
    assert.equal(created.order.bonusPointsChanges[0].earnedAmount, 65);
    let now = await balance(phone);
    assert.equal(now.total, 65);

    const returned = await call('Offline.Return', {
      order: { ids: { iikoOrderId: 'E2E-2' }, lines: [{ lineId: 'pos-2', quantity: 1, status: { ids: { externalId: 'iikoReturn' } } }] },
    });
    assert.equal(returned.body.status, 'Success', JSON.stringify(returned.body));
    const order = await admin('GET', `/api/admin/orders/${created.order.ids.mindboxId}`);
    const lemonades = order.body.lines.find((line: any) => line.lineId === 'pos-2');
    const refunded = lemonades.pointsSpent - lemonades.pointsSpentNow;
    const reversed = lemonades.pointsEarned - lemonades.pointsEarnedNow;
    assert.equal(refunded * 2, lemonades.pointsSpent);
    now = await balance(phone);
    assert.equal(now.total, 65 + refunded - reversed);

    const ledger = await admin('GET', `/api/admin/customers/${guestId}/ledger`);
    assert.equal(ledger.httpStatus, 200);
    assert.equal(ledger.body.items[0].balanceAfter, now.total);
    assert.ok(ledger.body.items.some((item: any) => item.reason === 'Компенсация: долгое ожидание' && item.source === 'admin'));
    assert.ok(ledger.body.items.some((item: any) => item.kind === 'spendRefund' && item.reason.includes('E2E-2')));
  });

  test('a balance that changed between preorder and create answers PriceHasBeenChanged; the recalculated bill goes through', async () => {
    await admin('POST', `/api/admin/customers/${guestId}/adjustments`, { balanceType: 'Bonus', amount: 300, reason: 'Подарок ко дню рождения' });
    const available = (await balance(phone)).available;
    const order = { ids: { iikoOrderId: 'E2E-3' }, lines: lines([['steak', 1]]), bonusPoints: [{ amount: available }] };
    const preorder = await call('Offline.AuthorizedPreorder', { customer: { mobilePhone: phone }, order });
    assert.equal(preorder.body.order.bonusPointsInfo[0].spentAmountForCurrentOrder, available);

    await admin('POST', `/api/admin/customers/${guestId}/adjustments`, { balanceType: 'Bonus', amount: -200, reason: 'Ошибочное начисление' });
    const transactionId = randomUUID();
    const stale = await call('Offline.CreateAuthorizedOrder', { customer: { mobilePhone: phone }, order: { ...order, totalPrice: preorder.body.order.totalPrice } }, { transactionId });
    assert.equal(stale.body.order.processingStatus, 'PriceHasBeenChanged');
    assert.ok(stale.body.order.statusDescription.length > 0);
    assert.equal((await balance(phone)).available, available - 200);

    const fresh = await call('Offline.CreateAuthorizedOrder', { customer: { mobilePhone: phone }, order: { ...order, totalPrice: stale.body.order.totalPrice } }, { transactionId });
    assert.equal(fresh.body.order.processingStatus, 'Created', JSON.stringify(fresh.body));
    assert.equal((await balance(phone)).available, 0);
  });

  test('anonymous bills are calculated and saved without points', async () => {
    const { preorder, created } = await sell(null, 'E2E-ANON-1', [['salad', 2]]);
    assert.equal(preorder.order.totalPrice, 900);
    assert.equal(preorder.order.bonusPointsInfo, undefined);
    assert.equal(created.customer, undefined);
    const order = await admin('GET', `/api/admin/orders/${created.order.ids.mindboxId}`);
    assert.equal(order.body.kind, 'anonymous');
    assert.deepEqual(order.body.lines.map((line: any) => line.status), ['iikoPaid']);
  });

  test('an offline bill sent twice is saved once and earns once', async () => {
    const before = (await balance(phone)).total;
    const body = {
      customer: { mobilePhone: phone },
      pointOfContact: 'resto-1',
      executionDateTimeUtc: new Date(Date.now() - 3_600_000).toISOString(),
      order: { ids: { iikoOrderId: 'E2E-OFF-1' }, totalPrice: 1290, payments: [{ type: 'cash', amount: 1290 }], lines: lines([['steak', 1]]) },
    };
    const first = await call('Offline.SaveOfflineOrder', body);
    assert.equal(first.body.status, 'Success', JSON.stringify(first.body));
    const second = await call('Offline.SaveOfflineOrder', body);
    assert.equal(second.body.status, 'Success');
    assert.equal((await balance(phone)).total, before + 64);
  });

  test('status changes the POS must not make are refused', async () => {
    const unknownStatus = await call('Offline.ChangeStatus', { order: { ids: { iikoOrderId: 'E2E-1' } }, orderLinesStatus: 'iikoLost' });
    assert.equal(unknownStatus.body.status, 'ValidationError');
    const tooMany = await call('Offline.Return', { order: { ids: { iikoOrderId: 'E2E-1' }, lines: [{ lineNumber: 1, quantity: 2, status: 'iikoReturn' }] } });
    assert.equal(tooMany.body.status, 'ValidationError');
    assert.equal(tooMany.body.validationMessages[0].location, '/order/lines/0/quantity');
    const whole = await call('Offline.Return', { order: { ids: { iikoOrderId: 'E2E-1' } }, orderLinesStatus: 'iikoReturn' });
    assert.equal(whole.body.status, 'Success');
    const payReturned = await call('Offline.ChangeStatus', { order: { ids: { iikoOrderId: 'E2E-1' }, lines: [{ lineNumber: 1, status: 'iikoPaid' }] } });
    assert.equal(payReturned.body.status, 'ValidationError');
    const unknownOrder = await call('Offline.ChangeStatus', { order: { ids: { iikoOrderId: 'E2E-404' } }, orderLinesStatus: 'iikoPaid' });
    assert.equal(unknownOrder.httpStatus, 400);
    assert.equal(unknownOrder.body.status, 'ProtocolError');
  });
});
