// The outbox's metrics (decision 0022): jobs waiting and parked per topic, and how long the oldest due job has
// waited, read at each scrape. Topics are the job catalogue's, so the labels stay few.
import type { Registry } from 'prom-client';
import { withDatabaseTimeLimit, type Db } from '../db/database.ts';
import { readAtScrape } from '../http/metrics.ts';
import { outboxQueue } from './outbox.ts';

export function registerJobMetrics(registry: Registry, db: Db, readTimeMs: number, onFailure: (error: unknown) => void): void {
  readAtScrape(
    registry,
    () => withDatabaseTimeLimit(readTimeMs, () => outboxQueue(db)),
    [
      {
        name: 'regulars_outbox_jobs',
        help: 'Outbox jobs waiting to run (pending, due or later) or given up after their attempts (parked), by topic',
        labelNames: ['topic', 'state'],
        samples: (rows) => rows.map((row) => ({ labels: { topic: row.topic, state: row.state }, value: row.jobs })),
      },
      {
        name: 'regulars_outbox_oldest_job_age_seconds',
        help: 'How long the longest-waiting due job of a topic has waited since it became due (0: none is due yet)',
        labelNames: ['topic'],
        samples: (rows) => rows.filter((row) => row.state === 'pending').map((row) => ({ labels: { topic: row.topic }, value: row.oldestDueSeconds })),
      },
    ],
    onFailure,
  );
}
