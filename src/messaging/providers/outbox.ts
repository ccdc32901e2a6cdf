// `outbox:` — nothing leaves the server: the stored message rows are the outbox, listed by
// `regulars messages` and the admin API. Every message is accepted at once.

import type { SendOutcome, SmsProvider } from './types.ts';

export function createOutboxProvider(): SmsProvider {
  return {
    kind: 'outbox',
    async send(): Promise<SendOutcome> {
      return { kind: 'accepted', providerMessageId: null };
    },
    onDeliveryReceipt() {},
    onIncomingSms() {},
    async close() {},
  };
}
