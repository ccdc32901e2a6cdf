// Orders sold while the server was unreachable wait here and are delivered later (by the offline sender), in order,
// exactly as queued.
//
// Files in the queue directory, each an append-only file of checksummed JSON lines (./append-file.ts):
//   journal.jsonl   queued items, appended (an append resolves after fdatasync)
//   acks.jsonl      ids of delivered or rejected items, appended and synced
//   rejected.jsonl  items the server refused for good, with the reason and the answer; kept for the operator
//   lock            pid of the process that has the queue open, and since when (./queue-lock.ts)
// When every item is acknowledged (and on open) the journal is rewritten with only the pending items (temp file,
// fsync, rename, fsync of the directory) and then the acks are truncated; a crash between the two leaves acks of
// ids that no longer exist, which are ignored.

import { randomUUID } from 'node:crypto';
import { mkdir, open, rename } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Answer } from '../wire/answers.ts';
import { AppendFile, encodeLine, syncDirectory } from './append-file.ts';
import { acquireLock, releaseLock } from './queue-lock.ts';

export interface QueuedItem {
  readonly id: string;
  readonly operation: string;
  readonly transactionId: string;
  /** ISO time the item was queued */
  readonly enqueuedAt: string;
  readonly body: object;
}

export interface ServerAnswer {
  httpStatus: number;
  body: Answer;
}

export interface RejectedItem extends QueuedItem {
  readonly rejectedAt: string;
  readonly reason: string;
  readonly answer: ServerAnswer | null;
}

export interface RecoveryReport {
  /** bytes of an incomplete or damaged tail cut off on open (a crash during an append) */
  tornBytes: number;
  /** damaged lines with good lines after them, skipped */
  damagedLines: number;
}

const JOURNAL = 'journal.jsonl';
const ACKS = 'acks.jsonl';
const REJECTED = 'rejected.jsonl';

export class OfflineQueue {
  /** what opening had to repair, for the operator's log */
  readonly recovery: RecoveryReport;

  private readonly dir: string;
  private readonly now: () => Date;
  private readonly items: QueuedItem[];
  private readonly rejectedItems: RejectedItem[];
  private readonly listeners = new Set<() => void>();
  private journal: AppendFile;
  private readonly acks: AppendFile;
  private readonly rejectedLog: AppendFile;
  private tail: Promise<unknown> = Promise.resolve();
  private closed = false;
  private closing: Promise<void> | null = null;

  private constructor(state: {
    dir: string;
    now: () => Date;
    items: QueuedItem[];
    rejected: RejectedItem[];
    journal: AppendFile;
    acks: AppendFile;
    rejectedLog: AppendFile;
    recovery: RecoveryReport;
  }) {
    this.dir = state.dir;
    this.now = state.now;
    this.items = state.items;
    this.rejectedItems = state.rejected;
    this.journal = state.journal;
    this.acks = state.acks;
    this.rejectedLog = state.rejectedLog;
    this.recovery = state.recovery;
  }

  static async open(dir: string, options: { now?: () => Date } = {}): Promise<OfflineQueue> {
    const root = resolve(dir);
    await mkdir(root, { recursive: true });
    await acquireLock(root);
    const opened: AppendFile[] = [];
    let queue: OfflineQueue | undefined;
    try {
      const journal = await AppendFile.open(join(root, JOURNAL));
      opened.push(journal);
      const acks = await AppendFile.open(join(root, ACKS));
      opened.push(acks);
      const rejectedLog = await AppendFile.open(join(root, REJECTED));
      opened.push(rejectedLog);
      await syncDirectory(root);

      const acked = new Set(acks.records.flatMap((record) => (isAck(record) ? [record.ack] : [])));
      // A crash between the rejected line and its acknowledgement makes the item be rejected again: keep the first.
      const rejectedIds = new Set<string>();
      const rejected: RejectedItem[] = [];
      for (const record of rejectedLog.records) {
        if (!isRejectedItem(record) || rejectedIds.has(record.id)) continue;
        rejectedIds.add(record.id);
        rejected.push(deepFreeze(record));
      }
      const journalItems = journal.records.filter(isQueuedItem);
      const items = journalItems.filter((item) => !acked.has(item.id) && !rejectedIds.has(item.id)).map((item) => deepFreeze(item));
      const unreadable = [journal, acks, rejectedLog].reduce(
        (sum, file) => ({ tornBytes: sum.tornBytes + file.tornBytes, damagedLines: sum.damagedLines + file.damagedLines }),
        { tornBytes: 0, damagedLines: 0 },
      );
      const malformed = journal.records.length - journalItems.length + acks.records.filter((r) => !isAck(r)).length;
      const recovery = { tornBytes: unreadable.tornBytes, damagedLines: unreadable.damagedLines + malformed };

      queue = new OfflineQueue({ dir: root, now: options.now ?? (() => new Date()), items, rejected, journal, acks, rejectedLog, recovery });
      if (journal.records.length !== items.length || journal.damagedLines > 0 || acks.size > 0) await queue.exclusive(() => queue!.compact());
      return queue;
    } catch (error) {
      if (queue) {
        await queue.close();
      } else {
        await Promise.allSettled(opened.map((file) => file.close()));
        await releaseLock(root);
      }
      throw error;
    }
  }

