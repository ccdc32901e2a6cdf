// The operation log keeps what it could not write while the database was away and writes it once it is back.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { currentSchema, openDatabase, type DatabaseHandle } from '../../db/database.ts';
import { createTestDatabase, testDatabaseUrl, type TestDatabase } from '../../../test/support/db.ts';
import { startTcpProxy, type TcpProxy } from '../../../test/support/tcp-proxy.ts';
import { OperationLogWriter } from './operation-log-writer.ts';
import type { OperationLogEntry } from './protocol.repository.ts';

const entry = (requestId: string): OperationLogEntry => ({
  at: new Date(),
  integrationPoint: 'iiko',
  operation: 'Offline.CheckCustomer',
  mode: 'sync',
  status: 'InternalServerError',
  httpStatus: 503,
  durationMs: 3,
  transactionId: null,
  requestId,
  errorId: null,
  request: '{}',
  response: '{"status":"InternalServerError"}',
  notes: [],
});

const onPostgres = { skip: !testDatabaseUrl && 'PostgreSQL only: the embedded PGlite cannot go away' };
let database: TestDatabase;
let proxy: TcpProxy;
let proxied: DatabaseHandle;

before(async () => {
  if (!testDatabaseUrl) return;
  database = await createTestDatabase();
  const server = new URL(testDatabaseUrl);
  proxy = await startTcpProxy(server.hostname, Number(server.port || 5432));
  proxied = await openDatabase({ url: proxy.urlFor(testDatabaseUrl), schema: await currentSchema(database.db), poolSize: 2 });
});

after(async () => {
  await proxied?.close();
  await proxy?.close();
  await database?.close();
});

test('entries the database did not take while it was away are written once it answers again, in order', onPostgres, async () => {
  const writer = new OperationLogWriter(proxied.db, pino({ level: 'silent' }));
  writer.add(entry('before'));
  await writer.flush();
  proxy.cut();
  for (const requestId of ['during-1', 'during-2', 'during-3']) writer.add(entry(requestId));
  const started = performance.now();
  await writer.flush();
  assert.ok(performance.now() - started < 7000, 'a silent database holds a flush no longer than the write limit');
  writer.add(entry('during-4'));
  proxy.mend();
  const written = async () =>
    (await database.db.selectFrom('operation_log').select('request_id').orderBy('id').execute()).map((row) => row.request_id);
  const deadline = Date.now() + 10_000;
  while ((await written()).length < 5 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
  assert.deepEqual(await written(), ['before', 'during-1', 'during-2', 'during-3', 'during-4']);
});
