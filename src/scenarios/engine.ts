// The scenario engine: an event starts every scenario whose trigger it matches; in each, the first branch
// whose conditions all hold runs its steps in order. Each scenario runs in a transaction of its own with
// its run record, unique per (scenario, event): however often the event is delivered, a scenario runs once.
import type { AppContext } from '../app-context.ts';
import { lockCustomerById } from '../customers/customers.service.ts';
import { inTransaction } from '../db/database.ts';
import type { DomainEvent } from '../jobs/outbox.ts';
import { isDateTrigger, type ScenarioDefinition } from '../project/schemas.ts';
import { branchMatches } from './conditions.ts';
import * as repository from './scenarios.repository.ts';
import { stepRunners } from './steps/index.ts';
import type { ScenarioContext, ScenarioDeps, StepResult, StepRunner } from './types.ts';

export interface ScenarioRunReport {
  scenario: string;
  status: 'completed' | 'noBranchMatched' | 'failed' | 'alreadyRun';
  branch: string | null;
  steps: Array<StepResult & { type: string }>;
}

/**
 * Segment triggers name their segments; a date trigger's event is of its own scenario's daily pass (daily.ts);
 * every other trigger is the event type alone.
 */
export function triggerMatches(trigger: ScenarioDefinition['trigger'], event: DomainEvent, scenario?: string): boolean {
  if (trigger.event !== event.type) return false;
  if (isDateTrigger(trigger.event)) return event.data?.scenario === scenario;
  if (!trigger.segments) return true;
  return typeof event.data?.segment === 'string' && trigger.segments.includes(event.data.segment);
}

/** How often the event has been delivered, so a step that keeps throwing is shown as retrying, then parked. */
export interface Delivery {
  attempt: number;
  /** the outbox parks the event after this attempt */
  last: boolean;
}

/**
 * Runs every scenario the event triggers. A step that throws rolls its scenario's transaction back (nothing
 * of the run stays but a `retrying` record naming the step and the error) and the error goes up, so the
 * outbox delivers the event again with backoff; scenarios that completed are not run again. After the last
 * attempt the record says `parked` and the outbox parks the event, where an operator can retry it.
 */
export async function runScenariosForEvent(
  app: AppContext,
  event: DomainEvent,
  eventKey: string,
  delivery: Delivery = { attempt: 1, last: false },
): Promise<ScenarioRunReport[]> {
  const project = app.project.current;
  const reports: ScenarioRunReport[] = [];
  for (const scenario of project.definition.scenarios) {
    if (!scenario.enabled || !triggerMatches(scenario.trigger, event, scenario.systemName)) continue;
    const now = app.now();
    try {
      reports.push(
        await inTransaction(app.db, (db) => runScenario({ db, project, now, secrets: app.secrets, defaultSmsUrl: app.config.smsUrl }, scenario, event, eventKey)),
      );
    } catch (error) {
      const failing = error instanceof StepThrew ? error.step : 'start';
      const cause = error instanceof StepThrew ? error.error : error;
      await repository.recordFailedAttempt(app.db, {
        scenario: scenario.systemName,
        eventKey,
        customerId: event.customerId,
        eventType: event.type,
        operation: event.operation ?? null,
        now,
        status: delivery.last ? 'parked' : 'retrying',
        steps: [{ type: failing, status: 'failed', detail: `attempt ${delivery.attempt}: ${(cause as Error)?.message ?? String(cause)}` }],
      });
      throw cause;
    }
  }
  return reports;
}

/** A step threw (rather than reporting a failure): the run is rolled back and retried. */
class StepThrew extends Error {
  constructor(
    readonly step: string,
    readonly error: unknown,
  ) {
    super(`step ${step} failed: ${(error as Error)?.message ?? String(error)}`);
  }
}

async function runScenario(deps: ScenarioDeps, scenario: ScenarioDefinition, event: DomainEvent, eventKey: string): Promise<ScenarioRunReport> {
  const { db, now } = deps;
  const report: ScenarioRunReport = { scenario: scenario.systemName, status: 'completed', branch: null, steps: [] };
  const runId = await repository.startRun(db, {
    scenario: scenario.systemName,
    eventKey,
    customerId: event.customerId,
    eventType: event.type,
    operation: event.operation ?? null,
    now,
  });
  if (runId === undefined) return { ...report, status: 'alreadyRun' };
  // runs for one guest queue up, so each reads the membership and fields the one before it left: two runs
  // of the Rank scenario (entered Silver, then Bronze after a return) cannot commit in the wrong order
  const customer = await lockCustomerById(db, event.customerId);
  if (!customer) {
    report.status = 'failed';
    report.steps.push({ type: 'start', status: 'failed', detail: 'the guest no longer exists' });
  } else {
    const context: ScenarioContext = { ...deps, scenario, event, customer, runId, eventKey };
    const index = await firstMatchingBranch(context);
    if (index === null) report.status = 'noBranchMatched';
    else {
      const branch = scenario.branches[index];
      report.branch = branch.name ?? `#${index + 1}`;
      for (const [position, step] of branch.steps.entries()) {
        const run = stepRunners[step.type] as StepRunner<typeof step.type> | undefined;
        let result: StepResult;
        try {
          result = run ? await run(context, step, { branch: index, step: position }) : { status: 'skipped', detail: `step type ${step.type} is not supported yet` };
        } catch (error) {
          throw new StepThrew(step.type, error);
        }
        report.steps.push({ type: step.type, ...result });
        if (result.status === 'failed') {
          report.status = 'failed';
          break;
        }
      }
    }
  }
  await repository.finishRun(db, runId, { status: report.status as 'completed', branch: report.branch, steps: report.steps });
  return report;
}

async function firstMatchingBranch(context: ScenarioContext): Promise<number | null> {
  for (const [index, branch] of context.scenario.branches.entries()) {
    if (await branchMatches(context, branch.conditions)) return index;
  }
  return null;
}

export const scenarioRunsOfCustomer = repository.runsOfCustomer;
export const recentRunsOfScenario = repository.runsOfScenario;
