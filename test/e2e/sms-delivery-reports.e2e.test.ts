// Delivery reports end to end: the real server process sends a guest's confirmation SMS to a fake HTTP SMS
// gateway on loopback, the gateway posts its delivery report to the server's webhook with the connection's
// secret, and the admin API lists the message as delivered.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadConfig } from '../../src/config.ts';
import { openApp } from '../../src/main.ts';
import { applyProject } from '../../src/project/project.service.ts';
import { createTestDatabase, testDatabaseUrl, type TestDatabase } from '../support/db.ts';
import { freshDataDir, startServerProcess, type ServerProcess } from '../support/process.ts';

const KEY = 'e2e-reports-secret-key-0123';
const ADMIN = 'e2e-reports-admin-token-0123';
const REPORT_SECRET = 'e2e-gateway-report-secret-0123';
const PHONE = '79161230001';

interface GatewaySms {
  id: string;
  to: string;
  text: string;
  gatewayId: string;
}

/** Accepts every SMS with its own id in `{"data": {"smsId": "gw-N"}}` and hands them to the test in order. */
async function startHttpGateway(): Promise<{ url: string; server: Server; nextSms: () => Promise<GatewaySms> }> {
  const received: GatewaySms[] = [];
  const waiting: ((sms: GatewaySms) => void)[] = [];
  let count = 0;
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { id: string; to: string; text: string };
      const sms = { ...body, gatewayId: `gw-${++count}` };
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ data: { smsId: sms.gatewayId } }));
      const waiter = waiting.shift();
      if (waiter) waiter(sms);
      else received.push(sms);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/sms`,
    server,
    nextSms: () => {
      const sms = received.shift();
      return sms ? Promise.resolve(sms) : new Promise((resolve) => waiting.push(resolve));
    },
  };
}

describe('delivery reports of an HTTP SMS gateway, against the real server process', () => {
  let database: TestDatabase | null = null;
  let gateway: Awaited<ReturnType<typeof startHttpGateway>>;
  let server: ServerProcess;

  const messages = async () => {
    const response = await fetch(`${server.url}/api/admin/messages?phone=${PHONE}`, { headers: { authorization: `Bearer ${ADMIN}` } });
    return ((await response.json()) as any).items as any[];
  };
  const untilStatus = async (status: string) => {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const [newest] = await messages();
      if (newest?.status === status) return newest;
      if (Date.now() > deadline) throw new Error(`message still ${newest?.status}: ${JSON.stringify(newest)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };

  before(async () => {
    gateway = await startHttpGateway();
    database = testDatabaseUrl ? await createTestDatabase() : null;
    const env: Record<string, string> = {
      ...(database ? database.env : { REGULARS_DATA_DIR: freshDataDir() }),
      REGULARS_SECRET_KEY: KEY,
      REGULARS_ADMIN_TOKEN: ADMIN,
      REGULARS_SMS_URL: 'outbox:',
    };
    const opened = await openApp(loadConfig({ ...env, LOG_LEVEL: 'silent' }));
    try {
      await applyProject(opened.app.db, {
        smsConnections: [{ systemName: 'default', url: gateway.url, messageIdPath: 'data.smsId', statusSecret: REPORT_SECRET }],
      }, { secrets: opened.app.project.secrets });
    } finally {
      await opened.close();
    }
    server = await startServerProcess(env);
  });

  after(async () => {
    await server?.stop();
    gateway?.server.closeAllConnections();
    await new Promise((resolve) => gateway?.server.close(resolve));
    await database?.close();
  });

  test("registration sends the SMS through the gateway; the gateway's report marks it delivered", async () => {
    const query = new URLSearchParams({ endpointId: 'iiko', operation: 'Offline.RegisterCustomer' });
    const registered = await fetch(`${server.url}/v3/operations/sync?${query}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `SecretKey ${KEY}` },
      body: JSON.stringify({ customer: { mobilePhone: PHONE } }),
    });
    assert.equal(((await registered.json()) as any).customer.processingStatus, 'Created');

    const sms = await gateway.nextSms();
    assert.equal(sms.to, PHONE);
    assert.match(sms.text, /^Код подтверждения: \d{4}$/);
    const sent = await untilStatus('sent');
    assert.equal(sent.id, sms.id);
    assert.equal(sent.providerMessageId, sms.gatewayId);

    const report = (secret: string) =>
      fetch(`${server.url}/api/sms/default/status`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${secret}` },
        body: JSON.stringify({ messageId: sms.gatewayId, status: 'delivered' }),
      });
    assert.equal((await report('not-the-secret')).status, 403);
    const accepted = await report(REPORT_SECRET);
    assert.equal(accepted.status, 200);
    assert.deepEqual(await accepted.json(), { messageId: sms.id, status: 'delivered', changed: true });

    const delivered = await untilStatus('delivered');
    assert.equal(delivered.text, 'Код подтверждения: ••••', 'the SMS log shows the text, never the code');
    assert.ok(delivered.deliveredAt);
    const repeated = await report(REPORT_SECRET);
    assert.deepEqual(await repeated.json(), { messageId: sms.id, status: 'delivered', changed: false });
  });
});
