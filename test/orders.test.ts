// The order lifecycle through the protocol on a fresh database with the iiko preset: preorder, create,
// pay, return, anonymous and offline orders, coupons, the ledger behind every balance.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { applyProject } from '../src/project/project.service.ts';
import { iikoPreset } from '../src/project/presets/iiko.ts';
import { setCustomerCustomField } from '../src/customers/customers.service.ts';
import { ledgerDiscrepancies } from '../src/loyalty/ledger.repository.ts';
import { createTestApp, type TestApp } from './support/app.ts';

let t: TestApp;
let phoneCounter = 0;
let orderCounter = 0;

const nextPhone = () => `7916${String(++phoneCounter).padStart(7, '0')}`;
const nextOrderId = () => `T-${++orderCounter}`;

interface Dish {
  id: string;
  price: number;
  quantity?: number;
}

function lines(dishes: Dish[], status?: string) {
  return dishes.map((dish, index) => ({
    lineNumber: index + 1,
    lineId: `L${index + 1}`,
    quantity: dish.quantity ?? 1,
    basePricePerItem: dish.price,
    product: { ids: { iiko: dish.id } },
    ...(status ? { status: { ids: { externalId: status } } } : {}),
  }));
}

const SOUP = { id: 'borscht', price: 390 };
const PASTA = { id: 'carbonara', price: 590 };
const COFFEE = { id: 'cappuccino', price: 250, quantity: 2 };
const BILL = [SOUP, PASTA, COFFEE]; // 1 480 ₽

async function registerGuest(): Promise<{ phone: string; id: number }> {
  const phone = nextPhone();
  const answer = await t.call('Offline.RegisterCustomer', { customer: { mobilePhone: phone, firstName: 'Анна' } });
  assert.equal(answer.body.status, 'Success', JSON.stringify(answer.body));
  return { phone, id: Number(answer.body.customer.ids.mindboxId) };
}

async function giveBonus(customerId: number, amount: number) {
  const answer = await t.admin('POST', `/api/admin/customers/${customerId}/adjustments`, { balanceType: 'Bonus', amount, reason: 'Стартовые баллы' });
  assert.equal(answer.httpStatus, 200, JSON.stringify(answer.body));
}

async function balanceOf(phone: string) {
  const answer = await t.call('Offline.CheckCustomer', { customer: { mobilePhone: phone } });
  return answer.body.balances[0];
}

async function preorder(phone: string, orderId: string, dishes: Dish[], spend = 0) {
  return t.call('Offline.AuthorizedPreorder', {
    customer: { mobilePhone: phone },
    pointOfContact: 'cafe-1',
    order: { ids: { iikoOrderId: orderId }, lines: lines(dishes), ...(spend ? { bonusPoints: [{ amount: spend }] } : {}) },
  });
}

async function create(phone: string, orderId: string, dishes: Dish[], totalPrice: number, spend = 0, extra: Record<string, unknown> = {}) {
  return t.call(
    'Offline.CreateAuthorizedOrder',
    {
      customer: { mobilePhone: phone },
      pointOfContact: 'cafe-1',
      order: {
        ids: { iikoOrderId: orderId },
        cashdesk: { ids: { externalId: 'desk-2' } },
        customFields: { Waiter: 'Ольга' },
        payments: [{ type: 'card', amount: totalPrice }],
        totalPrice,
        lines: lines(dishes),
        ...(spend ? { bonusPoints: [{ amount: spend }] } : {}),
        ...extra,
      },
    },
    { transactionId: randomUUID() },
  );
}

async function assertLedgerConsistent() {
  assert.deepEqual(await ledgerDiscrepancies(t.app.db), []);
}

before(async () => {
  t = await createTestApp({ now: '2026-03-02T09:30:00Z' });
});
after(async () => {
  await t.close();
});

