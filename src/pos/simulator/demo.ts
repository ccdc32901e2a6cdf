// `regulars pos demo`: the whole cashier flow, without a human, against a Regulars server — by default one it
// starts itself as a process of its own (the command line the entry gives it) in a temporary data directory, with
// a known secret key and admin token and the guest's phone on a loopback SMPP server. Every step and call is
// printed; the first answer that is not what the cashier should see stops the demo with a non-zero exit code.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Answer } from '../../wire/answers.ts';
import { Sale, type Balance, type Calculation, type Guest, type MenuItem, type SaleRecord } from '../cashier.ts';
import type { CallOutcome } from '../client.ts';
import { inheritedEnvironment } from '../config.ts';
import { loadMenu } from '../menu.ts';
import { Pos } from '../pos.ts';
import { points, receipt } from './receipt.ts';
import { startServerProcess, type ServerProcess } from './server-process.ts';
import { describeQueueEvent } from './terminal.ts';
import { EXAMPLE_CONFIG, resolvePosConfig } from './setup.ts';
import { startSmsPhone, type SmsPhone } from './sms-phone.ts';

export const DEMO_SECRET_KEY = 'regulars-pos-demo-secret-key';
const DEMO_ADMIN_TOKEN = `${DEMO_SECRET_KEY}-admin`;
/** a cold start migrates a fresh database; give a loaded machine time */
const SERVER_START_TIMEOUT_MS = 120_000;

export interface DemoOptions {
  out: (line: string) => void;
  /** plugin configuration file (the bundled example by default) */
  config?: string;
  /** run against this server instead of starting one */
  server?: string;
  /** the command line that starts a Regulars server (`regulars start`), for the demo's own server */
  serverCommand: readonly string[];
  key?: string;
  /** with --server: listen for the server's SMS on this loopback SMPP port */
  smsPort?: number;
  menu: string;
  /** REGULARS_POS_* overrides */
  environment: Record<string, string>;
}

class DemoFailure extends Error {}

