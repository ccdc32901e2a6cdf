// The real server process and the real POS, with a proxy between them that lets a create through to the server
// and cuts the connection before its answer reaches the POS. The server saved the order and spent the points;
// the POS took the create for unreachable, charged full price without points and queued the sale as an offline
// order. When that offline order arrives, the guest's balance, the order and the ledger must be what the cashier
// charged, the same offline order again must change nothing, and returning the whole sale brings everything back.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Sale, type Guest, type MenuItem, type SaleRecord } from '../../src/pos/cashier.ts';
import { loadPosConfig } from '../../src/pos/config.ts';
import { loadMenu, type Menu } from '../../src/pos/menu.ts';
import { Pos, type QueueEvent } from '../../src/pos/pos.ts';
import { EXAMPLE_CONFIG, SAMPLE_MENU } from '../../src/pos/simulator/setup.ts';
import { startLossyProxy, type LossyProxy } from '../support/pos/lossy-proxy.ts';
import { createTestDatabase, testDatabaseUrl, type TestDatabase } from '../support/db.ts';
import { freshDataDir, startServerProcess, type ServerProcess } from '../support/process.ts';

const KEY = 'e2e-lost-create-secret-key-0123';
const ADMIN_TOKEN = 'e2e-lost-create-admin-token-0123';