describe('authorized orders', () => {
  it('walks preorder → create → paid → partial return with the points right at every step', async () => {
    const guest = await registerGuest();
    await giveBonus(guest.id, 1000);
    const orderId = nextOrderId();

    const calculated = await preorder(guest.phone, orderId, BILL, 400);
    assert.equal(calculated.body.status, 'Success', JSON.stringify(calculated.body));
    const order = calculated.body.order;
    assert.equal(order.processingStatus, 'Calculated');
    assert.equal(order.bonusPointsInfo[0].availableAmountForCurrentOrder, 740); // 50 % of 1 480
    assert.equal(order.bonusPointsInfo[0].spentAmountForCurrentOrder, 400);
    assert.equal(order.totalPrice, 1080);
    // 5 % of the 1 080 paid in money
    assert.equal(order.bonusPointsChanges[0].earnedAmount, 54);
    assert.equal(calculated.body.customer.processingStatus, 'Found');

    const created = await create(guest.phone, orderId, BILL, order.totalPrice, 400);
    assert.equal(created.body.status, 'Success', JSON.stringify(created.body));
    assert.equal(created.body.order.processingStatus, 'Created');
    assert.equal(created.body.order.ids.iikoOrderId, orderId);
    const mindboxId = created.body.order.ids.mindboxId;
    assert.ok(mindboxId);
    assert.deepEqual(created.body.order.lines.map((line: any) => line.status.ids.externalId), ['iikoCheckedOut', 'iikoCheckedOut', 'iikoCheckedOut']);
    let balance = await balanceOf(guest.phone);
    assert.deepEqual([balance.total, balance.available], [600, 600]);

    const paid = await t.call('Offline.ChangeStatus', { order: { ids: { iikoOrderId: orderId } }, orderLinesStatus: 'iikoPaid' });
    assert.equal(paid.body.status, 'Success', JSON.stringify(paid.body));
    balance = await balanceOf(guest.phone);
    assert.deepEqual([balance.total, balance.available, balance.blocked], [654, 654, 0]);

    // one of the two coffees comes back
    const returned = await t.call('Offline.Return', {
      order: { ids: { iikoOrderId: orderId }, lines: [{ lineNumber: 3, quantity: 1, status: 'iikoReturn' }] },
    });
    assert.equal(returned.body.status, 'Success', JSON.stringify(returned.body));
    const details = await t.admin('GET', `/api/admin/orders/${mindboxId}`);
    const coffee = details.body.lines.find((line: any) => line.lineNumber === 3);
    assert.equal(coffee.quantityReturned, 1);
    assert.equal(coffee.status, 'iikoPaid');
    // the coffee line spent and earned a share of the bill; half of each comes back
    const refunded = coffee.pointsSpent - coffee.pointsSpentNow;
    const reversed = coffee.pointsEarned - coffee.pointsEarnedNow;
    assert.ok(refunded > 0 && reversed > 0);
    assert.equal(refunded, Math.round(coffee.pointsSpent / 2));
    balance = await balanceOf(guest.phone);
    assert.equal(balance.total, 654 + refunded - reversed);
    assert.equal(details.body.customFields.Waiter, 'Ольга');
    assert.equal(details.body.cashdesk, 'desk-2');
    assert.equal(details.body.pointOfContact, 'cafe-1');
    assert.deepEqual(
      details.body.history.filter((entry: any) => entry.lineNumber === 3).map((entry: any) => [entry.status, entry.quantity]),
      [['iikoCheckedOut', 2], ['iikoPaid', 2], ['iikoReturn', 1]],
    );

    // returning the rest of the order brings everything back
    const rest = await t.call('Offline.Return', { order: { ids: { iikoOrderId: orderId } }, orderLinesStatus: { ids: { externalId: 'iikoReturn' } } });
    assert.equal(rest.body.status, 'Success', JSON.stringify(rest.body));
    balance = await balanceOf(guest.phone);
    assert.equal(balance.total, 1000);

    const ledger = await t.admin('GET', `/api/admin/customers/${guest.id}/ledger`);
    assert.deepEqual(
      ledger.body.items.map((item: any) => item.kind).reverse(),
      ['adjustment', 'spend', 'accrual', 'spendRefund', 'accrualReversal', 'spendRefund', 'accrualReversal'],
    );
    assert.match(ledger.body.items.find((item: any) => item.kind === 'accrual').reason, new RegExp(`Начислено за заказ ${orderId} \\(Начисление 5 % \\(Bronze\\)\\)`));
    assert.equal(ledger.body.items[0].balanceAfter, 1000);
    await assertLedgerConsistent();
  });

  it('answers PriceHasBeenChanged and saves nothing when the total differs, keeping the transactionId usable', async () => {
    const guest = await registerGuest();
    await giveBonus(guest.id, 300);
    const orderId = nextOrderId();
    const transactionId = randomUUID();
    const body = {
      customer: { mobilePhone: guest.phone },
      order: { ids: { iikoOrderId: orderId }, totalPrice: 1480, bonusPoints: [{ amount: 300 }], lines: lines(BILL) },
    };
    const changed = await t.call('Offline.CreateAuthorizedOrder', body, { transactionId });
    assert.equal(changed.body.status, 'Success');
    assert.equal(changed.body.order.processingStatus, 'PriceHasBeenChanged');
    assert.match(changed.body.order.statusDescription, /1 ?480,00.*1 ?180,00/);
    assert.equal(changed.body.order.totalPrice, 1180);
    assert.equal((await balanceOf(guest.phone)).total, 300);

    const again = await t.call('Offline.CreateAuthorizedOrder', { ...body, order: { ...body.order, totalPrice: 1180 } }, { transactionId });
    assert.equal(again.body.order.processingStatus, 'Created', JSON.stringify(again.body));
    assert.equal((await balanceOf(guest.phone)).total, 0);

    const replay = await t.call('Offline.CreateAuthorizedOrder', { ...body, order: { ...body.order, totalPrice: 1180 } }, { transactionId });
    assert.equal(replay.body.status, 'TransactionAlreadyProcessed');
    assert.equal((await balanceOf(guest.phone)).total, 0);
  });

  it('updates an order sent again with the same ids: spends only the difference', async () => {
    const guest = await registerGuest();
    await giveBonus(guest.id, 500);
    const orderId = nextOrderId();
    const first = await create(guest.phone, orderId, [SOUP, PASTA], 780, 200);
    assert.equal(first.body.order.processingStatus, 'Created', JSON.stringify(first.body));
    const second = await create(guest.phone, orderId, BILL, 1080, 400);
    assert.equal(second.body.order.processingStatus, 'Updated', JSON.stringify(second.body));
    assert.equal(second.body.order.ids.mindboxId, first.body.order.ids.mindboxId);
    assert.equal((await balanceOf(guest.phone)).total, 100);
    const smaller = await create(guest.phone, orderId, [SOUP], 390, 0);
    assert.equal(smaller.body.order.processingStatus, 'Updated');
    assert.equal((await balanceOf(guest.phone)).total, 500);
    await assertLedgerConsistent();
  });

  it("recalculates a saved order with its own spent points and coupon counted as the order's, so the update goes through", async () => {
    const guest = await registerGuest();
    await giveBonus(guest.id, 300);
    const orderId = nextOrderId();
    assert.equal((await create(guest.phone, orderId, [SOUP, PASTA], 680, 300)).body.order.processingStatus, 'Created');
    assert.equal((await balanceOf(guest.phone)).available, 0);
    const again = await preorder(guest.phone, orderId, BILL, 300);
    assert.equal(again.body.order.bonusPointsInfo[0].spentAmountForCurrentOrder, 300);
    const updated = await create(guest.phone, orderId, BILL, again.body.order.totalPrice, 300);
    assert.equal(updated.body.order.processingStatus, 'Updated', JSON.stringify(updated.body.order.statusDescription));
    assert.equal((await balanceOf(guest.phone)).total, 0);
  });

  it('refuses a create with neither a transactionId nor an order id, a missing total, and bad values with their locations', async () => {
    const guest = await registerGuest();
    const unnamed = await t.call('Offline.CreateAuthorizedOrder', { customer: { mobilePhone: guest.phone }, order: { totalPrice: 390, lines: lines([SOUP]) } });
    assert.equal(unnamed.httpStatus, 200);
    assert.equal(unnamed.body.status, 'ValidationError');
    assert.equal(unnamed.body.validationMessages[0].location, '/order/ids');

    const bad = await t.call(
      'Offline.CreateAuthorizedOrder',
      {
        customer: { mobilePhone: guest.phone },
        order: {
          ids: { iikoOrderId: nextOrderId() },
          lines: [
            { lineNumber: 1, quantity: 1, basePricePerItem: 100, product: { ids: { iiko: 'a' } } },
            { lineNumber: 2, quantity: 1.0005, basePricePerItem: 100, product: { ids: { iiko: 'b' } } },
            { lineNumber: 3, quantity: 1, basePricePerItem: '12.345', product: { ids: { iiko: 'c' } } },
            { lineNumber: 4, quantity: 1, basePricePerItem: 10, product: { ids: { iiko: 'd' } }, status: 'iikoCooked' },
          ],
          customFields: { Table: '5' },
        },
      },
      { transactionId: randomUUID() },
    );
    assert.equal(bad.body.status, 'ValidationError');
    const locations = bad.body.validationMessages.map((message: any) => message.location);
    for (const location of ['/order/totalPrice', '/order/lines/1/quantity', '/order/lines/2/basePricePerItem', '/order/lines/3/status', '/order/customFields/Table']) {
      assert.ok(locations.includes(location), `${location} in ${locations.join(', ')}`);
    }
  });

  it('credits earned points blocked for the activation delay', async () => {
    const preset = iikoPreset({ phoneConfirmation: true });
    await applyProject(t.app.db, { ...preset, balanceTypes: [{ ...preset.balanceTypes![0], activationDelayHours: 24 }] });
    await t.app.project.reload();
    try {
      const guest = await registerGuest();
      const orderId = nextOrderId();
      const created = await create(guest.phone, orderId, [SOUP], 390, 0, { lines: lines([SOUP], 'iikoPaid') });
      assert.equal(created.body.order.processingStatus, 'Created', JSON.stringify(created.body));
      const balance = await balanceOf(guest.phone);
      assert.deepEqual([balance.total, balance.available, balance.blocked], [19, 0, 19]);
    } finally {
      await applyProject(t.app.db, preset);
      await t.app.project.reload();
    }
  });

  it('takes the order node in XML, one line in its wrapper, and answers in XML', async () => {
    const guest = await registerGuest();
    await giveBonus(guest.id, 100);
    const xml =
      `<operation><customer><mobilePhone>${guest.phone}</mobilePhone></customer><order><ids><iikoOrderId>${nextOrderId()}</iikoOrderId></ids>` +
      '<bonusPoints><bonusPointsItem><amount>50</amount></bonusPointsItem></bonusPoints>' +
      '<lines><line><lineNumber>1</lineNumber><quantity>1.5</quantity><basePricePerItem>200.00</basePricePerItem><product><ids><iiko>x</iiko></ids></product></line></lines>' +
      '</order></operation>';
    const answer = await t.call('Offline.AuthorizedPreorder', xml, { format: 'xml' });
    assert.match(answer.text, /<status>Success<\/status>/);
    assert.match(answer.text, /<order><processingStatus>Calculated<\/processingStatus>/);
    assert.match(answer.text, /<spentAmountForCurrentOrder>50<\/spentAmountForCurrentOrder>/);
    assert.match(answer.text, /<totalPrice>250<\/totalPrice>/);
  });

  it("earns by the guest's rank and applies promotions of the guest's segments", async () => {
    const preset = iikoPreset({ phoneConfirmation: true });
    await applyProject(t.app.db, {
      ...preset,
      promotions: [...preset.promotions!, { systemName: 'GoldLunch', name: 'Gold: −10 % на обед', kind: 'discount', percent: 10, scope: 'order', segments: ['RankGold'] }],
    });
    await t.app.project.reload();
    try {
      const guest = await registerGuest();
      await setCustomerCustomField(t.app.db, guest.id, 'Rank', 'Gold', t.clock.now);
      const before = await preorder(guest.phone, nextOrderId(), [SOUP]);
      assert.equal(before.body.order.totalPrice, 390);
      assert.equal(before.body.order.bonusPointsChanges[0].earnedAmount, 39);
      assert.match(before.body.order.placeholders[0].content[0].message, /Гость: Gold/);
      await sql`insert into customer_segments (customer_id, segment, entered_at) values (${guest.id}, 'RankGold', now())`.execute(t.app.db);
      const after = await preorder(guest.phone, nextOrderId(), [SOUP]);
      assert.equal(after.body.order.totalPrice, 351);
    } finally {
      await applyProject(t.app.db, preset);
      await t.app.project.reload();
    }
  });

  it('pays through the async endpoint, as the Bitrix and iiko plugins may send status changes', async () => {
    const guest = await registerGuest();
    const orderId = nextOrderId();
    await create(guest.phone, orderId, [PASTA], 590);
    const accepted = await t.call('Offline.ChangeStatus', { order: { ids: { iikoOrderId: orderId } }, orderLinesStatus: 'iikoPaid' }, { mode: 'async', transactionId: randomUUID() });
    assert.deepEqual(accepted.body, { status: 'Success' });
    assert.equal((await balanceOf(guest.phone)).total, 0);
    await t.drain();
    assert.equal((await balanceOf(guest.phone)).total, 29);
  });

  it('refuses illegal status changes and answers 400 for an unknown order', async () => {
    const guest = await registerGuest();
    const orderId = nextOrderId();
    await create(guest.phone, orderId, [SOUP, COFFEE], 890);
    const unknownStatus = await t.call('Offline.ChangeStatus', { order: { ids: { iikoOrderId: orderId } }, orderLinesStatus: 'iikoEaten' });
    assert.equal(unknownStatus.body.status, 'ValidationError');
    assert.equal(unknownStatus.body.validationMessages[0].location, '/orderLinesStatus');

    const tooMany = await t.call('Offline.Return', { order: { ids: { iikoOrderId: orderId }, lines: [{ lineId: 'L2', quantity: 3, status: 'iikoReturn' }] } });
    assert.equal(tooMany.body.status, 'ValidationError');
    assert.equal(tooMany.body.validationMessages[0].location, '/order/lines/0/quantity');

    await t.call('Offline.Return', { order: { ids: { iikoOrderId: orderId }, lines: [{ lineNumber: 1, status: 'iikoReturn' }] } });
    const payReturned = await t.call('Offline.ChangeStatus', { order: { ids: { iikoOrderId: orderId }, lines: [{ lineNumber: 1, status: { ids: { externalId: 'iikoPaid' } } }] } });
    assert.equal(payReturned.body.status, 'ValidationError');
    assert.match(payReturned.body.validationMessages[0].message, /returned/);

    const unknownOrder = await t.call('Offline.ChangeStatus', { order: { ids: { iikoOrderId: 'nope' } }, orderLinesStatus: 'iikoPaid' });
    assert.equal(unknownOrder.httpStatus, 400);
    assert.equal(unknownOrder.body.status, 'ProtocolError');
  });
});

