// The job catalogue: every topic the worker handles, each with its handler. It is built when the process
// loads (two handlers for one topic, or a retry policy that cannot work, refuse the start), and held against
// the queue when a worker starts (src/jobs/worker.ts): pending jobs of a topic no handler here knows are
// reported then, and left for a worker that knows it (another version, during an upgrade), instead of being
// found one by one at run time and parked.
import type { AppContext } from '../app-context.ts';
import { problemsOf, type RetryPolicy } from './retry-policy.ts';
import { checkedPayload, type JobTopic } from './topic.ts';
import type { ClaimedJobContext, JobHandler } from './types.ts';

/** A topic with its handler, its payload type hidden: what the worker and the parked-work list need of it. */
export interface CatalogueEntry {
  topic: string;
  retry: RetryPolicy;
  /** reads the payload with the topic's schema (JobPayloadError when it does not match) and runs the handler */
  run(app: AppContext, payload: unknown, job: ClaimedJobContext): Promise<void>;
  /** what the job was for, as its topic describes it */
  describe(payload: unknown): string;
}

/** Registers `run` as the handler of `topic`'s jobs. */
export function handle<P>(topic: JobTopic<P>, run: JobHandler<P>): CatalogueEntry {
  return {
    topic: topic.name,
    retry: topic.retry,
    run: (app, payload, job) => run(app, checkedPayload(topic, payload), job),
    describe: (payload) => {
      const read = topic.payload.safeParse(payload);
      return read.success ? topic.describe(read.data) : `a ${topic.name} job whose payload its topic cannot read`;
    },
  };
}

/** A catalogue that cannot work: a programming error, reported when the process loads. */
export class JobCatalogueError extends Error {
  constructor(problems: string[]) {
    super(`the job catalogue cannot work: ${problems.join('; ')}`);
    this.name = 'JobCatalogueError';
  }
}

export class JobCatalogue {
  readonly #entries = new Map<string, CatalogueEntry>();

  constructor(entries: readonly CatalogueEntry[]) {
    const problems: string[] = [];
    for (const entry of entries) {
      if (this.#entries.has(entry.topic)) problems.push(`two handlers for topic "${entry.topic}"`);
      for (const problem of problemsOf(entry.retry)) problems.push(`topic "${entry.topic}": ${problem}`);
      this.#entries.set(entry.topic, entry);
    }
    if (problems.length > 0) throw new JobCatalogueError(problems);
  }

  /** the topic's entry; undefined for a topic no handler here knows */
  entry(topic: string): CatalogueEntry | undefined {
    return this.#entries.get(topic);
  }

  get topics(): string[] {
    return [...this.#entries.keys()];
  }
}
