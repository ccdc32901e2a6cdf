// `http(s)://…` — a plain HTTP gateway: POST {id, to, text, sender} as JSON. 2xx accepted, 4xx refused
// for good (except 408 and 429, which are about timing), 5xx, network errors and timeouts are retried.
// Credentials in the URL (`https://user:pass@host/path`) are sent as Basic authorization.

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
  // Receipts would need an inbound webhook; this gateway type reports acceptance only.
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
      const outcome = outcomeOf(response.status, response.headers.get('retry-after'), body);
      logger.info({ messageId: sms.id, status: response.status, outcome: outcome.kind }, 'SMS gateway answered');
      return outcome;
    } catch (error) {
      const reason = controller.signal.aborted ? errorText(controller.signal.reason) : errorText(error);
      logger.warn({ messageId: sms.id, err: reason }, 'SMS gateway unreachable');
      return { kind: 'retry', error: `SMS gateway unreachable: ${reason}` };
    } finally {
      clearTimeout(timer);
      inFlight.delete(controller);
    }
  }

  return {
    kind: 'http',
    send,
    onDeliveryReceipt: (listener) => listeners.add(listener),
    async close() {
      closed = true;
      for (const controller of inFlight) controller.abort(new Error('SMS provider closed'));
    },
  };
}

function outcomeOf(status: number, retryAfter: string | null, body: string): SendOutcome {
  if (status >= 200 && status < 300) return { kind: 'accepted', providerMessageId: messageIdIn(body) };
  const error = `HTTP ${status}${body.trim() ? `: ${excerpt(body)}` : ''}`;
  if (status >= 500 || status === 408 || status === 429) {
    const delay = retryAfterMs(retryAfter);
    return delay === undefined ? { kind: 'retry', error } : { kind: 'retry', error, retryAfterMs: delay };
  }
  return { kind: 'failed', error };
}

function messageIdIn(body: string): string | null {
  try {
    const answer: unknown = JSON.parse(body);
    if (answer === null || typeof answer !== 'object') return null;
    const { id, messageId } = answer as { id?: unknown; messageId?: unknown };
    const found = [id, messageId].find((value) => typeof value === 'string' || typeof value === 'number');
    return found === undefined ? null : String(found);
  } catch {
    return null;
  }
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
