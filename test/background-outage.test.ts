// Background work when the database goes away under it (PostgreSQL behind a loopback proxy that drops or refuses
// connections): an outbox job and an async call interrupted by the outage go back to their queue as they were,
// charged no attempt, and run once the database answers again.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import type { AppContext } from '../src/app-context.ts';
import { currentSchema, openDatabase, type DatabaseHandle } from '../src/db/database.ts';
import { isDatabaseUnavailable } from '../src/db/errors.ts';
import { z } from 'zod';
import { handle, JobCatalogue } from '../src/jobs/catalogue.ts';
import { enqueueJob } from '../src/jobs/outbox.ts';
import { jobTopic } from '../src/jobs/topic.ts';
import type { JobHandler } from '../src/jobs/types.ts';
import { processOutboxBatch } from '../src/jobs/worker.ts';
import { processNextAsyncOperation } from '../src/protocol/mindbox/async-worker.ts';
import { createTestApp, type TestApp } from './support/app.ts';
import { testDatabaseUrl } from './support/db.ts';
import { startTcpProxy, type TcpProxy } from './support/tcp-proxy.ts';

describe('background work through a database outage (PostgreSQL only: the embedded PGlite cannot go away)', { skip: !testDatabaseUrl && 'needs TEST_DATABASE_URL' }, () => {
  let t: TestApp;
  let proxy: TcpProxy;
  let proxied: DatabaseHandle;
  /** the app as the worker sees it, its database behind the proxy */
  let app: AppContext;

  before(async () => {
    t = await createTestApp();
    const server = new URL(testDatabaseUrl!);
    proxy = await startTcpProxy(server.hostname, Number(server.port || 5432));
    proxied = await openDatabase({ url: proxy.urlFor(testDatabaseUrl!), schema: await currentSchema(t.app.db), poolSize: 2 });
    app = { ...t.app, db: proxied.db };
  });

  after(async () => {
    await proxied?.close();
    await proxy?.close();
    await t?.close();
  });

  test('a job the outage interrupted goes back to the queue with the rest of its batch, due at once and charged no attempt, once the database is back', async () => {
    const testTopic = (name: string) => jobTopic({ name, payload: z.object({}), retry: { maxAttempts: 3, firstRetryMs: 1000, maxRetryMs: 1000 }, describe: () => name });
    const interruptedTopic = testTopic('test.interrupted');
    const afterTopic = testTopic('test.after');
    await enqueueJob(t.app.db, interruptedTopic, {});
    await enqueueJob(t.app.db, afterTopic, {});
    let ran = 0;
    const interrupted: JobHandler<object> = async (worker) => {
      proxy.refuse();
      setTimeout(() => proxy.mend(), 800);
      await sql`select 1`.execute(worker.db);
    };
    const afterHandled = handle(afterTopic, async () => {
      ran += 1;
    });
    await processOutboxBatch(app, new JobCatalogue([handle(interruptedTopic, interrupted), afterHandled]), new AbortController().signal);
    const jobs = await t.app.db.selectFrom('outbox').select(['topic', 'status', 'attempts', sql<boolean>`available_at <= now()`.as('due')]).orderBy('id').execute();
    assert.deepEqual(jobs, [
      { topic: 'test.interrupted', status: 'pending', attempts: 0, due: true },
      { topic: 'test.after', status: 'pending', attempts: 0, due: true },
    ]);
    assert.equal(ran, 0, 'the rest of the batch waits for the next round');
    await processOutboxBatch(app, new JobCatalogue([handle(interruptedTopic, async () => {}), afterHandled]));
    assert.deepEqual((await t.app.db.selectFrom('outbox').select(['status', 'attempts']).orderBy('id').execute()), [
      { status: 'done', attempts: 1 },
      { status: 'done', attempts: 1 },
    ]);
  });

  test('an async call whose connection broke while it ran stays pending, charged no attempt, and runs once when the worker comes back to it', async () => {
    const transactionId = crypto.randomUUID();
    const accepted = await t.call('Offline.RegisterCustomer', { customer: { mobilePhone: '79001112233' } }, { mode: 'async', transactionId });
    assert.equal(accepted.body.status, 'Success');
    let dropped = false;
    // the clock is read right after the call is claimed, inside its transaction: the connections go away exactly then
    const interrupted: AppContext = {
      ...app,
      now: () => {
        if (!dropped) proxy.drop();
        dropped = true;
        return t.clock.now;
      },
    };
    await assert.rejects(processNextAsyncOperation(interrupted), (error) => isDatabaseUnavailable(error));
    const waiting = await t.app.db.selectFrom('async_operations').select(['status', 'attempts', 'last_error']).where('transaction_id', '=', transactionId).executeTakeFirstOrThrow();
    assert.deepEqual(waiting, { status: 'pending', attempts: 0, last_error: null });
    assert.equal(await processNextAsyncOperation(app), true);
    const done = await t.app.db.selectFrom('async_operations').select(['status', 'attempts']).where('transaction_id', '=', transactionId).executeTakeFirstOrThrow();
    assert.deepEqual(done, { status: 'done', attempts: 1 });
    assert.ok(await t.app.db.selectFrom('customers').select('id').where('mobile_phone', '=', '79001112233').executeTakeFirst());
  });
});
