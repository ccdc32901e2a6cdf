// Every table that grows with traffic keeps to its retention (docs/retention.md), on a fixed clock: rows past it
// go, rows inside it stay, and technical records drop the guest's data once it has served.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { sessionRetention } from '../src/admin/sessions.retention.ts';
import { codeRetention } from '../src/customers/retention.ts';
import { RETENTION_BATCH } from '../src/db/retention.ts';
import { outboxRetention } from '../src/jobs/outbox-retention.ts';
import { messagesRetention } from '../src/messaging/retention.ts';
import { idempotencyRetention, operationLogRetention } from '../src/protocol/mindbox/retention.ts';
import { scenarioRunRetention } from '../src/scenarios/retention.ts';
import { createTestApp, TEST_ADMIN_TOKEN, type TestApp } from './support/app.ts';

const NOW = new Date('2026-11-29T12:00:00Z');
const daysAgo = (days: number) => new Date(NOW.getTime() - days * 86_400_000);
const hoursAgo = (hours: number) => new Date(NOW.getTime() - hours * 3_600_000);

let t: TestApp;
let phoneCounter = 0;
const nextPhone = () => `7916${String(++phoneCounter).padStart(7, '0')}`;

before(async () => {
  t = await createTestApp({ now: NOW, phoneConfirmation: false });
});
after(() => t.close());

async function registerGuest(): Promise<{ phone: string; id: number }> {
  const phone = nextPhone();
  const answer = await t.call('Offline.RegisterCustomer', { customer: { mobilePhone: phone, firstName: 'Анна' } });
  assert.equal(answer.body.status, 'Success', JSON.stringify(answer.body));
  return { phone, id: Number(answer.body.customer.ids.mindboxId) };
}

async function balanceOf(phone: string): Promise<number> {
  const answer = await t.call('Offline.CheckCustomer', { customer: { mobilePhone: phone } });
  return answer.body.balances[0].total;
}

function offlineOrder(phone: string, orderId: string) {
  return {
    customer: { mobilePhone: phone },
    executionDateTimeUtc: '2026-11-29 11:00:00.000',
    order: {
      ids: { iikoOrderId: orderId },
      totalPrice: 1000,
      lines: [{ lineNumber: 1, quantity: 1, basePricePerItem: 1000, product: { ids: { iiko: 'borscht' } }, status: { ids: { externalId: 'iikoPaid' } } }],
    },
  };
}

