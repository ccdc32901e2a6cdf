// The contracts of the scenario engine: what a condition and a step see, and what a step reports.
import type { AppContext } from '../app-context.ts';
import type { CustomerRow } from '../customers/customers.service.ts';
import type { Db } from '../db/database.ts';
import type { DomainEvent } from '../jobs/outbox.ts';
import type { ScenarioCondition, ScenarioDefinition, ScenarioStep } from '../project/schemas.ts';
import type { ProjectSnapshot } from '../project/snapshot.ts';

export interface ScenarioContext {
  app: AppContext;
  /** the run's transaction: the run record and every step's writes commit together */
  db: Db;
  project: ProjectSnapshot;
  scenario: ScenarioDefinition;
  event: DomainEvent;
  customer: CustomerRow;
  now: Date;
}

export type ConditionOf<T extends ScenarioCondition['type']> = Extract<ScenarioCondition, { type: T }>;
export type ConditionEvaluator<T extends ScenarioCondition['type']> = (context: ScenarioContext, condition: ConditionOf<T>) => Promise<boolean>;

export interface StepResult {
  status: 'done' | 'skipped' | 'failed';
  /** for the run log: what happened, never a phone or a code */
  detail?: string;
}

export type StepOf<T extends ScenarioStep['type']> = Extract<ScenarioStep, { type: T }>;
export type StepRunner<T extends ScenarioStep['type']> = (context: ScenarioContext, step: StepOf<T>) => Promise<StepResult>;
