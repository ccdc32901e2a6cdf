// One SMS provider per connection URL (and message id path) per process, created on first use and kept
// (an SMPP session stays bound between messages); all of them are closed when the process stops. Delivery
// receipts a provider reports update the message they belong to; a guest's reply goes to incoming-sms.ts. Each
// connection has its send rate in the process (send-rate.ts), shared by codes and campaigns.
import type { AppContext } from '../app-context.ts';
import { retryWhileUnavailable } from '../db/database.ts';
import { onShutdown } from '../shared/shutdown.ts';
import { receiveIncomingSms } from './incoming-sms.ts';
import { createSmsProvider, type DeliveryReceipt, type SmsProvider } from './providers/index.ts';
import * as repository from './messages.repository.ts';
import { DEFAULT_RATE_PER_SECOND, SendRate } from './send-rate.ts';

const RECEIPT_RETRY_MS = 1000;
/** How long a receipt waits for a database that does not answer before it is given up (and reported). */
const RECEIPT_PATIENCE_MS = 10 * 60_000;
const providers = new Map<AppContext, Map<string, SmsProvider>>();
const sendRates = new WeakMap<AppContext, Map<string, SendRate>>();

/** The connection's send rate in this process, at the rate its definition says now. */
export function sendRateFor(app: AppContext, connectionName: string): SendRate {
  const ratePerSecond = app.project.current.smsConnection(connectionName)?.ratePerSecond ?? DEFAULT_RATE_PER_SECOND;
  let byName = sendRates.get(app);
  if (!byName) {
    byName = new Map();
    sendRates.set(app, byName);
  }
  let rate = byName.get(connectionName);
  if (!rate) {
    rate = new SendRate(ratePerSecond);
    byName.set(connectionName, rate);
  }
  rate.setRate(ratePerSecond);
  return rate;
}

export function smsProviderFor(app: AppContext, connectionName: string): SmsProvider {
  const project = app.project.current;
  const url = project.smsConnectionUrl(connectionName, app.config.smsUrl);
  const messageIdPath = project.smsConnection(connectionName)?.messageIdPath;
  const key = messageIdPath ? `${url}\n${messageIdPath}` : url;
  let byKey = providers.get(app);
  if (!byKey) {
    byKey = new Map();
    providers.set(app, byKey);
    onShutdown('sms providers', closeSmsProviders);
  }
  let provider = byKey.get(key);
  if (!provider) {
    provider = createSmsProvider(url, { logger: app.logger.child({ module: 'sms' }), messageIdPath });
    provider.onDeliveryReceipt((receipt) => void recordReceipt(app, receipt, true));
    provider.onIncomingSms((sms) =>
      void receiveIncomingSms(app, connectionName, sms).catch((error) => app.logger.warn({ err: error, connection: connectionName }, 'could not record an SMS reply')),
    );
    byKey.set(key, provider);
  }
  return provider;
}

/**
 * A receipt can overtake the commit that marks its message sent; such a receipt is tried once more a moment later.
 * One that arrives while the database does not answer waits for it (the gateway has let go of it already).
 */
async function recordReceipt(app: AppContext, receipt: DeliveryReceipt, firstTry: boolean): Promise<void> {
  try {
    const recorded = await retryWhileUnavailable(() => repository.recordDelivery(app.db, receipt.providerMessageId, receipt, app.now()), {
      patienceMs: RECEIPT_PATIENCE_MS,
    });
    if (!recorded && firstTry) setTimeout(() => void recordReceipt(app, receipt, false), RECEIPT_RETRY_MS).unref();
  } catch (error) {
    app.logger.warn({ err: error, providerMessageId: receipt.providerMessageId }, 'could not record an SMS delivery receipt');
  }
}

export async function closeSmsProviders(): Promise<void> {
  const all = [...providers.values()].flatMap((byKey) => [...byKey.values()]);
  providers.clear();
  await Promise.allSettled(all.map((provider) => provider.close()));
}
