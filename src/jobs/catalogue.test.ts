import { test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { z } from 'zod';
import { createTestApp } from '../../test/support/app.ts';
import { backgroundWork } from '../background.ts';
import { inTransaction } from '../db/database.ts';
import { smsSendTopic } from '../messaging/mailings.service.ts';
import { handle, JobCatalogue, JobCatalogueError } from './catalogue.ts';
import { emitEvent, enqueueJob } from './outbox.ts';
import { pageOfParkedWork } from './parked-work.ts';
import { afterFailure, retryDelayMs } from './retry-policy.ts';
import { JobPayloadError, jobTopic } from './topic.ts';
import { drainWork, startWorker } from './worker.ts';

const POLICY = { maxAttempts: 4, firstRetryMs: 1000, maxRetryMs: 5000 };

test('the retry policy: waits double from the first up to the longest, the last attempt parks, a hint or "cannot help" win', () => {
  assert.deepEqual([1, 2, 3, 4, 5].map((attempts) => retryDelayMs(POLICY, attempts)), [1000, 2000, 4000, 5000, 5000]);
  assert.deepEqual(afterFailure(POLICY, 1), { park: false, retryInMs: 1000 });
  assert.deepEqual(afterFailure(POLICY, 3), { park: false, retryInMs: 4000 });
  assert.deepEqual(afterFailure(POLICY, 4), { park: true }, 'the fourth of four attempts was the last');
  assert.deepEqual(afterFailure(POLICY, 1, { notBeforeMs: 30_000 }), { park: false, retryInMs: 30_000 }, 'the gateway asked for 30 s');
  assert.deepEqual(afterFailure(POLICY, 1, { parkNow: true }), { park: true });
});

test('every topic of the catalogue declares a payload schema and a policy that can work', () => {
  const { catalogue } = backgroundWork;
  assert.deepEqual(catalogue.topics.sort(), ['event', 'scenarios.webhook', 'sms.send', 'wallet.apple-push', 'wallet.google-update']);
  for (const topic of catalogue.topics) assert.ok(catalogue.entry(topic)!.retry.maxAttempts >= 1);
});

test('a catalogue with two handlers for one topic, or a policy that cannot work, is refused when it is built', () => {
  const topic = (name: string, retry = POLICY) => jobTopic({ name, payload: z.object({}), retry, describe: () => name });
  const noop = async () => {};
  assert.throws(() => new JobCatalogue([handle(topic('a'), noop), handle(topic('a'), noop)]), (error: Error) => error instanceof JobCatalogueError && /two handlers for topic "a"/.test(error.message));
  assert.throws(
    () => new JobCatalogue([handle(topic('b', { maxAttempts: 0, firstRetryMs: 1000, maxRetryMs: 10 }), noop)]),
    (error: Error) => error instanceof JobCatalogueError && /topic "b": maxAttempts .*; topic "b": maxRetryMs/.test(error.message),
  );
});

test('a payload that does not match its topic is refused when it is queued, and the write it came with rolls back', async () => {
  const t = await createTestApp();
  try {
    const before = await t.app.db.selectFrom('outbox').select((eb) => eb.fn.countAll<number>().as('jobs')).executeTakeFirstOrThrow();
    await assert.rejects(
      inTransaction(t.app.db, async (trx) => {
        await emitEvent(trx, { type: 'customerChanged', customerId: 1, at: '2026-11-29T12:00:00Z' });
        await enqueueJob(trx, smsSendTopic, { messageId: 'not-a-message-id' });
      }),
      (error: Error) => error instanceof JobPayloadError && /"sms\.send" job .*\/messageId/.test(error.message),
    );
    await assert.rejects(
      // a caller that casts its way past the types is caught at run time all the same
      emitEvent(t.app.db, { type: 'noSuchEvent', customerId: 1, at: '2026-11-29T12:00:00Z' } as never),
      (error: Error) => error instanceof JobPayloadError && /\/type/.test(error.message),
    );
    const after = await t.app.db.selectFrom('outbox').select((eb) => eb.fn.countAll<number>().as('jobs')).executeTakeFirstOrThrow();
    assert.equal(Number(after.jobs), Number(before.jobs), 'neither the event nor the SMS job was written');
  } finally {
    await t.close();
  }
});

test('a worker reports pending jobs of a topic no handler knows when it starts, and leaves them for a worker that does', async () => {
  const t = await createTestApp();
  const logged: { level: number; msg: string; topics?: unknown }[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => logged.push(JSON.parse(line)) });
  try {
    await t.app.db.insertInto('outbox').values([
      { topic: 'loyalty.retired-topic', payload: JSON.stringify({}), available_at: new Date(0) },
      { topic: 'loyalty.retired-topic', payload: JSON.stringify({}), available_at: new Date(0) },
    ]).execute();
    const worker = startWorker({ ...t.app, logger }, backgroundWork);
    const deadline = Date.now() + 10_000;
    while (!logged.some((line) => line.level >= 50) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    await worker.stop();
    const report = logged.find((line) => line.level >= 50);
    assert.ok(report, 'reported at start');
    assert.match(report.msg, /loyalty\.retired-topic: 2/);
    const rows = await t.app.db.selectFrom('outbox').select(['status', 'attempts']).where('topic', '=', 'loyalty.retired-topic').execute();
    assert.deepEqual(rows, [
      { status: 'pending', attempts: 0 },
      { status: 'pending', attempts: 0 },
    ], 'not claimed, not parked: a worker of a version that knows the topic will run them');
  } finally {
    await t.close();
  }
});

test('a queued job whose payload its topic cannot read (written before the schema, or by SQL) is parked at once, saying why', async () => {
  const t = await createTestApp();
  try {
    await t.app.db.insertInto('outbox').values({ topic: 'sms.send', payload: JSON.stringify({ messageId: 42 }), available_at: new Date(0) }).execute();
    await drainWork(t.app, backgroundWork);
    const { items } = await pageOfParkedWork(t.app.db, { limit: 10 }, backgroundWork.catalogue);
    assert.equal(items.length, 1);
    assert.equal(items[0].attempts, 1, 'one attempt: another cannot help');
    assert.match(items[0].lastError ?? '', /payload of a "sms\.send" job does not match its schema: \/messageId/);
    assert.equal(items[0].what, 'a sms.send job whose payload its topic cannot read');
  } finally {
    await t.close();
  }
});
