// Security, as an attacker with a console account would try it against the real server process: no role can
// read a one-time code after it was sent, nor a gateway or webhook credential after it was written — not in the
// project, its export, the scenarios, a plan, the SMS log, the server's output or the database (decisions 0101,
// 0006, 0008). The secrets still work where they are used: the SMS leaves with the gateway's credentials, a
// delivery report with the right secret is taken.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import YAML from 'yaml';
import { addUser } from '../../src/admin/users.service.ts';
import { loadConfig } from '../../src/config.ts';
import { openApp } from '../../src/main.ts';
import { createTestDatabase, testDatabaseUrl, type TestDatabase } from '../support/db.ts';
import { freshDataDir, startServerProcess, type ServerProcess } from '../support/process.ts';

const KEY = 'security-secret-key-0123456';
const ADMIN = 'security-admin-token-0123456';
const PHONE = '79161112233';
const GATEWAY_PASSWORD = 'gw-pass-Zq81x';
const GATEWAY_API_KEY = 'APIKEY-7c1f93d2';
const STATUS_SECRET = 'report-secret-5b2e7a1d';
const WEBHOOK_SECRET = 'hook-secret-9d3c2b1a0f';
const WEBHOOK_TOKEN = 'HOOKTOKEN-44e1';
const SMPP_PASSWORD = 'smpp-pw-from-env-77';
const SECRETS = [GATEWAY_PASSWORD, GATEWAY_API_KEY, STATUS_SECRET, WEBHOOK_SECRET, WEBHOOK_TOKEN, SMPP_PASSWORD];

interface Gateway {
  server: Server;
  port: number;
  requests: { id: string; authorization: string | undefined; url: string; body: { to: string; text: string } }[];
}

