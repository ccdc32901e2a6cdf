// Orders sold while the server was unreachable wait here and are delivered later, in order, exactly as queued.
//
// Files in the queue directory, each JSON lines of `{"rec":<record>,"crc":"<crc32 of the record's JSON, 8 hex>"}`:
//   journal.jsonl   queued items, appended (an append resolves after fdatasync)
//   acks.jsonl      ids of delivered or rejected items, appended and synced
//   rejected.jsonl  items the server refused for good, with the reason and the answer; kept for the operator
//   lock            pid of the process that has the queue open, and since when
// On open, an incomplete or damaged tail left by a crash is cut off; a damaged line with good lines after it is skipped
// and counted. When every item is acknowledged (and on open) the journal is rewritten with only the pending items
// (temp file, fsync, rename, fsync of the directory) and then the acks are truncated; a crash between the two leaves
// acks of ids that no longer exist, which are ignored.

import { randomUUID } from 'node:crypto';
import { mkdir, open, readFile, rename, unlink, type FileHandle } from 'node:fs/promises';
import { uptime } from 'node:os';
import { join, resolve } from 'node:path';
import { crc32 } from 'node:zlib';
import type { CallOutcome, MindboxClient } from './client.ts';

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
  body: any;
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
const LOCK = 'lock';

const openInThisProcess = new Set<string>();

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

/** An append-only JSON-lines file: reads and repairs what is there, then appends synced lines. */
class AppendFile {
  private broken: Error | null = null;

  private constructor(
    private readonly path: string,
    private handle: FileHandle,
    public size: number,
    readonly records: unknown[],
    readonly tornBytes: number,
    readonly damagedLines: number,
  ) {}

  static async open(path: string): Promise<AppendFile> {
    const handle = await open(path, 'a+');
    try {
      const content = await readFile(path).catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return Buffer.alloc(0);
        throw error;
      });
      const { records, validEnd, damagedLines } = decodeLines(content);
      if (validEnd < content.length) {
        await handle.truncate(validEnd);
        await handle.sync();
      }
      return new AppendFile(path, handle, validEnd, records, content.length - validEnd, damagedLines);
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  async append(record: object): Promise<void> {
    if (this.broken) throw new Error(`${this.path} cannot be written: ${this.broken.message}`);
    const bytes = Buffer.from(encodeLine(record));
    try {
      let written = 0;
      while (written < bytes.length) {
        const result = await this.handle.write(bytes, written, bytes.length - written);
        written += result.bytesWritten;
      }
      await this.handle.datasync();
      this.size += bytes.length;
    } catch (error) {
      // A partial line would swallow the next one, so cut the file back to the last complete line.
      try {
        await this.handle.truncate(this.size);
      } catch (truncateError) {
        this.broken = truncateError as Error;
      }
      throw error;
    }
  }

  async truncate(): Promise<void> {
    await this.handle.truncate(0);
    await this.handle.sync();
    this.size = 0;
  }

  async close(): Promise<void> {
    await this.handle.close();
  }
}

const LINE_PREFIX = '{"rec":';
const LINE_SUFFIX = /,"crc":"([0-9a-f]{8})"\}$/;
const LINE_SUFFIX_LENGTH = ',"crc":"'.length + 8 + '"}'.length;

function encodeLine(record: object): string {
  const json = JSON.stringify(record);
  return `${LINE_PREFIX}${json},"crc":"${checksum(json)}"}\n`;
}

function decodeLine(line: string): { ok: true; record: unknown } | { ok: false } {
  const suffix = LINE_SUFFIX.exec(line);
  if (!line.startsWith(LINE_PREFIX) || !suffix) return { ok: false };
  const json = line.slice(LINE_PREFIX.length, line.length - LINE_SUFFIX_LENGTH);
  if (checksum(json) !== suffix[1]) return { ok: false };
  try {
    return { ok: true, record: JSON.parse(json) };
  } catch {
    return { ok: false };
  }
}

/** Good records, the end of the last good line, and how many bad lines lie before it. */
function decodeLines(content: Buffer): { records: unknown[]; validEnd: number; damagedLines: number } {
  const records: unknown[] = [];
  let validEnd = 0;
  let damagedLines = 0;
  let damagedSinceValid = 0;
  let start = 0;
  for (let newline = content.indexOf(0x0a, start); newline >= 0; newline = content.indexOf(0x0a, start)) {
    const decoded = decodeLine(content.subarray(start, newline).toString('utf8'));
    start = newline + 1;
    if (decoded.ok) {
      records.push(decoded.record);
      validEnd = start;
      damagedLines += damagedSinceValid;
      damagedSinceValid = 0;
    } else {
      damagedSinceValid += 1;
    }
  }
  return { records, validEnd, damagedLines };
}

