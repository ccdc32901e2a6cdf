// Every metric of an API process, assembled when REGULARS_METRICS_TOKEN is set (decision 0022): the process's
// own, the protocol's calls, the queues, the SMS and the database connections. What is read from the database
// is read at each scrape within a second; while the database does not answer those gauges are left out of the
// scrape and regulars_database_up is 0, the rest still answers.
import { Gauge, type Registry } from 'prom-client';
import type { AppContext } from './app-context.ts';
import { isDatabaseReachable, withDatabaseTimeLimit } from './db/database.ts';
import { isDatabaseUnavailable } from './db/errors.ts';
import { createMetricsRegistry } from './http/metrics.ts';
import { registerJobMetrics } from './jobs/jobs.metrics.ts';
import { registerSmsMetrics } from './messaging/sms.metrics.ts';
import { ProtocolCallMetrics, registerAsyncCallMetrics } from './protocol/mindbox/call-metrics.ts';

/** How long a scrape's reads of the database may take: well inside Prometheus's default timeout of 10 s. */
const READ_TIME_MS = 1000;

export interface ServerMetrics {
  registry: Registry;
  calls: ProtocolCallMetrics;
}

export function createServerMetrics(app: AppContext): ServerMetrics {
  const registry = createMetricsRegistry();
  // an outage is logged once by the database layer; a scrape that fails for anything else is worth a line
  const onFailure = (error: unknown) => {
    if (!isDatabaseUnavailable(error)) app.logger.warn({ err: error }, 'a metric could not be read');
  };
  // the connections first: a scrape starts its metrics in this order, so they are seen before its own reads take one
  new Gauge({
    name: 'regulars_database_connections',
    help: `This process's connections to the database: in use, idle, and the most it opens (max); the embedded database has one`,
    labelNames: ['state'],
    registers: [registry],
    collect() {
      const use = app.databaseConnections();
      this.set({ state: 'in_use' }, use.inUse);
      this.set({ state: 'idle' }, use.idle);
      this.set({ state: 'max' }, use.max);
    },
  });
  new Gauge({
    name: 'regulars_database_waiting',
    help: 'Queries and transactions of this process waiting for a database connection',
    registers: [registry],
    collect() {
      this.set(app.databaseConnections().waiting);
    },
  });
  registerJobMetrics(registry, app.db, READ_TIME_MS, onFailure);
  registerAsyncCallMetrics(registry, app.db, READ_TIME_MS, onFailure);
  registerSmsMetrics(registry, app.db, app.now, READ_TIME_MS, onFailure);

  new Gauge({
    name: 'regulars_database_up',
    help: 'Whether the database answered a query within a second at this scrape (1) or not (0)',
    registers: [registry],
    async collect() {
      this.set((await withDatabaseTimeLimit(READ_TIME_MS, () => isDatabaseReachable(app.db))) ? 1 : 0);
    },
  });
  return { registry, calls: new ProtocolCallMetrics(registry) };
}
