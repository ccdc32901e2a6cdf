// The protocol's metrics (decision 0022): answers per operation, mode and status, how long calls take, and the
// queue of async calls. Labels stay few and bounded: an operation's system name only once the call is admitted
// (the project defines them; a caller's unknown name is `unknown`), never a phone, a key or a transactionId.
import { Counter, Histogram, type Registry } from 'prom-client';
import { withDatabaseTimeLimit, type Db } from '../../db/database.ts';
import { readAtScrape } from '../../http/metrics.ts';
import { asyncCallQueue } from '../../jobs/call-queue.ts';

/** Seconds; the POS gives up after 3, so the buckets are fine below it. */
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 10, 30];

type CallLabel = 'operation' | 'mode';

export interface AnsweredCall {
  /** the admitted operation's system name; null when the call was refused before its operation was known */
  operation: string | null;
  mode: string;
  /** the envelope's status (Success, ValidationError, ProtocolError, …); null when none was sent */
  status: string | null;
  httpStatus: number;
  seconds: number;
}

export class ProtocolCallMetrics {
  readonly #answers: Counter<CallLabel | 'status' | 'http_status'>;
  readonly #duration: Histogram<CallLabel>;

  constructor(registry: Registry) {
    this.#answers = new Counter({
      name: 'regulars_protocol_answers_total',
      help: 'Protocol calls answered, by operation, mode (sync, async), Mindbox status and HTTP status',
      labelNames: ['operation', 'mode', 'status', 'http_status'],
      registers: [registry],
    });
    this.#duration = new Histogram({
      name: 'regulars_protocol_call_duration_seconds',
      help: 'Time from a protocol call arriving to its answer sent, by operation and mode; its _count is the calls',
      labelNames: ['operation', 'mode'],
      buckets: DURATION_BUCKETS,
      registers: [registry],
    });
  }

  record(call: AnsweredCall): void {
    const labels = { operation: call.operation ?? 'unknown', mode: call.mode === 'sync' || call.mode === 'async' ? call.mode : 'other' };
    this.#answers.inc({ ...labels, status: call.status ?? 'none', http_status: String(call.httpStatus) });
    this.#duration.observe(labels, call.seconds);
  }
}

/** The async calls waiting or parked, read at each scrape. */
export function registerAsyncCallMetrics(registry: Registry, db: Db, readTimeMs: number, onFailure: (error: unknown) => void): void {
  readAtScrape(
    registry,
    () => withDatabaseTimeLimit(readTimeMs, () => asyncCallQueue(db)),
    [
      {
        name: 'regulars_async_calls',
        help: 'Async protocol calls waiting to run (pending) or given up after their attempts (parked)',
        labelNames: ['state'],
        samples: (rows) => rows.map((row) => ({ labels: { state: row.state }, value: row.calls })),
      },
      {
        name: 'regulars_async_calls_oldest_age_seconds',
        help: 'How long the longest-waiting due async call has waited since it became due (0: none waits)',
        samples: (rows) => rows.filter((row) => row.state === 'pending').map((row) => ({ labels: {}, value: row.oldestDueSeconds })),
      },
    ],
    onFailure,
  );
}
