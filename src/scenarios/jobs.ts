// The outbox topic `event`: every domain event goes through the scenario engine. The outbox row's id is the
// event's identity, so a redelivered event finds its runs done.
import { EVENT_TOPIC, type DomainEvent } from '../jobs/outbox.ts';
import type { JobHandler } from '../jobs/types.ts';
import { runScenariosForEvent } from './engine.ts';

export const eventJob: JobHandler = async (app, payload, job) => {
  await runScenariosForEvent(app, payload as unknown as DomainEvent, `${EVENT_TOPIC}:${job.id}`);
};
