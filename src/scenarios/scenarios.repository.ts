// SQL of scenario runs: one row per scenario and event, which is both the idempotency key and the run log.
import { sql, type Selectable } from 'kysely';
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
    // a run whose earlier attempt threw (and rolled back) is taken up again
    .onConflict((oc) =>
      oc
        .columns(['scenario', 'event_key'])
        .doUpdateSet({ status: 'running', branch: null, steps: JSON.stringify([]), created_at: run.now })
        .where('scenario_runs.status', 'in', ['retrying', 'parked']),
    )
    .returning('id')
    .executeTakeFirst();
  return row?.id;
}

/** Records an attempt that threw: the run is `retrying` (or `parked` after the last attempt), its steps say why. */
export async function recordFailedAttempt(
  db: Db,
  run: {
    scenario: string;
    eventKey: string;
    customerId: number;
    eventType: string;
    operation: string | null;
    now: Date;
    status: 'retrying' | 'parked';
    steps: ScenarioRunRow['steps'];
  },
): Promise<void> {
  const values = {
    scenario: run.scenario,
    event_key: run.eventKey,
    customer_id: run.customerId,
    event_type: run.eventType,
    operation: run.operation,
    status: run.status,
    branch: null,
    steps: JSON.stringify(run.steps),
    created_at: run.now,
  };
  await db
    .insertInto('scenario_runs')
    .values(values)
    .onConflict((oc) => oc.columns(['scenario', 'event_key']).doUpdateSet({ status: run.status, steps: values.steps }).where('scenario_runs.status', 'in', ['retrying', 'parked']))
    .execute();
}

/** Replaces the result of one step of a run (a webhook delivered or parked); `runStatus` changes the run's status too. */
export async function updateRunStep(
  db: Db,
  id: number,
  index: number,
  step: ScenarioRunRow['steps'][number],
  runStatus?: ScenarioRunRow['status'],
): Promise<void> {
  await db
    .updateTable('scenario_runs')
    .set({
      steps: sql`jsonb_set(steps, ${sql.val([String(index)])}::text[], ${JSON.stringify(step)}::jsonb)`,
      ...(runStatus ? { status: runStatus } : {}),
    })
    .where('id', '=', id)
    .execute();
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

/** The newest runs of one scenario. */
export async function runsOfScenario(db: Db, scenario: string, limit: number): Promise<ScenarioRunRow[]> {
  return db.selectFrom('scenario_runs').selectAll().where('scenario', '=', scenario).orderBy('id', 'desc').limit(limit).execute();
}

/**
 * Deletes at most `limit` settled runs (completed, no branch matched, failed) created before `cutoff`, oldest
 * first. The runs of an event still to be delivered again (one of its runs retrying or parked) stay: they are
 * what keeps its other scenarios from running twice when an operator retries it.
 */
export async function deleteSettledRunsBefore(db: Db, cutoff: Date, limit: number): Promise<number> {
  const result = await db
    .deleteFrom('scenario_runs')
    .where(
      'id',
      'in',
      db
        .selectFrom('scenario_runs as run')
        .select('run.id')
        .where('run.created_at', '<', cutoff)
        .where('run.status', 'in', ['completed', 'noBranchMatched', 'failed'])
        .where(({ not, exists, selectFrom }) =>
          not(
            exists(
              selectFrom('scenario_runs as unsettled')
                .select('unsettled.id')
                .whereRef('unsettled.event_key', '=', 'run.event_key')
                .where('unsettled.status', 'in', ['retrying', 'parked']),
            ),
          ),
        )
        .orderBy('run.created_at')
        .limit(limit),
    )
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
