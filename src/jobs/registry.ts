// Every outbox topic's handler and every periodic task, from all modules.
import type { JobHandler, PeriodicTask } from './types.ts';
import { operationLogRetention } from '../protocol/retention.ts';

export const jobHandlers: Record<string, JobHandler> = {};

export const periodicTasks: PeriodicTask[] = [operationLogRetention];
