// Writes the operation log off the response path: entries wait a few milliseconds and go to the database
// in one insert. A crash loses at most the last batch (the log explains calls; business data never waits
// here). `flush` is awaited before the log is read and when the process stops.
import type { Logger } from 'pino';
import type { Db } from '../../db/database.ts';
import { insertOperationLogEntries, type OperationLogEntry } from './protocol.repository.ts';

const MAX_BATCH = 200;
const MAX_DELAY_MS = 20;

export class OperationLogWriter {
  #pending: OperationLogEntry[] = [];
  #timer: NodeJS.Timeout | null = null;
  #written: Promise<void> = Promise.resolve();

  constructor(
    private readonly db: Db,
    private readonly logger: Logger,
  ) {}

  add(entry: OperationLogEntry): void {
    this.#pending.push(entry);
    if (this.#pending.length >= MAX_BATCH) void this.flush();
    else if (!this.#timer) {
      this.#timer = setTimeout(() => void this.flush(), MAX_DELAY_MS);
      this.#timer.unref();
    }
  }

  /** Resolves when every entry added so far is in the database (or reported as lost). */
  flush(): Promise<void> {
    if (this.#timer) {
      clearTimeout(this.#timer);
      this.#timer = null;
    }
    const batch = this.#pending;
    this.#pending = [];
    if (batch.length > 0) {
      this.#written = this.#written.then(() =>
        insertOperationLogEntries(this.db, batch).catch((error) =>
          this.logger.error({ err: error, entries: batch.length }, 'could not write the operation log'),
        ),
      );
    }
    return this.#written;
  }
}