function checksum(text: string): string {
  return (crc32(text) >>> 0).toString(16).padStart(8, '0');
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

async function syncDirectory(dir: string): Promise<void> {
  // Windows cannot open a directory for fsync; NTFS journals the rename itself.
  if (process.platform === 'win32') return;
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** A lock file holding `{"pid":…,"since":…}`; it is stale when that process is gone or the machine rebooted since. */
async function acquireLock(dir: string): Promise<void> {
  const path = join(dir, LOCK);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(path, 'wx');
      try {
        await handle.writeFile(JSON.stringify({ pid: process.pid, since: Date.now() }));
        await handle.sync();
      } finally {
        await handle.close();
      }
      openInThisProcess.add(dir);
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = await readLock(path);
    if (holder && lockIsHeld(dir, holder)) throw new Error(`offline queue ${dir} is in use by process ${holder.pid}`);
    await unlink(path).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
    });
  }
  throw new Error(`cannot lock offline queue ${dir}`);
}

async function readLock(path: string): Promise<{ pid: number; since: number } | null> {
  try {
    const lock = JSON.parse(await readFile(path, 'utf8')) as { pid?: unknown; since?: unknown };
    return Number.isSafeInteger(lock.pid) && typeof lock.since === 'number' ? { pid: lock.pid as number, since: lock.since } : null;
  } catch {
    return null;
  }
}

