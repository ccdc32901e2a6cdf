// SQL of scenario runs: one row per scenario and event, which is both the idempotency key and the run log.
import type { Selectable } from 'kysely';
import type { Db } from '../db/database.ts';
import type { ScenarioRunsTable } from '../db/schema.ts';

export type ScenarioRunRow = Selectable<ScenarioRunsTable>;

/** Claims the run of a scenario for an event; undefined when it has run (or is running) already. */
export async function startRun(
  db: Db,
  run: { scenario: string; eventKey: string; customerId: number; eventType: string; operation: string | null; now: Date },
): Promise<number | undefined> {
  const row = await db
    .insertInto('scenario_runs')
    .values({
      scenario: run.scenario,
      event_key: run.eventKey,
      customer_id: run.customerId,
      event_type: run.eventType,
      operation: run.operation,
      status: 'running',
      steps: JSON.stringify([]),
      created_at: run.now,
    })
    .onConflict((oc) => oc.columns(['scenario', 'event_key']).doNothing())
    .returning('id')
    .executeTakeFirst();
  return row?.id;
}

export async function finishRun(db: Db, id: number, result: Pick<ScenarioRunRow, 'status' | 'branch' | 'steps'>): Promise<void> {
  await db
    .updateTable('scenario_runs')
    .set({ status: result.status, branch: result.branch, steps: JSON.stringify(result.steps) })
    .where('id', '=', id)
    .execute();
}

export async function runsOfCustomer(db: Db, customerId: number, limit = 50): Promise<ScenarioRunRow[]> {
  return db.selectFrom('scenario_runs').selectAll().where('customer_id', '=', customerId).orderBy('id', 'desc').limit(limit).execute();
}
