import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { addUser } from '../admin/users.service.ts';
import { createTestApp, type TestApp } from '../../test/support/app.ts';
import { handle, JobCatalogue } from './catalogue.ts';
import { emitEvent, eventTopic } from './outbox.ts';
import { ParkJobError } from './types.ts';
import { processOutboxBatch } from './worker.ts';

const PHONE = '79001234567';

/** Runs what is due, then lets the wait before every retry pass at once, `rounds` times. */
async function attemptsPass(t: TestApp, rounds: number): Promise<void> {
  for (let round = 0; round < rounds; round += 1) {
    await t.drain();
    await t.app.db.updateTable('outbox').set({ available_at: new Date(0) }).where('status', '=', 'pending').execute();
    await t.app.db.updateTable('async_operations').set({ available_at: new Date(0) }).where('status', '=', 'pending').execute();
  }
}

test('an SMS the gateway keeps refusing is parked after its 20 attempts, listed with why, and sent once an operator retries it', async () => {
  const t = await createTestApp({ smsInbox: true });
  try {
    t.sms.refuseWith = 503;
    await t.call('Offline.RegisterCustomer', { customer: { mobilePhone: PHONE } });
    await attemptsPass(t, 19);
    assert.equal((await t.admin('GET', '/api/admin/jobs?status=parked')).body.items.length, 0, 'still trying after 19 attempts');
    await attemptsPass(t, 1);

    const [message] = (await t.admin('GET', `/api/admin/messages?phone=${PHONE}`)).body.items;
    assert.equal(message.status, 'queued', 'the message waits, its text kept for the retry');
    assert.equal(message.attempts, 20);
    const listed = await t.admin('GET', '/api/admin/jobs?status=parked');
    assert.equal(listed.httpStatus, 200);
    assert.equal(listed.body.items.length, 1);
    const [parked] = listed.body.items;
    assert.match(parked.id, /^job-\d+$/);
    assert.equal(parked.queue, 'job');
    assert.equal(parked.topic, 'sms.send');
    assert.equal(parked.what, `SMS of mailing ${message.mailing} (message ${message.id})`);
    assert.equal(parked.lastError, 'HTTP 503: gateway unavailable');
    assert.equal(parked.attempts, 20);
    assert.ok(Date.parse(parked.parkedAt) >= Date.parse(parked.queuedAt));
    assert.equal((await t.admin('GET', '/api/admin/dashboard')).body.parkedWork, 1);

    t.sms.refuseWith = null;
    assert.deepEqual((await t.admin('POST', `/api/admin/jobs/${parked.id}/retry`)).body, { retried: true });
    const again = await t.admin('POST', `/api/admin/jobs/${parked.id}/retry`);
    assert.equal(again.httpStatus, 404, 'it is back in the queue, no longer parked');
    await t.drain();
    assert.equal((await t.admin('GET', `/api/admin/messages?phone=${PHONE}`)).body.items[0].status, 'sent');
    assert.equal(t.sms.to(PHONE).length, 1, 'the guest gets the code once');
    assert.match(t.sms.lastCode(PHONE), /^\d{4,8}$/);
    assert.deepEqual((await t.admin('GET', '/api/admin/jobs')).body, { items: [], next: null });
    assert.equal((await t.admin('GET', '/api/admin/dashboard')).body.parkedWork, 0);
  } finally {
    await t.close();
  }
});