describe('anonymous and offline orders', () => {
  it('calculates and creates anonymous orders without points', async () => {
    const orderId = nextOrderId();
    const calculated = await t.call('Offline.AnonymousPreorder', { order: { ids: { iikoOrderId: orderId }, lines: lines(BILL), bonusPoints: [{ amount: 100 }] } });
    assert.equal(calculated.body.status, 'Success', JSON.stringify(calculated.body));
    assert.equal(calculated.body.order.totalPrice, 1480);
    assert.equal(calculated.body.order.bonusPointsInfo, undefined);
    assert.equal(calculated.body.customer, undefined);
    const created = await t.call(
      'Offline.CreateAnonymousOrder',
      { order: { ids: { iikoOrderId: orderId }, totalPrice: 1480, lines: lines(BILL) } },
      { transactionId: randomUUID() },
    );
    assert.equal(created.body.order.processingStatus, 'Created', JSON.stringify(created.body));
    const paid = await t.call('Offline.ChangeStatus', { order: { ids: { mindboxId: created.body.order.ids.mindboxId } }, orderLinesStatus: 'iikoPaid' });
    assert.equal(paid.body.status, 'Success');
  });

  it('creates an anonymous order that the POS sent without identifiers, found later by its mindboxId', async () => {
    const created = await t.call('Offline.CreateAnonymousOrder', { order: { totalPrice: 1480, lines: lines(BILL) } }, { transactionId: randomUUID() });
    assert.equal(created.body.order?.processingStatus, 'Created', JSON.stringify(created.body));
    const paid = await t.call('Offline.ChangeStatus', { order: { ids: { mindboxId: created.body.order.ids.mindboxId } }, orderLinesStatus: 'iikoPaid' });
    assert.equal(paid.body.status, 'Success', JSON.stringify(paid.body));
  });

  it('saves an offline order once, earning by the rules of its time, and refuses a future time', async () => {
    const guest = await registerGuest();
    const orderId = nextOrderId();
    const body = {
      customer: { mobilePhone: guest.phone },
      pointOfContact: 'cafe-1',
      executionDateTimeUtc: '2026-03-01 18:01:58.095',
      order: { ids: { iikoOrderId: orderId }, totalPrice: 1480, payments: [{ type: 'cash', amount: 1480 }], lines: lines(BILL) },
    };
    const first = await t.call('Offline.SaveOfflineOrder', body);
    assert.equal(first.body.status, 'Success', JSON.stringify(first.body));
    assert.equal((await balanceOf(guest.phone)).total, 74);
    const second = await t.call('Offline.SaveOfflineOrder', body);
    assert.equal(second.body.status, 'Success');
    assert.equal((await balanceOf(guest.phone)).total, 74);
    const ledger = await t.admin('GET', `/api/admin/customers/${guest.id}/ledger`);
    assert.equal(ledger.body.items.length, 1);
    assert.equal(ledger.body.items[0].expiresAt, '2027-03-01T18:01:58.095Z');

    const future = await t.call('Offline.SaveOfflineOrder', { ...body, executionDateTimeUtc: '2026-03-03T00:00:00Z', order: { ...body.order, ids: { iikoOrderId: nextOrderId() } } });
    assert.equal(future.body.status, 'ValidationError');
    assert.equal(future.body.validationMessages[0].location, '/executionDateTimeUtc');
  });
});

