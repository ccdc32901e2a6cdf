// The `sms.send` job: sends one stored message through its connection's provider.
//
// At most once where the protocol allows it: the message is marked `sending` (with a lease) before it is
// submitted, and only a `queued` message, or a `sending` one whose lease ran out, is taken. Transient
// failures put it back to `queued` and the job is tried again as its topic's policy says (`smsSendTopic`),
// while the message is useful (a code's lifetime, a day otherwise): a gateway down for minutes loses nothing,
// and one down for longer leaves the job parked and the message queued, sent when an operator retries it.
// The at-least-once window: if the process dies after the gateway accepted the message and before `sent`
// is committed, the message is sent again once the lease has passed (the outbox job comes back after its
// own lease); the guest may then get the same text twice. Nothing can close that window over SMPP. A database
// that goes away meanwhile does not open it: the gateway's answer is recorded once the database is back.
import type { AppContext } from '../app-context.ts';
import { retryWhileUnavailable } from '../db/database.ts';
import { RetryJobLaterError, type JobHandler } from '../jobs/types.ts';
import type { SmsSendJob } from './mailings.service.ts';
import * as repository from './messages.repository.ts';
import { sendRateFor, smsProviderFor } from './sms-connections.ts';

/** Longer than a provider's send timeout (10 s), shorter than the outbox job lease (5 min). */
export const SENDING_LEASE_MS = 2 * 60_000;

export const sendSmsJob: JobHandler<SmsSendJob> = async (app, { messageId: id }, job) => {
  const now = app.now();
  const leaseEndsAt = Date.now() + SENDING_LEASE_MS;
  const message = await repository.claimForSending(app.db, id, now, new Date(now.getTime() + SENDING_LEASE_MS));
  if (!message) {
    const current = await repository.getMessage(app.db, id);
    // another worker holds it: look again after the lease rather than lose it if that worker dies
    if (current?.status === 'sending') throw new Error('the message is being sent by another worker');
    return;
  }
  if (new Date(message.valid_until).getTime() <= now.getTime()) {
    await repository.markFailed(app.db, id, 'not sent in time: the message was no longer useful', now);
    return;
  }
  if (message.outgoing_text_encrypted === null) {
    await repository.markFailed(app.db, id, 'the text to send is no longer kept', now);
    return;
  }
  const connection = app.project.current.smsConnection(message.connection);
  const provider = smsProviderFor(app, message.connection);
  // transactional: it goes now, and counts against the connection's rate so that campaigns make room
  sendRateFor(app, message.connection).takeTransactional();
  const outcome = await provider.send({ id, to: message.phone, text: app.secrets.open(message.outgoing_text_encrypted), sender: connection?.sender });
  const done = app.now();
  // The gateway has answered: what it said is recorded even if the database went away meanwhile, trying until the
  // sending lease ends (no other worker takes the message before), so an outage makes no guest get a text twice.
  await retryWhileUnavailable(
    async () => {
      if (outcome.kind === 'accepted') {
        await repository.markSent(app.db, id, outcome.providerMessageId, done);
      } else if (outcome.kind === 'failed') {
        await repository.markFailed(app.db, id, outcome.error, done);
      } else {
        await repository.markQueuedAgain(app.db, id, outcome.error, done);
      }
    },
    { patienceMs: leaseEndsAt - Date.now(), signal: job.stopping },
  );
  if (outcome.kind === 'retry') throw new RetryJobLaterError(outcome.error, outcome.retryAfterMs ?? 0);
};
