// `regulars pos`: an interactive cashier in the terminal, plain text menus over node:readline. It does what a
// cashier does at an iiko terminal with the loyalty plugin: find or register a guest, ring up dishes, spend
// points (with the SMS code when `send_sms_confirm` is on), pay and print the receipt, return lines of a past
// order, and look at the offline queue.

import { createInterface, type Interface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { parseMinor } from '../../wire/money.ts';
import { Sale, type Guest, type MenuItem, type NewGuest, type Refused } from '../cashier.ts';
import type { Pos, QueueEvent } from '../pos.ts';
import { billLines, guestCard, maskPhone, money, points, receipt } from './receipt.ts';

/** Serves lines to questions in order, even when piped input arrives before the question is asked. */
class LineReader {
  private readonly lines: string[] = [];
  private waiting: ((line: string | null) => void) | null = null;
  private ended = false;
  private readonly rl: Interface;

  constructor(input: Readable, private readonly output: Writable) {
    this.rl = createInterface({ input, terminal: false });
    this.rl.on('line', (line) => {
      if (this.waiting) {
        const resolve = this.waiting;
        this.waiting = null;
        resolve(line);
      } else {
        this.lines.push(line);
      }
    });
    this.rl.on('close', () => {
      this.ended = true;
      this.waiting?.(null);
      this.waiting = null;
    });
  }

  /** The next line, trimmed; null when the input has ended. */
  ask(prompt: string): Promise<string | null> {
    this.output.write(prompt);
    const next = this.lines.shift();
    if (next !== undefined) return Promise.resolve(next.trim());
    if (this.ended) return Promise.resolve(null);
    return new Promise((resolve) => {
      this.waiting = (line) => resolve(line === null ? null : line.trim());
    });
  }

  close(): void {
    this.rl.close();
  }
}

class EndOfInput extends Error {}

export interface TerminalOptions {
  input: Readable;
  output: Writable;
}

export function describeQueueEvent(event: QueueEvent): string | null {
  const orderId = (body: object) => (body as { order?: { ids?: Record<string, string> } }).order?.ids?.iikoOrderId ?? '?';
  if (event.kind === 'delivered') return `[queue] delivered ${event.item.operation} for order ${orderId(event.item.body)} (${String(event.answer.body?.status)})`;
  if (event.kind === 'failed' && event.failure.kind === 'rejected') return `[queue] the server refused ${event.item.operation} for order ${orderId(event.item.body)}: ${event.failure.reason}`;
  if (event.kind === 'menuUploaded') return event.result.ok ? '[menu] uploaded to the server' : `[menu] upload failed: ${event.result.reason}`;
  return null;
}

export class Terminal {
  private readonly reader: LineReader;
  private guest: Guest | null = null;

  constructor(
    private readonly pos: Pos,
    private readonly options: TerminalOptions,
  ) {
    this.reader = new LineReader(options.input, options.output);
  }

  /** Ends the session at the next question (Ctrl+C): the POS then closes its queue cleanly. */
  stop(): void {
    this.reader.close();
  }

  print(...lines: string[]): void {
    for (const line of lines) this.options.output.write(`${line}\n`);
  }

  async run(): Promise<void> {
    try {
      this.print(`Regulars POS simulator · endpoint ${this.pos.config.endpoint} at ${this.pos.config.server}`, `Menu: ${this.pos.menu.items.length} dishes`);
      for (;;) {
        const choice = await this.mainMenu();
        if (choice === '0' || choice === 'q') break;
        await this.dispatch(choice);
      }
    } catch (error) {
      if (!(error instanceof EndOfInput)) throw error;
    } finally {
      this.reader.close();
    }
    this.print('Bye.');
  }

  private async ask(prompt: string): Promise<string> {
    const answer = await this.reader.ask(prompt);
    if (answer === null) throw new EndOfInput();
    return answer;
  }

  private async mainMenu(): Promise<string> {
    const waiting = this.pos.queue.pending().length;
    this.print(
      '',
      `== Main menu · offline queue: ${waiting} waiting${this.pos.queue.rejected().length ? `, ${this.pos.queue.rejected().length} refused` : ''} ==`,
      this.guest ? `Current guest: ${maskPhone(this.guest.mobilePhone)} · rank ${this.guest.rank ?? '—'} · points ${this.guest.balance ? points(this.guest.balance.available) : '?'}` : 'Current guest: none',
      ' 1  Find guest by phone',
      ' 2  Find guest by card',
      ' 3  Register guest',
      ' 4  Edit guest',
      ' 5  New sale',
      ' 6  Return lines from a past order',
      ' 7  Offline queue',
      ' 8  Upload the menu now',
      ' 9  Forget the current guest',
      ' 0  Exit',
    );
    return this.ask('> ');
  }

  private async dispatch(choice: string): Promise<void> {
    switch (choice) {
      case '1':
        return this.findGuest('phone');
      case '2':
        return this.findGuest('card');
      case '3':
        return this.register();
      case '4':
        return this.editGuest();
      case '5':
        return this.sale();
      case '6':
        return this.returnLines();
      case '7':
        return this.showQueue();
      case '8': {
        this.print('Uploading the menu…');
        const result = await this.pos.uploadMenu();
        this.print(result.ok ? `Menu uploaded: ${this.pos.menu.upload.products.length} products.` : `Menu upload failed: ${result.reason}`);
        return;
      }
      case '9':
        this.guest = null;
        this.print('No current guest.');
        return;
      default:
        this.print(`Unknown choice "${choice}".`);
    }
  }

  private refusal(outcome: Refused | { kind: 'offline'; reason: string }): string {
    return outcome.kind === 'offline' ? `Loyalty server unreachable (${outcome.reason}).` : `The server refused: ${outcome.status}${outcome.messages.length ? ` — ${outcome.messages.join('; ')}` : ''}`;
  }

  private async findGuest(by: 'phone' | 'card'): Promise<void> {
    const value = await this.ask(by === 'phone' ? 'Guest phone: ' : 'Discount card number: ');
    if (value === '') return;
    const outcome = await this.pos.cashier.findGuest(by === 'phone' ? { phone: value } : { card: value });
    switch (outcome.kind) {
      case 'found':
        this.guest = outcome.guest;
        this.print(...guestCard(outcome.guest));
        return;
      case 'notFound': {
        this.print('No guest with this ' + by + '.');
        if (by === 'phone' && (await this.ask('Register them? [y/N] ')).toLowerCase().startsWith('y')) await this.register(value);
        return;
      }
      case 'ambiguous':
        this.print('Several guests match; try the other identifier.');
        return;
      default:
        this.print(this.refusal(outcome));
    }
  }

  private async register(knownPhone?: string): Promise<void> {
    const mobilePhone = knownPhone ?? (await this.ask('Phone: '));
    if (mobilePhone === '') return;
    const profile: NewGuest = { mobilePhone };
    const firstName = await this.ask('First name (optional): ');
    if (firstName) profile.firstName = firstName;
    const lastName = await this.ask('Last name (optional): ');
    if (lastName) profile.lastName = lastName;
    const birthDate = await this.ask('Birth date YYYY-MM-DD (optional): ');
    if (birthDate) profile.birthDate = birthDate;
    const card = await this.ask('Discount card (optional): ');
    if (card) profile.discountCard = card;
    const registered = await this.pos.cashier.register(profile);
    if (registered.kind !== 'registered') return this.print(this.refusal(registered));
    this.print('Registered.');
    await this.confirmPhone(mobilePhone);
    const found = await this.pos.cashier.findGuest({ phone: mobilePhone });
    if (found.kind === 'found') {
      this.guest = found.guest;
      this.print(...guestCard(found.guest));
    }
  }

  private async confirmPhone(phone: string): Promise<void> {
    for (;;) {
      const code = await this.ask('Confirmation code from the SMS (empty: send again, "-": skip): ');
      if (code === '-') return;
      if (code === '') {
        const resent = await this.pos.cashier.resendConfirmationCode(phone);
        this.print(resent.kind === 'sent' ? 'A new code was sent.' : resent.kind === 'alreadyConfirmed' ? 'The phone is confirmed already.' : resent.kind === 'notFound' ? 'No such guest.' : this.refusal(resent));
        if (resent.kind === 'alreadyConfirmed') return;
        continue;
      }
      const confirmed = await this.pos.cashier.confirmPhone(phone, code);
      if (confirmed.kind === 'confirmed' || confirmed.kind === 'alreadyConfirmed') return this.print('Phone confirmed.');
      if (confirmed.kind === 'wrongCode') this.print('Wrong code.');
      else return this.print(confirmed.kind === 'notFound' ? 'No such guest.' : this.refusal(confirmed));
    }
  }

  private async editGuest(): Promise<void> {
    if (!this.guest) return this.print('Find the guest first.');
    this.print(...guestCard(this.guest), 'Type a new value, or leave empty to keep it.');
    const changes: Partial<NewGuest> = {};
    const firstName = await this.ask(`First name [${this.guest.firstName ?? ''}]: `);
    if (firstName) changes.firstName = firstName;
    const lastName = await this.ask(`Last name [${this.guest.lastName ?? ''}]: `);
    if (lastName) changes.lastName = lastName;
    const birthDate = await this.ask(`Birth date [${this.guest.birthDate ?? ''}]: `);
    if (birthDate) changes.birthDate = birthDate;
    const email = await this.ask(`Email [${this.guest.email ?? ''}]: `);
    if (email) changes.email = email;
    const phone = await this.ask('New phone (empty: keep): ');
    if (phone) changes.mobilePhone = phone;
    if (Object.keys(changes).length === 0) return this.print('Nothing changed.');
    const outcome = await this.pos.cashier.editGuest(this.guest, changes);
    if (outcome.kind === 'changed' || outcome.kind === 'notChanged') {
      this.print(outcome.kind === 'changed' ? 'Saved.' : 'Nothing to change.');
      if (phone) await this.confirmPhone(phone);
      const again = await this.pos.cashier.refreshGuest(this.guest);
      if (again.kind === 'found') {
        this.guest = again.guest;
        this.print(...guestCard(again.guest));
      }
      return;
    }
    this.print(outcome.kind === 'notFound' ? 'No such guest.' : this.refusal(outcome));
  }

  private async recalculate(sale: Sale): Promise<void> {
    if (sale.lines.length === 0) {
      this.print(...billLines(sale));
      return;
    }
    const outcome = await this.pos.cashier.calculate(sale);
    this.print(...billLines(sale));
    if (outcome.kind !== 'calculated') this.print(`${this.refusal(outcome)} The bill is at full price, without loyalty.`);
  }

  private async sale(): Promise<void> {
    const sale = new Sale(this.guest);
    this.print(`New sale, order ${sale.orderId}${this.guest ? ` for guest ${maskPhone(this.guest.mobilePhone)}` : ' (no guest)'}.`);
    for (;;) {
      this.print('', ' a  Add dish   d  Remove line   g  Guest   p  Points to spend   c  Calculate   $  Pay   x  Cancel');
      const choice = await this.ask('sale> ');
      if (choice === 'x') return this.print('Sale cancelled.');
      if (choice === 'a') {
        const item = await this.pickDish();
        if (!item) continue;
        const quantity = Number((await this.ask('Quantity [1]: ')) || '1');
        if (!Number.isSafeInteger(quantity) || quantity < 1) {
          this.print('The quantity is a whole number of pieces.');
          continue;
        }
        sale.add(item, quantity);
        await this.recalculate(sale);
      } else if (choice === 'd') {
        const lineNumber = Number(await this.ask('Line number: '));
        try {
          sale.remove(lineNumber);
        } catch (error) {
          this.print((error as Error).message);
          continue;
        }
        await this.recalculate(sale);
      } else if (choice === 'g') {
        if (this.guest && !sale.guest) sale.setGuest(this.guest);
        else {
          await this.findGuest('phone');
          sale.setGuest(this.guest);
        }
        await this.recalculate(sale);
      } else if (choice === 'p') {
        if (!sale.guest) {
          this.print('Attach a guest first (g).');
          continue;
        }
        const most = sale.calculation?.points?.availableForOrder;
        const typed = await this.ask(`Points to spend${most === undefined ? '' : ` (up to ${points(most)})`}: `);
        const hundredths = parseMinor(typed || '0', 2);
        if (hundredths === null || hundredths < 0) {
          this.print('Type a number of points.');
          continue;
        }
        sale.spendPoints(hundredths);
        await this.recalculate(sale);
      } else if (choice === 'c') {
        await this.recalculate(sale);
      } else if (choice === '$') {
        if (await this.pay(sale)) return;
      } else if (choice !== '') {
        this.print(`Unknown choice "${choice}".`);
      }
    }
  }

  private async pickDish(): Promise<MenuItem | null> {
    const query = (await this.ask('Dish (part of the name): ')).toLowerCase();
    if (query === '') return null;
    const matches = this.pos.menu.items.filter((item) => item.name.toLowerCase().includes(query));
    if (matches.length === 0) {
      this.print('No dish matches.');
      return null;
    }
    if (matches.length === 1) {
      this.print(`${matches[0].name} — ${money(matches[0].priceMinor)}`);
      return matches[0];
    }
    const shown = matches.slice(0, 20);
    shown.forEach((item, index) => this.print(`${String(index + 1).padStart(3)}  ${item.name} — ${money(item.priceMinor)}${item.category ? `  (${item.category})` : ''}`));
    if (matches.length > shown.length) this.print(`… and ${matches.length - shown.length} more; type more of the name.`);
    const number = Number(await this.ask('Number: '));
    return shown[number - 1] ?? null;
  }

  /** true when the sale is over (paid or sold offline) */
  private async pay(sale: Sale): Promise<boolean> {
    for (;;) {
      const outcome = await this.pos.pay(sale);
      switch (outcome.kind) {
        case 'empty':
          this.print('The bill is empty.');
          return false;
        case 'codeRequired': {
          this.print(`Paying ${points(outcome.points)} points needs the code the guest gets by SMS.`);
          const sent = await this.pos.cashier.requestSpendCode(sale);
          if (sent.kind !== 'sent') {
            this.print(sent.kind === 'notFound' ? 'No such guest.' : this.refusal(sent));
            return false;
          }
          if (!(await this.askSpendCode(sale))) return false;
          continue;
        }
        case 'priceChanged':
          this.print(`The price changed on the server: ${outcome.messages.join('; ') || 'recalculated'}. Check the bill and pay again.`, ...billLines(sale));
          return false;
        case 'refused':
          this.print(this.refusal(outcome));
          return false;
        case 'soldOffline':
          this.print(`Loyalty server unreachable (${outcome.reason}). The sale is done without loyalty and queued.`, ...receipt(outcome.record));
          return true;
        case 'paid':
          this.print(...receipt(outcome.record));
          if (this.guest && sale.guest && outcome.record.balanceAfter) this.guest = { ...this.guest, balance: outcome.record.balanceAfter };
          return true;
      }
    }
  }

  private async askSpendCode(sale: Sale): Promise<boolean> {
    for (;;) {
      const code = await this.ask('Code from the SMS (empty: send again, "-": back to the bill): ');
      if (code === '-') return false;
      if (code === '') {
        const again = await this.pos.cashier.requestSpendCode(sale);
        this.print(again.kind === 'sent' ? 'A new code was sent.' : again.kind === 'notFound' ? 'No such guest.' : this.refusal(again));
        continue;
      }
      const checked = await this.pos.cashier.checkSpendCode(sale, code);
      if (checked.kind === 'confirmed') return true;
      if (checked.kind === 'wrongCode') this.print(`Wrong code${checked.messages.length ? `: ${checked.messages.join('; ')}` : ''}.`);
      else {
        this.print(this.refusal(checked));
        return false;
      }
    }
  }

  private async returnLines(): Promise<void> {
    const orders = this.pos.journal.list().slice(0, 10);
    if (orders.length === 0) return this.print('This terminal has sold nothing yet.');
    orders.forEach((order, index) =>
      this.print(
        `${String(index + 1).padStart(3)}  ${new Date(order.record.at).toLocaleString('ru-RU')}  ${money(order.record.totalPrice)}  ${order.record.guest ? maskPhone(order.record.guest.mobilePhone) : 'no guest'}  ${order.record.mode}  ${order.record.orderId}`,
      ),
    );
    const picked = orders[Number(await this.ask('Order number: ')) - 1];
    if (!picked) return;
    const orderId = picked.record.orderId;
    for (const line of picked.record.lines) {
      this.print(`${String(line.lineNumber).padStart(3)}. ${line.name} — sold ${line.quantity}, can return ${this.pos.journal.returnable(orderId, line.lineNumber)}`);
    }
    const lines: Array<{ lineNumber: number; quantity: number }> = [];
    for (;;) {
      const lineText = await this.ask('Line to return (empty: done): ');
      if (lineText === '') break;
      const lineNumber = Number(lineText);
      const left = this.pos.journal.returnable(orderId, lineNumber) - lines.filter((line) => line.lineNumber === lineNumber).reduce((sum, line) => sum + line.quantity, 0);
      if (left <= 0) {
        this.print('Nothing left to return on that line.');
        continue;
      }
      const quantity = Number((await this.ask(`Quantity [${left}]: `)) || String(left));
      if (!Number.isSafeInteger(quantity) || quantity < 1 || quantity > left) {
        this.print(`From 1 to ${left}.`);
        continue;
      }
      lines.push({ lineNumber, quantity });
    }
    if (lines.length === 0) return;
    const outcome = await this.pos.returnLines(orderId, lines);
    if (outcome.kind === 'returned') this.print('Returned.');
    else if (outcome.kind === 'queued') this.print(`The return is queued (${outcome.reason}).`);
    else return this.print(this.refusal(outcome));
    if (this.guest && outcome.kind === 'returned') {
      const again = await this.pos.cashier.refreshGuest(this.guest);
      if (again.kind === 'found') {
        this.guest = again.guest;
        this.print(`Current guest's points: ${again.guest.balance ? points(again.guest.balance.available) : '?'}`);
      }
    }
  }

  private async showQueue(): Promise<void> {
    const pending = this.pos.queue.pending();
    this.print(`Offline queue: ${pending.length} waiting`);
    for (const item of pending) {
      const order = (item.body as { order?: { ids?: Record<string, string>; totalPrice?: number } }).order;
      this.print(`  ${item.enqueuedAt}  ${item.operation}  order ${order?.ids?.iikoOrderId ?? '?'}${order?.totalPrice === undefined ? '' : `  ${order.totalPrice}`}`);
    }
    const rejected = this.pos.queue.rejected();
    if (rejected.length > 0) {
      this.print(`Refused by the server: ${rejected.length}`);
      for (const item of rejected) this.print(`  ${item.rejectedAt}  ${item.operation}  ${item.reason}`);
    }
    if (pending.length === 0) return;
    if ((await this.ask('Send now? [y/N] ')).toLowerCase().startsWith('y')) {
      const result = await this.pos.flushQueue();
      this.print(`Delivered ${result.delivered}, refused ${result.rejected}, still waiting ${result.remaining}.`);
    }
  }
}
