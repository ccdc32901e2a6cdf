// The POS side of the Mindbox v3 operations protocol. A call either gets an answer the server gave on purpose
// (an envelope with a `status`), or the server counts as unreachable; network trouble never throws.

import type { Answer } from '../wire/answers.ts';
import { OPERATIONS_PATH } from '../wire/operations.ts';
import { serverBaseUrl } from './config.ts';

export interface MindboxClientConfig {
  /** API base URL (`http://127.0.0.1:8080`) or a bare host meaning https */
  server: string;
  /** integration point system name, sent as `endpointId` */
  endpoint: string;
  secretKey: string;
  timeoutMs: number;
  deviceUUID?: string;
}

export interface CallOptions {
  /** idempotency key: the server answers `TransactionAlreadyProcessed` to a repeat */
  transactionId?: string;
  mode?: 'sync' | 'async';
}

export type CallOutcome =
  | { kind: 'answer'; httpStatus: number; body: Answer }
  | { kind: 'unreachable'; reason: string };

export class MindboxClient {
  private readonly operationsUrl: string;
  private readonly config: MindboxClientConfig;
  private readonly fetch: typeof fetch;

  constructor(config: MindboxClientConfig, options: { fetch?: typeof fetch } = {}) {
    const base = serverBaseUrl(config.server);
    if (base === null) throw new TypeError(`server must be a URL like http://127.0.0.1:8080 or a host name, got ${JSON.stringify(config.server)}`);
    this.operationsUrl = `${base}${OPERATIONS_PATH}`;
    this.config = config;
    this.fetch = options.fetch ?? globalThis.fetch;
  }

  async call(operation: string, body: object, opts: CallOptions = {}): Promise<CallOutcome> {
    const url = new URL(`${this.operationsUrl}/${opts.mode ?? 'sync'}`);
    url.searchParams.set('endpointId', this.config.endpoint);
    url.searchParams.set('operation', operation);
    if (opts.transactionId !== undefined) url.searchParams.set('transactionId', opts.transactionId);
    if (this.config.deviceUUID !== undefined) url.searchParams.set('deviceUUID', this.config.deviceUUID);
    const payload = JSON.stringify(body);

    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), this.config.timeoutMs);
    try {
      const response = await this.fetch(url, {
        method: 'POST',
        headers: {
          Authorization: `SecretKey ${this.config.secretKey}`,
          'Content-Type': 'application/json; charset=utf-8',
          Accept: 'application/json',
        },
        body: payload,
        signal: abort.signal,
      });
      const text = await response.text();
      return classify(response.status, text);
    } catch (error) {
      if (abort.signal.aborted) return { kind: 'unreachable', reason: `no answer within ${this.config.timeoutMs} ms` };
      return { kind: 'unreachable', reason: networkReason(error) };
    } finally {
      clearTimeout(timer);
    }
  }
}

function classify(httpStatus: number, text: string): CallOutcome {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  const envelope = typeof body === 'object' && body !== null && typeof (body as { status?: unknown }).status === 'string';
  if (httpStatus >= 500) {
    const message = envelope ? (body as { errorMessage?: unknown }).errorMessage : undefined;
    return { kind: 'unreachable', reason: `server error HTTP ${httpStatus}${typeof message === 'string' ? `: ${message}` : ''}` };
  }
  if (!envelope) return { kind: 'unreachable', reason: `HTTP ${httpStatus} without a Mindbox JSON envelope` };
  return { kind: 'answer', httpStatus, body: body as Answer };
}

function networkReason(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } }).cause;
  const code = typeof cause?.code === 'string' ? cause.code : undefined;
  if (code === 'ECONNREFUSED') return 'connection refused (ECONNREFUSED)';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `server name not resolved (${code})`;
  if (code) return `network error (${code})`;
  const message = typeof cause?.message === 'string' ? cause.message : (error as Error).message;
  return `network error: ${message}`;
}
