// The marketing loop of a worker process: campaigns under way advance (scheduled ones start, audiences resolve,
// messages are written a little ahead of the sender, finished ones end) while a few sender lanes send the marketing
// messages that wait, within the project's hours and at each connection's rate (src/messaging/marketing-sender.ts).
// It is a loop of its own, not outbox jobs: a sender paced by a rate would hold the worker loop, and the codes
// behind it, for as long as it waits (decision 0020).
import type { AppContext } from '../app-context.ts';
import { isDatabaseUnavailable } from '../db/errors.ts';
import type { WorkerLoop } from '../jobs/types.ts';
import { bindReplyConnections, failInterruptedMarketing, GatewayPauses, sendNextMarketingMessage } from '../messaging/marketing-sender.ts';
import { advanceCampaigns } from './campaigns.service.ts';

/** Messages in flight at once per process: enough to keep a fast gateway's rate over a round trip each. */
const SENDER_LANES = 8;
/** How often a quiet or idle sender looks again (and a lane that found nothing). */
const IDLE_PAUSE_MS = 1000;
/** How often messages left `sending` by a stopped process are looked for. */
const INTERRUPTED_CHECK_MS = 30_000;

export const marketingLoop: WorkerLoop = {
  name: 'marketing',
  start(app) {
    const stopping = new AbortController();
    const pauses = new GatewayPauses();
    const lanesSleep = new Sleeps(stopping.signal);
    const supplierSleeps = new Sleeps(stopping.signal);
    const guarded = async (what: string, sleeps: Sleeps, work: () => Promise<number>) => {
      while (!stopping.signal.aborted) {
        let pauseMs: number;
        try {
          pauseMs = await work();
        } catch (error) {
          if (stopping.signal.aborted) return;
          // a database that does not answer is logged once by the database layer (decision 0012); the loop waits and tries again
          if (!isDatabaseUnavailable(error)) app.logger.warn({ err: error }, `${what} failed`);
          pauseMs = IDLE_PAUSE_MS;
        }
        if (pauseMs > 0) await sleeps.sleep(pauseMs);
      }
    };
    let interruptedCheckedAt = 0;
    const supplier = guarded('advancing campaigns', supplierSleeps, async () => {
      if (Date.now() - interruptedCheckedAt > INTERRUPTED_CHECK_MS) {
        interruptedCheckedAt = Date.now();
        bindReplyConnections(app);
        const failed = await failInterruptedMarketing(app);
        if (failed > 0) app.logger.warn({ messages: failed }, 'marketing messages a stopped sender left: failed, not sent again');
      }
      const busy = await advanceCampaigns(app);
      if (busy) lanesSleep.wakeAll();
      return busy ? 0 : app.config.workerPollMs;
    });
    const lanes = Array.from({ length: SENDER_LANES }, () =>
      guarded('sending marketing SMS', lanesSleep, async () => {
        const result = await sendNextMarketingMessage(app, pauses, stopping.signal);
        if (result === 'handled') return 0;
        const pauseEnd = pauses.nextEnd();
        return pauseEnd === null ? IDLE_PAUSE_MS : Math.min(IDLE_PAUSE_MS, Math.max(1, pauseEnd - Date.now()));
      }),
    );
    const running = Promise.all([supplier, ...lanes]);
    return {
      async stop() {
        stopping.abort(new Error('the worker is stopping'));
        await running;
      },
    };
  },
};

/**
 * Runs the marketing work that can be done now until none is left: campaigns advance and waiting messages go (or
 * wait for the hours). For tests and one-off runs; the worker runs `marketingLoop`.
 */
export async function drainMarketing(app: AppContext, pauses = new GatewayPauses()): Promise<void> {
  const never = new AbortController().signal;
  for (;;) {
    const busy = await advanceCampaigns(app);
    let handled = 0;
    while ((await sendNextMarketingMessage(app, pauses, never)) === 'handled') handled += 1;
    if (!busy && handled === 0) return;
  }
}

/** Sleeps that end early when woken (new work) or when the loop stops; nothing of a finished one stays behind. */
class Sleeps {
  readonly #sleeping = new Map<() => void, NodeJS.Timeout>();

  constructor(private readonly stopping: AbortSignal) {
    stopping.addEventListener('abort', () => this.wakeAll(), { once: true });
  }

  sleep(ms: number): Promise<void> {
    if (this.stopping.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(this.#sleeping.get(done));
        this.#sleeping.delete(done);
        resolve();
      };
      this.#sleeping.set(done, setTimeout(done, ms));
    });
  }

  wakeAll(): void {
    for (const done of [...this.#sleeping.keys()]) done();
  }
}
