// The contract between the mailing layer and an SMS gateway. A provider only transports: it never
// stores messages, and it never logs phone numbers or texts (message ids only).

export interface OutgoingSms {
  /** Our message id; the only identifier a provider may log. */
  id: string;
  /** Digits in international format, e.g. 79001234567. */
  to: string;
  text: string;
  /** Sender name or number; the provider's configured sender when absent. */
  sender?: string;
}

export type SendOutcome =
  | { kind: 'accepted'; providerMessageId: string | null }
  /**
   * Transient: gateway down, timeout, throttled. Try again later. `maybeSent`: the text (or a part of it) had left
   * when the answer failed to come, so the gateway may have it: a marketing text is then not sent again (decision 0020).
   */
  | { kind: 'retry'; error: string; retryAfterMs?: number; maybeSent?: boolean }
  /** Permanent: rejected number, bad request. Trying again will not help. */
  | { kind: 'failed'; error: string };

export interface DeliveryReceipt {
  providerMessageId: string;
  status: 'delivered' | 'failed';
  error?: string;
}

/** A text a guest sent to the sender's number (a reply), as the gateway delivered it. */
export interface IncomingSms {
  /** the guest's number, digits as the gateway gave them */
  from: string;
  text: string;
}

export interface SmsProvider {
  readonly kind: 'outbox' | 'http' | 'smpp';
  send(sms: OutgoingSms): Promise<SendOutcome>;
  onDeliveryReceipt(listener: (receipt: DeliveryReceipt) => void): void;
  /** texts guests send back (SMPP deliver_sm that are not receipts); HTTP gateways post them to a route instead */
  onIncomingSms(listener: (sms: IncomingSms) => void): void;
  close(): Promise<void>;
}

export interface ProviderLogger {
  info(fields: object, message?: string): void;
  warn(fields: object, message?: string): void;
}

export interface ProviderOptions {
  /** How long one send may take, waiting for the gateway included; 10 s by default. */
  timeoutMs?: number;
  logger?: ProviderLogger;
  /** HTTP gateways: the dot-separated path of the gateway's message id in its JSON answer (`result.0.id`) */
  messageIdPath?: string;
}

export const DEFAULT_TIMEOUT_MS = 10_000;

export const SILENT_LOGGER: ProviderLogger = { info() {}, warn() {} };

/** Calls every receipt listener; a failing listener is logged and does not stop the others. */
export class ReceiptListeners {
  private readonly listeners: ((receipt: DeliveryReceipt) => void)[] = [];

  constructor(private readonly logger: ProviderLogger) {}

  add(listener: (receipt: DeliveryReceipt) => void): void {
    this.listeners.push(listener);
  }

  emit(receipt: DeliveryReceipt): void {
    for (const listener of this.listeners) {
      try {
        listener(receipt);
      } catch (error) {
        this.logger.warn({ providerMessageId: receipt.providerMessageId, err: errorText(error) }, 'delivery receipt listener failed');
      }
    }
  }
}

export function errorText(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code ?? (error.cause as { code?: unknown } | undefined)?.code;
    return typeof code === 'string' && !error.message.includes(code) ? `${error.message} (${code})` : error.message;
  }
  return String(error);
}
