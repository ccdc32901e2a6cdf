// `regulars backup` while the server serves a POS's writes, then `regulars restore` into a fresh data directory
// (or a fresh PostgreSQL database) and a server started on it: every guest, balance and order committed before
// the backup began is there, and every ledger sums to its balance.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import pg from 'pg';
import { openDatabase, type DatabaseHandle } from '../../src/db/database.ts';
import { ledgerDiscrepancies } from '../../src/loyalty/ledger.repository.ts';
import { createTestDatabase, testDatabaseUrl, type TestDatabase } from '../support/db.ts';
import { freshDataDir, startServerProcess, type ServerProcess, regularsCommand, spawnArgs } from '../support/process.ts';

const SECRET_KEY = 'e2e-backup-secret-key-0123456789';
const ADMIN_TOKEN = 'e2e-backup-admin-token-0123456789';
const ROOT = join(import.meta.dirname, '..', '..');
const POS_TERMINALS = 4;

const cleanups: Array<() => Promise<void>> = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

async function call(server: ServerProcess, operation: string, body: unknown, transactionId?: string) {
  const query = new URLSearchParams({ endpointId: 'iiko', operation });
  if (transactionId) query.set('transactionId', transactionId);
  const response = await fetch(`${server.url}/v3/operations/sync?${query}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `SecretKey ${SECRET_KEY}` },
    body: JSON.stringify(body),
  });
  return (await response.json()) as any;
}

/** `regulars <args>` as an operator runs it beside the server, with the server's environment. */
function regulars(args: string[], env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(...spawnArgs(regularsCommand([...args])), {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LOG_LEVEL: 'warn', ...env },
    });
    // a test that fails or times out must not leave the command running
    cleanups.push(async () => void child.kill('SIGKILL'));
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('close', (code) => resolve({ code, output }));
  });
}

interface Sale {
  phone: string;
  orderId: string;
  /** when the POS had both answers: the guest and the paid order are committed */
  committedAt: number;
}

/** A POS terminal: registers a guest and sends the guest's paid bill, again and again, until told to stop. */
async function posTerminal(server: ServerProcess, terminal: number, sales: Sale[], stop: { now: boolean }): Promise<void> {
  for (let sale = 0; !stop.now; sale += 1) {
    const phone = `79${String(terminal).padStart(2, '0')}${String(sale).padStart(7, '0')}`;
    const orderId = `BK-${terminal}-${sale}`;
    const registered = await call(server, 'Offline.RegisterCustomer', { customer: { mobilePhone: phone, firstName: 'Гость' } }, randomUUID());
    assert.equal(registered.status, 'Success', JSON.stringify(registered));
    const paid = await call(
      server,
      'Offline.SaveOfflineOrder',
      {
        customer: { mobilePhone: phone },
        executionDateTimeUtc: '2026-12-05 12:00:00.000',
        order: {
          ids: { iikoOrderId: orderId },
          totalPrice: 1000 + sale,
          lines: [{ lineNumber: 1, quantity: 1, basePricePerItem: 1000 + sale, product: { ids: { iiko: 'borscht' } }, status: { ids: { externalId: 'iikoPaid' } } }],
        },
      },
      randomUUID(),
    );
    assert.equal(paid.status, 'Success', JSON.stringify(paid));
    sales.push({ phone, orderId, committedAt: performance.now() });
    // a cashier's pace, far faster than a real one: the server keeps some breath for the backup it is asked for
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function balancesOf(db: DatabaseHandle['db'], phones: string[]): Promise<Map<string, string>> {
  const rows = await db
    .selectFrom('customers')
    .innerJoin('point_balances', 'point_balances.customer_id', 'customers.id')
    .select(['customers.mobile_phone', 'point_balances.total'])
    .where('customers.mobile_phone', 'in', phones)
    .execute();
  return new Map(rows.map((row) => [row.mobile_phone!, row.total]));
}

/** Where the server of the backed-up installation ran, and where the restored one runs. */
interface Installation {
  env: Record<string, string>;
  open(): Promise<DatabaseHandle>;
}

async function embeddedInstallations(): Promise<{ original: Installation; restored: Installation }> {
  const dataDir = freshDataDir();
  const restoredDir = freshDataDir();
  return {
    original: { env: { REGULARS_DATA_DIR: dataDir }, open: () => openDatabase({ dataDir }) },
    restored: { env: { REGULARS_DATA_DIR: restoredDir }, open: () => openDatabase({ dataDir: restoredDir }) },
  };
}

async function postgresInstallations(serverUrl: string): Promise<{ original: Installation; restored: Installation }> {
  const database: TestDatabase = await createTestDatabase();
  cleanups.push(() => database.close());
  const schema = new URL(database.env.DATABASE_URL).searchParams.get('options')!.replace('-c search_path=', '');
  const restoredName = `restore_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`create database ${restoredName}`);
  await admin.end();
  cleanups.push(async () => {
    const client = new pg.Client({ connectionString: serverUrl });
    await client.connect();
    await client.query(`drop database if exists ${restoredName} with (force)`);
    await client.end();
  });
  const restoredUrl = new URL(serverUrl);
  restoredUrl.pathname = `/${restoredName}`;
  restoredUrl.searchParams.set('options', `-c search_path=${schema}`);
  return {
    original: { env: database.env, open: async () => ({ ...database, close: async () => {} }) },
    restored: {
      env: { DATABASE_URL: restoredUrl.toString(), REGULARS_KEY_FILE: database.env.REGULARS_KEY_FILE },
      open: () => openDatabase({ url: restoredUrl.toString() }),
    },
  };
}

