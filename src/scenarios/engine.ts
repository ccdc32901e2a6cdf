// The scenario engine: an event starts every scenario whose trigger it matches; in each, the first branch
// whose conditions all hold runs its steps in order. Each scenario runs in a transaction of its own with
// its run record, unique per (scenario, event): however often the event is delivered, a scenario runs once.
import type { AppContext } from '../app-context.ts';
import { getCustomerById } from '../customers/customers.service.ts';
import { inTransaction } from '../db/database.ts';
import type { DomainEvent } from '../jobs/outbox.ts';
import type { ScenarioDefinition } from '../project/schemas.ts';
import { branchMatches } from './conditions.ts';
import * as repository from './scenarios.repository.ts';
import { stepRunners } from './steps/index.ts';
import type { ScenarioContext, StepResult, StepRunner } from './types.ts';

export interface ScenarioRunReport {
  scenario: string;
  status: 'completed' | 'noBranchMatched' | 'failed' | 'alreadyRun';
  branch: string | null;
  steps: Array<StepResult & { type: string }>;
}

/** Segment triggers name their segments; every other trigger is the event type alone. */
export function triggerMatches(trigger: ScenarioDefinition['trigger'], event: DomainEvent): boolean {
  if (trigger.event !== event.type) return false;
  if (!trigger.segments) return true;
  return typeof event.data?.segment === 'string' && trigger.segments.includes(event.data.segment);
}

export async function runScenariosForEvent(app: AppContext, event: DomainEvent, eventKey: string): Promise<ScenarioRunReport[]> {
  const project = app.project.current;
  const reports: ScenarioRunReport[] = [];
  for (const scenario of project.definition.scenarios) {
    if (!triggerMatches(scenario.trigger, event)) continue;
    reports.push(await inTransaction(app.db, (db) => runScenario({ app, db, project, scenario, event, now: app.now() }, eventKey)));
  }
  return reports;
}

async function runScenario(base: Omit<ScenarioContext, 'customer'>, eventKey: string): Promise<ScenarioRunReport> {
  const { db, scenario, event, now } = base;
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
  const customer = await getCustomerById(db, event.customerId);
  if (!customer) {
    report.status = 'failed';
    report.steps.push({ type: 'start', status: 'failed', detail: 'the guest no longer exists' });
  } else {
    const context: ScenarioContext = { ...base, customer };
    const index = await firstMatchingBranch(context);
    if (index === null) report.status = 'noBranchMatched';
    else {
      const branch = scenario.branches[index];
      report.branch = branch.name ?? `#${index + 1}`;
      for (const step of branch.steps) {
        const run = stepRunners[step.type] as StepRunner<typeof step.type> | undefined;
        const result: StepResult = run ? await run(context, step) : { status: 'skipped', detail: `step type ${step.type} is not supported yet` };
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
