// Chooses the SMS provider from `REGULARS_SMS_URL`: `outbox:`, `http(s)://…` or `smpp://…`.

import { createHttpProvider } from './http.ts';
import { createOutboxProvider } from './outbox.ts';
import { createSmppProvider } from './smpp.ts';
import type { ProviderOptions, SmsProvider } from './types.ts';

export type { DeliveryReceipt, IncomingSms, OutgoingSms, ProviderLogger, ProviderOptions, SendOutcome, SmsProvider } from './types.ts';
export { createHttpProvider } from './http.ts';
export { createOutboxProvider } from './outbox.ts';
export { createSmppProvider, splitSms, type SmppOptions } from './smpp.ts';

/** Throws a TypeError for a URL that is not one of the three forms. */
export function createSmsProvider(url: string, options: ProviderOptions = {}): SmsProvider {
  const parsed = new URL(url);
  switch (parsed.protocol) {
    case 'outbox:':
      return createOutboxProvider();
    case 'http:':
    case 'https:':
      return createHttpProvider(parsed, options);
    case 'smpp:':
      return createSmppProvider(parsed, options);
    default:
      throw new TypeError(`unsupported SMS provider URL scheme ${parsed.protocol} (use outbox:, http(s):// or smpp://)`);
  }
}
