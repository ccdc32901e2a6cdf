// Sends the marketing messages that wait (a campaign's, or a marketing scenario's), oldest first: only within the
// project's hours, at each connection's rate behind the codes, and at most once. The consent is looked at again
// just before a message goes, since a guest may have replied STOP meanwhile. A message the gateway may have taken
// without saying so (its answer never came, or the process stopped while sending it) fails rather than goes
// again: a guest would rather miss an offer than get it twice (decision 0020). A gateway that is away makes its
// connection's messages wait, queued, with a growing pause; nothing is lost. Several senders (one per lane and per
// worker process) share the queue: each message is claimed before it is sent.
import type { AppContext } from '../app-context.ts';
import { isSubscribed } from '../customers/subscriptions.service.ts';
import { retryWhileUnavailable } from '../db/database.ts';
import type { MessageRow } from './messages.repository.ts';
import * as repository from './messages.repository.ts';
import { withinMarketingHours } from './marketing-hours.ts';
import { sendRateFor, smsProviderFor } from './sms-connections.ts';

/** Longer than a provider's send timeout (10 s): the message is claimed just before it is sent. */
const MARKETING_LEASE_MS = 60_000;
const FIRST_PAUSE_MS = 1000;
const LONGEST_PAUSE_MS = 60_000;

/** Connections whose gateway asked for a pause or did not answer, and until when (this process's view). */
export class GatewayPauses {
  readonly #until = new Map<string, { until: number; pauseMs: number }>();

  paused(now = Date.now()): string[] {
    return [...this.#until].filter(([, pause]) => pause.until > now).map(([connection]) => connection);
  }

  /**
   * A failure after the last pause ended: the pause doubles (or is what the gateway asked). Failures of sends that
   * were in flight when the pause began add nothing.
   */
  pause(connection: string, askedMs: number | undefined): void {
    const previous = this.#until.get(connection);
    const now = Date.now();
    if (previous && previous.until > now) return;
    const pauseMs = Math.min(LONGEST_PAUSE_MS, previous ? previous.pauseMs * 2 : FIRST_PAUSE_MS);
    this.#until.set(connection, { until: now + Math.max(askedMs ?? 0, pauseMs), pauseMs });
  }

  resume(connection: string): void {
    this.#until.delete(connection);
  }

  /** When the first pause ends, for a sender with nothing else to do. */
  nextEnd(): number | null {
    const ends = [...this.#until.values()].map((pause) => pause.until).filter((until) => until > Date.now());
    return ends.length > 0 ? Math.min(...ends) : null;
  }
}

export type MarketingSendResult =
  /** a message was sent, refused, failed or put back */
  | 'handled'
  /** none waits (or only for paused gateways) */
  | 'idle'
  /** outside the project's hours: marketing waits */
  | 'quiet';

/** Sends the next waiting marketing message, if any may go now. */
export async function sendNextMarketingMessage(app: AppContext, pauses: GatewayPauses, signal: AbortSignal): Promise<MarketingSendResult> {
  const project = app.project.current;
  if (!withinMarketingHours(app.now(), project.settings)) return 'quiet';
  const connection = await repository.nextMarketingConnection(app.db, pauses.paused());
  if (!connection) return 'idle';
  const rate = sendRateFor(app, connection);
  await rate.takeMarketing(signal);
  const now = app.now();
  const message = await repository.claimNextMarketingMessage(app.db, connection, now, new Date(now.getTime() + MARKETING_LEASE_MS));
  if (!message) {
    rate.giveBack();
    return 'idle';
  }
  const refusal = await whyNotSend(app, message, now);
  if (refusal) {
    await repository.markFailed(app.db, message.id, refusal, now);
    return 'handled';
  }
  const leaseEndsAt = Date.now() + MARKETING_LEASE_MS;
  const outcome = await smsProviderFor(app, connection).send({
    id: message.id,
    to: message.phone,
    text: app.secrets.open(message.outgoing_text_encrypted!),
    sender: project.smsConnection(connection)?.sender,
  });
  const done = app.now();
  // what the gateway said is recorded even if the database went away meanwhile (decision 0102)
  await retryWhileUnavailable(
    async () => {
      if (outcome.kind === 'accepted') await repository.markSent(app.db, message.id, outcome.providerMessageId, done);
      else if (outcome.kind === 'failed') await repository.markFailed(app.db, message.id, outcome.error, done);
      else if (outcome.maybeSent) await repository.markFailed(app.db, message.id, `${outcome.error}: the gateway may have taken it, so it is not sent again`, done);
      else await repository.markQueuedAgain(app.db, message.id, outcome.error, done);
    },
    { patienceMs: leaseEndsAt - Date.now(), signal },
  );
  if (outcome.kind === 'retry') pauses.pause(connection, outcome.retryAfterMs);
  else pauses.resume(connection);
  return 'handled';
}

/** Why a claimed message must not go after all; null when it may. */
async function whyNotSend(app: AppContext, message: MessageRow, now: Date): Promise<string | null> {
  if (new Date(message.valid_until).getTime() <= now.getTime()) return 'not sent in time: the message was no longer useful';
  if (message.outgoing_text_encrypted === null) return 'the text to send is no longer kept';
  if (message.customer_id !== null && !(await isSubscribed(app.db, message.customer_id, 'Sms'))) return 'the guest withdrew the consent to marketing SMS before it went';
  return null;
}

/** Marketing messages a stopped sender left `sending` fail (they may have gone); how many. */
export async function failInterruptedMarketing(app: AppContext): Promise<number> {
  return repository.failInterruptedMarketing(app.db, app.now());
}

/** SMPP connections are bound before they send anything, so that the guests' replies (STOP) arrive. */
export function bindReplyConnections(app: AppContext): void {
  const project = app.project.current;
  for (const connection of project.definition.smsConnections) {
    if (project.smsConnectionUrl(connection.systemName, app.config.smsUrl).startsWith('smpp:')) smsProviderFor(app, connection.systemName);
  }
}
