// A small closed-loop HTTP load generator: `concurrency` workers, each sending its next request as soon as
// the previous answer arrived, over keep-alive connections on loopback. Bounded by a request count and a
// time limit, whichever comes first.
import http from 'node:http';

export interface LoadRequest {
  method: 'GET' | 'POST';
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

export interface LoadOptions {
  name: string;
  baseUrl: string;
  concurrency: number;
  maxRequests: number;
  maxMs: number;
  /** the i-th request, or null when there is nothing left to send */
  request: (index: number) => LoadRequest | null;
  /** judges an answer; a false return counts as a failure */
  check?: (index: number, status: number, body: string) => boolean;
}

export interface LoadResult {
  name: string;
  requests: number;
  failures: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  perSecond: number;
  durationMs: number;
}

function percentile(sorted: number[], fraction: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * fraction) - 1)];
}

export function send(agent: http.Agent, base: URL, request: LoadRequest): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const outgoing = http.request(
      {
        agent,
        hostname: base.hostname,
        port: base.port,
        method: request.method,
        path: request.path,
        headers: { ...(request.body === undefined ? {} : { 'content-length': Buffer.byteLength(request.body) }), ...request.headers },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        response.on('error', reject);
      },
    );
    outgoing.on('error', reject);
    if (request.body !== undefined) outgoing.write(request.body);
    outgoing.end();
  });
}

/** The server's address, refused unless it is on loopback. */
export function loopbackUrl(baseUrl: string): URL {
  const base = new URL(baseUrl);
  if (base.hostname !== '127.0.0.1' && base.hostname !== 'localhost') throw new Error(`the benchmark only talks to loopback, not ${base.hostname}`);
  return base;
}

/** The figures of one kind of request from its latencies. */
export function summarize(name: string, latencies: number[], failures: number, durationMs: number): LoadResult {
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    name,
    requests: sorted.length,
    failures,
    p50Ms: percentile(sorted, 0.5),
    p95Ms: percentile(sorted, 0.95),
    p99Ms: percentile(sorted, 0.99),
    perSecond: (sorted.length / durationMs) * 1000,
    durationMs,
  };
}

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const base = loopbackUrl(options.baseUrl);
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.concurrency });
  const latencies: number[] = [];
  let next = 0;
  let failures = 0;
  const started = performance.now();
  const deadline = started + options.maxMs;
  const worker = async () => {
    while (next < options.maxRequests && performance.now() < deadline) {
      const index = next++;
      const request = options.request(index);
      if (!request) return;
      const sent = performance.now();
      try {
        const answer = await send(agent, base, request);
        latencies.push(performance.now() - sent);
        if (answer.status >= 400 || (options.check && !options.check(index, answer.status, answer.body))) failures++;
      } catch {
        failures++;
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  const durationMs = performance.now() - started;
  agent.destroy();
  return summarize(options.name, latencies, failures, durationMs);
}
