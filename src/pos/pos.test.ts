import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Sale, type MenuItem } from './cashier.ts';
import type { PosConfig } from './config.ts';
import type { Menu } from './menu.ts';
import { Pos, type QueueEvent } from './pos.ts';
import { ScriptedServer } from '../../test/support/pos/scripted-server.ts';

const latte: MenuItem = { productId: 'guid-latte', name: 'Латте', priceMinor: 25000, category: 'Кофе' };
const menu: Menu = {
  items: [latte],
  upload: {
    externalSystem: 'iiko',
    categories: [{ id: 'coffee', name: 'Кофе', parentId: null }],
    products: [{ id: 'guid-latte', name: 'Латте', description: null, priceMinor: 25000, oldPriceMinor: null, isAvailable: true, categoryIds: ['coffee'], customFields: {} }],
    errors: [],
    rejectedCategoryIds: [],
    rejectedProductIds: [],
    productLocations: new Map(),
  },
};

function config(server: string, queuePath: string): PosConfig {
  return {
    server,
    endpoint: 'iiko',
    secretKey: 'k',
    productId: 'iiko',
    brand: null,
    balanceName: 'Bonus',
    sendProductId: true,
    sendSmsConfirm: false,
    timeSendProducts: null,
    discountType: null,
    paymentType: null,
    timeoutMs: 1000,
    queuePath,
  };
}

const answer = (operation: string, body: any): object => {
  if (operation.endsWith('Preorder') || operation.startsWith('Offline.Create')) {
    const lines = body.order.lines.map((line: any) => ({ ...line, discountedPriceOfLine: line.basePricePerItem * line.quantity }));
    return { status: 'Success', order: { totalPrice: lines.reduce((sum: number, line: any) => sum + line.discountedPriceOfLine, 0), lines } };
  }
  return { status: 'Success' };
};

test('sales and returns go to the journal, which survives a restart and refuses returning more than was sold', async () => {
  const server = await new ScriptedServer((call) => ({ body: answer(call.operation, call.body) })).listen();
  const dir = mkdtempSync(join(tmpdir(), 'pos-journal-'));
  try {
    let pos = await Pos.open(config(server.url, dir), { menu, background: false });
    const sale = new Sale();
    sale.add(latte, 3);
    const paid = await pos.pay(sale);
    assert.equal(paid.kind, 'paid');
    assert.deepEqual(await pos.returnLines(sale.orderId, [{ lineNumber: 1, quantity: 2 }]), { kind: 'returned' });
    await pos.close();

    pos = await Pos.open(config(server.url, dir), { menu, background: false });
    try {
      const [order] = pos.journal.list();
      assert.equal(order.record.orderId, sale.orderId);
      assert.equal(order.record.totalPrice, 75000);
      assert.equal(pos.journal.returnable(sale.orderId, 1), 1);
      await assert.rejects(pos.returnLines(sale.orderId, [{ lineNumber: 1, quantity: 2 }]), /line 1: 1 piece\(s\) can be returned, asked for 2/);
      await assert.rejects(pos.returnLines('not-sold-here', [{ lineNumber: 1, quantity: 1 }]), /not in this terminal's journal/);
      assert.equal(server.of('Offline.Return').length, 1);
    } finally {
      await pos.close();
    }
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a return of the whole sale is one Offline.Return for the order; a partial one names its lines, all in one request', async () => {
  const server = await new ScriptedServer((call) => ({ body: answer(call.operation, call.body) })).listen();
  const dir = mkdtempSync(join(tmpdir(), 'pos-returns-'));
  const espresso: MenuItem = { productId: 'guid-espresso', name: 'Эспрессо', priceMinor: 15000, category: 'Кофе' };
  const pos = await Pos.open(config(server.url, dir), { menu, background: false });
  try {
    const whole = new Sale();
    whole.add(latte, 2);
    whole.add(espresso);
    assert.equal((await pos.pay(whole)).kind, 'paid');
    assert.deepEqual(await pos.returnLines(whole.orderId, [{ lineNumber: 2, quantity: 1 }, { lineNumber: 1, quantity: 2 }]), { kind: 'returned' });
    assert.deepEqual(server.of('Offline.Return').map((call) => call.body), [{ order: { ids: { iikoOrderId: whole.orderId } }, orderLinesStatus: 'iikoReturn' }]);
    assert.equal(pos.journal.returnable(whole.orderId, 1) + pos.journal.returnable(whole.orderId, 2), 0);

    const parts = new Sale();
    parts.add(latte, 2);
    parts.add(espresso);
    assert.equal((await pos.pay(parts)).kind, 'paid');
    await assert.rejects(pos.returnLines(parts.orderId, [{ lineNumber: 1, quantity: 1 }, { lineNumber: 1, quantity: 2 }]), /line 1: 2 piece\(s\) can be returned, asked for 3/);
    assert.deepEqual(await pos.returnLines(parts.orderId, [{ lineNumber: 1, quantity: 1 }]), { kind: 'returned' });
    // the rest of the sale after a partial return: its lines, in one request
    assert.deepEqual(await pos.returnLines(parts.orderId, [{ lineNumber: 1, quantity: 1 }, { lineNumber: 2, quantity: 1 }]), { kind: 'returned' });
    assert.deepEqual(
      server.of('Offline.Return').slice(1).map((call) => call.body.order.lines),
      [
        [{ lineNumber: 1, quantity: 1, status: 'iikoReturn' }],
        [{ lineNumber: 1, quantity: 1, status: 'iikoReturn' }, { lineNumber: 2, quantity: 1, status: 'iikoReturn' }],
      ],
    );
  } finally {
    await pos.close();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the first answer from a server that is back delivers the queue at once, without waiting for the backoff', async () => {
  let up = false;
  const server = await new ScriptedServer((call) => (up ? { body: answer(call.operation, call.body) } : 'error500')).listen();
  const dir = mkdtempSync(join(tmpdir(), 'pos-deliver-'));
  const events: QueueEvent[] = [];
  const pos = await Pos.open(config(server.url, dir), { menu, backoff: { initialMs: 60_000, maxMs: 60_000 }, onEvent: (event) => events.push(event) });
  try {
    const sale = new Sale();
    sale.add(latte);
    const outcome = await pos.pay(sale);
    assert.equal(outcome.kind, 'soldOffline');
    assert.equal(pos.journal.get(sale.orderId)?.record.mode, 'offline');
    const deadline = Date.now() + 5000;
    while (!events.some((event) => event.kind === 'failed') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    assert.equal(pos.queue.pending().length, 1, 'the first delivery failed and the sender waits a minute');

    up = true;
    await pos.cashier.findGuest({ phone: '79001234567' });
    while (!events.some((event) => event.kind === 'delivered') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    assert.equal(pos.queue.pending().length, 0);
    const delivered = events.filter((event) => event.kind === 'delivered');
    assert.equal(delivered.length, 1);
    assert.equal(server.of('Offline.SaveOfflineOrder').at(-1)?.body.order.ids.iikoOrderId, sale.orderId);
  } finally {
    await pos.close();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a second POS process cannot open the same queue', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pos-lock-'));
  const pos = await Pos.open(config('http://127.0.0.1:9', dir), { menu, background: false });
  try {
    await assert.rejects(Pos.open(config('http://127.0.0.1:9', dir), { menu, background: false }), /is in use|cannot lock|already open/);
  } finally {
    await pos.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
