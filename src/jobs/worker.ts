// The worker loop of a process: async protocol calls, outbox jobs and periodic tasks. Several worker
// processes may run against one PostgreSQL: every claim uses FOR UPDATE SKIP LOCKED.
import type { AppContext } from '../app-context.ts';
import { processNextAsyncOperation } from '../protocol/mindbox/async-worker.ts';
import { claimJobs, completeJobs, failJob } from './outbox.ts';
import { jobHandlers, periodicTasks } from './registry.ts';
import { MAX_JOB_ATTEMPTS, ParkJobError, type JobHandler } from './types.ts';

const BATCH = 20;
const LEASE_MS = 5 * 60_000;
const jobBackoffMs = (attempts: number) => Math.min(10 * 60_000, 1000 * 2 ** (attempts - 1));

/** How long a finished job may wait for the batch's common "done" mark. */
const DONE_MARK_DELAY_MS = 1000;

/**
 * Claims a batch of due jobs and runs them in order. The jobs that succeeded are marked done together when
 * the batch ends, or once the first of them has waited DONE_MARK_DELAY_MS (one commit, not one per job): a
 * worker that dies before that leaves them to run again after the lease, which at-least-once handlers allow.
 */
export async function processOutboxBatch(app: AppContext, handlers: Record<string, JobHandler> = jobHandlers): Promise<number> {
  const jobs = await claimJobs(app.db, BATCH, LEASE_MS);
  let done: number[] = [];
  let firstDoneAt = 0;
  try {
    for (const job of jobs) {
      const handler = handlers[job.topic];
      if (!handler) {
        await failJob(app.db, job.id, `no handler for topic "${job.topic}"`, null);
        continue;
      }
      try {
        await handler(app, job.payload, { id: job.id, attempts: job.attempts });
        if (done.length === 0) firstDoneAt = Date.now();
        done.push(job.id);
      } catch (error) {
        const message = (error as Error).message ?? String(error);
        const parked = error instanceof ParkJobError || job.attempts >= MAX_JOB_ATTEMPTS;
        app.logger.warn({ job: job.id, topic: job.topic, attempts: job.attempts, parked, error: message }, 'outbox job failed');
        await failJob(app.db, job.id, message, parked ? null : jobBackoffMs(job.attempts));
      }
      if (done.length > 0 && Date.now() - firstDoneAt >= DONE_MARK_DELAY_MS) {
        await completeJobs(app.db, done);
        done = [];
      }
    }
  } finally {
    await completeJobs(app.db, done);
  }
  return jobs.length;
}

/** Runs everything due now until nothing is left (tests and `regulars worker --once`). */
export async function drainWork(app: AppContext, maxRounds = 100): Promise<void> {
  for (let round = 0; round < maxRounds; round++) {
    let did = 0;
    while (await processNextAsyncOperation(app)) did++;
    did += await processOutboxBatch(app);
    if (did === 0) return;
  }
}

export interface Worker {
  stop(): Promise<void>;
}

export function startWorker(app: AppContext): Worker {
  let stopped = false;
  let wake: (() => void) | null = null;
  const lastRun = new Map<string, number>();
  const loop = async () => {
    while (!stopped) {
      try {
        let busy = false;
        for (let i = 0; i < BATCH && !stopped && (await processNextAsyncOperation(app)); i++) busy = true;
        if (!stopped && (await processOutboxBatch(app)) > 0) busy = true;
        const now = Date.now();
        for (const task of periodicTasks) {
          if (stopped) break;
          if (now - (lastRun.get(task.name) ?? 0) < task.everyMs) continue;
          lastRun.set(task.name, now);
          await task.run(app).catch((error) => app.logger.error({ err: error, task: task.name }, 'periodic task failed'));
        }
        if (busy) continue;
      } catch (error) {
        if (stopped) break;
        app.logger.error({ err: error }, 'worker loop error');
      }
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, app.config.workerPollMs);
      });
    }
  };
  const running = loop();
  return {
    stop: async () => {
      stopped = true;
      wake?.();
      await running;
    },
  };
}
