// Writes the operation log off the response path: entries wait a few milliseconds and go to the database
// in one insert. A crash loses at most the last batch (the log explains calls; business data never waits
// here). `flush` is awaited before the log is read and when the process stops. While the database does not
// answer, the entries wait (up to MAX_WAITING) and are written when it answers again.
import type { Logger } from 'pino';
import { withDatabaseTimeLimit, type Db } from '../../db/database.ts';
import { isDatabaseUnavailable } from '../../db/errors.ts';
import { insertOperationLogEntries, type OperationLogEntry } from './protocol.repository.ts';

const MAX_BATCH = 200;
const MAX_DELAY_MS = 20;
/** Entries kept while the database does not answer; some MB of memory. Calls beyond it go unlogged, and are counted. */
const MAX_WAITING = 10_000;
/** A batch takes milliseconds; a database silent for longer (a cut network) must not hold the admin API's reads and the stop. */
const WRITE_TIME_LIMIT_MS = 5000;
const RETRY_FIRST_MS = 250;
const RETRY_MAX_MS = 2000;

export class OperationLogWriter {
  #pending: OperationLogEntry[] = [];
  #timer: NodeJS.Timeout | null = null;
  #written: Promise<void> = Promise.resolve();
  /** the pause before the next try while the database does not answer; 0 while it does */
  #retryMs = 0;
  /** entries left out since the last report, for want of room while the database did not answer */
  #dropped = 0;

  constructor(
    private readonly db: Db,
    private readonly logger: Logger,
  ) {}

  add(entry: OperationLogEntry): void {
    if (this.#pending.length >= MAX_WAITING) {
      this.#dropped += 1;
      return;
    }
    this.#pending.push(entry);
    if (this.#pending.length >= MAX_BATCH && this.#retryMs === 0) void this.flush();
    else this.#schedule(MAX_DELAY_MS);
  }

  /** Resolves when every entry added so far is in the database, or kept to be written once it answers again (or reported as lost). */
  flush(): Promise<void> {
    if (this.#timer) {
      clearTimeout(this.#timer);
      this.#timer = null;
    }
    const batch = this.#pending;
    this.#pending = [];
    if (batch.length > 0) this.#written = this.#written.then(() => this.#write(batch));
    return this.#written;
  }

  #schedule(delayMs: number): void {
    if (this.#timer) return;
    this.#timer = setTimeout(() => void this.flush(), delayMs);
    this.#timer.unref();
  }

  async #write(batch: OperationLogEntry[]): Promise<void> {
    for (let start = 0; start < batch.length; start += MAX_BATCH) {
      const chunk = batch.slice(start, start + MAX_BATCH);
      try {
        await withDatabaseTimeLimit(WRITE_TIME_LIMIT_MS, () => insertOperationLogEntries(this.db, chunk));
      } catch (error) {
        if (isDatabaseUnavailable(error)) {
          this.#keepForLater(batch.slice(start));
          return;
        }
        this.logger.error({ err: error, entries: chunk.length }, 'could not write the operation log');
      }
    }
    this.#retryMs = 0;
    if (this.#dropped > 0) {
      this.logger.warn({ entries: this.#dropped }, 'operation log entries were left out while the database did not answer');
      this.#dropped = 0;
    }
  }

  /** Puts entries the database did not take back in front of those added since, and tries again later. */
  #keepForLater(entries: OperationLogEntry[]): void {
    const waiting = [...entries, ...this.#pending];
    this.#dropped += Math.max(0, waiting.length - MAX_WAITING);
    this.#pending = waiting.slice(0, MAX_WAITING);
    this.#retryMs = this.#retryMs === 0 ? RETRY_FIRST_MS : Math.min(RETRY_MAX_MS, this.#retryMs * 2);
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.#schedule(this.#retryMs);
  }
}