describe('one list of parked work: outbox jobs and async calls', () => {
  let t: TestApp;
  let callTransaction: string;

  async function session(name: string, password: string) {
    const answer = await t.server.inject({ method: 'POST', url: '/api/auth/login', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ name, password }) });
    assert.equal(answer.statusCode, 200, answer.body);
    return { cookie: String(answer.headers['set-cookie']).split(';')[0], csrfToken: answer.json().csrfToken as string };
  }

  async function as(who: { cookie: string; csrfToken: string }, method: 'GET' | 'POST', url: string) {
    const answer = await t.server.inject({ method, url, headers: { cookie: who.cookie, 'x-csrf-token': who.csrfToken } });
    return { status: answer.statusCode, body: answer.json() };
  }

  before(async () => {
    t = await createTestApp();
    // three events whose handling cannot succeed, said with what a receiver might quote back
    for (const customerId of [1, 2, 3]) await emitEvent(t.app.db, { type: 'customerChanged', customerId, at: '2026-11-29T12:00:00Z' });
    const refusing = new JobCatalogue([
      handle(eventTopic, async (_app, event) => {
        throw new ParkJobError(`receiver said 400 for +7 (900) 123-45-67 of guest ${event.customerId}: "Ваш код 4821"`);
      }),
    ]);
    await processOutboxBatch(t.app, refusing);

    // an async call that fails unexpectedly, every one of its 8 attempts
    callTransaction = randomUUID();
    const accepted = await t.call('Offline.RegisterCustomer', { customer: { mobilePhone: PHONE } }, { mode: 'async', transactionId: callTransaction });
    assert.equal(accepted.body.status, 'Success');
    await sql`alter table protocol_transactions rename to protocol_transactions_away`.execute(t.app.db);
    await attemptsPass(t, 8);
    await sql`alter table protocol_transactions_away rename to protocol_transactions`.execute(t.app.db);

    // all four parked at one moment, to the microsecond: paging must neither skip nor repeat any of them
    const moment = '2026-12-05 10:00:00.123456+00';
    await sql`update outbox set processed_at = ${moment}::timestamptz where status = 'parked'`.execute(t.app.db);
    await sql`update async_operations set processed_at = ${moment}::timestamptz where status = 'parked'`.execute(t.app.db);

    await addUser(t.app.db, { name: 'mark', role: 'marketer', password: 'marketer-password-1' });
    await addUser(t.app.db, { name: 'vera', role: 'viewer', password: 'viewer-password-1' });
  });

  after(() => t?.close());

  test('jobs and calls are listed together, newest parked first, page by page without a gap or a repeat', async () => {
    const whole = (await t.admin('GET', '/api/admin/jobs?status=parked')).body;
    assert.equal(whole.items.length, 4);
    assert.deepEqual(
      whole.items.map((item: { queue: string }) => item.queue),
      ['job', 'job', 'job', 'call'],
      'at one moment, jobs by id newest first, then the call',
    );
    const call = whole.items[3];
    assert.equal(call.topic, 'Offline.RegisterCustomer');
    assert.equal(call.what, `Offline.RegisterCustomer from iiko (transaction ${callTransaction})`);
    assert.equal(call.attempts, 8);
    assert.match(call.lastError, /protocol_transactions/);
    assert.match(whole.items[0].what, /^customerChanged of guest #3$/);

    for (const limit of [1, 2, 3]) {
      const seen: string[] = [];
      let before: string | null = null;
      do {
        const page: { items: { id: string }[]; next: string | null } = (await t.admin('GET', `/api/admin/jobs?limit=${limit}${before ? `&before=${encodeURIComponent(before)}` : ''}`)).body;
        seen.push(...page.items.map((item) => item.id));
        before = page.next;
      } while (before);
      assert.deepEqual(seen, whole.items.map((item: { id: string }) => item.id), `pages of ${limit}`);
    }
    assert.equal((await t.admin('GET', '/api/admin/jobs?before=yesterday')).httpStatus, 400);
  });

  test('the reason never shows a phone or a code', async () => {
    const { items } = (await t.admin('GET', '/api/admin/jobs')).body;
    const reason = items[0].lastError as string;
    assert.doesNotMatch(reason, /123-45-67|4821/);
    assert.match(reason, /^receiver said 400 for 7\*{6}67 of guest 3: "Ваш код ••••"$/);
  });

  test('a viewer reads the list but may not retry; a marketer retries one, then all', async () => {
    const viewer = await session('vera', 'viewer-password-1');
    const marketer = await session('mark', 'marketer-password-1');
    const { items } = (await as(viewer, 'GET', '/api/admin/jobs')).body;
    assert.equal(items.length, 4);
    assert.equal((await as(viewer, 'POST', `/api/admin/jobs/${items[0].id}/retry`)).status, 403);
    assert.equal((await as(viewer, 'POST', '/api/admin/jobs/retry')).status, 403);
    assert.equal((await as(marketer, 'POST', '/api/admin/jobs/nonsense/retry')).status, 400);

    const call = items[3];
    assert.deepEqual((await as(marketer, 'POST', `/api/admin/jobs/${call.id}/retry`)).body, { retried: true });
    await t.drain();
    const done = await t.app.db.selectFrom('async_operations').select(['status', 'attempts']).where('transaction_id', '=', callTransaction).executeTakeFirstOrThrow();
    assert.deepEqual(done, { status: 'done', attempts: 1 }, 'the call ran once its table was back, its attempts counted anew');

    assert.deepEqual((await as(marketer, 'POST', '/api/admin/jobs/retry')).body, { retried: 3 });
    const pending = await t.app.db.selectFrom('outbox').select(['status', 'attempts']).where('topic', '=', 'event').where(sql`payload->>'type'`, '=', 'customerChanged').execute();
    assert.deepEqual(pending.map((job) => job.status), ['pending', 'pending', 'pending']);
    assert.deepEqual((await as(viewer, 'GET', '/api/admin/jobs')).body, { items: [], next: null });
  });
});
