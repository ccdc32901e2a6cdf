// An in-process Regulars for service and protocol tests: a fresh migrated database with the iiko preset,
// the real Fastify server driven through inject (no sockets), a fixed or moving clock.
import { randomBytes } from 'node:crypto';
import pino from 'pino';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../src/app-context.ts';
import { loadConfig, type Config } from '../../src/config.ts';
import { backgroundWork } from '../../src/background.ts';
import { drainWork } from '../../src/jobs/worker.ts';
import { ProjectStore } from '../../src/project/project-store.ts';
import { OperationLogWriter } from '../../src/protocol/mindbox/operation-log-writer.ts';
import { initProject } from '../../src/project/project.service.ts';
import { buildServer } from '../../src/server.ts';
import { openSecretBox } from '../../src/shared/encryption-key.ts';
import { SecretValues } from '../../src/project/secret-values.ts';
import { createTestDatabase, type TestDatabase } from './db.ts';
import { startSmsInbox, type SmsInbox } from './sms-inbox.ts';

export const TEST_SECRET_KEY = 'test-secret-key-0123456789';
export const TEST_ADMIN_TOKEN = 'test-admin-token-0123456789';

export interface CallOptions {
  mode?: 'sync' | 'async';
  transactionId?: string;
  format?: 'json' | 'xml';
  endpointId?: string;
  secretKey?: string | null;
  raw?: string;
}

export interface TestApp {
  app: AppContext;
  database: TestDatabase;
  server: FastifyInstance;
  /** the clock the app sees; move it with `clock.set(...)` */
  clock: { now: Date; set(date: Date | string): void; advance(ms: number): void };
  call(operation: string, body?: unknown, options?: CallOptions): Promise<{ httpStatus: number; body: any; text: string }>;
  admin(method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, body?: unknown): Promise<{ httpStatus: number; body: any }>;
  /** the phones' inbox, with `smsInbox: true` (SMS arrive there when `drain()` runs the worker) */
  sms: SmsInbox;
  /** runs async calls and outbox jobs until nothing is due */
  drain(): Promise<void>;
  close(): Promise<void>;
}

export interface TestAppOptions {
  now?: Date | string;
  env?: Record<string, string>;
  phoneConfirmation?: boolean;
  /** SMS go to an HTTP gateway double (`t.sms`) when the worker runs (`t.drain()`), instead of the outbox: */
  smsInbox?: boolean;
}

export async function createTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const database = await createTestDatabase();
  const sms = options.smsInbox ? await startSmsInbox() : null;
  // a setup that fails must not leave the database open: the test process would never end
  try {
    return await buildTestApp(database, sms, options);
  } catch (error) {
    await database.close();
    await sms?.close();
    throw error;
  }
}

async function buildTestApp(database: TestDatabase, sms: SmsInbox | null, options: TestAppOptions): Promise<TestApp> {
  const config: Config = loadConfig({ LOG_LEVEL: 'silent', REGULARS_WORKER_POLL_MS: '20', ...(sms ? { REGULARS_SMS_URL: sms.url } : {}), ...options.env });
  await initProject(database.db, {
    preset: 'iiko',
    presetOptions: { phoneConfirmation: options.phoneConfirmation ?? true },
    secretKey: TEST_SECRET_KEY,
    adminToken: TEST_ADMIN_TOKEN,
  });
  const clock = {
    now: new Date(options.now ?? '2026-11-29T12:00:00Z'),
    set(date: Date | string) {
      this.now = new Date(date);
    },
    advance(ms: number) {
      this.now = new Date(this.now.getTime() + ms);
    },
  };
  const secrets = await openSecretBox(database.db, { key: randomBytes(32), keyFile: null });
  const app: AppContext = {
    config,
    db: database.db,
    databaseKind: database.kind,
    databaseConnections: () => database.connections(),
    project: await ProjectStore.open(database.db, new SecretValues(secrets, config.environment)),
    logger: pino({ level: 'silent' }),
    secrets,
    operationLog: new OperationLogWriter(database.db, pino({ level: 'silent' })),
    now: () => clock.now,
  };
  const server = await buildServer(app);
  await server.ready();
  return {
    app,
    database,
    server,
    clock,
    get sms(): SmsInbox {
      if (!sms) throw new Error('createTestApp({ smsInbox: true }) to read the SMS the guests get');
      return sms;
    },
    async call(operation, body = {}, callOptions = {}) {
      const format = callOptions.format ?? 'json';
      const query = new URLSearchParams({ endpointId: callOptions.endpointId ?? 'iiko', operation });
      if (callOptions.transactionId) query.set('transactionId', callOptions.transactionId);
      const headers: Record<string, string> = { 'content-type': format === 'xml' ? 'application/xml' : 'application/json' };
      if (callOptions.secretKey !== null) headers.authorization = `SecretKey ${callOptions.secretKey ?? TEST_SECRET_KEY}`;
      const response = await server.inject({
        method: 'POST',
        url: `/v3/operations/${callOptions.mode ?? 'sync'}?${query}`,
        headers,
        payload: callOptions.raw ?? (format === 'xml' ? String(body) : JSON.stringify(body)),
      });
      // what a test checks next may be the operation log
      await app.operationLog.flush();
      const text = response.body;
      const parsed = format === 'json' && text ? JSON.parse(text) : text;
      return { httpStatus: response.statusCode, body: parsed, text };
    },
    async admin(method, url, body) {
      const response = await server.inject({
        method,
        url,
        headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        payload: body === undefined ? undefined : JSON.stringify(body),
      });
      return { httpStatus: response.statusCode, body: response.body ? JSON.parse(response.body) : null };
    },
    async drain() {
      await drainWork(app, backgroundWork);
      await app.operationLog.flush();
    },
    async close() {
      await server.close();
      await app.operationLog.flush();
      await database.close();
      await sms?.close();
    },
  };
}