test(`a backup taken during a POS's writes restores every guest, balance and order committed before it began (${testDatabaseUrl ? 'PostgreSQL' : 'embedded database'})`, { timeout: 240_000 }, async () => {
  const { original, restored } = testDatabaseUrl ? await postgresInstallations(testDatabaseUrl) : await embeddedInstallations();
  const env: Record<string, string> = { ...original.env, REGULARS_SECRET_KEY: SECRET_KEY, REGULARS_ADMIN_TOKEN: ADMIN_TOKEN, REGULARS_PHONE_CONFIRMATION: 'false' };
  const server = await startServerProcess(env);
  cleanups.push(() => server.stop('SIGKILL'));

  const sales: Sale[] = [];
  const stop = { now: false };
  const terminals = Array.from({ length: POS_TERMINALS }, (_, terminal) => posTerminal(server, terminal, sales, stop));
  const selling = Promise.all(terminals);
  const enoughSales = (async () => {
    while (sales.length < 40) await new Promise((resolve) => setTimeout(resolve, 50));
  })();
  // a terminal whose call failed ends the test with its answer
  await Promise.race([enoughSales, selling]);

  const backupFile = join(mkdtempSync(join(tmpdir(), 'regulars-backup-')), 'regulars.backup');
  const backupBegan = performance.now();
  const backup = await regulars(['backup', backupFile], env);
  const salesDuringBackup = sales.filter((sale) => sale.committedAt > backupBegan).length;
  stop.now = true;
  await selling;
  assert.equal(backup.code, 0, backup.output);
  assert.match(backup.output, /encryption key is NOT in the backup/);
  assert.ok(salesDuringBackup > 0, 'the POS went on selling while the backup was taken');
  await server.stop();

  const before = sales.filter((sale) => sale.committedAt < backupBegan);
  const originalDb = await original.open();
  const expectedBalances = await balancesOf(originalDb.db, before.map((sale) => sale.phone));
  await originalDb.close();

  // without the key the backup's secrets were sealed with, a restore refuses before it writes anything
  const keyFile = testDatabaseUrl ? env.REGULARS_KEY_FILE : join(env.REGULARS_DATA_DIR, 'regulars.key');
  const keyless = await regulars(['restore', backupFile], { ...restored.env, REGULARS_KEY_FILE: join(freshDataDir(), 'absent.key') });
  assert.notEqual(keyless.code, 0);
  assert.match(keyless.output, /sealed with the encryption key of fingerprint/);

  if (!testDatabaseUrl) {
    mkdirSync(restored.env.REGULARS_DATA_DIR, { recursive: true });
    copyFileSync(keyFile, join(restored.env.REGULARS_DATA_DIR, 'regulars.key'));
  }
  const restore = await regulars(['restore', backupFile], restored.env);
  assert.equal(restore.code, 0, restore.output);
  const again = await regulars(['restore', backupFile], restored.env);
  assert.notEqual(again.code, 0, 'a restore into a database that is not empty is refused without --force');
  assert.match(again.output, /not empty|already holds/);

  const restoredServer = await startServerProcess({ ...restored.env, REGULARS_SECRET_KEY: SECRET_KEY, REGULARS_ADMIN_TOKEN: ADMIN_TOKEN });
  cleanups.push(() => restoredServer.stop('SIGKILL'));
  for (const sale of before) {
    const found = await call(restoredServer, 'Offline.CheckCustomer', { customer: { mobilePhone: sale.phone } });
    assert.equal(found.customer?.processingStatus, 'Found', `guest ${sale.phone} registered before the backup`);
    assert.equal(String(found.balances[0].total), String(Number(expectedBalances.get(sale.phone))), `balance of ${sale.phone}`);
  }
  await restoredServer.stop();

  const restoredDb = await restored.open();
  try {
    const orders = await restoredDb.db.selectFrom('order_identifiers').select('value').where('value', 'in', before.map((sale) => sale.orderId)).execute();
    assert.equal(orders.length, before.length, 'every order committed before the backup');
    assert.deepEqual(await ledgerDiscrepancies(restoredDb.db), [], 'every ledger sums to its balance');
    assert.ok(existsSync(backupFile));
  } finally {
    await restoredDb.close();
  }
});
