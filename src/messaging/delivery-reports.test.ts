import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTestApp, type TestApp } from '../../test/support/app.ts';
import { applyProject } from '../project/project.service.ts';
import { isAppError } from '../shared/errors.ts';
import { closeSmsProviders } from './sms-connections.ts';

const PHONE = '79001234567';
const SECRET = 'gateway-report-secret-0123';

/** A gateway that accepts every SMS and answers its own id in `{"result": [{"sms_id": N}]}`. */
async function startGateway(): Promise<{ url: string; server: Server }> {
  let id = 500;
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ result: [{ sms_id: ++id }] })));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/send`, server };
}

describe('delivery reports of an HTTP SMS gateway', () => {
  let t: TestApp;
  let gateway: Awaited<ReturnType<typeof startGateway>>;

  const report = (body: unknown, options: { connection?: string; authorization?: string | null; contentType?: string } = {}) =>
    t.server.inject({
      method: 'POST',
      url: `/api/sms/${options.connection ?? 'default'}/status`,
      headers: {
        'content-type': options.contentType ?? 'application/json',
        ...(options.authorization === null ? {} : { authorization: options.authorization ?? `Bearer ${SECRET}` }),
      },
      payload: typeof body === 'string' ? body : JSON.stringify(body),
    });
  const messages = async (phone = PHONE) => (await t.admin('GET', `/api/admin/messages?phone=${phone}`)).body.items as any[];
  /** registers a guest (a confirmation SMS), sends the SMS, and gives its stored row */
  const sentMessage = async (phone: string) => {
    await t.call('Offline.RegisterCustomer', { customer: { mobilePhone: phone } });
    await t.drain();
    const [newest] = await messages(phone);
    assert.equal(newest.status, 'sent', JSON.stringify(newest));
    return newest;
  };

  before(async () => {
    gateway = await startGateway();
    t = await createTestApp({ env: { REGULARS_SMS_URL: 'outbox:' } });
    await applyProject(t.app.db, {
      smsConnections: [
        { systemName: 'default', url: gateway.url, messageIdPath: 'result.0.sms_id', statusSecret: SECRET },
        { systemName: 'plain', url: gateway.url },
        { systemName: 'stored', url: 'outbox:', statusSecret: SECRET },
      ],
    }, { secrets: t.app.project.secrets });
    await t.app.project.reload();
    await t.call('Offline.RegisterCustomer', { customer: { mobilePhone: PHONE } });
    await t.drain();
  });

  after(async () => {
    await closeSmsProviders();
    await t?.close();
    gateway?.server.closeAllConnections();
    await new Promise((resolve) => gateway?.server.close(resolve));
  });

  test("the gateway's id is stored from its answer, and a 'delivered' report marks the message delivered", async () => {
    const [registered] = await messages();
    assert.equal(registered.status, 'sent');
    assert.equal(registered.providerMessageId, '501');
    const answer = await report({ messageId: 501, status: 'delivered' });
    assert.equal(answer.statusCode, 200, answer.body);
    assert.deepEqual(answer.json(), { messageId: registered.id, status: 'delivered', changed: true });
    const [delivered] = await messages();
    assert.equal(delivered.status, 'delivered');
    assert.ok(delivered.deliveredAt);
  });

  test('a repeated report changes nothing and is answered 200, so the gateway stops retrying', async () => {
    const [message] = await messages();
    const again = await report({ messageId: message.providerMessageId, status: 'delivered' });
    assert.deepEqual(again.json(), { messageId: message.id, status: 'delivered', changed: false });
    const contrary = await report({ messageId: message.providerMessageId, status: 'failed', error: 'EXPIRED' });
    assert.deepEqual(contrary.json(), { messageId: message.id, status: 'delivered', changed: false });
    assert.equal((await messages())[0].status, 'delivered');
  });

  test("a 'failed' report keeps its reason; a late 'delivered' after it does not overwrite it", async () => {
    const message = await sentMessage('79001234568');
    const failed = await report(`messageId=${message.providerMessageId}&status=FAILED&error=UNDELIV+absent+subscriber`, {
      contentType: 'application/x-www-form-urlencoded',
    });
    assert.deepEqual(failed.json(), { messageId: message.id, status: 'failed', changed: true });
    const late = await report({ messageId: message.providerMessageId, status: 'delivered' });
    assert.deepEqual(late.json(), { messageId: message.id, status: 'failed', changed: false });
    const [stored] = await messages('79001234568');
    assert.equal(stored.status, 'failed');
    assert.equal(stored.lastError, 'delivery failed: UNDELIV absent subscriber');
    assert.equal(stored.deliveredAt, null);
  });

  test('an unknown message id answers 404 with the id and the connection, after a moment for a report that came early', async () => {
    const started = Date.now();
    const answer = await report({ messageId: 'nope-1', status: 'delivered' });
    assert.equal(answer.statusCode, 404);
    assert.deepEqual(answer.json(), { error: 'no message with gateway message id "nope-1" on SMS connection "default"' });
    assert.ok(Date.now() - started >= 900);
  });

  test("a report for another connection's message id does not touch it", async () => {
    const message = await sentMessage('79001234569');
    await applyProject(t.app.db, { smsConnections: [{ systemName: 'plain', url: gateway.url, statusSecret: SECRET }] }, { secrets: t.app.project.secrets });
    await t.app.project.reload();
    const answer = await report({ messageId: message.providerMessageId, status: 'delivered' }, { connection: 'plain' });
    assert.equal(answer.statusCode, 404);
    assert.equal((await messages('79001234569'))[0].status, 'sent');
    await applyProject(t.app.db, { smsConnections: [{ systemName: 'plain', url: gateway.url }] }, { secrets: t.app.project.secrets });
    await t.app.project.reload();
  });

  test('bad input answers 400 naming the field', async () => {
    const cases: [unknown, string, RegExp][] = [
      [{ status: 'delivered' }, 'messageId', /messageId is required/],
      [{ messageId: '', status: 'delivered' }, 'messageId', /messageId must not be empty/],
      [{ messageId: { id: 1 }, status: 'delivered' }, 'messageId', /messageId must be a text or a number/],
      [{ messageId: '501' }, 'status', /status is required: delivered or failed/],
      [{ messageId: '501', status: 'read' }, 'status', /status must be delivered or failed/],
      [{ messageId: '501', status: 'failed', error: ['x'] }, 'error', /error must be a text/],
      ['not json', 'body', /body is not JSON/],
      ['[1]', 'body', /body must be a JSON object/],
      ['', 'body', /body is empty/],
    ];
    for (const [body, field, message] of cases) {
      const answer = await report(body);
      assert.equal(answer.statusCode, 400, JSON.stringify(body));
      assert.equal(answer.json().field, field, JSON.stringify(body));
      assert.match(answer.json().error, message);
    }
  });

  test('the secret is required and checked; Basic with the secret as the password works for gateways that only take a URL', async () => {
    const missing = await report({ messageId: '501', status: 'delivered' }, { authorization: null });
    assert.equal(missing.statusCode, 401);
    assert.equal(missing.headers['www-authenticate'], 'Bearer');
    const wrong = await report({ messageId: '501', status: 'delivered' }, { authorization: 'Bearer not-the-secret' });
    assert.equal(wrong.statusCode, 403);
    assert.deepEqual(wrong.json(), { error: 'wrong secret for SMS connection "default"' });
    const basic = await report({ messageId: '501', status: 'delivered' }, { authorization: `Basic ${Buffer.from(`gateway:${SECRET}`).toString('base64')}` });
    assert.equal(basic.statusCode, 200);
  });

  test('connections that take no reports, and unknown connections, answer 404 saying why', async () => {
    const plain = await report({ messageId: '501', status: 'delivered' }, { connection: 'plain' });
    assert.equal(plain.statusCode, 404);
    assert.match(plain.json().error, /SMS connection "plain" takes no delivery reports: that needs an http\(s\) gateway and a statusSecret/);
    assert.equal((await report({ messageId: '501', status: 'delivered' }, { connection: 'stored' })).statusCode, 404);
    const unknown = await report({ messageId: '501', status: 'delivered' }, { connection: 'nowhere' });
    assert.deepEqual(unknown.json(), { error: 'no SMS connection "nowhere"' });
  });

  test('the project refuses the old statusSecretHash, a short secret and a malformed messageIdPath', async () => {
    await assert.rejects(
      applyProject(
        t.app.db,
        { smsConnections: [{ systemName: 'bad', url: gateway.url, statusSecretHash: 'a'.repeat(64), messageIdPath: 'result..id' }, { systemName: 'short', url: gateway.url, statusSecret: 'short' }] },
        { secrets: t.app.project.secrets },
      ),
      (error: unknown) => {
        assert.ok(isAppError(error) && error.code === 'validation', String(error));
        const problems = error.validationMessages;
        const paths = problems.map((problem) => problem.location);
        assert.ok(paths.includes('/smsConnections/0/statusSecretHash'), JSON.stringify(problems));
        assert.ok(paths.includes('/smsConnections/0/messageIdPath'), JSON.stringify(problems));
        assert.ok(paths.includes('/smsConnections/1/statusSecret'), JSON.stringify(problems));
        assert.match(problems.find((problem) => problem.location === '/smsConnections/0/statusSecretHash')!.message, /no longer accepted.*statusSecret/);
        return true;
      },
    );
  });
});
