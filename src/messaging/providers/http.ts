// `http(s)://…` — a plain HTTP gateway: POST {id, to, text, sender} as JSON. 2xx accepted, 4xx refused
// for good (except 408 and 429, which are about timing), 5xx, network errors and timeouts are retried.
// Credentials in the URL (`https://user:pass@host/path`) are sent as Basic authorization. The gateway's
// message id is read from its JSON answer (`options.messageIdPath`, else `id` or `messageId`); its delivery
// reports and the guests' replies come back through the routes of `../delivery-reports.routes.ts` and
// `../incoming-sms.routes.ts`, not through this provider.

import {
  DEFAULT_TIMEOUT_MS,
  errorText,
  ReceiptListeners,
  SILENT_LOGGER,
  type OutgoingSms,
  type ProviderOptions,
  type SendOutcome,
  type SmsProvider,
} from './types.ts';

const BODY_EXCERPT_LENGTH = 200;
/** Errors that leave before a byte of the request is sent: the gateway cannot have the message. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

export function createHttpProvider(url: URL, options: ProviderOptions = {}): SmsProvider {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const logger = options.logger ?? SILENT_LOGGER;
  const endpoint = new URL(url);
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
  if (endpoint.username || endpoint.password) {
    const credentials = `${decodeURIComponent(endpoint.username)}:${decodeURIComponent(endpoint.password)}`;
    headers.authorization = `Basic ${Buffer.from(credentials).toString('base64')}`;
    endpoint.username = '';
    endpoint.password = '';
  }
  const messageIdPath = options.messageIdPath?.split('.');
  const listeners = new ReceiptListeners(logger);
  const inFlight = new Set<AbortController>();
  let closed = false;

  async function send(sms: OutgoingSms): Promise<SendOutcome> {
    if (closed) return { kind: 'retry', error: 'SMS provider is closed' };
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    inFlight.add(controller);
    try {
      const response = await fetch(endpoint, {
        method: 'POST',
        headers,
        body: JSON.stringify({ id: sms.id, to: sms.to, text: sms.text, sender: sms.sender }),
        signal: controller.signal,
      });
      const body = await response.text();
      const outcome = outcomeOf(response.status, response.headers.get('retry-after'), body, messageIdPath);
      logger.info({ messageId: sms.id, status: response.status, outcome: outcome.kind }, 'SMS gateway answered');
      return outcome;
    } catch (error) {
      const reason = controller.signal.aborted ? errorText(controller.signal.reason) : errorText(error);
      logger.warn({ messageId: sms.id, err: reason }, 'SMS gateway unreachable');
      const code = (error as { cause?: { code?: unknown } }).cause?.code;
      const maybeSent = controller.signal.aborted || !(typeof code === 'string' && NOT_SENT_CODES.has(code));
      return { kind: 'retry', error: `SMS gateway unreachable: ${reason}`, ...(maybeSent ? { maybeSent } : {}) };
    } finally {
      clearTimeout(timer);
      inFlight.delete(controller);
    }
  }

  return {
    kind: 'http',
    send,
    onDeliveryReceipt: (listener) => listeners.add(listener),
    onIncomingSms() {},
    async close() {
      closed = true;
      for (const controller of inFlight) controller.abort(new Error('SMS provider closed'));
    },
  };
}

function outcomeOf(status: number, retryAfter: string | null, body: string, messageIdPath: string[] | undefined): SendOutcome {
  if (status >= 200 && status < 300) return { kind: 'accepted', providerMessageId: messageIdIn(body, messageIdPath) };
  const error = `HTTP ${status}${body.trim() ? `: ${excerpt(body)}` : ''}`;
  if (status >= 500 || status === 408 || status === 429) {
    const delay = retryAfterMs(retryAfter);
    return delay === undefined ? { kind: 'retry', error } : { kind: 'retry', error, retryAfterMs: delay };
  }
  return { kind: 'failed', error };
}

/** The string or number at `path` (keys, and indexes of arrays), or at `id` / `messageId` without a path. */
function messageIdIn(body: string, path: string[] | undefined): string | null {
  let answer: unknown;
  try {
    answer = JSON.parse(body);
  } catch {
    return null;
  }
  const candidates = path ? [path.reduce(member, answer)] : [member(answer, 'id'), member(answer, 'messageId')];
  const found = candidates.find((value) => (typeof value === 'string' && value !== '') || typeof value === 'number');
  return found === undefined ? null : String(found);
}

function member(value: unknown, key: string): unknown {
  return value !== null && typeof value === 'object' && Object.hasOwn(value, key) ? (value as Record<string, unknown>)[key] : undefined;
}

/** `Retry-After` in seconds or as an HTTP date. */
function retryAfterMs(header: string | null): number | undefined {
  if (!header) return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000;
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

function excerpt(body: string): string {
  const text = body.replace(/\s+/g, ' ').trim();
  return text.length > BODY_EXCERPT_LENGTH ? `${text.slice(0, BODY_EXCERPT_LENGTH)}…` : text;
}