describe('coupons', () => {
  it('issues codes, applies their promotion once and gives the code back on a full return', async () => {
    const preset = iikoPreset({ phoneConfirmation: true });
    await applyProject(t.app.db, {
      ...preset,
      couponPools: [...(preset.couponPools ?? []), { systemName: 'Welcome', name: 'Приветственный', usage: 'single' }],
      promotions: [...preset.promotions!, { systemName: 'WelcomeDiscount', name: 'Скидка 10 % по купону', kind: 'discount', percent: 10, scope: 'order', couponPool: 'Welcome' }],
    });
    await t.app.project.reload();
    try {
      const issued = await t.admin('POST', '/api/admin/coupon-pools/Welcome/codes', { count: 3 });
      assert.equal(issued.httpStatus, 200, JSON.stringify(issued.body));
      assert.equal(issued.body.codes.length, 3);
      const code = issued.body.codes[0];
      const guest = await registerGuest();
      const orderId = nextOrderId();
      const extra = { coupons: [{ ids: { code } }, { ids: { code: 'NOSUCHCODE' } }] };
      const created = await create(guest.phone, orderId, [SOUP], 351, 0, extra);
      assert.equal(created.body.order.processingStatus, 'Created', JSON.stringify(created.body));
      assert.deepEqual(
        created.body.order.couponsInfo.map((info: any) => [info.coupon.ids.code, info.coupon.status, info.discountAmountForCurrentOrder]),
        [[code, 'CanBeUsed', 39], ['NOSUCHCODE', 'NotFound', 0]],
      );
      const reuse = await preorder(guest.phone, nextOrderId(), [SOUP]);
      assert.equal(reuse.body.order.totalPrice, 390);
      const reused = await t.call('Offline.AuthorizedPreorder', { customer: { mobilePhone: guest.phone }, order: { lines: lines([SOUP]), ...extra } });
      assert.equal(reused.body.order.couponsInfo[0].coupon.status, 'Used');

      await t.call('Offline.Return', { order: { ids: { iikoOrderId: orderId } }, orderLinesStatus: 'iikoReturn' });
      const again = await t.call('Offline.AuthorizedPreorder', { customer: { mobilePhone: guest.phone }, order: { lines: lines([SOUP]), ...extra } });
      assert.equal(again.body.order.couponsInfo[0].coupon.status, 'CanBeUsed');
      assert.equal(again.body.order.totalPrice, 351);
    } finally {
      await applyProject(t.app.db, preset);
      await t.app.project.reload();
    }
  });
});

describe('events', () => {
  it('emits orderCreated, orderPaid and orderReturned through the outbox', async () => {
    const guest = await registerGuest();
    const orderId = nextOrderId();
    await create(guest.phone, orderId, [SOUP], 390);
    await t.call('Offline.ChangeStatus', { order: { ids: { iikoOrderId: orderId } }, orderLinesStatus: 'iikoPaid' });
    await t.call('Offline.Return', { order: { ids: { iikoOrderId: orderId } }, orderLinesStatus: 'iikoReturn' });
    const { rows } = await sql<{ type: string; data: any }>`
      select payload->>'type' as type, payload->'data' as data from outbox
      where topic = 'event' and (payload->>'customerId')::bigint = ${guest.id} and payload->>'type' like 'order%' order by id`.execute(t.app.db);
    assert.deepEqual(rows.map((row) => row.type), ['orderCreated', 'orderPaid', 'orderReturned']);
    assert.equal(rows[1].data.paidAmount, 390);
    assert.equal(rows[2].data.returnedAmount, 390);
  });
});