describe('idempotency records and async calls', () => {
  test('a spent transactionId is remembered inside the retention and forgotten past it; an order sent again after that is still credited once', async () => {
    const guest = await registerGuest();
    const oldTransaction = randomUUID();
    const recentTransaction = randomUUID();
    const saved = await t.call('Offline.SaveOfflineOrder', offlineOrder(guest.phone, 'RET-1'), { transactionId: oldTransaction });
    assert.equal(saved.body.status, 'Success', JSON.stringify(saved.body));
    await t.call('Offline.SaveOfflineOrder', offlineOrder(guest.phone, 'RET-2'), { transactionId: recentTransaction });
    const credited = await balanceOf(guest.phone);
    assert.ok(credited > 0);

    const stored = await t.app.db.selectFrom('protocol_transactions').select('response').where('transaction_id', '=', oldTransaction).executeTakeFirstOrThrow();
    assert.doesNotMatch(JSON.stringify(stored.response), new RegExp(guest.phone.slice(1)), 'the record keeps the answer with the phone masked');

    await t.app.db.updateTable('protocol_transactions').set({ created_at: daysAgo(31) }).where('transaction_id', '=', oldTransaction).execute();
    await t.app.db.updateTable('protocol_transactions').set({ created_at: daysAgo(29) }).where('transaction_id', '=', recentTransaction).execute();
    await idempotencyRetention.run(t.app);

    const replayRecent = await t.call('Offline.SaveOfflineOrder', offlineOrder(guest.phone, 'RET-2'), { transactionId: recentTransaction });
    assert.equal(replayRecent.body.status, 'TransactionAlreadyProcessed');
    const replayOld = await t.call('Offline.SaveOfflineOrder', offlineOrder(guest.phone, 'RET-1'), { transactionId: oldTransaction });
    assert.notEqual(replayOld.body.status, 'TransactionAlreadyProcessed', 'the key was forgotten');
    assert.equal(await balanceOf(guest.phone), credited, 'the order is found by its own id: no points twice');
  });

  test('an async call drops its request body once it ran, keeps its answer masked, and goes after the retention; a parked one keeps its body', async () => {
    const guest = await registerGuest();
    const ranLongAgo = randomUUID();
    const ranLately = randomUUID();
    for (const transactionId of [ranLongAgo, ranLately]) {
      const accepted = await t.call('Offline.CheckCustomer', { customer: { mobilePhone: guest.phone } }, { mode: 'async', transactionId });
      assert.equal(accepted.body.status, 'Success');
    }
    const waiting = await t.app.db.selectFrom('async_operations').select('body').where('transaction_id', '=', ranLongAgo).executeTakeFirstOrThrow();
    assert.match(JSON.stringify(waiting.body), new RegExp(guest.phone), 'a call waiting to run keeps its request');
    await t.drain();

    const ran = await t.app.db.selectFrom('async_operations').selectAll().where('transaction_id', '=', ranLongAgo).executeTakeFirstOrThrow();
    assert.equal(ran.status, 'done');
    assert.equal(ran.body, null);
    assert.equal((ran.result as any).customer.processingStatus, 'Found');
    assert.doesNotMatch(JSON.stringify(ran.result), new RegExp(guest.phone.slice(1)));

    const parkedId = randomUUID();
    await t.app.db
      .insertInto('async_operations')
      .values({ id: parkedId, integration_point: 'iiko', operation: 'Offline.CheckCustomer', transaction_id: null, device_uuid: null, body: JSON.stringify({ body: { customer: { mobilePhone: guest.phone } } }), status: 'parked', processed_at: daysAgo(40) })
      .execute();
    await t.app.db.updateTable('async_operations').set({ processed_at: daysAgo(31) }).where('transaction_id', '=', ranLongAgo).execute();
    await t.app.db.updateTable('async_operations').set({ processed_at: daysAgo(29) }).where('transaction_id', '=', ranLately).execute();
    await idempotencyRetention.run(t.app);

    const left = await t.app.db
      .selectFrom('async_operations')
      .select(['id', 'transaction_id', 'body'])
      .where((eb) => eb.or([eb('id', '=', parkedId), eb('transaction_id', 'in', [ranLongAgo, ranLately])]))
      .execute();
    assert.deepEqual(left.map((row) => row.transaction_id ?? row.id).sort(), [parkedId, ranLately].sort());
    assert.notEqual(left.find((row) => row.id === parkedId)!.body, null, 'a parked call keeps its request for an operator');
    const replay = await t.call('Offline.CheckCustomer', { customer: { mobilePhone: guest.phone } }, { mode: 'async', transactionId: ranLately });
    assert.equal(replay.body.status, 'TransactionAlreadyProcessed');
  });
});

test('the operation log goes past its retention, in batches, however many entries wait', async () => {
  const entry = (at: Date, index: number) => ({
    at, mode: 'sync', status: 'Success', http_status: 200, duration_ms: 1, request_id: `retention-${index}`, integration_point: 'iiko', operation: 'Offline.CheckCustomer',
  });
  const old = Array.from({ length: RETENTION_BATCH * 2 + 10 }, (_, index) => entry(daysAgo(31), index));
  for (let start = 0; start < old.length; start += 500) await t.app.db.insertInto('operation_log').values(old.slice(start, start + 500)).execute();
  await t.app.db.insertInto('operation_log').values(entry(daysAgo(29), -1)).execute();
  await operationLogRetention.run(t.app);
  const left = await t.app.db.selectFrom('operation_log').select('request_id').where('request_id', 'like', 'retention-%').execute();
  assert.deepEqual(left.map((row) => row.request_id), ['retention--1']);
});

test('outbox jobs done before the retention go; recent, pending and parked ones stay', async () => {
  const job = (status: 'done' | 'pending' | 'parked', processedAt: Date | null, label: string) => ({
    topic: 'retention-test', payload: JSON.stringify({ label }), status, processed_at: processedAt, available_at: daysAgo(60), created_at: daysAgo(60),
  });
  await t.app.db
    .insertInto('outbox')
    .values([job('done', daysAgo(8), 'old done'), job('done', daysAgo(6), 'recent done'), job('parked', daysAgo(60), 'parked'), job('pending', null, 'pending')])
    .execute();
  // the pending job must not be run by the worker of this test: its topic has no handler, so it is only looked at
  await outboxRetention.run(t.app);
  const left = await t.app.db.selectFrom('outbox').select('payload').where('topic', '=', 'retention-test').execute();
  assert.deepEqual(left.map((row) => (row.payload as { label: string }).label).sort(), ['parked', 'pending', 'recent done']);
});

