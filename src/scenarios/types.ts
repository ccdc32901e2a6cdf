// The contracts of the scenario engine: what a condition and a step see, and what a step reports. A step runs
// inside the run's transaction, so it gets that transaction and the few things it uses besides, never the app:
// nothing in a step can reach another connection (with the embedded database that would wait forever).
import type { CustomerRow } from '../customers/customers.service.ts';
import type { Db } from '../db/database.ts';
import type { DomainEvent } from '../jobs/outbox.ts';
import type { ScenarioCondition, ScenarioDefinition, ScenarioStep } from '../project/schemas.ts';
import type { ProjectSnapshot } from '../project/snapshot.ts';
import type { SecretBox } from '../shared/secret-box.ts';

/** What a step may use besides the run it belongs to. */
export interface ScenarioDeps {
  /** the run's transaction: the run record and every step's writes commit together */
  db: Db;
  project: ProjectSnapshot;
  now: Date;
  /** seals the code a step issues for the steps after it, and the texts of SMS */
  secrets: SecretBox;
  /** REGULARS_SMS_URL: where a mailing goes when its connection names no URL */
  defaultSmsUrl: string;
}

export interface ScenarioContext extends ScenarioDeps {
  scenario: ScenarioDefinition;
  event: DomainEvent;
  customer: CustomerRow;
  /** the run record of this scenario and event (steps that finish later, like webhooks, update it) */
  runId: number;
  /** the event's identity (`event:<outbox id>`) */
  eventKey: string;
}

/** Where a step sits: its branch and its place in the branch (and in the run log's `steps`). */
export interface StepPosition {
  branch: number;
  step: number;
}

export type ConditionOf<T extends ScenarioCondition['type']> = Extract<ScenarioCondition, { type: T }>;
export type ConditionEvaluator<T extends ScenarioCondition['type']> = (context: ScenarioContext, condition: ConditionOf<T>) => Promise<boolean>;

export interface StepResult {
  /** queued: handed to an outbox job that finishes it and updates the run log (done, or parked after its retries) */
  status: 'done' | 'skipped' | 'failed' | 'queued' | 'parked';
  /** for the run log: what happened, never a phone or a code */
  detail?: string;
}

export type StepOf<T extends ScenarioStep['type']> = Extract<ScenarioStep, { type: T }>;
export type StepRunner<T extends ScenarioStep['type']> = (context: ScenarioContext, step: StepOf<T>, position: StepPosition) => Promise<StepResult>;
