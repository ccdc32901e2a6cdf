// GET /metrics in the Prometheus text format (prom-client), behind a bearer token (decision 0022). The modules
// add their metrics to the registry; here are the registry with the process's own metrics, the gauges read at
// each scrape, and the route. A scrape needs no database to be let in: the token is compared in memory and
// wrong ones are throttled per address in memory, so the metrics answer during a database outage too.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import { AppError } from '../shared/errors.ts';
import { FailureThrottle } from './failure-throttle.ts';

/** Wrong tokens from one address in a minute before it is refused for a minute (a scraper sends one a scrape). */
const FAILED_SCRAPES = { maxFailures: 10, windowMs: 60_000, blockMs: 60_000, maxAddresses: 10_000 } as const;

export function createMetricsRegistry(): Registry {
  const registry = new Registry();
  // the process: CPU, memory, heap, event loop lag, handles, GC, under their usual names (process_*, nodejs_*)
  collectDefaultMetrics({ register: registry });
  return registry;
}

export interface Sample {
  labels: Record<string, string>;
  value: number;
}

export interface ReadGauge<R> {
  name: string;
  help: string;
  labelNames?: readonly string[];
  samples: (read: R) => Sample[];
}

/**
 * Gauges whose samples come from one read made at each scrape (one query for several gauges: a scrape starts
 * every gauge's collection at once, so they share the read in flight). A read that fails (the database does not
 * answer) leaves them without samples (NaN for one without labels) in that scrape rather than failing the whole
 * scrape; `onFailure` hears
 * why, once a read.
 */
export function readAtScrape<R>(registry: Registry, read: () => Promise<R>, gauges: ReadGauge<R>[], onFailure: (error: unknown) => void): void {
  let inFlight: Promise<R | null> | null = null;
  const readOnce = () =>
    (inFlight ??= read()
      .catch((error: unknown) => {
        onFailure(error);
        return null;
      })
      .finally(() => (inFlight = null)));
  for (const gauge of gauges) {
    new Gauge({
      name: gauge.name,
      help: gauge.help,
      labelNames: gauge.labelNames ?? [],
      registers: [registry],
      async collect() {
        this.reset();
        const result = await readOnce();
        if (result === null) {
          // a gauge without labels always has a sample: NaN says it is not known
          if (!gauge.labelNames?.length) this.set(Number.NaN);
          return;
        }
        for (const sample of gauge.samples(result)) this.set(sample.labels, sample.value);
      },
    });
  }
}

const digest = (text: string) => createHash('sha256').update(text).digest();

export interface MetricsRouteOptions {
  registry: Registry;
  token: string;
  /** the address a client is counted under (an IPv6 client by its /64) */
  addressOf: (ip: string) => string;
  now: () => number;
}

/** GET /metrics for `Authorization: Bearer <token>`; 401 otherwise, 429 after too many wrong tokens from an address. */
export function registerMetricsRoute(server: FastifyInstance, options: MetricsRouteOptions): void {
  const expected = digest(options.token);
  const failures = new FailureThrottle(FAILED_SCRAPES);
  // a probe every few seconds is no news: the route logs at warn and above only
  server.get('/metrics', { logLevel: 'warn' }, async (request, reply) => {
    const address = options.addressOf(request.ip);
    const wait = failures.retryAfterSeconds(address, options.now());
    if (wait > 0) throw new AppError('rate_limited', `too many wrong metrics tokens from this address; try again in ${wait} s`, { retryAfterSeconds: wait });
    const presented = /^Bearer\s+(\S+)$/i.exec((request.headers.authorization ?? '').trim())?.[1];
    if (presented === undefined || !timingSafeEqual(digest(presented), expected)) {
      if (failures.recordFailure(address, options.now())) request.log.warn({ address }, 'metrics scrapes from this address are refused for a minute: too many wrong tokens');
      reply.header('www-authenticate', 'Bearer');
      throw new AppError('unauthorized', 'send the metrics token (Authorization: Bearer <REGULARS_METRICS_TOKEN>)');
    }
    const text = await options.registry.metrics();
    return reply.type(options.registry.contentType).send(text);
  });
}
