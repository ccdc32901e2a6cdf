// One POS terminal put together: the protocol client, the durable offline queue with its sender, the cashier
// actions, this terminal's order journal, the menu and its daily upload. The queue directory (`queue_path`)
// also holds the journal (`orders.jsonl`); the queue's lock keeps a second process away from both.

import { join } from 'node:path';
import { Cashier, type PayOutcome, type ReturnLine, type ReturnOutcome, type Sale } from './cashier.ts';
import { MindboxClient, type CallOutcome } from './client.ts';
import type { PosConfig } from './config.ts';
import { MenuUploadScheduler, productCatalogBody, type Menu, type SchedulerClock, type UploadResult } from './menu.ts';
import { OfflineQueue, type QueuedItem, type ServerAnswer } from './offline-queue.ts';
import { DEFAULT_BACKOFF, OfflineSender, type BackoffOptions, type SendFailure } from './offline-sender.ts';
import { OrderJournal } from './order-journal.ts';

export type QueueEvent =
  | { kind: 'delivered'; item: QueuedItem; answer: ServerAnswer }
  | { kind: 'failed'; item: QueuedItem; failure: SendFailure }
  | { kind: 'menuUploaded'; at: Date; result: UploadResult };

export interface PosOptions {
  menu: Menu;
  now?: () => Date;
  /** the offline sender's wait between attempts (default 1 s doubling to 60 s) */
  backoff?: BackoffOptions;
  /** clock of the daily menu upload */
  clock?: SchedulerClock;
  onEvent?: (event: QueueEvent) => void;
  /** start the background sender and the daily menu upload (default true) */
  background?: boolean;
  /** sees every call this terminal makes, with its outcome and duration (the demo prints them) */
  trace?: (operation: string, outcome: CallOutcome, ms: number) => void;
}

export class Pos {
  private flushing: Promise<unknown> | null = null;
  private closed = false;

  private constructor(
    readonly config: PosConfig,
    readonly menu: Menu,
    readonly cashier: Cashier,
    readonly queue: OfflineQueue,
    readonly sender: OfflineSender,
    readonly journal: OrderJournal,
    readonly scheduler: MenuUploadScheduler | null,
    private readonly now: () => Date,
  ) {}

  static async open(config: PosConfig, options: PosOptions): Promise<Pos> {
    const now = options.now ?? (() => new Date());
    const emit = (event: QueueEvent) => {
      try {
        options.onEvent?.(event);
      } catch {
        // Display trouble must not stop the POS.
      }
    };
    const protocolClient = new MindboxClient({ server: config.server, endpoint: config.endpoint, secretKey: config.secretKey, timeoutMs: config.timeoutMs });
    const trace = options.trace;
    const client: Pick<MindboxClient, 'call'> = trace
      ? {
          call: async (operation, body, callOptions) => {
            const started = Date.now();
            const outcome = await protocolClient.call(operation, body, callOptions);
            try {
              trace(operation, outcome, Date.now() - started);
            } catch {
              // Display trouble must not stop the POS.
            }
            return outcome;
          },
        }
      : protocolClient;
    const queue = await OfflineQueue.open(config.queuePath, { now });
    try {
      const journal = await OrderJournal.open(join(config.queuePath, 'orders.jsonl'));
      const sender = new OfflineSender(queue, client, {
        backoff: options.backoff ?? DEFAULT_BACKOFF,
        now,
        onDelivered: (item, answer) => emit({ kind: 'delivered', item, answer }),
        onFailed: (item, failure) => emit({ kind: 'failed', item, failure }),
      });
      let pos: Pos | null = null;
      const cashier = new Cashier(config, client, queue, { now, onServerAnswered: () => pos?.deliverSoon() });
      const scheduler = config.timeSendProducts
        ? new MenuUploadScheduler({
            time: config.timeSendProducts,
            clock: options.clock,
            upload: async () => {
              const outcome = await cashier.uploadCatalog(productCatalogBody(options.menu.upload, config.productId));
              if (outcome.kind === 'uploaded') return { ok: true };
              return { ok: false, reason: outcome.kind === 'offline' ? outcome.reason : `${outcome.status}: ${outcome.messages.join('; ')}` };
            },
            onRun: (at, result) => emit({ kind: 'menuUploaded', at, result }),
          })
        : null;
      pos = new Pos(config, options.menu, cashier, queue, sender, journal, scheduler, now);
      if (options.background ?? true) {
        sender.start();
        scheduler?.start();
      }
      return pos;
    } catch (error) {
      await queue.close();
      throw error;
    }
  }

  /** Pays the sale (see Cashier.pay) and writes it to the journal once the server or the queue has it. */
  async pay(sale: Sale): Promise<PayOutcome> {
    const outcome = await this.cashier.pay(sale);
    if (outcome.kind === 'paid' || outcome.kind === 'soldOffline') await this.journal.recordSale(outcome.record);
    return outcome;
  }

  /**
   * Returns pieces of lines of a sale in this terminal's journal in one `Offline.Return`; refuses more than
   * is left to return. Every piece of a sale nothing was returned from yet is the whole order
   * (`Cashier.returnOrder`); any other return names its lines with their quantities.
   */
  async returnLines(orderId: string, lines: ReturnLine[]): Promise<ReturnOutcome> {
    const order = this.journal.get(orderId);
    if (!order) throw new Error(`order ${orderId} is not in this terminal's journal`);
    const asked = new Map<number, number>();
    for (const line of lines) {
      const sum = (asked.get(line.lineNumber) ?? 0) + line.quantity;
      const left = this.journal.returnable(orderId, line.lineNumber);
      if (!Number.isSafeInteger(line.quantity) || line.quantity < 1 || sum > left) {
        throw new RangeError(`line ${line.lineNumber}: ${left} piece(s) can be returned, asked for ${Number.isSafeInteger(line.quantity) ? sum : line.quantity}`);
      }
      asked.set(line.lineNumber, sum);
    }
    const whole = order.returned.size === 0 && order.record.lines.every((line) => asked.get(line.lineNumber) === line.quantity);
    const outcome = whole ? await this.cashier.returnOrder(orderId) : await this.cashier.returnLines(orderId, lines);
    if (outcome.kind !== 'refused') await this.journal.recordReturn(orderId, lines, outcome.kind === 'queued', this.now());
    return outcome;
  }

  /** Uploads the menu now (the cashier's manual command). */
  uploadMenu(): Promise<UploadResult> {
    if (this.scheduler) return this.scheduler.runNow();
    return this.cashier.uploadCatalog(productCatalogBody(this.menu.upload, this.config.productId)).then((outcome) =>
      outcome.kind === 'uploaded' ? { ok: true as const } : { ok: false as const, reason: outcome.kind === 'offline' ? outcome.reason : outcome.messages.join('; ') },
    );
  }

  /** Delivers the queue now; resolves when it is empty or the server cannot take the head item. */
  flushQueue() {
    return this.sender.flush();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.scheduler?.stop();
    await this.sender.stop();
    await this.flushing?.catch(() => undefined);
    await this.queue.close();
  }

  /** The server just answered: if orders wait in the queue, deliver them now rather than after the backoff. */
  private deliverSoon(): void {
    if (this.closed || this.flushing || this.queue.pending().length === 0) return;
    this.flushing = this.sender
      .flush()
      .catch(() => undefined)
      .finally(() => {
        this.flushing = null;
      });
  }
}