async function startGateway(): Promise<Gateway> {
  const requests: Gateway['requests'] = [];
  const server = createServer((request: IncomingMessage, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      const id = `gw-${requests.length + 1}`;
      requests.push({ id, authorization: request.headers.authorization, url: request.url ?? '', body: body ? JSON.parse(body) : null });
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port, requests };
}

interface Session {
  cookie: string;
  csrfToken: string;
}

describe('secrets and codes cannot be read back, by any role', () => {
  let database: TestDatabase | null = null;
  let gateway: Gateway;
  let server: ServerProcess;
  let env: Record<string, string>;
  const sessions: Record<'owner' | 'viewer', Session> = {} as never;

  const request = async (who: Session | null, method: string, path: string, body?: unknown) => {
    const headers: Record<string, string> = {};
    if (who) Object.assign(headers, { cookie: who.cookie, 'x-csrf-token': who.csrfToken });
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${server.url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: response.status, text: await response.text() };
  };
  const signIn = async (name: string, password: string): Promise<Session> => {
    const response = await fetch(`${server.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json', origin: server.url }, body: JSON.stringify({ name, password }) });
    assert.equal(response.status, 200);
    return { cookie: String(response.headers.get('set-cookie')).split(';')[0], csrfToken: ((await response.json()) as { csrfToken: string }).csrfToken };
  };
  const call = async (operation: string, body: unknown) => {
    const query = new URLSearchParams({ endpointId: 'iiko', operation });
    const response = await fetch(`${server.url}/v3/operations/sync?${query}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `SecretKey ${KEY}` },
      body: JSON.stringify(body),
    });
    return (await response.json()) as any;
  };
  const assertNoSecret = (text: string, where: string) => {
    for (const secret of SECRETS) assert.ok(!text.includes(secret), `${where} shows a secret`);
  };

  const project = () => ({
    smsConnections: [
      {
        systemName: 'default',
        url: `http://gateway:${GATEWAY_PASSWORD}@127.0.0.1:${gateway.port}/send?apikey=${GATEWAY_API_KEY}`,
        statusSecret: STATUS_SECRET,
      },
      { systemName: 'spare', url: 'smpp://regulars:${env:SECURITY_TEST_SMPP_PASSWORD}@127.0.0.1:2775' },
    ],
    scenarios: [
      {
        systemName: 'CrmOnRegistration',
        name: 'CRM hears of every new guest',
        trigger: { event: 'customerRegistered' },
        branches: [{ steps: [{ type: 'callWebhook', url: `http://127.0.0.1:${gateway.port}/hook?token=${WEBHOOK_TOKEN}`, secret: WEBHOOK_SECRET }] }],
      },
    ],
  });

  before(async () => {
    gateway = await startGateway();
    database = testDatabaseUrl ? await createTestDatabase() : null;
    env = {
      ...(database ? database.env : { REGULARS_DATA_DIR: freshDataDir() }),
      REGULARS_SECRET_KEY: KEY,
      REGULARS_ADMIN_TOKEN: ADMIN,
      SECURITY_TEST_SMPP_PASSWORD: SMPP_PASSWORD,
    };
    const opened = await openApp(loadConfig({ ...env, LOG_LEVEL: 'silent' }));
    try {
      await addUser(opened.app.db, { name: 'olga', role: 'owner', password: 'owner-password-1' });
      await addUser(opened.app.db, { name: 'vera', role: 'viewer', password: 'viewer-password-1' });
    } finally {
      await opened.close();
    }
    server = await startServerProcess(env);
    sessions.owner = await signIn('olga', 'owner-password-1');
    sessions.viewer = await signIn('vera', 'viewer-password-1');
  });

  after(async () => {
    await server?.stop();
    gateway?.server.closeAllConnections();
    await new Promise((resolve) => gateway?.server.close(resolve));
    await database?.close();
  });

  test('an owner writes the credentials; from then on every answer shows that a secret is set, never its value', async () => {
    const applied = await request(sessions.owner, 'POST', '/api/admin/project/apply', { content: JSON.stringify(project()) });
    assert.equal(applied.status, 200, applied.text);
    for (const who of ['owner', 'viewer'] as const) {
      for (const path of ['/api/admin/project', '/api/admin/project/export?format=yaml', '/api/admin/project/export?format=json', '/api/admin/scenarios']) {
        const answer = await request(sessions[who], 'GET', path);
        assert.equal(answer.status, 200, `${who} ${path}`);
        assertNoSecret(answer.text, `${who}: GET ${path}`);
      }
    }
    const shown = JSON.parse((await request(sessions.viewer, 'GET', '/api/admin/project')).text);
    const [main, spare] = shown.smsConnections.filter((c: any) => c.systemName !== 'default' || c.url);
    assert.deepEqual(main.url, { secret: 'stored', hint: `http://127.0.0.1:${gateway.port}` });
    assert.deepEqual(main.statusSecret, { secret: 'stored' });
    assert.equal(spare.url, 'smpp://regulars:${env:SECURITY_TEST_SMPP_PASSWORD}@127.0.0.1:2775', 'a reference to the environment is no secret: it shows as written');
    const scenario = shown.scenarios.find((s: any) => s.systemName === 'CrmOnRegistration');
    assert.deepEqual(scenario.branches[0].steps[0].secret, { secret: 'stored' });
  });

  test('a plan shows what changes without the values; the exported file applies and changes nothing', async () => {
    const changed = { ...project(), smsConnections: [{ ...project().smsConnections[0], statusSecret: `${STATUS_SECRET}-new` }] };
    const plan = await request(sessions.owner, 'POST', '/api/admin/project/plan', { content: JSON.stringify(changed) });
    assert.equal(plan.status, 200, plan.text);
    assertNoSecret(plan.text, 'the plan');
    assert.ok(!plan.text.includes(`${STATUS_SECRET}-new`), 'not even the new value');
    assert.deepEqual(JSON.parse(plan.text).changed, ['smsConnections/default']);

    const exported = (await request(sessions.owner, 'GET', '/api/admin/project/export?format=yaml')).text;
    const again = await request(sessions.owner, 'POST', '/api/admin/project/apply', { content: exported });
    assert.equal(again.status, 200, again.text);
    assert.deepEqual(JSON.parse(again.text).changed, [], 'the { secret: stored } markers keep what is stored');
    assert.ok(YAML.parse(exported).smsConnections.length >= 2);
  });

  test('a reference to a variable the server does not have is refused when applied', async () => {
    const missing = await request(sessions.owner, 'POST', '/api/admin/project/apply', {
      content: JSON.stringify({ smsConnections: [{ systemName: 'spare', url: 'smpp://regulars:${env:NOT_SET_ANYWHERE}@127.0.0.1:2775' }] }),
    });
    assert.equal(missing.status, 400);
    assert.match(missing.text, /NOT_SET_ANYWHERE is not set/);
  });

  test('the stored credentials still work: the SMS leaves with them, the webhook is signed, a report with the secret is taken', async () => {
    const registered = await call('Offline.RegisterCustomer', { customer: { mobilePhone: PHONE } });
    assert.equal(registered.customer.processingStatus, 'Created');
    for (let i = 0; i < 100 && gateway.requests.length < 2; i++) await new Promise((resolve) => setTimeout(resolve, 100));
    const sms = gateway.requests.find((r) => r.url.startsWith('/send'))!;
    assert.equal(sms.url, `/send?apikey=${GATEWAY_API_KEY}`);
    assert.equal(sms.authorization, `Basic ${Buffer.from(`gateway:${GATEWAY_PASSWORD}`).toString('base64')}`);
    assert.match(sms.body.text, /^Код подтверждения: \d{4}$/);
    assert.ok(gateway.requests.some((r) => r.url === `/hook?token=${WEBHOOK_TOKEN}`), 'the webhook was called at its URL');

    const report = (secret: string) =>
      fetch(`${server.url}/api/sms/default/status`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${secret}` },
        body: JSON.stringify({ messageId: sms.id, status: 'delivered' }),
      });
    assert.equal((await report('guessed-secret-123456')).status, 403);
    assert.equal((await report(STATUS_SECRET)).status, 200);
  });

  test('the code that went out is masked in the SMS log for every role, whichever way it is listed', async () => {
    const code = /(\d{4})$/.exec(gateway.requests.find((r) => r.url.startsWith('/send'))!.body.text)![1];
    for (const who of ['owner', 'viewer'] as const) {
      for (const path of [`/api/admin/messages?phone=${PHONE}`, '/api/admin/messages', '/api/admin/messages?order=failedFirst', '/api/admin/messages?customerId=1']) {
        const answer = await request(sessions[who], 'GET', path);
        assert.equal(answer.status, 200);
        assert.ok(!answer.text.includes(code), `${who}: ${path} shows the code`);
      }
    }
    const [message] = JSON.parse((await request(sessions.viewer, 'GET', `/api/admin/messages?phone=${PHONE}`)).text).items;
    assert.equal(message.text, 'Код подтверждения: ••••');
    const confirmed = await call('Offline.ConfirmMobilePhone', { customer: { mobilePhone: PHONE }, smsConfirmation: { code } });
    assert.equal(confirmed.smsConfirmation.processingStatus, 'MobilePhoneConfirmed', 'the code the guest got works');
  });

  test('neither the server output nor the database holds a credential or the code in clear', async () => {
    const code = /(\d{4})$/.exec(gateway.requests.find((r) => r.url.startsWith('/send'))!.body.text)![1];
    assertNoSecret(server.output(), 'the server output');
    await server.stop();
    const opened = await openApp(loadConfig({ ...env, LOG_LEVEL: 'silent' }));
    try {
      const entities = JSON.stringify(await opened.app.db.selectFrom('project_entities').selectAll().execute());
      for (const secret of [GATEWAY_PASSWORD, GATEWAY_API_KEY, STATUS_SECRET, WEBHOOK_SECRET, WEBHOOK_TOKEN]) assert.ok(!entities.includes(secret), 'a credential is stored in clear');
      const messages = JSON.stringify(await opened.app.db.selectFrom('messages').selectAll().execute());
      assert.ok(!messages.includes(code));
      const [row] = await opened.app.db.selectFrom('messages').select(['outgoing_text_encrypted', 'status']).execute();
      assert.equal(row.outgoing_text_encrypted, null, `the text with the code is gone once ${row.status}`);
      const serverSecrets = JSON.stringify(await opened.app.db.selectFrom('server_secrets').selectAll().execute());
      assert.deepEqual(JSON.parse(serverSecrets).map((s: any) => s.name), ['secret-box-fingerprint'], 'no key in the database');
    } finally {
      await opened.close();
    }
  });
});
