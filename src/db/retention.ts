// Clean-up of rows past their retention (docs/retention.md). Each batch is one short statement that walks an
// index from its oldest end, so protocol calls and other work run between batches (on the embedded database
// too, which has one connection) and no run reads the rows it keeps.

/** Rows one statement of a clean-up deletes or changes at most. */
export const RETENTION_BATCH = 1000;
/** Batches one run takes at most: a backlog (the first run after an upgrade) is worked off over several runs. */
export const RETENTION_BATCHES_PER_RUN = 100;

/**
 * Runs `batch` (which handles at most `limit` rows and returns how many it handled) until it handles fewer
 * than `limit` or `maxBatches` ran; returns the total.
 */
export async function inBatches(
  batch: (limit: number) => Promise<number>,
  options: { limit?: number; maxBatches?: number } = {},
): Promise<number> {
  const limit = options.limit ?? RETENTION_BATCH;
  const maxBatches = options.maxBatches ?? RETENTION_BATCHES_PER_RUN;
  let total = 0;
  for (let run = 0; run < maxBatches; run += 1) {
    const handled = await batch(limit);
    total += handled;
    if (handled < limit) break;
  }
  return total;
}

/** The instant `days` days before `now`: what is older is past a retention of that many days. */
export function daysBefore(now: Date, days: number): Date {
  return new Date(now.getTime() - days * 86_400_000);
}