function lockIsHeld(dir: string, holder: { pid: number; since: number }): boolean {
  if (holder.pid === process.pid) return openInThisProcess.has(dir);
  // After a reboot the old pid may belong to an unrelated process.
  const bootedAt = Date.now() - uptime() * 1000;
  if (holder.since < bootedAt) return false;
  try {
    process.kill(holder.pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function releaseLock(dir: string): Promise<void> {
  openInThisProcess.delete(dir);
  await unlink(join(dir, LOCK)).catch(() => undefined);
}

export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
}

export type SendFailure =
  | { kind: 'retry'; reason: string; attempt: number; delayMs: number; retryAt: Date }
  | { kind: 'rejected'; reason: string; answer: ServerAnswer | null };

export interface OfflineSenderOptions {
  /** wait after a failed attempt: doubles from initialMs up to maxMs (default 1 s … 60 s) */
  backoff?: BackoffOptions;
  now?: () => Date;
  onDelivered?: (item: QueuedItem, answer: ServerAnswer) => void;
  onFailed?: (item: QueuedItem, failure: SendFailure) => void;
}

export interface FlushResult {
  delivered: number;
  rejected: number;
  remaining: number;
}

type Attempt = 'empty' | 'delivered' | 'rejected' | 'retry';

type Verdict = { kind: 'delivered' } | { kind: 'rejected'; reason: string } | { kind: 'retry'; reason: string };

export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 1000, maxMs: 60_000 };

// A ProtocolError with these codes is about the credentials or the load, not about the order.
const RETRY_PROTOCOL_STATUSES = new Set([401, 403, 408, 429]);

/**
 * Delivers queued items one at a time, oldest first, each with its own transactionId. Success or
 * TransactionAlreadyProcessed acknowledges the item; a refusal for good moves it to the rejected journal;
 * anything else keeps it at the head and retries after an exponential backoff.
 */
export class OfflineSender {
  private readonly backoff: BackoffOptions;
  private readonly now: () => Date;
  private failures = 0;
  private running = false;
  private loop: Promise<void> | null = null;
  private sending: Promise<unknown> = Promise.resolve();
  private sleeper: { wake: () => void; untilAppend: boolean } | null = null;

  constructor(
    private readonly queue: OfflineQueue,
    private readonly client: Pick<MindboxClient, 'call'>,
    private readonly options: OfflineSenderOptions = {},
  ) {
    this.backoff = options.backoff ?? DEFAULT_BACKOFF;
    if (!(this.backoff.initialMs > 0) || !(this.backoff.maxMs >= this.backoff.initialMs)) {
      throw new RangeError('backoff needs 0 < initialMs <= maxMs');
    }
    this.now = options.now ?? (() => new Date());
  }

  /** Starts delivering in the background until stop(). */
  start(): void {
    if (this.loop) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Stops after the attempt in flight (at most the client timeout). */
  async stop(): Promise<void> {
    this.running = false;
    this.sleeper?.wake();
    await this.loop;
    this.loop = null;
  }

  /** Delivers now until the queue is empty or the server cannot take the head item. */
  async flush(): Promise<FlushResult> {
    let delivered = 0;
    let rejected = 0;
    for (;;) {
      const attempt = await this.attemptHead();
      if (attempt === 'delivered') delivered += 1;
      else if (attempt === 'rejected') rejected += 1;
      else break;
    }
    if (delivered + rejected > 0) this.sleeper?.wake();
    return { delivered, rejected, remaining: this.queue.pending().length };
  }

  private async run(): Promise<void> {
    const unsubscribe = this.queue.onAppend(() => {
      if (this.sleeper?.untilAppend) this.sleeper.wake();
    });
    try {
      while (this.running) {
        const attempt = await this.attemptHead();
        if (!this.running) break;
        if (attempt === 'empty') await this.sleep(null);
        else if (attempt === 'retry') await this.sleep(this.delayMs());
      }
    } finally {
      unsubscribe();
    }
  }

  private attemptHead(): Promise<Attempt> {
    const run = this.sending.then(() => this.sendHead());
    this.sending = run.catch(() => undefined);
    return run;
  }

  private async sendHead(): Promise<Attempt> {
    const item = this.queue.pending()[0];
    if (!item) return 'empty';
    let outcome: CallOutcome;
    try {
      outcome = await this.client.call(item.operation, item.body, { transactionId: item.transactionId, mode: 'sync' });
    } catch (error) {
      outcome = { kind: 'unreachable', reason: `the call failed: ${(error as Error).message}` };
    }
    let verdict = judge(outcome);
    const answer = outcome.kind === 'answer' ? { httpStatus: outcome.httpStatus, body: outcome.body } : null;
    try {
      if (verdict.kind === 'delivered') {
        await this.queue.acknowledge(item.id);
        this.failures = 0;
        this.notify(() => this.options.onDelivered?.(item, answer as ServerAnswer));
        return 'delivered';
      }
      if (verdict.kind === 'rejected') {
        await this.queue.reject(item.id, { reason: verdict.reason, answer, at: this.now() });
        this.failures = 0;
        const reason = verdict.reason;
        this.notify(() => this.options.onFailed?.(item, { kind: 'rejected', reason, answer }));
        return 'rejected';
      }
    } catch (error) {
      verdict = { kind: 'retry', reason: `the answer could not be recorded: ${(error as Error).message}` };
    }
    this.failures += 1;
    const delayMs = this.delayMs();
    const failure: SendFailure = {
      kind: 'retry',
      reason: verdict.reason,
      attempt: this.failures,
      delayMs,
      retryAt: new Date(this.now().getTime() + delayMs),
    };
    this.notify(() => this.options.onFailed?.(item, failure));
    return 'retry';
  }

  private delayMs(): number {
    const exponent = Math.max(0, this.failures - 1);
    return Math.min(this.backoff.maxMs, this.backoff.initialMs * 2 ** Math.min(exponent, 30));
  }

  /** Waits for ms, or (ms = null) until something is appended; stop() always wakes it. */
  private sleep(ms: number | null): Promise<void> {
    return new Promise((resolve) => {
      const timer = ms === null ? null : setTimeout(() => wake(), ms);
      const wake = () => {
        if (timer) clearTimeout(timer);
        this.sleeper = null;
        resolve();
      };
      this.sleeper = { wake, untilAppend: ms === null };
      // An append between the empty head check and this point would otherwise go unnoticed.
      if (!this.running || (ms === null && this.queue.pending().length > 0)) wake();
    });
  }

  private notify(callback: () => void): void {
    try {
      callback();
    } catch {
      // An observer that throws must not stop delivery.
    }
  }
}

function judge(outcome: CallOutcome): Verdict {
  if (outcome.kind === 'unreachable') return { kind: 'retry', reason: outcome.reason };
  const status: unknown = outcome.body?.status;
  if (status === 'Success' || status === 'TransactionAlreadyProcessed') return { kind: 'delivered' };
  if (status === 'ValidationError') {
    const messages: unknown = outcome.body.validationMessages;
    const text = Array.isArray(messages)
      ? messages.map((m: { message?: unknown; location?: unknown }) => (m.location ? `${String(m.location)}: ${String(m.message)}` : String(m.message))).join('; ')
      : '';
    return { kind: 'rejected', reason: `ValidationError${text ? `: ${text}` : ''}` };
  }
  const message = typeof outcome.body?.errorMessage === 'string' ? `: ${outcome.body.errorMessage}` : '';
  if (status === 'ProtocolError' && !RETRY_PROTOCOL_STATUSES.has(outcome.httpStatus)) {
    return { kind: 'rejected', reason: `ProtocolError (HTTP ${outcome.httpStatus})${message}` };
  }
  return { kind: 'retry', reason: `server answered ${String(status)} (HTTP ${outcome.httpStatus})${message}` };
}
