// The POS side end to end: the real server process and the real POS client (cashier actions, durable offline
// queue and its sender), the guest's phone on an SMPP server on loopback. The cashier flow with and without the
// SMS code for points, a server that hangs, is killed mid-shift and comes back with an answer lost on the way,
// and the interactive simulator driven through one sale.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config.ts';
import { openApp } from '../../src/main.ts';
import { Sale, type Guest, type MenuItem, type SaleRecord } from '../../src/pos/cashier.ts';
import { loadPosConfig } from '../../src/pos/config.ts';
import { loadMenu, type Menu } from '../../src/pos/menu.ts';
import { Pos } from '../../src/pos/pos.ts';
import { EXAMPLE_CONFIG, SAMPLE_MENU } from '../../src/pos/simulator/setup.ts';
import { startSmsPhone, type SmsPhone } from '../../src/pos/simulator/sms-phone.ts';
import { startLossyProxy } from '../support/pos/lossy-proxy.ts';
import { closedPort } from '../support/pos/scripted-server.ts';
import { applyProject } from '../../src/project/project.service.ts';
import { createTestDatabase, testDatabaseUrl, type TestDatabase } from '../support/db.ts';
import { freshDataDir, startServerProcess, type ServerProcess, regularsCommand, spawnArgs } from '../support/process.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const KEY = 'e2e-pos-secret-key-0123456';

let phoneNumbers = 0;
const newPhone = () => `7916${String(process.pid % 1000).padStart(3, '0')}${String(++phoneNumbers).padStart(4, '0')}`;

const total = (guest: Guest) => guest.balance?.total ?? 0;

