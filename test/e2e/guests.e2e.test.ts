// Guests end to end: the real server process sends its SMS to a real SMPP server on loopback, the way a
// POS and a guest's phone meet it: registration and confirmation, an authorization code at the till,
// and an SMS centre that goes down while a code is on its way.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../src/config.ts';
import { openApp } from '../../src/main.ts';
import { applyProject } from '../../src/project/project.service.ts';
import { createTestDatabase, testDatabaseUrl, type TestDatabase } from '../support/db.ts';
import { freshDataDir, startServerProcess, type ServerProcess } from '../support/process.ts';
import { startSmppGateway, type SmppGateway } from '../support/smpp-gateway.ts';

const KEY = 'e2e-guests-secret-key-0123';
const ADMIN = 'e2e-guests-admin-token-0123';
const PHONE = '79161234567';

describe('guests with a real SMPP server', () => {
  let database: TestDatabase | null = null;
  let gateway: SmppGateway;
  let server: ServerProcess;

  const call = async (operation: string, body: unknown) => {
    const query = new URLSearchParams({ endpointId: 'iiko', operation });
    const response = await fetch(`${server.url}/v3/operations/sync?${query}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `SecretKey ${KEY}` },
      body: JSON.stringify(body),
    });
    return (await response.json()) as any;
  };
  const messages = async () => {
    const response = await fetch(`${server.url}/api/admin/messages?phone=${PHONE}`, { headers: { authorization: `Bearer ${ADMIN}` } });
    return ((await response.json()) as any).items as any[];
  };
  const codeIn = (text: string, prefix: string) => {
    const match = new RegExp(`^${prefix}: (\\d{4})$`).exec(text);
    assert.ok(match, text);
    return match[1];
  };
  const codes: string[] = [];

  before(async () => {
    gateway = await startSmppGateway();
    database = testDatabaseUrl ? await createTestDatabase() : null;
    const env: Record<string, string> = {
      ...(database ? database.env : { REGULARS_DATA_DIR: freshDataDir() }),
      REGULARS_SECRET_KEY: KEY,
      REGULARS_ADMIN_TOKEN: ADMIN,
      REGULARS_SMS_URL: `smpp://user:pass@127.0.0.1:${gateway.port}?source=Regulars`,
    };
    // one guest gets several codes here in a few seconds: no minimum interval between them
    const opened = await openApp(loadConfig({ ...env, LOG_LEVEL: 'silent' }));
    try {
      await applyProject(opened.app.db, { settings: { codeMinIntervalSeconds: 0, codesPerPhonePerHour: 5, codeMaxAttempts: 5 } });
    } finally {
      await opened.close();
    }
    server = await startServerProcess(env);
  });

  after(async () => {
    await server?.stop();
    await gateway?.stop();
    await database?.close();
  });

  test('registration sends the confirmation code over SMPP; confirming it makes the phone confirmed', async () => {
    const registered = await call('Offline.RegisterCustomer', { customer: { mobilePhone: '+7 (916) 123-45-67', firstName: 'Анна' } });
    assert.equal(registered.customer.processingStatus, 'Created');
    const sms = await gateway.nextSms();
    assert.equal(sms.to, PHONE);
    const code = codeIn(sms.text, 'Код подтверждения');
    codes.push(code);
    const confirmed = await call('Offline.ConfirmMobilePhone', { customer: { mobilePhone: PHONE }, smsConfirmation: { code } });
    assert.equal(confirmed.smsConfirmation.processingStatus, 'MobilePhoneConfirmed');
    const found = await call('Offline.CheckCustomer', { customer: { mobilePhone: PHONE } });
    assert.equal(found.customer.isMobilePhoneConfirmed, true);
    assert.equal(found.customer.firstName, 'Анна');
    assert.deepEqual(found.balances.map((balance: any) => balance.systemName), ['Bonus']);
  });

  test('an authorization code arrives by SMS; a wrong one is refused, the right one accepted once', async () => {
    const requested = await call('Offline.SendMobilePhoneAuthorizationCode', { customer: { mobilePhone: PHONE } });
    assert.equal(requested.customer.processingStatus, 'Found');
    const code = codeIn((await gateway.nextSms()).text, 'Код авторизации');
    codes.push(code);
    const check = (typed: string) => call('Offline.CheckMobilePhoneAuthorizationCode', { customer: { mobilePhone: PHONE }, authentificationCode: typed });
    const wrong = await check(code === '9999' ? '8888' : '9999');
    assert.deepEqual(wrong, { status: 'ValidationError', validationMessages: [{ location: '/authentificationCode', message: 'wrong code; 4 attempt(s) left' }] });
    assert.equal((await check(code)).status, 'Success');
    const reused = await check(code);
    assert.equal(reused.status, 'ValidationError');
    assert.match(reused.validationMessages[0].message, /used already/);
  });

  test('a code sent while the SMS centre is down is delivered once it is back', async () => {
    await gateway.stop();
    const requested = await call('Offline.SendMobilePhoneAuthorizationCode', { customer: { mobilePhone: PHONE } });
    assert.equal(requested.customer.processingStatus, 'Found');
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const [waiting] = await messages();
    assert.equal(waiting.status, 'queued');
    assert.match(waiting.lastError, /not connected/);
    await gateway.start();
    const sms = await gateway.nextSms(30_000);
    const code = codeIn(sms.text, 'Код авторизации');
    codes.push(code);
    assert.equal((await call('Offline.CheckMobilePhoneAuthorizationCode', { customer: { mobilePhone: PHONE }, authentificationCode: code })).status, 'Success');
    let newest: any;
    for (let i = 0; i < 50; i++) {
      [newest] = await messages();
      if (newest.status === 'delivered') break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.equal(newest.status, 'delivered');
    assert.equal(gateway.received.length, 3, 'every SMS went out exactly once');
  });

  test('no code can be read back from the SMS log, whoever asks', async () => {
    const texts = (await messages()).map((message) => message.text as string);
    assert.equal(texts.length, 3);
    for (const text of texts) assert.match(text, /^Код (подтверждения|авторизации): ••••$/);
  });

  test('neither phones nor codes reach the server log', () => {
    const output = server.output();
    assert.ok(!output.includes(PHONE.slice(1)), 'no phone in the log');
    for (const code of codes) assert.ok(!new RegExp(`\\b${code}\\b`).test(output), 'no code in the log');
  });
});
