// This POS's own record of its sales and returns (like iiko's closed-order list), for reprinting receipts and
// for returning lines of a past order. A JSON-lines file beside the offline queue, each line synced to disk;
// a torn last line from a crash is ignored.

import { appendFile, open, readFile } from 'node:fs/promises';
import type { ReturnLine, SaleRecord } from './cashier.ts';

export interface JournalOrder {
  record: SaleRecord;
  /** pieces returned so far, by line number */
  returned: Map<number, number>;
}

type Entry = { sale: SaleRecord } | { return: { orderId: string; at: string; lines: ReturnLine[]; queued: boolean } };

export class OrderJournal {
  private readonly orders = new Map<string, JournalOrder>();

  private constructor(private readonly path: string) {}

  static async open(path: string): Promise<OrderJournal> {
    const journal = new OrderJournal(path);
    let content = '';
    try {
      content = await readFile(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    for (const line of content.split('\n')) {
      if (line.trim() === '') continue;
      try {
        journal.apply(JSON.parse(line) as Entry);
      } catch {
        // A line cut short by a crash: the sale itself is in the offline queue or on the server.
      }
    }
    return journal;
  }

  /** Sales, newest first. */
  list(): JournalOrder[] {
    return [...this.orders.values()].reverse();
  }

  get(orderId: string): JournalOrder | undefined {
    return this.orders.get(orderId);
  }

  /** Pieces of the line that can still be returned. */
  returnable(orderId: string, lineNumber: number): number {
    const order = this.orders.get(orderId);
    const line = order?.record.lines.find((candidate) => candidate.lineNumber === lineNumber);
    if (!order || !line) return 0;
    return line.quantity - (order.returned.get(lineNumber) ?? 0);
  }

  async recordSale(record: SaleRecord): Promise<void> {
    await this.write({ sale: record });
  }

  async recordReturn(orderId: string, lines: ReturnLine[], queued: boolean, at: Date): Promise<void> {
    await this.write({ return: { orderId, at: at.toISOString(), lines, queued } });
  }

  private async write(entry: Entry): Promise<void> {
    const handle = await open(this.path, 'a');
    try {
      await appendFile(handle, `${JSON.stringify(entry)}\n`);
      await handle.datasync();
    } finally {
      await handle.close();
    }
    this.apply(entry);
  }

  private apply(entry: Entry): void {
    if ('sale' in entry) {
      this.orders.set(entry.sale.orderId, { record: entry.sale, returned: new Map() });
      return;
    }
    const order = this.orders.get(entry.return.orderId);
    if (!order) return;
    for (const line of entry.return.lines) order.returned.set(line.lineNumber, (order.returned.get(line.lineNumber) ?? 0) + line.quantity);
  }
}