  /** Queues an order; resolves once it is on disk (fdatasync), so a crash after that cannot lose it. */
  async append(entry: { operation: string; body: object; transactionId: string }): Promise<QueuedItem> {
    if (typeof entry.operation !== 'string' || entry.operation === '') throw new TypeError('operation must be a non-empty string');
    if (typeof entry.transactionId !== 'string' || entry.transactionId === '') throw new TypeError('transactionId must be a non-empty string');
    if (typeof entry.body !== 'object' || entry.body === null || Array.isArray(entry.body)) throw new TypeError('body must be an object');
    const item: QueuedItem = deepFreeze({
      id: randomUUID(),
      operation: entry.operation,
      transactionId: entry.transactionId,
      enqueuedAt: this.now().toISOString(),
      body: JSON.parse(JSON.stringify(entry.body)) as object,
    });
    await this.exclusive(async () => {
      // The server treats a repeated transactionId as the same order, so a second order with it would be lost.
      if (this.items.some((queued) => queued.transactionId === item.transactionId)) {
        throw new Error(`transactionId ${item.transactionId} is already queued`);
      }
      await this.journal.append(item);
      this.items.push(item);
    });
    for (const listener of this.listeners) {
      try {
        listener();
      } catch {
        // The item is on disk; a failing listener must not turn the append into an error.
      }
    }
    return item;
  }

  /** Items not yet delivered or rejected, oldest first. */
  pending(): QueuedItem[] {
    return [...this.items];
  }

  /** Items the server refused for good, oldest first. */
  rejected(): RejectedItem[] {
    return [...this.rejectedItems];
  }

  /** Marks a pending item delivered; resolves once that is on disk. */
  async acknowledge(id: string): Promise<void> {
    await this.exclusive(async () => {
      const index = this.pendingIndex(id);
      await this.acks.append({ ack: id, at: this.now().toISOString() });
      this.items.splice(index, 1);
      await this.compactWhenDrained();
    });
  }

  /** Moves a pending item to the rejected journal (written before the acknowledgement, so a crash cannot lose it). */
  async reject(id: string, rejection: { reason: string; answer: ServerAnswer | null; at?: Date }): Promise<RejectedItem> {
    return this.exclusive(async () => {
      const index = this.pendingIndex(id);
      const at = (rejection.at ?? this.now()).toISOString();
      const rejected: RejectedItem = deepFreeze({ ...this.items[index], rejectedAt: at, reason: rejection.reason, answer: rejection.answer });
      await this.rejectedLog.append(rejected);
      await this.acks.append({ ack: id, at });
      this.items.splice(index, 1);
      this.rejectedItems.push(rejected);
      await this.compactWhenDrained();
      return rejected;
    });
  }

  /** Calls the listener after every successful append; returns the unsubscribe function. */
  onAppend(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Waits for writes in progress, closes the files and releases the lock. */
  close(): Promise<void> {
    this.closing ??= this.exclusive(async () => {
      this.closed = true;
      await Promise.allSettled([this.journal.close(), this.acks.close(), this.rejectedLog.close()]);
      this.listeners.clear();
      await releaseLock(this.dir);
    });
    return this.closing;
  }

  private pendingIndex(id: string): number {
    const index = this.items.findIndex((item) => item.id === id);
    if (index < 0) throw new Error(`no pending item with id ${id}`);
    return index;
  }

  private async compactWhenDrained(): Promise<void> {
    if (this.items.length > 0) return;
    try {
      await this.compact();
    } catch {
      // The acknowledgement itself is on disk; compaction is tried again when the queue next drains or opens.
    }
  }

  /** Rewrites the journal with only the pending items, then empties the acks (in that order, see the file header). */
  private async compact(): Promise<void> {
    const path = join(this.dir, JOURNAL);
    const temporary = `${path}.tmp`;
    const file = await open(temporary, 'w');
    try {
      await file.writeFile(this.items.map((item) => encodeLine(item)).join(''));
      await file.sync();
    } finally {
      await file.close();
    }
    await this.journal.close();
    try {
      await rename(temporary, path);
      await syncDirectory(this.dir);
    } finally {
      this.journal = await AppendFile.open(path);
    }
    await this.acks.truncate();
  }

  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.tail.then(() => {
      if (this.closed) throw new Error(`offline queue ${this.dir} is closed`);
      return work();
    });
    this.tail = run.catch(() => undefined);
    return run;
  }
}

function isQueuedItem(record: unknown): record is QueuedItem {
  const item = record as Partial<QueuedItem> | null;
  return (
    typeof item === 'object' &&
    item !== null &&
    typeof item.id === 'string' &&
    typeof item.operation === 'string' &&
    typeof item.transactionId === 'string' &&
    typeof item.enqueuedAt === 'string' &&
    typeof item.body === 'object' &&
    item.body !== null
  );
}

function isRejectedItem(record: unknown): record is RejectedItem {
  return isQueuedItem(record) && typeof (record as Partial<RejectedItem>).reason === 'string';
}

function isAck(record: unknown): record is { ack: string } {
  return typeof record === 'object' && record !== null && typeof (record as { ack?: unknown }).ack === 'string';
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
