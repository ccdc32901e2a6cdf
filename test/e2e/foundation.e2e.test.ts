// The real server process, as a newcomer and a POS meet it: first start prints the key, a second start
// reuses the data, JSON and XML calls work, and async calls survive kill -9.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createTestDatabase, testDatabaseUrl, type TestDatabase } from '../support/db.ts';
import { freshDataDir, startServerProcess, type ServerProcess, regularsCommand, spawnArgs } from '../support/process.ts';

const ROOT = join(import.meta.dirname, '..', '..');

async function call(server: ServerProcess, key: string, operation: string, body: string, options: { mode?: string; xml?: boolean; transactionId?: string } = {}) {
  const query = new URLSearchParams({ endpointId: 'iiko', operation });
  if (options.transactionId) query.set('transactionId', options.transactionId);
  const response = await fetch(`${server.url}/v3/operations/${options.mode ?? 'sync'}?${query}`, {
    method: 'POST',
    headers: { 'content-type': options.xml ? 'application/xml' : 'application/json', authorization: `SecretKey ${key}` },
    body,
  });
  return { status: response.status, text: await response.text() };
}

describe('the server process', () => {
  let database: TestDatabase | null = null;
  let env: Record<string, string>;
  before(async () => {
    if (testDatabaseUrl) {
      database = await createTestDatabase();
      env = { ...database.env };
    } else {
      env = { REGULARS_DATA_DIR: freshDataDir() };
    }
  });
  after(async () => database?.close());

  test('first start applies the preset and prints the key; a second start reuses everything', async () => {
    const first = await startServerProcess(env);
    let key: string;
    try {
      assert.match(first.output(), /The iiko preset was applied/);
      const printed = /Secret key of integration point "iiko" \(shown once, store it now\): (\S+)/.exec(first.output());
      assert.ok(printed, first.output());
      key = printed[1];
      assert.match(first.output(), /Admin token \(shown once, store it now\): \S+/);
      const health = await fetch(`${first.url}/health`);
      assert.equal(health.status, 200);
      const json = await call(first, key, 'Offline.CheckCustomer', JSON.stringify({ customer: { mobilePhone: '+7 900 000-00-01' } }));
      assert.deepEqual(JSON.parse(json.text), { status: 'Success', customer: { processingStatus: 'NotFound' } });
      const xml = await call(first, key, 'Offline.CheckCustomer', '<operation><customer><mobilePhone>79000000001</mobilePhone></customer></operation>', { xml: true });
      assert.equal(xml.status, 200);
      assert.match(xml.text, /<result><status>Success<\/status><customer><processingStatus>NotFound<\/processingStatus><\/customer><\/result>/);
    } finally {
      await first.stop();
    }
    const second = await startServerProcess(env);
    try {
      assert.doesNotMatch(second.output(), /preset was applied|Secret key|Admin token/);
      const again = await call(second, key, 'Offline.CheckCustomer', JSON.stringify({ customer: { mobilePhone: '79000000001' } }));
      assert.equal(JSON.parse(again.text).status, 'Success');
    } finally {
      await second.stop();
    }
  });

  test('async calls accepted before a kill -9 are processed once after the restart', async () => {
    const key = 'e2e-secret-key-0123456789';
    const localEnv = testDatabaseUrl ? env : { REGULARS_DATA_DIR: freshDataDir() };
    const apiOnly = await startServerProcess({ ...localEnv, REGULARS_SECRET_KEY: key, REGULARS_ROLE: 'api' });
    const transactionIds = Array.from({ length: 10 }, () => randomUUID());
    try {
      for (const transactionId of transactionIds) {
        const accepted = await call(apiOnly, key, 'Offline.CheckCustomer', JSON.stringify({ customer: { mobilePhone: '79000000002' } }), { mode: 'async', transactionId });
        assert.deepEqual(JSON.parse(accepted.text), { status: 'Success' });
      }
    } finally {
      await apiOnly.stop('SIGKILL');
    }
    const adminToken = 'e2e-admin-token-0123456789';
    const worker = await startServerProcess({ ...localEnv, REGULARS_SECRET_KEY: key, REGULARS_ADMIN_TOKEN: adminToken });
    const processedCalls = async () => {
      const response = await fetch(`${worker.url}/api/admin/operation-log?status=Success&limit=500`, { headers: { authorization: `Bearer ${adminToken}` } });
      const { items } = (await response.json()) as { items: any[] };
      return items.filter((entry) => entry.mode === 'async' && transactionIds.includes(entry.transaction_id) && entry.response?.customer);
    };
    try {
      const deadline = Date.now() + 30_000;
      let processed = await processedCalls();
      while (processed.length < transactionIds.length && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        processed = await processedCalls();
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
      processed = await processedCalls();
      assert.deepEqual(processed.map((entry) => entry.transaction_id).sort(), [...transactionIds].sort(), 'each accepted call was processed exactly once');
      const replays = await Promise.all(transactionIds.map((transactionId) => call(worker, key, 'Offline.CheckCustomer', '{}', { transactionId })));
      assert.ok(replays.every((replay) => JSON.parse(replay.text).status === 'TransactionAlreadyProcessed'));
    } finally {
      await worker.stop();
    }
  });

  test('regulars apply refuses a bad file with every problem and applies a good one', async () => {
    const dir = freshDataDir();
    const cliEnv = { PATH: process.env.PATH ?? '', LOG_LEVEL: 'silent', ...(testDatabaseUrl ? env : { REGULARS_DATA_DIR: join(dir, 'data') }) };
    const run = (...args: string[]) => {
      try {
        return { code: 0, out: execFileSync(...spawnArgs(regularsCommand(args)), { cwd: ROOT, env: cliEnv, encoding: 'utf8', stdio: 'pipe' }) };
      } catch (error) {
        const failed = error as { status: number; stdout: string; stderr: string };
        return { code: failed.status, out: failed.stdout + failed.stderr };
      }
    };
    writeFileSync(join(dir, 'bad.yaml'), 'balanceTypes:\n  - systemName: Coins\n    name: Монеты\n    lifetimeDays: -1\nmailings:\n  - systemName: Hi\n    name: Hi\n    connection: nowhere\n    template: "Привет, ${Recipient.FirstName"\n');
    const bad = run('apply', join(dir, 'bad.yaml'));
    assert.equal(bad.code, 1);
    assert.match(bad.out, /\/balanceTypes\/0\/lifetimeDays/);
    assert.match(bad.out, /nothing was applied/i);
    writeFileSync(join(dir, 'good.yaml'), 'balanceTypes:\n  - systemName: Coins\n    name: Монеты\n    fractional: true\n');
    const good = run('apply', join(dir, 'good.yaml'));
    assert.equal(good.code, 0, good.out);
    assert.match(good.out, /created {3}balanceTypes\/Coins/);
    const twice = run('apply', join(dir, 'good.yaml'));
    assert.doesNotMatch(twice.out, /created|changed {3}/);
    const exported = run('export');
    assert.match(exported.out, /systemName: Coins/);
    assert.match(exported.out, /systemName: Offline.CheckCustomer/);
  });
});
