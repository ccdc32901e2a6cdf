// The daily recalculation against the real server process with a fixed clock (REGULARS_CLOCK): a guest who
// became Silver with a bill on 10 January 2026 stays Silver while the year holds the bill, and the server
// started at 03:04:50 Moscow time on 11 January 2027 — the bill 366 days old, past the preset's 03:00 —
// turns them back to Bronze on its own, once, and the admin API lists that daily run.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { createTestDatabase, testDatabaseUrl, type TestDatabase } from '../support/db.ts';
import { freshDataDir, startServerProcess, type ServerProcess } from '../support/process.ts';

const SECRET_KEY = 'e2e-daily-secret-key-0123456789';
const ADMIN_TOKEN = 'e2e-daily-admin-token-0123456789';
const PHONE = '79007000002';

let server: ServerProcess | null = null;
let database: TestDatabase | null = null;
let storage: Record<string, string>;

async function start(clock: string): Promise<ServerProcess> {
  return startServerProcess({ ...storage, REGULARS_SECRET_KEY: SECRET_KEY, REGULARS_ADMIN_TOKEN: ADMIN_TOKEN, REGULARS_PHONE_CONFIRMATION: 'false', REGULARS_CLOCK: clock });
}

async function call(operation: string, body: unknown, transactionId?: string) {
  const query = new URLSearchParams({ endpointId: 'iiko', operation, ...(transactionId ? { transactionId } : {}) });
  const response = await fetch(`${server!.url}/v3/operations/sync?${query}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `SecretKey ${SECRET_KEY}` },
    body: JSON.stringify(body),
  });
  const answer = (await response.json()) as any;
  assert.equal(answer.status, 'Success', `${operation}: ${JSON.stringify(answer)}`);
  return answer;
}

async function rank(): Promise<string | undefined> {
  return (await call('Offline.CheckCustomer', { customer: { mobilePhone: PHONE } })).customer.customFields?.rank;
}

async function waitForRank(expected: string, timeoutMs = 30_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (let current = await rank(); current !== expected; current = await rank()) {
    if (Date.now() > until) assert.fail(`Rank stayed ${current}, expected ${expected}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function recalculations(): Promise<Array<{ reason: string; localDay: string; entered: number; left: number }>> {
  const response = await fetch(`${server!.url}/api/admin/segments/recalculations`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
  assert.equal(response.status, 200);
  return ((await response.json()) as any).items;
}

before(async () => {
  database = testDatabaseUrl ? await createTestDatabase() : null;
  storage = database ? database.env : { REGULARS_DATA_DIR: freshDataDir() };
});

after(async () => {
  await server?.stop();
  await database?.close();
});

test('the nightly run turns a guest whose Silver year has passed back to Bronze, with the server clock fixed', async () => {
  // 12:00 in Moscow on 10 January 2026
  server = await start('2026-01-10T09:00:00Z');
  await call('Offline.RegisterCustomer', { customer: { mobilePhone: PHONE, firstName: 'Вера' } });
  await waitForRank('Bronze');
  const order = { ids: { iikoOrderId: 'DAILY-1' }, lines: [{ lineNumber: 1, quantity: 1, basePricePerItem: 12000, product: { ids: { iiko: 'banquet' } } }] };
  const preorder = await call('Offline.AuthorizedPreorder', { customer: { mobilePhone: PHONE }, order });
  await call('Offline.CreateAuthorizedOrder', { customer: { mobilePhone: PHONE }, order: { ...order, totalPrice: preorder.order.totalPrice } }, randomUUID());
  await call('Offline.ChangeStatus', { order: { ids: { iikoOrderId: 'DAILY-1' } }, orderLinesStatus: 'iikoPaid' });
  await waitForRank('Silver');
  await server.stop();

  // 02:30 in Moscow on 11 January 2027: the bill is 366 days old, but the night's run is due at 03:00 only
  server = await start('2027-01-10T23:30:00Z');
  await new Promise((resolve) => setTimeout(resolve, 1500));
  assert.equal(await rank(), 'Silver', 'nothing recalculates before the configured time');
  assert.deepEqual((await recalculations()).filter((run) => run.reason === 'daily'), []);
  await server.stop();

  // 03:04:50 in Moscow: the worker's first round finds the night's run due
  server = await start('2027-01-11T00:04:50Z');
  await waitForRank('Bronze');
  const daily = (await recalculations()).filter((run) => run.reason === 'daily');
  assert.deepEqual(
    daily.map((run) => [run.localDay, run.entered, run.left]),
    [['2027-01-11', 1, 1]],
    'one daily run on 11 January: the guest left RankSilver and entered RankBronze',
  );
});
