// Texts guests send back to the sender's number. A reply of STOP or СТОП (any case, spaces around it) withdraws
// the consent to marketing SMS of every guest with that number, recorded with the connection it came through;
// anything else is not read. SMPP gateways deliver replies as deliver_sm (sms-connections.ts), HTTP gateways post
// them to `POST /api/sms/:connection/incoming` (incoming-sms.routes.ts). Phones never reach the log.
import type { AppContext } from '../app-context.ts';
import { phoneForLookup } from '../customers/phone.ts';
import { optOutByReply } from '../customers/subscriptions.service.ts';
import { isOptOutReply } from '../customers/subscriptions.ts';
import { inTransaction, retryWhileUnavailable } from '../db/database.ts';
import type { IncomingSms } from './providers/index.ts';

/** How long a reply waits for a database that does not answer (the gateway has let go of it already). */
const REPLY_PATIENCE_MS = 10 * 60_000;

export type IncomingOutcome =
  /** a STOP: `unsubscribed` guests had the number and agreed until now */
  | { action: 'optOut'; unsubscribed: number }
  /** not a STOP, or from no number a guest could have */
  | { action: 'ignored' };

export async function receiveIncomingSms(app: AppContext, connection: string, sms: IncomingSms): Promise<IncomingOutcome> {
  if (!isOptOutReply(sms.text)) return { action: 'ignored' };
  const phone = phoneForLookup(sms.from, app.project.current.settings.defaultCountry);
  if (!phone) return { action: 'ignored' };
  const unsubscribed = await retryWhileUnavailable(
    () => inTransaction(app.db, (trx) => optOutByReply(trx, { phone, connection, text: sms.text, now: app.now() })),
    { patienceMs: REPLY_PATIENCE_MS },
  );
  app.logger.info({ connection, unsubscribed }, 'a guest replied STOP');
  return { action: 'optOut', unsubscribed };
}
