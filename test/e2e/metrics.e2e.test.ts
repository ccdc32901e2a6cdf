// The real server process scraped as Prometheus scrapes it: GET /metrics with the token after real POS calls,
// the numbers moving as the calls and the background work go by; probes and scrapes not logged at info.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase, testDatabaseUrl, type TestDatabase } from '../support/db.ts';
import { readScrape, type Scrape } from '../support/metrics.ts';
import { freshDataDir, startServerProcess, type ServerProcess } from '../support/process.ts';

const KEY = 'metrics-e2e-secret-key-0123';
const TOKEN = 'metrics-e2e-token-0123456789';
const PHONE = '79005550123';

let database: TestDatabase | null = null;
let server: ServerProcess;

before(async () => {
  database = testDatabaseUrl ? await createTestDatabase() : null;
  server = await startServerProcess({
    ...(database ? database.env : { REGULARS_DATA_DIR: freshDataDir() }),
    REGULARS_SECRET_KEY: KEY,
    REGULARS_METRICS_TOKEN: TOKEN,
    LOG_LEVEL: 'info',
  });
});

after(async () => {
  await server?.stop();
  await database?.close();
});

async function call(operation: string, body: unknown): Promise<{ status: number; body: any }> {
  const response = await fetch(`${server.url}/v3/operations/sync?endpointId=iiko&operation=${operation}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `SecretKey ${KEY}` },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

async function scrape(): Promise<Scrape> {
  const response = await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
  assert.equal(response.status, 200);
  return readScrape(await response.text());
}

/** Scrapes until `done` holds (the worker's work is seen as it happens), for 15 s at most. */
async function scrapeUntil(done: (scrape: Scrape) => boolean, what: string): Promise<Scrape> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const current = await scrape();
    if (done(current)) return current;
    if (Date.now() > deadline) assert.fail(`${what}; the last scrape:\n${current.text}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

test('a scrape after real POS calls: answers, call times, the queues caught up, the SMS sent, the database, the process', async () => {
  assert.equal((await fetch(`${server.url}/metrics`)).status, 401);
  assert.equal((await fetch(`${server.url}/metrics`, { headers: { authorization: 'Bearer nope' } })).status, 401);

  const answers = (scrape: Scrape, operation: string, status: string) =>
    scrape.value('regulars_protocol_answers_total', { operation, mode: 'sync', status, http_status: '200' }) ?? 0;
  const calls = (scrape: Scrape, operation: string) => scrape.value('regulars_protocol_call_duration_seconds_count', { operation, mode: 'sync' }) ?? 0;
  const before = await scrape();

  assert.equal((await call('Offline.RegisterCustomer', { customer: { mobilePhone: PHONE, firstName: 'Анна' } })).body.status, 'Success');
  for (let i = 0; i < 5; i++) assert.equal((await call('Offline.CheckCustomer', { customer: { mobilePhone: PHONE } })).body.status, 'Success');
  assert.equal((await call('Offline.CheckCustomer', { customer: { mobilePhone: 'not a phone' } })).body.status, 'ValidationError');

  // the registration's events and its confirmation SMS go through the outbox and the worker
  const after = await scrapeUntil(
    (scrape) => scrape.value('regulars_sms_last_24h', { state: 'sent' }) === 1 && scrape.sum('regulars_outbox_jobs', { state: 'pending' }) === 0,
    'the confirmation SMS is sent and the outbox empty',
  );
  assert.equal(answers(after, 'Offline.RegisterCustomer', 'Success') - answers(before, 'Offline.RegisterCustomer', 'Success'), 1);
  assert.equal(answers(after, 'Offline.CheckCustomer', 'Success') - answers(before, 'Offline.CheckCustomer', 'Success'), 5);
  assert.equal(answers(after, 'Offline.CheckCustomer', 'ValidationError') - answers(before, 'Offline.CheckCustomer', 'ValidationError'), 1);
  assert.equal(calls(after, 'Offline.CheckCustomer') - calls(before, 'Offline.CheckCustomer'), 6);
  const slowest = after.value('regulars_protocol_call_duration_seconds_bucket', { operation: 'Offline.CheckCustomer', mode: 'sync', le: '3' })!;
  assert.equal(slowest, calls(after, 'Offline.CheckCustomer'), 'every check answered within the POS timeout of 3 s');
  assert.ok(after.value('regulars_protocol_call_duration_seconds_sum', { operation: 'Offline.CheckCustomer', mode: 'sync' })! > 0);
  assert.equal(after.value('regulars_outbox_oldest_job_age_seconds', { topic: 'event' }) ?? 0, 0);
  assert.equal(after.value('regulars_sms_oldest_waiting_age_seconds'), 0);
  assert.equal(after.value('regulars_async_calls', { state: 'parked' }), 0);

  assert.equal(after.value('regulars_database_up'), 1);
  assert.equal(after.value('regulars_database_connections', { state: 'max' }), database ? 10 : 1, "PostgreSQL: the pool's size; embedded: its one connection");
  assert.ok(after.value('regulars_database_connections', { state: 'in_use' })! <= after.value('regulars_database_connections', { state: 'max' })!);
  assert.ok(after.value('regulars_database_waiting')! >= 0);
  assert.ok(after.value('process_resident_memory_bytes')! > 0, "the process's own metrics");
  assert.ok(after.value('nodejs_eventloop_lag_seconds') !== undefined);
  assert.ok(!after.text.includes(PHONE.slice(1)) && !after.text.includes(KEY), 'no phone and no key in the metrics');
});

test('probes and scrapes are not logged at info; the calls are', async () => {
  for (const path of ['/health', '/health/ready']) assert.equal((await fetch(`${server.url}${path}`)).status, 200);
  await scrape();
  await call('Offline.CheckCustomer', { customer: { mobilePhone: PHONE } });
  // the server logs a request once it has answered: give the last line time to be written
  await new Promise((resolve) => setTimeout(resolve, 200));
  const requests = server
    .output()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { req?: { url?: string } })
    .flatMap((entry) => (entry.req?.url ? [entry.req.url] : []));
  assert.ok(requests.some((url) => url.startsWith('/v3/operations/sync')), `calls are logged: ${requests.join(', ')}`);
  assert.deepEqual(requests.filter((url) => url.startsWith('/health') || url.startsWith('/metrics')), []);
});