test('an SMS keeps its text for the text retention and its row for the SMS retention', async () => {
  const message = (label: string, createdAt: Date) => ({
    id: randomUUID(), phone: nextPhone(), text_encrypted: `sealed ${label}`, connection: 'default', status: 'delivered' as const, created_at: createdAt, updated_at: createdAt, valid_until: createdAt, mailing: label,
  });
  await t.app.db.insertInto('messages').values([message('a year old', daysAgo(366)), message('a month old', daysAgo(31)), message('a week old', daysAgo(7))]).execute();
  await messagesRetention.run(t.app);
  const left = await t.app.db.selectFrom('messages').select(['mailing', 'text_encrypted']).where('mailing', 'in', ['a year old', 'a month old', 'a week old']).orderBy('created_at').execute();
  assert.deepEqual(left, [
    { mailing: 'a month old', text_encrypted: null },
    { mailing: 'a week old', text_encrypted: 'sealed a week old' },
  ]);
});

test('a one-time code goes a day after it expired, not while it still counts for the limits of codes to its phone', async () => {
  const guest = await registerGuest();
  const code = (label: string, createdAt: Date, expiresAt: Date) => ({
    customer_id: guest.id, purpose: 'authorization' as const, phone: guest.phone, code_hash: label, salt: 'salt', created_at: createdAt, expires_at: expiresAt,
  });
  await t.app.db
    .insertInto('customer_codes')
    .values([code('expired two days ago', daysAgo(3), daysAgo(2)), code('expired an hour ago', hoursAgo(2), hoursAgo(1)), code('live', hoursAgo(0.1), hoursAgo(-0.9))])
    .execute();
  await codeRetention.run(t.app);
  const left = await t.app.db.selectFrom('customer_codes').select('code_hash').where('customer_id', '=', guest.id).orderBy('id').execute();
  assert.deepEqual(left.map((row) => row.code_hash), ['expired an hour ago', 'live']);
});

test('settled scenario runs go after the retention, except those of an event an operator may still retry', async () => {
  const run = (eventKey: string, status: 'completed' | 'parked' | 'noBranchMatched', createdAt: Date, scenario: string) => ({
    scenario, event_key: eventKey, customer_id: null, event_type: 'customerRegistered', status, steps: JSON.stringify([]), created_at: createdAt,
  });
  await t.app.db
    .insertInto('scenario_runs')
    .values([
      run('retention:old', 'completed', daysAgo(91), 'welcome'),
      run('retention:old', 'noBranchMatched', daysAgo(91), 'birthday'),
      run('retention:parked', 'completed', daysAgo(91), 'welcome'),
      run('retention:parked', 'parked', daysAgo(91), 'birthday'),
      run('retention:recent', 'completed', daysAgo(89), 'welcome'),
    ])
    .execute();
  await scenarioRunRetention.run(t.app);
  const left = await t.app.db.selectFrom('scenario_runs').select(['event_key', 'status']).where('event_key', 'like', 'retention:%').orderBy('id').execute();
  assert.deepEqual(left, [
    { event_key: 'retention:parked', status: 'completed' },
    { event_key: 'retention:parked', status: 'parked' },
    { event_key: 'retention:recent', status: 'completed' },
  ]);
});

test('expired console sessions go; live ones stay', async () => {
  const signIn = async () => {
    const answer = await t.server.inject({ method: 'POST', url: '/api/auth/login', payload: { token: TEST_ADMIN_TOKEN } });
    assert.equal(answer.statusCode, 200, answer.body);
  };
  await signIn();
  const [expiring] = await t.app.db.selectFrom('admin_sessions').select('id_hash').execute();
  await signIn();
  await t.app.db.updateTable('admin_sessions').set({ expires_at: hoursAgo(1) }).where('id_hash', '=', expiring.id_hash).execute();
  await sessionRetention.run(t.app);
  const left = await t.app.db.selectFrom('admin_sessions').select('id_hash').execute();
  assert.equal(left.length, 1);
  assert.notEqual(left[0].id_hash, expiring.id_hash);
});