describe('the POS against the real server process', () => {
  let database: TestDatabase | null = null;
  let phone: SmsPhone;
  let server: ServerProcess;
  let serverEnv: Record<string, string>;
  let port: number;
  let menu: Menu;
  const temporary = mkdtempSync(join(tmpdir(), 'regulars-pos-e2e-'));
  const opened: Pos[] = [];

  before(async () => {
    phone = await startSmsPhone();
    database = testDatabaseUrl ? await createTestDatabase() : null;
    port = await closedPort();
    serverEnv = {
      ...(database ? database.env : { REGULARS_DATA_DIR: freshDataDir() }),
      PORT: String(port),
      REGULARS_SECRET_KEY: KEY,
      REGULARS_SMS_URL: phone.smsUrl,
    };
    // A cashier asks for several codes for one phone within seconds here: no minimum interval between them.
    const app = await openApp(loadConfig({ ...serverEnv, LOG_LEVEL: 'silent' }));
    try {
      await applyProject(app.app.db, { settings: { codeMinIntervalSeconds: 0, codesPerPhonePerHour: 20, codeMaxAttempts: 5 } });
    } finally {
      await app.close();
    }
    server = await startServerProcess(serverEnv);
    menu = loadMenu(SAMPLE_MENU, true);
  });

  after(async () => {
    for (const pos of opened) await pos.close();
    await server?.stop();
    await phone?.close();
    await database?.close();
    rmSync(temporary, { recursive: true, force: true });
  });

  function posConfig(name: string, overrides: Record<string, string> = {}) {
    return loadPosConfig(EXAMPLE_CONFIG, {
      server: `http://127.0.0.1:${port}`,
      secret_key: KEY,
      queue_path: join(temporary, name),
      time_sendProducts: 'cancel',
      // a cold server on a busy test machine may take seconds to answer the first calls
      timeout_ms: '10000',
      ...overrides,
    });
  }

  async function openPos(name: string, overrides: Record<string, string> = {}): Promise<Pos> {
    const pos = await Pos.open(posConfig(name, overrides), { menu, backoff: { initialMs: 100, maxMs: 1000 } });
    opened.push(pos);
    return pos;
  }

  async function closePos(pos: Pos): Promise<void> {
    await pos.close();
    opened.splice(opened.indexOf(pos), 1);
  }

  const dish = (index: number): MenuItem => menu.items.filter((item) => item.priceMinor >= 15000 && item.priceMinor <= 90000)[index];

  async function find(pos: Pos, phoneNumber: string): Promise<Guest> {
    const found = await pos.cashier.findGuest({ phone: phoneNumber });
    assert.equal(found.kind, 'found', JSON.stringify(found));
    return (found as { guest: Guest }).guest;
  }

  /** The code the guest's phone got; on a timeout the error carries the end of the server's output. */
  async function codeFor(phoneNumber: string, since: number): Promise<string> {
    try {
      return await phone.waitForCode(phoneNumber, since, 30_000);
    } catch (error) {
      throw new Error(`${(error as Error).message}\nserver output:\n${server.output().slice(-3000)}`);
    }
  }

  /** Registers a guest at the till and confirms the phone with the code the SMS brought. */
  async function registerConfirmed(pos: Pos, options: { resend?: boolean } = {}): Promise<{ phoneNumber: string; guest: Guest }> {
    const phoneNumber = newPhone();
    assert.deepEqual(await pos.cashier.findGuest({ phone: phoneNumber }), { kind: 'notFound' });
    let mark = phone.messages.length;
    const registered = await pos.cashier.register({ mobilePhone: phoneNumber, firstName: 'Ирина', birthDate: '1991-04-12' });
    assert.equal(registered.kind, 'registered', JSON.stringify(registered));
    let code = await codeFor(phoneNumber, mark);
    assert.match(phone.messages.at(-1)!.text, /^Код подтверждения: \d+$/);
    if (options.resend) {
      mark = phone.messages.length;
      assert.deepEqual(await pos.cashier.resendConfirmationCode(phoneNumber), { kind: 'sent' });
      code = await codeFor(phoneNumber, mark);
    }
    assert.deepEqual(await pos.cashier.confirmPhone(phoneNumber, code === '0000' ? '1111' : '0000'), { kind: 'wrongCode' });
    assert.deepEqual(await pos.cashier.confirmPhone(phoneNumber, code), { kind: 'confirmed' });
    const guest = await find(pos, phoneNumber);
    assert.equal(guest.isPhoneConfirmed, true);
    assert.equal(guest.firstName, 'Ирина');
    assert.equal(total(guest), 0);
    return { phoneNumber, guest };
  }

  async function paid(pos: Pos, sale: Sale): Promise<SaleRecord> {
    const outcome = await pos.pay(sale);
    assert.equal(outcome.kind, 'paid', JSON.stringify(outcome));
    const record = (outcome as { record: SaleRecord }).record;
    assert.equal(record.mode, 'online');
    assert.equal(record.paymentQueued, false);
    return record;
  }

  /** The points the server would credit for these lines now: an authorized preorder without points. */
  async function earnedFor(pos: Pos, guest: Guest, lines: Array<[MenuItem, number]>): Promise<number> {
    const sale = new Sale(guest);
    for (const [item, quantity] of lines) sale.add(item, quantity);
    const outcome = await pos.cashier.calculate(sale);
    assert.equal(outcome.kind, 'calculated', JSON.stringify(outcome));
    return sale.calculation!.points!.earned;
  }

  test('the menu upload and the cashier flow without the SMS code: register, confirm, earn, spend, edit, return', async () => {
    const pos = await openPos('flow-without-code', { send_sms_confirm: 'false' });
    assert.deepEqual(await pos.uploadMenu(), { ok: true });

    const { phoneNumber, guest: registered } = await registerConfirmed(pos);
    const edited = await pos.cashier.editGuest(registered, { lastName: 'Соколова' });
    assert.equal(edited.kind, 'changed', JSON.stringify(edited));
    let guest = await find(pos, phoneNumber);
    assert.equal(guest.lastName, 'Соколова');
    assert.equal(guest.rank, 'Bronze');

    const first = new Sale(guest);
    first.add(dish(0));
    first.add(dish(1), 2);
    const calculated = await pos.cashier.calculate(first);
    assert.equal(calculated.kind, 'calculated');
    const calculation = first.calculation!;
    assert.equal(calculation.totalPrice, calculation.subtotal - calculation.discount);
    assert.ok(calculation.points && calculation.points.earned > 0, 'the bill shows points to earn');
    const firstRecord = await paid(pos, first);
    assert.equal(firstRecord.pointsEarned, calculation.points.earned);
    assert.equal(firstRecord.balanceAfter?.total, calculation.points.earned, 'points are credited after payment');
    guest = await find(pos, phoneNumber);
    assert.equal(total(guest), firstRecord.pointsEarned);

    const second = new Sale(guest);
    second.add(dish(2));
    second.add(dish(3));
    second.spendPoints(total(guest) + 100_000);
    await pos.cashier.calculate(second);
    const spent = second.calculation!.points!.spent;
    assert.ok(spent > 0 && spent <= total(guest), `spent ${spent} of ${total(guest)}`);
    assert.equal(second.calculation!.paidByPoints, spent, 'one point pays one rouble');
    assert.equal(pos.cashier.needsSpendCode(second), false);
    const secondRecord = await paid(pos, second);
    assert.equal(secondRecord.pointsSpent, spent);
    assert.equal(secondRecord.totalPrice, second.calculation!.subtotal - spent);
    assert.equal(secondRecord.balanceAfter?.total, total(guest) - spent + secondRecord.pointsEarned, 'the balance is reduced by the points spent');
    const beforeReturn = await find(pos, phoneNumber);

    const returned = await pos.returnLines(secondRecord.orderId, [{ lineNumber: 1, quantity: 1 }]);
    assert.deepEqual(returned, { kind: 'returned' });
    const afterPartial = await find(pos, phoneNumber);
    assert.ok(total(afterPartial) > total(beforeReturn), 'returning a line paid partly by points gives points back');
    assert.equal(pos.journal.returnable(secondRecord.orderId, 1), 0);
    await assert.rejects(pos.returnLines(secondRecord.orderId, [{ lineNumber: 1, quantity: 1 }]), /0 piece\(s\) can be returned/);
    assert.deepEqual(await pos.returnLines(secondRecord.orderId, [{ lineNumber: 2, quantity: 1 }]), { kind: 'returned' });
    guest = await find(pos, phoneNumber);
    assert.equal(total(guest), firstRecord.pointsEarned, 'after returning every line the balance is what it was before the sale');

    const anonymous = new Sale();
    anonymous.add(dish(4));
    const anonymousRecord = await paid(pos, anonymous);
    assert.equal(anonymousRecord.guest, null);
    assert.equal(anonymousRecord.pointsEarned, 0);
    assert.equal(pos.queue.pending().length, 0);
  });

  test('with send_sms_confirm (and a resent confirmation code) the points pay part of the bill only after the code from the SMS', async () => {
    const pos = await openPos('flow-with-code', { send_sms_confirm: 'true' });
    const { phoneNumber } = await registerConfirmed(pos, { resend: true });
    assert.deepEqual(await pos.cashier.resendConfirmationCode(phoneNumber), { kind: 'alreadyConfirmed' });
    const earning = new Sale(await find(pos, phoneNumber));
    earning.add(dish(5), 3);
    assert.equal(pos.cashier.needsSpendCode(earning), false, 'no code when no points are spent');
    await paid(pos, earning);
    const guest = await find(pos, phoneNumber);
    assert.ok(total(guest) > 0);

    const spending = new Sale(guest);
    spending.add(dish(6));
    spending.spendPoints(total(guest));
    const first = await pos.pay(spending);
    assert.equal(first.kind, 'codeRequired');
    const mark = phone.messages.length;
    assert.deepEqual(await pos.cashier.requestSpendCode(spending), { kind: 'sent' });
    const code = await codeFor(phoneNumber, mark);
    assert.match(phone.messages.at(-1)!.text, /^Код авторизации: \d+$/);
    const wrong = await pos.cashier.checkSpendCode(spending, code === '0000' ? '1111' : '0000');
    assert.equal(wrong.kind, 'wrongCode');
    assert.equal((await pos.pay(spending)).kind, 'codeRequired', 'a wrong code does not let the points through');
    assert.deepEqual(await pos.cashier.checkSpendCode(spending, code), { kind: 'confirmed' });
    const record = await paid(pos, spending);
    assert.ok(record.pointsSpent > 0);
    assert.equal(record.balanceAfter?.total, total(guest) - record.pointsSpent + record.pointsEarned);
  });

  test('the server hangs, then is killed mid-shift: the POS sells on, survives its own restart, and every queued order is credited once', async () => {
    const name = 'offline-shift';
    let pos = await openPos(name, { send_sms_confirm: 'false', timeout_ms: '3000' });
    const { phoneNumber } = await registerConfirmed(pos);
    const online = new Sale(await find(pos, phoneNumber));
    online.add(dish(0));
    await paid(pos, online);
    const guest = await find(pos, phoneNumber);
    const before = total(guest);

    // A server that stops answering: the sale waits one timeout, then goes on without loyalty.
    const hung = new Sale(guest);
    hung.add(dish(1), 2);
    hung.spendPoints(before);
    server.child.kill('SIGSTOP');
    const started = Date.now();
    let outcome: Awaited<ReturnType<Pos['pay']>>;
    try {
      outcome = await pos.pay(hung);
    } finally {
      server.child.kill('SIGCONT');
    }
    const waited = Date.now() - started;
    assert.equal(outcome.kind, 'soldOffline', JSON.stringify(outcome));
    assert.equal((outcome as { reason: string }).reason, 'no answer within 3000 ms');
    assert.ok(waited >= 2900 && waited < 6000, `the cashier waited ${waited} ms, one timeout`);
    assert.equal((outcome as { record: SaleRecord }).record.pointsSpent, 0, 'no points are spent without the server');
    assert.equal((outcome as { record: SaleRecord }).record.totalPrice, hung.subtotal);

    await server.stop('SIGKILL');
    const killed = new Sale(guest);
    killed.add(dish(2));
    killed.add(dish(3), 3);
    outcome = await pos.pay(killed);
    assert.equal(outcome.kind, 'soldOffline');
    assert.equal((outcome as { reason: string }).reason, 'connection refused (ECONNREFUSED)');
    const anonymous = new Sale();
    anonymous.add(dish(4));
    assert.equal((await pos.pay(anonymous)).kind, 'soldOffline');
    assert.deepEqual(pos.queue.pending().map((item) => item.operation), ['Offline.SaveOfflineOrder', 'Offline.SaveOfflineOrder', 'Offline.SaveOfflineOrder']);
    const [hungItem, killedItem] = pos.queue.pending();
    assert.deepEqual((hungItem.body as { customer: unknown }).customer, { mobilePhone: guest.mobilePhone });
    assert.deepEqual(
      (killedItem.body as { order: { lines: Array<{ status: unknown }> } }).order.lines.map((line) => line.status),
      [{ ids: { externalId: 'iikoPaid' } }, { ids: { externalId: 'iikoPaid' } }],
    );

    // The POS process restarts while the server is still down: the queue is read back from disk.
    const queued = pos.queue.pending().map((item) => item.transactionId);
    await closePos(pos);
    pos = await openPos(name, { send_sms_confirm: 'false', timeout_ms: '3000' });
    assert.deepEqual(pos.queue.pending().map((item) => item.transactionId), queued);
    assert.equal(pos.journal.list().length, 4, 'the journal has every sale of the shift');

    // The server comes back on another port behind a proxy that loses the answer to the first delivery.
    server = await startServerProcess({ ...serverEnv, PORT: '0' });
    const proxy = await startLossyProxy(port, new URL(server.url).port, (operation, index) => operation === 'Offline.SaveOfflineOrder' && index === 0);
    try {
      const deadline = Date.now() + 30_000;
      while (pos.queue.pending().length > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
      assert.equal(pos.queue.pending().length, 0, 'the queue was delivered');
      assert.equal(pos.queue.rejected().length, 0);

      const deliveries = proxy.calls.filter((call) => call.operation === 'Offline.SaveOfflineOrder');
      assert.deepEqual(
        deliveries.map((call) => call.transactionId),
        [queued[0], queued[0], queued[1], queued[2]],
        'in order; the delivery whose answer was lost was repeated with the same transactionId',
      );
      assert.equal(deliveries[0].answerDropped, true);
      assert.equal(deliveries[1].status, 'TransactionAlreadyProcessed');

      const expected = before + (await earnedFor(pos, guest, [[dish(1), 2]])) + (await earnedFor(pos, guest, [[dish(2), 1], [dish(3), 3]]));
      const after = await find(pos, phoneNumber);
      assert.equal(total(after), expected, 'each offline order was credited exactly once');
      assert.deepEqual(await pos.flushQueue(), { delivered: 0, rejected: 0, remaining: 0 });
    } finally {
      await proxy.close();
    }
  });

  test('the terminal simulator: a cashier registers a guest and sells through plain text menus', async () => {
    const configPath = join(temporary, 'terminal.config.json');
    writeFileSync(
      configPath,
      JSON.stringify({
        server: server.url,
        endpoint: 'iiko',
        secret_key: KEY,
        product_id: 'iiko',
        balance_name: 'Bonus',
        send_product_id: true,
        send_sms_confirm: true,
        time_sendProducts: '',
        timeout_ms: 3000,
        queue_path: './terminal-queue',
      }),
    );
    const item = menu.items.find((candidate) => menu.items.filter((other) => other.name.toLowerCase().includes(candidate.name.toLowerCase())).length === 1)!;
    const phoneNumber = newPhone();
    const child = spawn(...spawnArgs(regularsCommand(['pos', '--config', configPath])), {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    let seen = 0;
    const expect = (pattern: RegExp, timeoutMs = 30_000) =>
      new Promise<RegExpExecArray>((resolve, reject) => {
        const started = Date.now();
        const check = () => {
          const match = pattern.exec(output.slice(seen));
          if (match) {
            seen += match.index + match[0].length;
            return resolve(match);
          }
          if (Date.now() - started > timeoutMs) return reject(new Error(`no ${pattern} in the terminal output:\n${output.slice(seen)}`));
          setTimeout(check, 20);
        };
        check();
      });
    const type = (line: string) => child.stdin.write(`${line}\n`);
    try {
      await expect(/Main menu[\s\S]*> $/);
      type('1');
      await expect(/Guest phone: $/);
      const mark = phone.messages.length;
      type(phoneNumber);
      await expect(/Register them\? \[y\/N\] $/);
      type('y');
      await expect(/First name \(optional\): $/);
      type('Пётр');
      await expect(/Last name \(optional\): $/);
      type('');
      await expect(/Birth date YYYY-MM-DD \(optional\): $/);
      type('');
      await expect(/Discount card \(optional\): $/);
      type('');
      await expect(/Confirmation code from the SMS[^\n]*: $/);
      type(await codeFor(phoneNumber, mark));
      await expect(/Phone confirmed\.[\s\S]*rank Bronze, points 0[\s\S]*> $/);
      type('5');
      await expect(/sale> $/);
      type('a');
      await expect(/Dish \(part of the name\): $/);
      type(item.name);
      await expect(/Quantity \[1\]: $/);
      type('2');
      const bill = await expect(/To pay +([\d ]+\.\d\d)\nPoints: may spend up to 0, spending 0, will earn (\d+)[\s\S]*sale> $/);
      type('$');
      const printed = await expect(/RECEIPT[\s\S]*?={56}\n/);
      assert.match(printed[0], new RegExp(`Guest \\+7 ${phoneNumber.slice(1, 4)} \\*\\*\\*-\\*\\*-${phoneNumber.slice(9)}, rank Bronze`));
      assert.ok(!printed[0].includes(phoneNumber), 'the full phone number is not printed');
      assert.match(printed[0], new RegExp(`TOTAL +${bill[1]}\\n`));
      assert.match(printed[0], new RegExp(`Points spent 0, earned ${bill[2]}`));
      assert.match(printed[0], new RegExp(`Balance ${bill[2]}\\n`));
      await expect(/Main menu · offline queue: 0 waiting[\s\S]*points (\d+)[\s\S]*> $/);
      type('0');
      assert.equal(await exited, 0, output);
      assert.match(output, /Bye\./);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
