// The SMS metrics (decision 0022): SMS of the last 24 hours by state, and how long the oldest one still waiting
// to leave has waited, read at each scrape (a count over the whole SMS log, kept a year, would cost too much).
import type { Registry } from 'prom-client';
import { withDatabaseTimeLimit, type Db } from '../db/database.ts';
import { readAtScrape } from '../http/metrics.ts';
import type { MessageStatus } from '../db/schema.ts';
import { smsStates } from './messages.repository.ts';

const STATES: readonly MessageStatus[] = ['queued', 'sending', 'sent', 'delivered', 'failed'];

const DAY_MS = 86_400_000;

export function registerSmsMetrics(registry: Registry, db: Db, now: () => Date, readTimeMs: number, onFailure: (error: unknown) => void): void {
  readAtScrape(
    registry,
    () => withDatabaseTimeLimit(readTimeMs, () => {
      const at = now();
      return smsStates(db, new Date(at.getTime() - DAY_MS), at);
    }),
    [
      {
        name: 'regulars_sms_last_24h',
        help: 'SMS created in the last 24 hours, by state (queued, sending, sent, delivered, failed)',
        labelNames: ['state'],
        // every state, 0 when none, so that a rate or an alert finds its series
        samples: (read) => STATES.map((state) => ({ labels: { state }, value: read.recent.find((row) => row.status === state)?.count ?? 0 })),
      },
      {
        name: 'regulars_sms_oldest_waiting_age_seconds',
        help: 'How long the oldest SMS still waiting to leave (queued or sending) has waited since it was created (0: none waits)',
        samples: (read) => [{ labels: {}, value: read.oldestWaitingSeconds }],
      },
    ],
    onFailure,
  );
}