/** Runs the demo; resolves to the process exit code. */
export async function runDemo(options: DemoOptions): Promise<number> {
  const demo = new Demo(options);
  try {
    await demo.run();
    options.out('');
    options.out(`Demo finished: all ${demo.checks} checks passed.`);
    return 0;
  } catch (error) {
    options.out('');
    if (error instanceof DemoFailure) {
      options.out(`✗ ${error.message}`);
      options.out('The demo stopped: the cashier would not see what they should.');
      return 1;
    }
    options.out(`✗ the demo failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return 2;
  } finally {
    await demo.cleanUp();
  }
}

const total = (balance: Balance | null) => balance?.total ?? 0;

class Demo {
  checks = 0;
  private readonly temporary = mkdtempSync(join(tmpdir(), 'regulars-pos-demo-'));
  private server: ServerProcess | null = null;
  private serverPort = 0;
  private phone: SmsPhone | null = null;
  private pos: Pos | null = null;
  /** the demo started the server itself, so it may stop it for the offline part */
  private readonly ownServer: boolean;
  private readonly delivered: string[] = [];

  constructor(private readonly options: DemoOptions) {
    this.ownServer = options.server === undefined;
  }

  private say(...lines: string[]): void {
    for (const line of lines.length === 0 ? [''] : lines) this.options.out(line);
  }

  private step(title: string): void {
    this.say('');
    this.say(`▸ ${title}`);
  }

  private check(condition: boolean, what: string, detail: () => string = () => ''): void {
    this.checks += 1;
    if (!condition) throw new DemoFailure(`${what}${detail() ? ` — ${detail()}` : ''}`);
    this.say(`  ✓ ${what}`);
  }

  async cleanUp(): Promise<void> {
    await this.pos?.close().catch(() => undefined);
    await this.server?.stop().catch(() => undefined);
    await this.phone?.close().catch(() => undefined);
    rmSync(this.temporary, { recursive: true, force: true });
  }

  /** The server in the demo's data directory, sending its SMS to the guest's phone; port 0: any free port. */
  private async startOwnServer(port: number): Promise<string> {
    this.server = await startServerProcess(this.options.serverCommand, {
      env: {
        ...inheritedEnvironment(),
        REGULARS_DATA_DIR: join(this.temporary, 'server-data'),
        HOST: '127.0.0.1',
        PORT: String(port),
        REGULARS_SECRET_KEY: DEMO_SECRET_KEY,
        REGULARS_ADMIN_TOKEN: DEMO_ADMIN_TOKEN,
        REGULARS_SMS_URL: this.phone!.smsUrl,
        REGULARS_WORKER_POLL_MS: '50',
        LOG_LEVEL: 'warn',
      },
      timeoutMs: SERVER_START_TIMEOUT_MS,
    });
    this.serverPort = Number(new URL(this.server.url).port);
    return this.server.url;
  }

  /** Changes project settings as an operator's script would: through the admin API, with the admin token. */
  private async changeSettings(url: string, settings: Record<string, unknown>): Promise<void> {
    const response = await fetch(`${url}/api/admin/project/apply`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${DEMO_ADMIN_TOKEN}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ content: JSON.stringify({ settings }) }),
    });
    if (!response.ok) throw new Error(`the server did not take the settings ${JSON.stringify(settings)}: HTTP ${response.status} ${await response.text()}`);
  }

  async run(): Promise<void> {
    let url: string;
    let key: string;
    if (this.ownServer) {
      this.step('Starting a Regulars server process in a temporary directory, the guest\'s phone on a loopback SMPP server');
      this.phone = await startSmsPhone();
      url = await this.startOwnServer(0);
      // The guest gets a confirmation and an authorization code within seconds; the preset's 30 s pause between
      // codes to one phone would only make the demo wait.
      await this.changeSettings(url, { codeMinIntervalSeconds: 0 });
      key = DEMO_SECRET_KEY;
      this.say(`  server ${url}, integration point iiko, secret key ${key}; codes to one phone without the 30 s pause (set through the admin API)`);
    } else {
      url = this.options.server!;
      key = this.options.key ?? '';
      if (this.options.smsPort !== undefined) this.phone = await startSmsPhone({ port: this.options.smsPort });
      this.say(`Server ${url}${this.phone ? `; reading SMS sent to ${this.phone.smsUrl}` : '; no SMS inbox (--sms-port), code steps are skipped'}`);
    }

    const config = resolvePosConfig(
      { config: this.options.config ?? EXAMPLE_CONFIG, server: url, key },
      {
        ...this.options.environment,
        QUEUE_PATH: join(this.temporary, 'pos-queue'),
        TIME_SENDPRODUCTS: 'cancel',
        ...(this.phone ? {} : { SEND_SMS_CONFIRM: 'false' }),
      },
    );
    const menu = loadMenu(this.options.menu, config.sendProductId);
    const trace = (operation: string, outcome: CallOutcome, ms: number) => {
      const status = outcome.kind === 'unreachable' ? `unreachable: ${outcome.reason}` : describeAnswer(outcome.body);
      this.say(`    → ${operation}: ${status} (${ms} ms)`);
    };
    this.pos = await Pos.open(config, {
      menu,
      trace,
      backoff: { initialMs: 200, maxMs: 2000 },
      onEvent: (event) => {
        if (event.kind === 'delivered') this.delivered.push(event.item.transactionId);
        const line = describeQueueEvent(event);
        if (line) this.say(`  ${line}`);
      },
    });
    const pos = this.pos;
    const cashier = pos.cashier;
    this.say(`  POS: send_sms_confirm ${config.sendSmsConfirm}, product ids by ${config.sendProductId ? 'guid' : 'article'}, timeout ${config.timeoutMs} ms`);

    this.step(`Uploading the menu: ${menu.upload.products.length} products, ${menu.upload.categories.length} categories`);
    const uploaded = await pos.uploadMenu();
    this.check(uploaded.ok, 'the server took the menu', () => (uploaded.ok ? '' : uploaded.reason));

    const phoneNumber = `7999${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`;
    this.step(`Looking up a new guest by phone ${phoneNumber}`);
    const missing = await cashier.findGuest({ phone: phoneNumber });
    this.check(missing.kind === 'notFound', 'the guest is not found', () => JSON.stringify(missing));

    this.step('Registering the guest');
    const smsMark = this.phone?.messages.length ?? 0;
    const registered = await cashier.register({ mobilePhone: phoneNumber, firstName: 'Анна', lastName: 'Демидова' });
    this.check(registered.kind === 'registered', 'the guest is registered', () => JSON.stringify(registered));
    let guest = await this.findGuest(phoneNumber);
    if (!guest.isPhoneConfirmed && this.phone) {
      const code = await this.readCode(phoneNumber, smsMark, 'confirmation');
      if (code !== null) {
        const confirmed = await cashier.confirmPhone(phoneNumber, code);
        this.check(confirmed.kind === 'confirmed', 'the phone is confirmed with the code from the SMS', () => JSON.stringify(confirmed));
        guest = await this.findGuest(phoneNumber);
        this.check(guest.isPhoneConfirmed, 'the guest card shows the phone confirmed');
      }
    }
    const start = guest.balance;
    this.say(`  rank ${guest.rank ?? '—'}, balance ${points(total(start))}`);

    const dishes = pickDishes(menu.items);
    this.step(`Sale 1 for the guest: ${dishes.map((dish) => dish.name).join(', ')}`);
    const first = new Sale(guest);
    first.add(dishes[0]);
    first.add(dishes[1], 2);
    first.add(dishes[2]);
    const firstCalculation = await this.calculate(first);
    this.check((firstCalculation.points?.earned ?? 0) > 0, 'the bill shows points to earn', () => JSON.stringify(firstCalculation.points));
    const firstRecord = await this.pay(first);
    this.check(
      total(firstRecord.balanceAfter) === total(start) + firstRecord.pointsEarned,
      `the earned ${points(firstRecord.pointsEarned)} points are credited after payment`,
      () => `balance ${points(total(firstRecord.balanceAfter))}, expected ${points(total(start) + firstRecord.pointsEarned)}`,
    );
    guest = await this.findGuest(phoneNumber);

    this.step(`Sale 2: the guest pays with points (has ${points(total(guest.balance))})`);
    const beforeSecond = guest.balance;
    const second = new Sale(guest);
    second.add(dishes[3]);
    second.add(dishes[1]);
    second.spendPoints(guest.balance?.available ?? 0);
    const secondCalculation = await this.calculate(second);
    const spent = secondCalculation.points?.spent ?? 0;
    this.check(spent > 0, `the bill takes ${points(spent)} points`, () => JSON.stringify(secondCalculation.points));
    this.check(
      spent <= (guest.balance?.available ?? 0) && spent <= (secondCalculation.points?.availableForOrder ?? 0),
      'no more points than the guest has and the bill allows',
    );
    if (cashier.needsSpendCode(second)) {
      const payment = await pos.pay(second);
      this.check(payment.kind === 'codeRequired', 'paying with points asks for the SMS code first', () => payment.kind);
      const mark = this.phone!.messages.length;
      const sent = await this.politely(() => cashier.requestSpendCode(second));
      this.check(sent.kind === 'sent', 'the authorization code is requested', () => JSON.stringify(sent));
      const code = await this.readCode(phoneNumber, mark, 'authorization');
      if (code === null) throw new DemoFailure('no authorization code SMS reached the guest');
      const wrong = await cashier.checkSpendCode(second, code === '0000' ? '1111' : '0000');
      this.check(wrong.kind === 'wrongCode', 'a wrong code is refused', () => JSON.stringify(wrong));
      const checked = await cashier.checkSpendCode(second, code);
      this.check(checked.kind === 'confirmed', 'the right code is accepted', () => JSON.stringify(checked));
    }
    const secondRecord = await this.pay(second);
    this.check(secondRecord.pointsSpent === spent, `${points(spent)} points paid part of the bill`, () => `spent ${points(secondRecord.pointsSpent)}`);
    this.check(
      total(secondRecord.balanceAfter) === total(beforeSecond) - secondRecord.pointsSpent + secondRecord.pointsEarned,
      'the balance is reduced by the points spent and raised by the points earned',
      () => `balance ${points(total(secondRecord.balanceAfter))}, expected ${points(total(beforeSecond) - secondRecord.pointsSpent + secondRecord.pointsEarned)}`,
    );

    this.step('Returning every line of sale 2');
    const returned = await pos.returnLines(
      secondRecord.orderId,
      secondRecord.lines.map((line) => ({ lineNumber: line.lineNumber, quantity: line.quantity })),
    );
    this.check(returned.kind === 'returned', 'the return is accepted', () => JSON.stringify(returned));
    guest = await this.findGuest(phoneNumber);
    this.check(
      total(guest.balance) === total(beforeSecond),
      'spent points came back and earned points were taken back',
      () => `balance ${points(total(guest.balance))}, expected ${points(total(beforeSecond))}`,
    );

    this.step('An anonymous sale');
    const anonymous = new Sale();
    anonymous.add(dishes[2]);
    const anonymousCalculation = await this.calculate(anonymous);
    this.check(anonymousCalculation.points === null, 'no points on an anonymous bill');
    const anonymousRecord = await this.pay(anonymous);
    this.check(anonymousRecord.guest === null && anonymousRecord.pointsEarned === 0, 'the receipt has no guest and no points');

    if (!this.ownServer) {
      this.step('Offline sales are skipped: the demo stops only a server it started itself');
      return;
    }

    this.step('The server goes away mid-shift; the POS keeps selling');
    await this.server!.stop();
    this.server = null;
    const beforeOffline = guest.balance;
    const offline = new Sale(guest);
    offline.add(dishes[0], 2);
    offline.add(dishes[3]);
    const offlinePayment = await pos.pay(offline);
    this.check(offlinePayment.kind === 'soldOffline', 'the sale is completed without loyalty', () => offlinePayment.kind);
    if (offlinePayment.kind !== 'soldOffline') return;
    this.say(...receipt(offlinePayment.record).map((line) => `  ${line}`));
    const anonymousOffline = new Sale();
    anonymousOffline.add(dishes[1]);
    const anonymousOfflinePayment = await pos.pay(anonymousOffline);
    this.check(anonymousOfflinePayment.kind === 'soldOffline', 'an anonymous sale too');
    this.check(pos.queue.pending().length === 2, 'both orders wait in the durable queue', () => `${pos.queue.pending().length} waiting`);

    this.step('The server is back (same data); the queue is delivered');
    await this.startOwnServer(this.serverPort);
    const queued = pos.queue.pending().map((item) => item.transactionId);
    await pos.flushQueue();
    const deadline = Date.now() + 30_000;
    const settled = () => pos.queue.pending().length === 0 && queued.every((transactionId) => this.delivered.includes(transactionId) || pos.queue.rejected().some((item) => item.transactionId === transactionId));
    while (!settled() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    this.check(pos.queue.pending().length === 0 && pos.queue.rejected().length === 0, 'the queue is delivered, nothing refused');
    this.check(
      queued.every((transactionId) => this.delivered.filter((delivered) => delivered === transactionId).length === 1),
      'each queued order was delivered once',
    );

    const expected = new Sale(guest);
    expected.add(dishes[0], 2);
    expected.add(dishes[3]);
    const expectedCalculation = await this.calculate(expected);
    guest = await this.findGuest(phoneNumber);
    this.check(
      total(guest.balance) === total(beforeOffline) + (expectedCalculation.points?.earned ?? 0),
      `the offline order earned its ${points(expectedCalculation.points?.earned ?? 0)} points, once`,
      () => `balance ${points(total(guest.balance))}, expected ${points(total(beforeOffline) + (expectedCalculation.points?.earned ?? 0))}`,
    );
  }

  /** Asks for a code; when the server says another one may only be sent in N seconds, waits that long once. */
  private async politely<T extends { kind: string }>(request: () => Promise<T>): Promise<T> {
    const first = await request();
    const messages = first.kind === 'refused' ? (first as unknown as { messages: string[] }).messages.join(' ') : '';
    const wait = /in (\d+) s\b/.exec(messages);
    if (!wait || Number(wait[1]) > 120) return first;
    this.say(`  the server limits codes per phone: waiting ${wait[1]} s as it asks`);
    await new Promise((resolve) => setTimeout(resolve, (Number(wait[1]) + 1) * 1000));
    return request();
  }

  private async findGuest(phone: string): Promise<Guest> {
    const found = await this.pos!.cashier.findGuest({ phone });
    if (found.kind !== 'found') throw new DemoFailure(`the guest ${phone} should be found: ${JSON.stringify(found)}`);
    return found.guest;
  }

  private async readCode(phone: string, since: number, kind: string): Promise<string | null> {
    try {
      const code = await this.phone!.waitForCode(phone, since, 15_000);
      this.say(`  the guest's phone got the ${kind} SMS: "${this.phone!.messages.at(-1)?.text ?? ''}"`);
      return code;
    } catch (error) {
      if (this.ownServer) throw new DemoFailure(`no ${kind} SMS reached the guest's phone: ${(error as Error).message}`);
      this.say(`  no ${kind} SMS arrived; skipped`);
      return null;
    }
  }

  private async calculate(sale: Sale): Promise<Calculation> {
    const outcome = await this.pos!.cashier.calculate(sale);
    if (outcome.kind !== 'calculated') throw new DemoFailure(`the bill should be calculated: ${JSON.stringify(outcome)}`);
    const calculation = outcome.calculation;
    this.check(
      calculation.totalPrice === calculation.subtotal - calculation.discount - calculation.paidByPoints,
      `the bill adds up: ${calculation.subtotal / 100} − discounts ${calculation.discount / 100} − points ${calculation.paidByPoints / 100} = ${calculation.totalPrice / 100}`,
    );
    return calculation;
  }

  private async pay(sale: Sale): Promise<SaleRecord> {
    const outcome = await this.pos!.pay(sale);
    if (outcome.kind !== 'paid') throw new DemoFailure(`the sale should be paid: ${JSON.stringify(outcome)}`);
    this.check(!outcome.record.paymentQueued, 'the order is created and marked paid on the server');
    this.say(...receipt(outcome.record).map((line) => `  ${line}`));
    return outcome.record;
  }
}

function describeAnswer(body: Answer): string {
  const status = String(body?.status);
  const details = [body?.customer?.processingStatus, body?.order?.processingStatus, body?.smsConfirmation?.processingStatus].filter(Boolean);
  const messages = Array.isArray(body?.validationMessages) ? body.validationMessages.map((m: { message?: string }) => m.message).join('; ') : '';
  return [status, ...details].join(' / ') + (messages ? ` (${messages})` : '') + (typeof body?.errorMessage === 'string' ? ` (${body.errorMessage})` : '');
}

/** Four dishes at everyday prices (150–900 roubles), from different categories when possible. */
function pickDishes(items: MenuItem[]): MenuItem[] {
  const affordable = items.filter((item) => item.priceMinor >= 15000 && item.priceMinor <= 90000);
  const picked: MenuItem[] = [];
  const categories = new Set<string | null>();
  for (const item of affordable) {
    if (picked.length === 4) break;
    if (categories.has(item.category)) continue;
    categories.add(item.category);
    picked.push(item);
  }
  for (const item of affordable) {
    if (picked.length === 4) break;
    if (!picked.includes(item)) picked.push(item);
  }
  if (picked.length < 4) throw new DemoFailure('the menu needs at least four dishes priced 150–900 roubles');
  return picked;
}
