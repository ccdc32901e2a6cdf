// How a queue's parked rows are read page by page, newest parked first, for the one list of parked work
// (src/jobs/parked-work.ts) that merges the outbox's jobs and the protocol's async calls.
import { sql, type RawBuilder } from 'kysely';

/**
 * Where the previous page stopped, as one queue sees it: rows parked before `parkedAt`, and of those parked at
 * that very moment none, all, or those below `id` (the list orders jobs before calls at equal times).
 */
export type ParkedBound<K> = { parkedAt: string } & ({ sameTime: 'none' } | { sameTime: 'all' } | { sameTime: 'below'; id: K });

/**
 * When a row was parked, to the microsecond, as text a cursor can carry and the database read back exactly
 * (a JavaScript Date keeps milliseconds only, and the rows of one moment must not be skipped).
 */
export const exactParkedAt = sql<string>`to_char(processed_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/** The rows of a queue after `bound`, its id column compared as `idOf` writes an id. */
export function parkedAfter<K>(bound: ParkedBound<K> | undefined, idColumn: string, idOf: (id: K) => RawBuilder<unknown>): RawBuilder<boolean> {
  if (!bound) return sql<boolean>`true`;
  const at = sql`${bound.parkedAt}::timestamptz`;
  if (bound.sameTime === 'none') return sql<boolean>`processed_at < ${at}`;
  if (bound.sameTime === 'all') return sql<boolean>`processed_at <= ${at}`;
  return sql<boolean>`(processed_at, ${sql.ref(idColumn)}) < (${at}, ${idOf(bound.id)})`;
}
