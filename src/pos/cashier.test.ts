import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { guestFromAnswer } from './answers.ts';
import { Cashier, Sale, type Guest, type MenuItem } from './cashier.ts';
import { MindboxClient } from './client.ts';
import type { PosConfig } from './config.ts';
import { OfflineQueue } from './offline-queue.ts';
import { closedPort, ScriptedServer, type RecordedCall, type Reply } from '../../test/support/pos/scripted-server.ts';

const NOW = new Date('2026-03-01T10:15:00.000Z');

function configFor(server: string, overrides: Partial<PosConfig> = {}): PosConfig {
  return {
    server,
    endpoint: 'iiko',
    secretKey: 'pos-secret',
    productId: 'iiko',
    brand: null,
    balanceName: 'Bonus',
    sendProductId: true,
    sendSmsConfirm: false,
    timeSendProducts: null,
    discountType: null,
    paymentType: null,
    timeoutMs: 1000,
    queuePath: '',
    ...overrides,
  };
}

interface Setup {
  server: ScriptedServer;
  cashier: Cashier;
  queue: OfflineQueue;
  dir: string;
}

async function withCashier(
  reply: (call: RecordedCall, index: number) => Reply,
  run: (setup: Setup) => Promise<void>,
  overrides: Partial<PosConfig> = {},
): Promise<void> {
  const server = await new ScriptedServer(reply).listen();
  const dir = mkdtempSync(join(tmpdir(), 'pos-cashier-'));
  const queue = await OfflineQueue.open(dir);
  const config = configFor(overrides.server ?? server.url, overrides);
  const client = new MindboxClient({ server: config.server, endpoint: config.endpoint, secretKey: config.secretKey, timeoutMs: config.timeoutMs });
  try {
    await run({ server, cashier: new Cashier(config, client, queue, { now: () => NOW }), queue, dir });
  } finally {
    await queue.close();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const found = {
  status: 'Success',
  customer: {
    processingStatus: 'Found',
    ids: { mindboxId: 42 },
    mobilePhone: '79001234567',
    isMobilePhoneConfirmed: true,
    firstName: 'Анна',
    discountCard: { ids: { number: 'CARD-7' } },
    // Mindbox keys custom fields in camel case: the project's `Rank` is answered as `rank`
    customFields: { rank: 'Silver' },
  },
  balances: [
    { systemName: 'Other', available: 5, blocked: 0, total: 5 },
    { systemName: 'Bonus', available: '300', blocked: 20, total: 320, balanceType: { ids: { systemName: 'Bonus' }, name: 'Бонусы' } },
  ],
};

const guest: Guest = {
  identifiedBy: 'phone',
  mindboxId: '42',
  mobilePhone: '79001234567',
  pendingMobilePhone: null,
  isPhoneConfirmed: true,
  firstName: 'Анна',
  lastName: null,
  middleName: null,
  birthDate: null,
  email: null,
  sex: null,
  discountCard: 'CARD-7',
  rank: 'Silver',
  balance: { available: 30000, blocked: 2000, total: 32000 },
};

const latte: MenuItem = { productId: 'guid-latte', name: 'Латте', priceMinor: 25000, category: 'Кофе' };
const syrniki: MenuItem = { productId: 'guid-syrniki', name: 'Сырники', priceMinor: 42000, category: 'Завтраки' };

/** A preorder/create answer: 1 point = 1 rouble, points cover the first line, 5 % earned on what is paid in money. */
function calculated(body: any, options: { processingStatus?: string; spentCap?: number } = {}) {
  const lines = body.order.lines as Array<{ lineNumber: number; quantity: number; basePricePerItem: number; product: object; status?: object }>;
  const requested = body.order.bonusPoints?.[0]?.amount ?? 0;
  const subtotal = lines.reduce((sum, line) => sum + line.basePricePerItem * line.quantity, 0);
  const spent = Math.min(requested, options.spentCap ?? subtotal / 2);
  const total = subtotal - spent;
  return {
    status: 'Success',
    order: {
      ...(options.processingStatus ? { processingStatus: options.processingStatus } : {}),
      totalPrice: total,
      lines: lines.map((line, index) => ({
        ...line,
        discountedPriceOfLine: line.basePricePerItem * line.quantity - (index === 0 ? spent : 0),
        appliedPromotions: index === 0 && spent > 0 ? [{ type: 'spentBonusPoints', amount: spent }] : [],
      })),
      ...(body.customer
        ? {
            bonusPointsInfo: [
              { status: 'Success', availableAmountForCurrentOrder: subtotal / 2, spentAmountForCurrentOrder: spent, balanceType: { ids: { systemName: 'Bonus' } }, balance: { total: 320, available: 300, blocked: 20 } },
            ],
            bonusPointsChanges: [{ balanceType: { ids: { systemName: 'Bonus' } }, earnedAmount: Math.floor(total * 0.05), spentAmount: spent }],
          }
        : {}),
      placeholders: [{ ids: { externalId: 'cashier' }, content: [{ type: 'text', message: 'Гость: Silver' }] }],
    },
  };
}

test('finding a guest by phone or card sends CheckCustomer and reads profile, rank and the configured balance', async () => {
  await withCashier(
    (call) => (call.body.customer.mobilePhone === '+7 900 000-00-00' ? { body: { status: 'Success', customer: { processingStatus: 'NotFound' } } } : { body: found }),
    async ({ server, cashier }) => {
      const byPhone = await cashier.findGuest({ phone: '+7 900 123-45-67' });
      assert.equal(byPhone.kind, 'found');
      assert.deepEqual(byPhone.kind === 'found' && byPhone.guest, guest);

      const byCard = await cashier.findGuest({ card: 'CARD-7' });
      assert.equal(byCard.kind === 'found' && byCard.guest.identifiedBy, 'card');
      assert.deepEqual(await cashier.findGuest({ phone: '+7 900 000-00-00' }), { kind: 'notFound' });

      assert.deepEqual(
        server.calls.map((call) => [call.operation, call.endpointId, call.authorization, call.body]),
        [
          ['Offline.CheckCustomer', 'iiko', 'SecretKey pos-secret', { customer: { mobilePhone: '+7 900 123-45-67' } }],
          ['Offline.CheckCustomer', 'iiko', 'SecretKey pos-secret', { customer: { discountCard: { ids: { number: 'CARD-7' } } } }],
          ['Offline.CheckCustomer', 'iiko', 'SecretKey pos-secret', { customer: { mobilePhone: '+7 900 000-00-00' } }],
        ],
      );
    },
  );
});

test('the rank is read whatever the case of its key: `rank` from Mindbox and Regulars, `Rank` from older Regulars servers', () => {
  for (const customFields of [{ rank: 'Gold' }, { Rank: 'Gold' }, { RANK: 'Gold' }]) {
    assert.equal(guestFromAnswer({ ...found, customer: { ...found.customer, customFields } }, 'phone', 'Bonus').rank, 'Gold', JSON.stringify(customFields));
  }
});

test('registration, phone confirmation, a resent code and an edit call their operations with the plugin bodies', async () => {
  const replies: Record<string, Reply> = {
    'Offline.RegisterCustomer': { body: { status: 'Success', customer: { processingStatus: 'Created', ids: { mindboxId: 43 } } } },
    'Offline.ResendMobilePhoneConfirmationCode': { body: { status: 'Success', customer: { processingStatus: 'Found' } } },
    'Offline.EditCustomer': { body: { status: 'Success', customer: { processingStatus: 'Changed' } } },
  };
  await withCashier(
    (call) => {
      if (call.operation !== 'Offline.ConfirmMobilePhone') return replies[call.operation];
      const status = call.body.smsConfirmation.code === '1234' ? 'MobilePhoneConfirmed' : 'IncorrectConfirmationCode';
      return { body: { status: 'Success', smsConfirmation: { processingStatus: status } } };
    },
    async ({ server, cashier }) => {
      assert.deepEqual(await cashier.register({ mobilePhone: '79001112233', firstName: 'Олег', birthDate: '1990-05-01', discountCard: 'C-1' }), {
        kind: 'registered',
        mindboxId: '43',
      });
      assert.deepEqual(await cashier.confirmPhone('79001112233', '0000'), { kind: 'wrongCode' });
      assert.deepEqual(await cashier.resendConfirmationCode('79001112233'), { kind: 'sent' });
      assert.deepEqual(await cashier.confirmPhone('79001112233', ' 1234 '), { kind: 'confirmed' });
      assert.deepEqual(await cashier.editGuest(guest, { firstName: 'Анна-Мария', mobilePhone: '79005556677' }), { kind: 'changed' });

      assert.deepEqual(
        server.calls.map((call) => [call.operation, call.body]),
        [
          ['Offline.RegisterCustomer', { customer: { mobilePhone: '79001112233', firstName: 'Олег', birthDate: '1990-05-01', discountCard: { ids: { number: 'C-1' } } } }],
          ['Offline.ConfirmMobilePhone', { customer: { mobilePhone: '79001112233' }, smsConfirmation: { code: '0000' } }],
          ['Offline.ResendMobilePhoneConfirmationCode', { customer: { mobilePhone: '79001112233' } }],
          ['Offline.ConfirmMobilePhone', { customer: { mobilePhone: '79001112233' }, smsConfirmation: { code: '1234' } }],
          ['Offline.EditCustomer', { customer: { ids: { mindboxId: '42' }, mobilePhone: '79005556677', firstName: 'Анна-Мария' } }],
        ],
      );
    },
  );
});

test('a phone already registered is a refusal with the server message', async () => {
  await withCashier(
    () => ({ body: { status: 'ValidationError', validationMessages: [{ location: '/customer/mobilePhone', message: 'registered already' }] } }),
    async ({ cashier }) => {
      assert.deepEqual(await cashier.register({ mobilePhone: '79001112233' }), {
        kind: 'refused',
        status: 'ValidationError',
        httpStatus: 200,
        messages: ['/customer/mobilePhone: registered already'],
      });
    },
  );
});

test('the bill is calculated with product ids, prices, quantities, line numbers and the points to spend', async () => {
  await withCashier(
    (call) => ({ body: calculated(call.body) }),
    async ({ server, cashier }) => {
      const sale = new Sale(guest);
      sale.add(latte, 2);
      sale.add(syrniki);
      sale.add(latte);
      sale.spendPoints(10000);
      const outcome = await cashier.calculate(sale);
      assert.equal(outcome.kind, 'calculated');
      assert.deepEqual(server.calls[0].body, {
        customer: { mobilePhone: '79001234567' },
        order: {
          ids: { iikoOrderId: sale.orderId },
          lines: [
            { lineNumber: 1, quantity: 3, basePricePerItem: 250, product: { ids: { iiko: 'guid-latte' } } },
            { lineNumber: 2, quantity: 1, basePricePerItem: 420, product: { ids: { iiko: 'guid-syrniki' } } },
          ],
          bonusPoints: [{ amount: 100 }],
        },
      });
      assert.equal(server.calls[0].operation, 'Offline.AuthorizedPreorder');
      const calculation = sale.calculation!;
      assert.equal(calculation.subtotal, 117000);
      assert.equal(calculation.totalPrice, 107000);
      assert.equal(calculation.paidByPoints, 10000);
      assert.deepEqual(calculation.points, { availableForOrder: 58500, spent: 10000, earned: 5300, balance: { available: 30000, blocked: 2000, total: 32000 } });
      assert.equal(calculation.message, 'Гость: Silver');

      const anonymous = new Sale();
      anonymous.add(syrniki);
      await cashier.calculate(anonymous);
      assert.equal(server.calls[1].operation, 'Offline.AnonymousPreorder');
      assert.equal(server.calls[1].body.customer, undefined);
      assert.equal(server.calls[1].body.order.bonusPoints, undefined);
      assert.equal(anonymous.calculation!.points, null);
    },
  );
});

test('paying creates the order with a fresh transactionId and the calculated total, then marks it paid and reads the balance', async () => {
  await withCashier(
    (call) => {
      if (call.operation.endsWith('Preorder') || call.operation.startsWith('Offline.Create')) return { body: calculated(call.body) };
      if (call.operation === 'Offline.CheckCustomer') return { body: { ...found, balances: [{ systemName: 'Bonus', available: 253, blocked: 0, total: 253 }] } };
      return { body: { status: 'Success' } };
    },
    async ({ server, cashier, queue }) => {
      const sale = new Sale(guest);
      sale.add(syrniki);
      sale.add(latte);
      sale.spendPoints(5000);
      const outcome = await cashier.pay(sale);
      assert.equal(outcome.kind, 'paid');
      assert.deepEqual(server.calls.map((call) => call.operation), [
        'Offline.AuthorizedPreorder',
        'Offline.CreateAuthorizedOrder',
        'Offline.ChangeStatus',
        'Offline.CheckCustomer',
      ]);
      const create = server.calls[1];
      assert.match(create.transactionId ?? '', /^[0-9a-f-]{36}$/);
      assert.deepEqual(create.body.order, {
        ids: { iikoOrderId: sale.orderId },
        lines: [
          { lineNumber: 1, quantity: 1, basePricePerItem: 420, product: { ids: { iiko: 'guid-syrniki' } }, status: { ids: { externalId: 'iikoCheckedOut' } } },
          { lineNumber: 2, quantity: 1, basePricePerItem: 250, product: { ids: { iiko: 'guid-latte' } }, status: { ids: { externalId: 'iikoCheckedOut' } } },
        ],
        bonusPoints: [{ amount: 50 }],
        totalPrice: 620,
      });
      const status = server.calls[2];
      assert.deepEqual(status.body, { order: { ids: { iikoOrderId: sale.orderId } }, orderLinesStatus: 'iikoPaid' });
      assert.ok(status.transactionId && status.transactionId !== create.transactionId);
      if (outcome.kind !== 'paid') return;
      assert.equal(outcome.record.mode, 'online');
      assert.equal(outcome.record.totalPrice, 62000);
      assert.equal(outcome.record.pointsSpent, 5000);
      assert.equal(outcome.record.pointsEarned, 3100);
      assert.deepEqual(outcome.record.balanceAfter, { available: 25300, blocked: 0, total: 25300 });
      assert.deepEqual(outcome.record.lines.map((line) => line.paid), [37000, 25000]);
      assert.equal(queue.pending().length, 0);

      const second = await cashier.pay(sale);
      assert.equal(second.kind, 'paid');
      assert.notEqual(server.of('Offline.CreateAuthorizedOrder')[1].transactionId, create.transactionId, 'every create has its own transactionId');
    },
  );
});

test('with send_sms_confirm points are spent only after the right SMS code; an anonymous bill needs none', async () => {
  await withCashier(
    (call) => {
      if (call.operation.endsWith('Preorder') || call.operation.startsWith('Offline.Create')) return { body: calculated(call.body) };
      if (call.operation === 'Offline.CheckMobilePhoneAuthorizationCode') {
        return call.body.authentificationCode === '4321'
          ? { body: { status: 'Success' } }
          : { body: { status: 'ValidationError', validationMessages: [{ location: '/authentificationCode', message: 'wrong code' }] } };
      }
      if (call.operation === 'Offline.SendMobilePhoneAuthorizationCode') return { body: { status: 'Success', customer: { processingStatus: 'Found' } } };
      return { body: found };
    },
    async ({ server, cashier }) => {
      const sale = new Sale(guest);
      sale.add(syrniki);
      sale.spendPoints(10000);
      assert.deepEqual(await cashier.pay(sale), { kind: 'codeRequired', points: 10000 });
      assert.equal(server.of('Offline.CreateAuthorizedOrder').length, 0);

      assert.deepEqual(await cashier.requestSpendCode(sale), { kind: 'sent' });
      assert.deepEqual(await cashier.checkSpendCode(sale, '1111'), { kind: 'wrongCode', messages: ['/authentificationCode: wrong code'] });
      assert.equal((await cashier.pay(sale)).kind, 'codeRequired');
      assert.deepEqual(await cashier.checkSpendCode(sale, '4321'), { kind: 'confirmed' });
      assert.deepEqual(server.of('Offline.SendMobilePhoneAuthorizationCode')[0].body, { customer: { mobilePhone: '79001234567' } });
      assert.deepEqual(server.of('Offline.CheckMobilePhoneAuthorizationCode')[1].body, { customer: { mobilePhone: '79001234567' }, authentificationCode: '4321' });
      assert.equal((await cashier.pay(sale)).kind, 'paid');

      sale.spendPoints(15000);
      assert.equal((await cashier.pay(sale)).kind, 'codeRequired', 'more points than confirmed need a new code');

      const withoutPoints = new Sale(guest);
      withoutPoints.add(latte);
      assert.equal((await cashier.pay(withoutPoints)).kind, 'paid');
    },
    { sendSmsConfirm: true },
  );
});

test('PriceHasBeenChanged: the bill is calculated again once and created with the new total and a new transactionId', async () => {
  let creates = 0;
  await withCashier(
    (call) => {
      if (call.operation === 'Offline.AnonymousPreorder') return { body: calculated(call.body) };
      if (call.operation === 'Offline.CreateAnonymousOrder') {
        creates += 1;
        if (creates === 1) return { body: { status: 'Success', order: { processingStatus: 'PriceHasBeenChanged', statusDescription: 'promotion ended' } } };
        return { body: calculated(call.body, { processingStatus: 'Processed' }) };
      }
      return { body: { status: 'Success' } };
    },
    async ({ server, cashier }) => {
      const sale = new Sale();
      sale.add(latte);
      const outcome = await cashier.pay(sale);
      assert.equal(outcome.kind, 'paid');
      assert.deepEqual(server.calls.map((call) => call.operation), [
        'Offline.AnonymousPreorder',
        'Offline.CreateAnonymousOrder',
        'Offline.AnonymousPreorder',
        'Offline.CreateAnonymousOrder',
        'Offline.ChangeStatus',
      ]);
      const [first, second] = server.of('Offline.CreateAnonymousOrder');
      assert.notEqual(first.transactionId, second.transactionId);
      assert.equal(second.body.order.totalPrice, 250);
    },
  );

  await withCashier(
    (call) =>
      call.operation === 'Offline.AnonymousPreorder'
        ? { body: calculated(call.body) }
        : { body: { status: 'Success', order: { processingStatus: 'PriceHasBeenChanged', statusDescription: 'promotion ended' } } },
    async ({ server, cashier }) => {
      const sale = new Sale();
      sale.add(latte);
      const outcome = await cashier.pay(sale);
      assert.equal(outcome.kind, 'priceChanged');
      assert.deepEqual(outcome.kind === 'priceChanged' && outcome.messages, ['promotion ended']);
      assert.equal(server.of('Offline.CreateAnonymousOrder').length, 2, 'recalculated once, not forever');
    },
  );
});

test('a server that does not answer within timeout_ms: the sale is completed without loyalty and queued as SaveOfflineOrder', async () => {
  await withCashier(
    (call) => (call.operation === 'Offline.CheckCustomer' ? { body: found } : 'hang'),
    async ({ server, cashier, queue, dir }) => {
      const lookup = await cashier.findGuest({ phone: '79001234567' });
      assert.equal(lookup.kind, 'found');
      const sale = new Sale(lookup.kind === 'found' ? lookup.guest : null);
      sale.add(syrniki, 2);
      sale.add(latte);
      sale.spendPoints(5000);
      const started = Date.now();
      const outcome = await cashier.pay(sale);
      assert.ok(Date.now() - started < 2500, 'one timeout, not one per step');
      assert.equal(outcome.kind, 'soldOffline');
      if (outcome.kind !== 'soldOffline') return;
      assert.equal(outcome.reason, 'no answer within 300 ms');
      assert.equal(outcome.record.totalPrice, 109000, 'full price: no discounts and no points without the server');
      assert.equal(outcome.record.pointsSpent, 0);
      assert.equal(server.of('Offline.CreateAuthorizedOrder').length, 0);

      const [item] = queue.pending();
      assert.equal(item.operation, 'Offline.SaveOfflineOrder');
      assert.match(item.transactionId, /^[0-9a-f-]{36}$/);
      assert.deepEqual(item.body, {
        customer: { mobilePhone: '79001234567' },
        executionDateTimeUtc: '2026-03-01T10:15:00.000Z',
        order: {
          ids: { iikoOrderId: sale.orderId },
          totalPrice: 1090,
          lines: [
            { lineNumber: 1, quantity: 2, basePricePerItem: 420, product: { ids: { iiko: 'guid-syrniki' } }, status: { ids: { externalId: 'iikoPaid' } } },
            { lineNumber: 2, quantity: 1, basePricePerItem: 250, product: { ids: { iiko: 'guid-latte' } }, status: { ids: { externalId: 'iikoPaid' } } },
          ],
        },
      });
      await queue.close();
      const reopened = await OfflineQueue.open(dir);
      try {
        assert.deepEqual(reopened.pending(), [item], 'the order was on disk when the sale was reported done');
      } finally {
        await reopened.close();
      }
    },
    { timeoutMs: 300 },
  );
});

test('a refused connection and a 5xx also sell offline; an anonymous offline order has no customer', async () => {
  const port = await closedPort();
  await withCashier(
    () => 'error500',
    async ({ cashier, queue }) => {
      const sale = new Sale();
      sale.add(latte);
      const outcome = await cashier.pay(sale);
      assert.equal(outcome.kind, 'soldOffline');
      assert.equal(outcome.kind === 'soldOffline' && outcome.reason, `connection refused (ECONNREFUSED)`);
      assert.equal((queue.pending()[0].body as { customer?: unknown }).customer, undefined);
    },
    { server: `http://127.0.0.1:${port}` },
  );
  await withCashier(
    () => 'error500',
    async ({ cashier, queue }) => {
      const sale = new Sale(guest);
      sale.add(latte);
      const outcome = await cashier.pay(sale);
      assert.equal(outcome.kind === 'soldOffline' && outcome.reason, 'server error HTTP 500: down');
      assert.deepEqual((queue.pending()[0].body as { customer?: unknown }).customer, { mobilePhone: '79001234567' });
    },
  );
});

test('the server goes away after the order was created: the paid status waits in the queue with the payment time', async () => {
  await withCashier(
    (call) => (call.operation === 'Offline.ChangeStatus' ? 'drop' : { body: calculated(call.body) }),
    async ({ cashier, queue }) => {
      const sale = new Sale();
      sale.add(latte);
      const outcome = await cashier.pay(sale);
      assert.equal(outcome.kind, 'paid');
      assert.equal(outcome.kind === 'paid' && outcome.record.paymentQueued, true);
      const [item] = queue.pending();
      assert.equal(item.operation, 'Offline.ChangeStatus');
      assert.deepEqual(item.body, { order: { ids: { iikoOrderId: sale.orderId } }, orderLinesStatus: 'iikoPaid', executionDateTimeUtc: NOW.toISOString() });
    },
  );
});

test('returns send the lines with their quantity and iikoReturn; behind queued orders they wait in the queue too', async () => {
  await withCashier(
    () => ({ body: { status: 'Success' } }),
    async ({ server, cashier, queue }) => {
      assert.deepEqual(await cashier.returnLines('order-1', [{ lineNumber: 2, quantity: 1 }]), { kind: 'returned' });
      assert.deepEqual(server.calls[0].body, { order: { ids: { iikoOrderId: 'order-1' }, lines: [{ lineNumber: 2, quantity: 1, status: 'iikoReturn' }] } });
      assert.ok(server.calls[0].transactionId);

      await queue.append({ operation: 'Offline.SaveOfflineOrder', transactionId: 'tx-offline', body: { order: { ids: { iikoOrderId: 'order-2' } } } });
      const queued = await cashier.returnLines('order-2', [{ lineNumber: 1, quantity: 2 }]);
      assert.equal(queued.kind, 'queued');
      assert.equal(server.calls.length, 1, 'the return went behind the order it returns');
      assert.deepEqual(queue.pending().map((item) => item.operation), ['Offline.SaveOfflineOrder', 'Offline.Return']);
      assert.equal((queue.pending()[1].body as { executionDateTimeUtc: string }).executionDateTimeUtc, NOW.toISOString());
    },
  );
});

test('a whole-order return is one Offline.Return with orderLinesStatus iikoReturn, queued like any return', async () => {
  await withCashier(
    (call, index) => (index === 0 ? { body: { status: 'Success' } } : 'drop'),
    async ({ server, cashier, queue }) => {
      assert.deepEqual(await cashier.returnOrder('order-1'), { kind: 'returned' });
      assert.equal(server.calls.length, 1);
      assert.equal(server.calls[0].operation, 'Offline.Return');
      assert.deepEqual(server.calls[0].body, { order: { ids: { iikoOrderId: 'order-1' } }, orderLinesStatus: 'iikoReturn' });
      assert.ok(server.calls[0].transactionId);

      const queued = await cashier.returnOrder('order-2');
      assert.equal(queued.kind, 'queued');
      const [item] = queue.pending();
      assert.equal(item.operation, 'Offline.Return');
      assert.equal(item.transactionId, server.calls[1].transactionId, 'the queued return keeps the transactionId of the attempt');
      assert.deepEqual(item.body, { order: { ids: { iikoOrderId: 'order-2' } }, orderLinesStatus: 'iikoReturn', executionDateTimeUtc: NOW.toISOString() });
    },
  );
});
