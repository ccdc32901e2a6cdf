// GET /metrics in process: off without REGULARS_METRICS_TOKEN, a bearer token with wrong ones throttled per
// address, and the numbers of the protocol, the queues, the SMS and the database as calls and work go by.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp, type TestApp } from './support/app.ts';
import { readScrape, type Scrape } from './support/metrics.ts';

const TOKEN = 'metrics-token-0123456789';
const PHONE = '79001234567';

async function scrape(t: TestApp): Promise<Scrape> {
  const response = await t.server.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${TOKEN}` } });
  assert.equal(response.statusCode, 200, response.body);
  assert.equal(response.headers['content-type'], 'text/plain; version=0.0.4; charset=utf-8');
  return readScrape(response.body);
}

test('without REGULARS_METRICS_TOKEN there is no /metrics', async () => {
  const t = await createTestApp();
  try {
    const response = await t.server.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${TOKEN}` } });
    assert.equal(response.statusCode, 404);
  } finally {
    await t.close();
  }
});

test('/metrics wants the token: 401 without it or with another, 429 for an address after ten wrong ones, others still served', async () => {
  const t = await createTestApp({ env: { REGULARS_METRICS_TOKEN: TOKEN } });
  try {
    const get = (authorization: string | undefined, remoteAddress = '192.0.2.10') =>
      t.server.inject({ method: 'GET', url: '/metrics', remoteAddress, headers: authorization ? { authorization } : {} });
    const none = await get(undefined);
    assert.equal(none.statusCode, 401);
    assert.equal(none.headers['www-authenticate'], 'Bearer');
    assert.equal((await get(`Bearer ${TOKEN}x`)).statusCode, 401);
    assert.equal((await get(`Basic ${TOKEN}`)).statusCode, 401);
    for (let i = 0; i < 7; i++) assert.equal((await get('Bearer guess')).statusCode, 401);
    const refused = await get(`Bearer ${TOKEN}`);
    assert.equal(refused.statusCode, 429, 'ten wrong tokens shut the address out, the right one too');
    assert.equal(refused.headers['retry-after'], '60');
    assert.equal((await get(`Bearer ${TOKEN}`, '192.0.2.11')).statusCode, 200, 'another address is served');
    t.clock.advance(61_000);
    assert.equal((await get(`Bearer ${TOKEN}`)).statusCode, 200, 'a minute later the address is heard again');
  } finally {
    await t.close();
  }
});

test('the numbers move: answers by operation and status, call times, the outbox and async queues, SMS by state, the database', async () => {
  const t = await createTestApp({ env: { REGULARS_METRICS_TOKEN: TOKEN }, smsInbox: true });
  try {
    const before = await scrape(t);
    const answers = (scrape: Scrape, operation: string, status: string, httpStatus = '200') =>
      scrape.value('regulars_protocol_answers_total', { operation, mode: 'sync', status, http_status: httpStatus }) ?? 0;
    assert.equal(before.value('regulars_outbox_jobs', { topic: 'event', state: 'pending' }), undefined);
    assert.equal(before.value('regulars_sms_last_24h', { state: 'sent' }), 0);
    assert.equal(before.value('regulars_database_up'), 1);
    assert.equal(before.value('regulars_database_connections', { state: 'max' }), t.app.databaseKind === 'pglite' ? 1 : 4, 'the embedded database has one connection; the tests give a pool of PostgreSQL four');
    assert.equal(before.value('regulars_database_waiting'), 0);
    assert.ok(before.value('process_cpu_user_seconds_total')! > 0, 'the process metrics');
    assert.ok(before.value('nodejs_heap_size_used_bytes')! > 0);

    assert.equal((await t.call('Offline.RegisterCustomer', { customer: { mobilePhone: PHONE } })).body.status, 'Success');
    for (let i = 0; i < 3; i++) await t.call('Offline.CheckCustomer', { customer: { mobilePhone: PHONE } });
    assert.equal((await t.call('Offline.CheckCustomer', { customer: {} })).body.status, 'ValidationError');
    assert.equal((await t.call('Offline.CheckCustomer', {}, { secretKey: 'wrong-secret-key-0123456789' })).httpStatus, 403);
    assert.equal((await t.call('No.Such.Operation', {})).httpStatus, 400);
    assert.equal((await t.call('Offline.CheckCustomer', { customer: { mobilePhone: PHONE } }, { mode: 'async' })).body.status, 'Success');
    // a job that has waited a while since it became due, as under a stuck worker
    await t.app.db.updateTable('outbox').set({ available_at: new Date(Date.now() - 90_000) }).where('topic', '=', 'event').execute();

    const during = await scrape(t);
    assert.equal(answers(during, 'Offline.RegisterCustomer', 'Success'), 1);
    assert.equal(answers(during, 'Offline.CheckCustomer', 'Success'), 3);
    assert.equal(answers(during, 'Offline.CheckCustomer', 'ValidationError'), 1);
    assert.equal(answers(during, 'unknown', 'ProtocolError', '403'), 1, 'a call refused before its operation was admitted');
    assert.equal(answers(during, 'unknown', 'ProtocolError', '400'), 1, "an unknown operation's name is no label");
    assert.equal(during.value('regulars_protocol_answers_total', { operation: 'Offline.CheckCustomer', mode: 'async', status: 'Success' }), 1);
    assert.equal(during.value('regulars_protocol_call_duration_seconds_count', { operation: 'Offline.CheckCustomer', mode: 'sync' }), 4);
    assert.ok(during.value('regulars_protocol_call_duration_seconds_sum', { operation: 'Offline.CheckCustomer', mode: 'sync' })! > 0);
    assert.equal(during.value('regulars_protocol_call_duration_seconds_bucket', { operation: 'Offline.CheckCustomer', mode: 'sync', le: '+Inf' }), 4);
    assert.ok(during.value('regulars_outbox_jobs', { topic: 'event', state: 'pending' })! >= 1, 'the registration waits in the outbox');
    assert.ok(during.value('regulars_outbox_oldest_job_age_seconds', { topic: 'event' })! >= 90);
    assert.equal(during.value('regulars_async_calls', { state: 'pending' }), 1);
    assert.ok(during.value('regulars_async_calls_oldest_age_seconds')! >= 0);
    assert.ok(!during.text.includes(PHONE.slice(1)), 'no phone in the metrics');

    await t.drain();
    const after = await scrape(t);
    assert.equal(after.value('regulars_outbox_jobs', { topic: 'event', state: 'pending' }), undefined, 'the worker emptied the queue');
    assert.equal(after.value('regulars_async_calls', { state: 'pending' }), 0);
    assert.equal(after.value('regulars_async_calls_oldest_age_seconds'), 0);
    assert.equal(after.value('regulars_sms_last_24h', { state: 'sent' }), 1, 'the confirmation code went out');
    assert.equal(after.value('regulars_sms_oldest_waiting_age_seconds'), 0);
    assert.equal(after.value('regulars_database_connections', { state: 'in_use' }), 0);
  } finally {
    await t.close();
  }
});
