// The outbox topic `event`: every domain event first brings the guest's segments up to date (entering or
// leaving one is an event of its own, in the outbox), then goes through the scenario engine. The outbox
// row's id is the event's identity, so a redelivered event finds its runs done.
import { EVENT_TOPIC, type DomainEvent } from '../jobs/outbox.ts';
import type { JobHandler } from '../jobs/types.ts';
import { evaluateSegmentsForEvent } from '../segments/segments.service.ts';
import { runScenariosForEvent } from './engine.ts';

export const eventJob: JobHandler<DomainEvent> = async (app, event, job) => {
  await evaluateSegmentsForEvent(app, event);
  await runScenariosForEvent(app, event, `${EVENT_TOPIC}:${job.id}`, { attempt: job.attempts, last: job.lastAttempt });
};
