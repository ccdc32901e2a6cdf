// One SMS provider per connection URL per process, created on first use and kept (an SMPP session stays
// bound between messages); all of them are closed when the process stops. Delivery receipts a provider
// reports update the message they belong to.
import type { AppContext } from '../app-context.ts';
import { onShutdown } from '../shared/shutdown.ts';
import { createSmsProvider, type DeliveryReceipt, type SmsProvider } from './providers/index.ts';
import * as repository from './messages.repository.ts';

const RECEIPT_RETRY_MS = 1000;
const providers = new Map<AppContext, Map<string, SmsProvider>>();

export function smsProviderFor(app: AppContext, url: string): SmsProvider {
  let byUrl = providers.get(app);
  if (!byUrl) {
    byUrl = new Map();
    providers.set(app, byUrl);
    onShutdown('sms providers', closeSmsProviders);
  }
  let provider = byUrl.get(url);
  if (!provider) {
    provider = createSmsProvider(url, { logger: app.logger.child({ module: 'sms' }) });
    provider.onDeliveryReceipt((receipt) => void recordReceipt(app, receipt, true));
    byUrl.set(url, provider);
  }
  return provider;
}

/** A receipt can overtake the commit that marks its message sent; such a receipt is tried once more a moment later. */
async function recordReceipt(app: AppContext, receipt: DeliveryReceipt, firstTry: boolean): Promise<void> {
  try {
    const recorded = await repository.recordDelivery(app.db, receipt.providerMessageId, receipt, app.now());
    if (!recorded && firstTry) setTimeout(() => void recordReceipt(app, receipt, false), RECEIPT_RETRY_MS).unref();
  } catch (error) {
    app.logger.warn({ err: error, providerMessageId: receipt.providerMessageId }, 'could not record an SMS delivery receipt');
  }
}

export async function closeSmsProviders(): Promise<void> {
  const all = [...providers.values()].flatMap((byUrl) => [...byUrl.values()]);
  providers.clear();
  await Promise.allSettled(all.map((provider) => provider.close()));
}