describe('a create whose answer is lost, then the offline order of the same sale', () => {
  let database: TestDatabase | null = null;
  let server: ServerProcess;
  let proxy: LossyProxy;
  let menu: Menu;
  const temporary = mkdtempSync(join(tmpdir(), 'regulars-lost-create-e2e-'));

  before(async () => {
    database = testDatabaseUrl ? await createTestDatabase() : null;
    server = await startServerProcess({
      ...(database ? database.env : { REGULARS_DATA_DIR: freshDataDir() }),
      REGULARS_SECRET_KEY: KEY,
      REGULARS_ADMIN_TOKEN: ADMIN_TOKEN,
    });
    // the first create's answer is lost after the server gave it; everything else goes through
    proxy = await startLossyProxy(0, new URL(server.url).port, (operation, index) => operation === 'Offline.CreateAuthorizedOrder' && index === 0);
    menu = loadMenu(SAMPLE_MENU, true);
  });

  after(async () => {
    await proxy?.close();
    await server?.stop();
    await database?.close();
    rmSync(temporary, { recursive: true, force: true });
  });

  async function admin(method: 'GET' | 'POST', path: string, body?: unknown) {
    const response = await fetch(`${server.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    assert.equal(response.status, 200, `${method} ${path}`);
    return (await response.json()) as any;
  }

  async function find(pos: Pos, phoneNumber: string): Promise<Guest> {
    const found = await pos.cashier.findGuest({ phone: phoneNumber });
    assert.equal(found.kind, 'found', JSON.stringify(found));
    return (found as { guest: Guest }).guest;
  }

  const dish = (index: number): MenuItem => menu.items.filter((item) => item.priceMinor >= 15000 && item.priceMinor <= 90000)[index];
  const total = (guest: Guest) => guest.balance?.total ?? 0;

  test('the offline order settles the order as the cashier charged: full price, paid, spent points back, earned once', async () => {
    const events: QueueEvent[] = [];
    const config = loadPosConfig(EXAMPLE_CONFIG, {
      server: `http://127.0.0.1:${proxy.port}`,
      secret_key: KEY,
      queue_path: join(temporary, 'till'),
      time_sendProducts: 'cancel',
      send_sms_confirm: 'false',
      timeout_ms: '10000',
    });
    const pos = await Pos.open(config, { menu, backoff: { initialMs: 100, maxMs: 1000 }, onEvent: (event) => events.push(event) });
    try {
      const phoneNumber = `7916${String(process.pid % 1000).padStart(3, '0')}9${String(Date.now() % 1000).padStart(3, '0')}`;
      const registered = await pos.cashier.register({ mobilePhone: phoneNumber, firstName: 'Олег' });
      assert.equal(registered.kind, 'registered', JSON.stringify(registered));
      const customerId = Number((registered as { mindboxId: string }).mindboxId);
      await admin('POST', `/api/admin/customers/${customerId}/adjustments`, { balanceType: 'Bonus', amount: 1000, reason: 'Стартовые баллы' });
      // the guest's rank (and so the earning rule) is set by the worker after the registration
      let guest = await find(pos, phoneNumber);
      for (const deadline = Date.now() + 30_000; guest.rank === null && Date.now() < deadline; guest = await find(pos, phoneNumber)) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      assert.equal(guest.rank, 'Bronze');
      assert.equal(total(guest), 100_000);

      // what the sale earns at full price: an authorized preorder of the same lines without points
      const probe = new Sale(guest);
      probe.add(dish(0));
      probe.add(dish(1), 2);
      assert.equal((await pos.cashier.calculate(probe)).kind, 'calculated');
      const earnedAtFullPrice = probe.calculation!.points!.earned;
      assert.equal(probe.calculation!.totalPrice, probe.subtotal, 'no discounts on this bill');
      assert.ok(earnedAtFullPrice > 0);

      const sale = new Sale(guest);
      sale.add(dish(0));
      sale.add(dish(1), 2);
      sale.spendPoints(30_000);
      assert.equal((await pos.cashier.calculate(sale)).kind, 'calculated');
      const spent = sale.calculation!.points!.spent;
      assert.ok(spent > 0);

      const outcome = await pos.pay(sale);
      assert.equal(outcome.kind, 'soldOffline', JSON.stringify(outcome));
      const record = (outcome as { record: SaleRecord }).record;
      assert.deepEqual([record.mode, record.totalPrice, record.pointsSpent], ['offline', sale.subtotal, 0], 'the cashier charged full price, no points');

      const [create] = proxy.calls.filter((call) => call.operation === 'Offline.CreateAuthorizedOrder');
      assert.equal(create.answerDropped, true);
      assert.equal(create.body.order.processingStatus, 'Created', 'the server saved the order the POS never heard of');
      const mindboxId = create.body.order.ids.mindboxId;

      const deadline = Date.now() + 30_000;
      // the queue forgets the item before the sender reports it delivered: wait for both
      const settled = () => pos.queue.pending().length === 0 && events.some((event) => event.kind === 'delivered' || (event.kind === 'failed' && event.failure.kind === 'rejected'));
      while (!settled() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      assert.equal(pos.queue.pending().length, 0, 'the offline order was delivered');
      assert.equal(pos.queue.rejected().length, 0);
      const delivered = events.filter((event) => event.kind === 'delivered');
      assert.equal(delivered.length, 1);
      const offlineItem = delivered[0].item;
      assert.equal(offlineItem.operation, 'Offline.SaveOfflineOrder');
      const answer = delivered[0].answer.body;
      assert.deepEqual([answer.status, answer.order?.processingStatus, answer.order?.ids?.mindboxId], ['Success', 'Updated', mindboxId]);

      guest = await find(pos, phoneNumber);
      assert.equal(total(guest), 100_000 + earnedAtFullPrice, 'the spent points are back and the full price earned once');

      const order = await admin('GET', `/api/admin/orders/${mindboxId}`);
      assert.equal(order.kind, 'offline');
      assert.equal(order.totalPrice * 100, sale.subtotal);
      assert.equal(order.discountTotal, 0);
      assert.deepEqual(
        order.lines.map((line: any) => [line.lineNumber, line.status, line.quantity, line.discountedPriceOfLine * 100, line.pointsSpentNow]),
        record.lines.map((line) => [line.lineNumber, 'iikoPaid', line.quantity, line.price * line.quantity, 0]),
      );
      assert.equal(order.lines.reduce((sum: number, line: any) => sum + line.pointsEarnedNow, 0) * 100, earnedAtFullPrice);

      const ledger = (await admin('GET', `/api/admin/customers/${customerId}/ledger`)).items.reverse();
      assert.deepEqual(
        ledger.map((item: any) => [item.kind, item.amount * 100]),
        [['adjustment', 100_000], ['spend', -spent], ['spendRefund', spent], ['accrual', earnedAtFullPrice]],
      );
      assert.match(ledger[2].reason, /касса не получила ответ и провела заказ .+ без баллов/);
      assert.equal(ledger.at(-1).balanceAfter * 100, 100_000 + earnedAtFullPrice);

      // the same sale once more (a copy queued again): a true duplicate now, nothing changes
      const copy = await fetch(`${server.url}/v3/operations/sync?endpointId=iiko&operation=Offline.SaveOfflineOrder&transactionId=${randomUUID()}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `SecretKey ${KEY}` },
        body: JSON.stringify(offlineItem.body),
      });
      assert.equal(((await copy.json()) as any).order.processingStatus, 'AlreadyExists');
      assert.equal(total(await find(pos, phoneNumber)), 100_000 + earnedAtFullPrice);

      // the guest brings the whole sale back: one Offline.Return for the order
      const returned = await pos.returnLines(record.orderId, record.lines.map((line) => ({ lineNumber: line.lineNumber, quantity: line.quantity })));
      assert.deepEqual(returned, { kind: 'returned' });
      const returns = proxy.calls.filter((call) => call.operation === 'Offline.Return');
      assert.deepEqual(returns.map((call) => call.status), ['Success']);
      assert.equal(total(await find(pos, phoneNumber)), 100_000, 'the accrual is taken back; nothing was spent');
    } finally {
      await pos.close();
    }
  });
});
