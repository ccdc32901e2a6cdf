// The worker loop of a process: async protocol calls, outbox jobs and periodic tasks. Several worker
// processes may run against one PostgreSQL: every claim uses FOR UPDATE SKIP LOCKED. While the database does
// not answer, the loop backs off and goes on by itself once it does; nothing it held is lost or charged.
import type { AppContext } from '../app-context.ts';
import { retryWhileUnavailable } from '../db/database.ts';
import { isDatabaseUnavailable } from '../db/errors.ts';
import type { JobCatalogue } from './catalogue.ts';
import { claimJobs, completeJobs, failJob, pendingJobsOutside, releaseJobs } from './outbox.ts';
import { afterFailure, isLastAttempt } from './retry-policy.ts';
import { failureOf, type PeriodicTask, type WorkerLoop } from './types.ts';

/**
 * Everything a worker process runs, listed by the composition root (src/background.ts) and handed to the worker:
 * the worker loop knows queues and schedules, not the modules whose work it runs.
 */
export interface BackgroundWork {
  /** every outbox topic with its handler */
  catalogue: JobCatalogue;
  periodicTasks: readonly PeriodicTask[];
  loops: readonly WorkerLoop[];
  /** runs the next due async protocol call; false when none was due */
  runNextAsyncCall(app: AppContext): Promise<boolean>;
}

const BATCH = 20;
const LEASE_MS = 5 * 60_000;

/** What a handler run outside a worker loop is given to watch: nothing stops it. */
const NEVER_STOPPING = new AbortController().signal;

/** How long a finished job may wait for the batch's common "done" mark. */
const DONE_MARK_DELAY_MS = 1000;

/**
 * Claims a batch of due jobs of the catalogue's topics and runs them in order; a failed job is retried or
 * parked as its topic's policy says. The jobs that succeeded are marked done together when
 * the batch ends, or once the first of them has waited DONE_MARK_DELAY_MS (one commit, not one per job): a
 * worker that dies before that leaves them to run again after the lease, which at-least-once handlers allow.
 * A job that failed because the database went away goes back to the queue with the rest of the batch, costing
 * none of them an attempt; until `stopping` aborts, that bookkeeping waits for the database to come back.
 */
export async function processOutboxBatch(app: AppContext, catalogue: JobCatalogue, stopping?: AbortSignal): Promise<number> {
  const jobs = await claimJobs(app.db, catalogue.topics, BATCH, LEASE_MS);
  // without a worker loop to stop it (a test, a one-off drain), the bookkeeping is tried once
  const onceReachable = (work: () => Promise<void>) => retryWhileUnavailable(work, { patienceMs: stopping ? Infinity : 0, signal: stopping });
  let done: number[] = [];
  let firstDoneAt = 0;
  try {
    for (const [index, job] of jobs.entries()) {
      // claimJobs took only the catalogue's topics
      const topic = catalogue.entry(job.topic)!;
      try {
        await topic.run(app, job.payload, { id: job.id, attempts: job.attempts, lastAttempt: isLastAttempt(topic.retry, job.attempts), stopping: stopping ?? NEVER_STOPPING });
        if (done.length === 0) firstDoneAt = Date.now();
        done.push(job.id);
      } catch (error) {
        if (isDatabaseUnavailable(error)) {
          await onceReachable(() => releaseJobs(app.db, jobs.slice(index).map((unfinished) => unfinished.id)));
          break;
        }
        const message = (error as Error).message ?? String(error);
        const next = afterFailure(topic.retry, job.attempts, failureOf(error));
        app.logger.warn({ job: job.id, topic: job.topic, attempts: job.attempts, parked: next.park, error: message }, 'outbox job failed');
        await onceReachable(() => failJob(app.db, job.id, message, next.park ? null : next.retryInMs));
      }
      if (done.length > 0 && Date.now() - firstDoneAt >= DONE_MARK_DELAY_MS) {
        const marking = done;
        await onceReachable(() => completeJobs(app.db, marking));
        done = [];
      }
    }
  } finally {
    const marking = done;
    await onceReachable(() => completeJobs(app.db, marking));
  }
  return jobs.length;
}

/** Runs everything due now until nothing is left (tests and `regulars worker --once`). */
export async function drainWork(app: AppContext, work: BackgroundWork, maxRounds = 100): Promise<void> {
  for (let round = 0; round < maxRounds; round++) {
    let did = 0;
    while (await work.runNextAsyncCall(app)) did++;
    did += await processOutboxBatch(app, work.catalogue);
    if (did === 0) return;
  }
}

export interface Worker {
  stop(): Promise<void>;
}

/** How long the loop waits at most between tries while the database does not answer (it starts at the poll interval). */
const OUTAGE_PAUSE_MAX_MS = 1000;

/**
 * Says, once when a worker starts, which pending jobs no handler of its catalogue knows: they are left in the
 * queue for a worker that handles them, so they would otherwise wait unseen.
 */
async function reportUnhandledTopics(app: AppContext, catalogue: JobCatalogue): Promise<void> {
  const unhandled = await pendingJobsOutside(app.db, catalogue.topics);
  if (unhandled.length === 0) return;
  app.logger.error({ topics: unhandled }, `pending jobs of topics no handler of this worker knows (${unhandled.map((row) => `${row.topic}: ${row.jobs}`).join(', ')}): they wait for a worker that handles them`);
}

export function startWorker(app: AppContext, work: BackgroundWork): Worker {
  const { catalogue } = work;
  const stopping = new AbortController();
  let wake: (() => void) | null = null;
  let outagePauseMs = 0;
  const lastRun = new Map<string, number>();
  let topicsChecked = false;
  const loop = async () => {
    while (!stopping.signal.aborted) {
      try {
        if (!topicsChecked) {
          await reportUnhandledTopics(app, catalogue);
          topicsChecked = true;
        }
        let busy = false;
        for (let i = 0; i < BATCH && !stopping.signal.aborted && (await work.runNextAsyncCall(app)); i++) busy = true;
        if (!stopping.signal.aborted && (await processOutboxBatch(app, catalogue, stopping.signal)) > 0) busy = true;
        const now = Date.now();
        for (const task of work.periodicTasks) {
          if (stopping.signal.aborted) break;
          if (now - (lastRun.get(task.name) ?? 0) < task.everyMs) continue;
          lastRun.set(task.name, now);
          try {
            await task.run(app);
          } catch (error) {
            // a task the outage interrupted runs again as soon as the database is back, not a period later
            if (isDatabaseUnavailable(error)) {
              lastRun.delete(task.name);
              throw error;
            }
            app.logger.error({ err: error, task: task.name }, 'periodic task failed');
          }
        }
        outagePauseMs = 0;
        if (busy) continue;
      } catch (error) {
        if (stopping.signal.aborted) break;
        // the database itself logs the outage once; the loop only tries again, less often, until it answers
        if (isDatabaseUnavailable(error)) outagePauseMs = Math.min(OUTAGE_PAUSE_MAX_MS, Math.max(app.config.workerPollMs, outagePauseMs * 2));
        else app.logger.error({ err: error }, 'worker loop error');
      }
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, Math.max(app.config.workerPollMs, outagePauseMs));
      });
    }
  };
  const running = loop();
  const loops = work.loops.map((workerLoop) => workerLoop.start(app));
  return {
    stop: async () => {
      stopping.abort();
      wake?.();
      await Promise.all([running, ...loops.map((started) => started.stop())]);
    },
  };
}
