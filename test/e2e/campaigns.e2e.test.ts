// A campaign survives a crash: the real server process sends a campaign through the SMPP server double, is killed
// (SIGKILL) in the middle, and started again on the same database: it sends the rest, and nobody gets it twice.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase, testDatabaseUrl, type TestDatabase } from '../support/db.ts';
import { freshDataDir, startServerProcess, type ServerProcess } from '../support/process.ts';
import { startSmppGateway, type SmppGateway } from '../support/smpp-gateway.ts';

const KEY = 'e2e-campaign-secret-key-0123';
const ADMIN = 'e2e-campaign-admin-token-0123';
const GUESTS = 40;
const phones = Array.from({ length: GUESTS }, (_, index) => `7900557${String(index).padStart(4, '0')}`);

describe('a campaign when the server is killed in the middle of it', () => {
  let database: TestDatabase | null = null;
  let gateway: SmppGateway;
  let server: ServerProcess | undefined;
  let env: Record<string, string>;

  const admin = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${server!.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${ADMIN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as any };
  };

  before(async () => {
    gateway = await startSmppGateway();
    gateway.receipts = false;
    database = testDatabaseUrl ? await createTestDatabase() : null;
    env = {
      ...(database ? database.env : { REGULARS_DATA_DIR: freshDataDir() }),
      REGULARS_SECRET_KEY: KEY,
      REGULARS_ADMIN_TOKEN: ADMIN,
      REGULARS_PHONE_CONFIRMATION: 'false',
      // a Tuesday, 12:00 in Moscow: within the marketing hours
      REGULARS_CLOCK: '2026-12-01T09:00:00Z',
      REGULARS_SMS_URL: `smpp://user:pass@127.0.0.1:${gateway.port}?source=Regulars`,
    };
    server = await startServerProcess(env);
    const applied = await admin('POST', '/api/admin/project/apply', {
      content: JSON.stringify({
        smsConnections: [{ systemName: 'default', ratePerSecond: 10 }],
        segments: [{ systemName: 'Everyone', name: 'Все гости', conditions: [{ type: 'registeredWithinDays', days: 3650 }] }],
      }),
    });
    assert.equal(applied.status, 200, JSON.stringify(applied.body));
  });

  after(async () => {
    await server?.stop('SIGKILL');
    await gateway?.stop();
    await database?.close();
  });

  test('after a restart the rest is sent, and nobody gets it twice', async () => {
    const query = new URLSearchParams({ endpointId: 'iiko', operation: 'Offline.RegisterCustomer' });
    for (const phone of phones) {
      const registered = await fetch(`${server!.url}/v3/operations/sync?${query}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `SecretKey ${KEY}` },
        body: JSON.stringify({ customer: { mobilePhone: phone, firstName: 'Гость', subscriptions: [{ pointOfContact: 'Sms', isSubscribed: true }] } }),
      });
      assert.equal(((await registered.json()) as any).customer.processingStatus, 'Created');
    }
    assert.equal((await admin('POST', '/api/admin/segments/recalculate')).status, 200);
    const created = await admin('POST', '/api/admin/campaigns', { name: 'Новое меню', segments: ['Everyone'], text: '${Recipient.FirstName}, у нас новое меню!' });
    assert.equal(created.body.audience.recipients, GUESTS, JSON.stringify(created.body));
    assert.equal((await admin('POST', `/api/admin/campaigns/${created.body.id}/start`)).status, 200);

    await until(() => gateway.received.length >= 10);
    await server!.stop('SIGKILL');
    const beforeCrash = gateway.received.length;
    assert.ok(beforeCrash < GUESTS, 'the crash came mid-campaign');

    server = await startServerProcess(env);
    const campaign = async () => (await admin('GET', `/api/admin/campaigns/${created.body.id}`)).body;
    // texts the killed process had claimed may have reached the gateway: they are not sent again (they fail once
    // their lease is over), so the campaign waits only for them; the rest goes at 10 a second
    let last = '';
    let stableSince = Date.now();
    await until(async () => {
      const now = JSON.stringify([(await campaign()).counts, gateway.received.length]);
      if (now !== last) [last, stableSince] = [now, Date.now()];
      return gateway.received.length > beforeCrash && Date.now() - stableSince > 1500;
    }, 60_000);

    const { counts } = await campaign();
    const received = gateway.received.map((sms) => sms.to);
    assert.equal(new Set(received).size, received.length, 'nobody got it twice');
    assert.ok(counts.sent >= GUESTS - 8, `${counts.sent} sent: only what was in flight at the crash is in doubt`);
    assert.equal(counts.sent + counts.queued, GUESTS, 'the rest was sent');
    assert.ok(received.length >= counts.sent);
    for (const sms of gateway.received) assert.equal(sms.text, 'Гость, у нас новое меню!');
  });
});

async function until(condition: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
