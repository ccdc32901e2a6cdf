import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp, type TestApp } from '../../test/support/app.ts';
import { smppErrors, startSmppGateway, type SmppGateway } from '../../test/support/smpp-gateway.ts';
import { closeSmsProviders } from './sms-connections.ts';

const PHONE = '79001234567';

async function messages(t: TestApp): Promise<any[]> {
  return (await t.admin('GET', `/api/admin/messages?phone=${PHONE}`)).body.items;
}

/** Runs due work until the newest message reaches one of the statuses (retries are due in real time). */
async function until(t: TestApp, statuses: string[], timeoutMs = 15_000): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await t.drain();
    const [newest] = await messages(t);
    if (newest && statuses.includes(newest.status)) return newest;
    if (Date.now() > deadline) throw new Error(`message still ${newest?.status}: ${JSON.stringify(newest)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function withGateway(work: (t: TestApp, gateway: SmppGateway) => Promise<void>): Promise<void> {
  const gateway = await startSmppGateway();
  const t = await createTestApp({ env: { REGULARS_SMS_URL: `smpp://user:pass@127.0.0.1:${gateway.port}?source=Regulars` } });
  try {
    await work(t, gateway);
  } finally {
    await closeSmsProviders();
    await t.close();
    await gateway.stop();
  }
}

test('an SMS goes out over SMPP once, and its delivery receipt marks it delivered', async () => {
  await withGateway(async (t, gateway) => {
    await t.call('Offline.RegisterCustomer', { customer: { mobilePhone: PHONE } });
    const delivered = await until(t, ['delivered']);
    assert.equal(gateway.received.length, 1);
    assert.equal(gateway.received[0].to, PHONE);
    assert.match(gateway.received[0].text, /^Код подтверждения: \d{4}$/, 'the guest gets the code');
    assert.equal(delivered.text, 'Код подтверждения: ••••', 'the SMS log never shows it');
    const [row] = await t.app.db.selectFrom('messages').select('outgoing_text_encrypted').execute();
    assert.equal(row.outgoing_text_encrypted, null, 'the text with the code is not kept once sent');
    assert.equal(delivered.providerMessageId, gateway.received[0].messageId);
    assert.equal(delivered.attempts, 1);
    await t.drain();
    assert.equal(gateway.received.length, 1, 'nothing is sent twice');
  });
});

test('a gateway that is down loses nothing: the message waits, is retried and goes out when it is back', async () => {
  await withGateway(async (t, gateway) => {
    await gateway.stop();
    await t.call('Offline.RegisterCustomer', { customer: { mobilePhone: PHONE } });
    await t.drain();
    const waiting = (await messages(t))[0];
    assert.equal(waiting.status, 'queued');
    assert.match(waiting.lastError, /not connected/);
    await gateway.start();
    const sent = await until(t, ['sent', 'delivered']);
    assert.ok(sent.attempts >= 2);
    assert.equal(gateway.received.length, 1);
    assert.match(gateway.received[0].text, /^Код подтверждения: \d{4}$/);
    assert.equal(sent.text, 'Код подтверждения: ••••');
  });
});

test('a refused number fails for good; a message past its use is not sent', async () => {
  await withGateway(async (t, gateway) => {
    gateway.refuseWith = smppErrors.ESME_RINVDSTADR;
    await t.call('Offline.RegisterCustomer', { customer: { mobilePhone: PHONE } });
    const failed = await until(t, ['failed']);
    assert.match(failed.lastError, /ESME_RINVDSTADR/);

    gateway.refuseWith = 0;
    t.clock.advance(31_000);
    await t.call('Offline.ResendMobilePhoneConfirmationCode', { customer: { mobilePhone: PHONE } });
    t.clock.advance(2 * 86400_000);
    const late = await until(t, ['failed']);
    assert.match(late.lastError, /no longer useful/);
    assert.equal(gateway.received.length, 0);
  });
});

test('a message left "sending" by a worker that died is sent again after its lease, and only then', async () => {
  await withGateway(async (t, gateway) => {
    gateway.receipts = false;
    await gateway.stop();
    await t.call('Offline.RegisterCustomer', { customer: { mobilePhone: PHONE } });
    await t.drain();
    const [message] = await messages(t);
    await gateway.start();
    // then a worker took it and died before it could tell whether the gateway got it
    await t.app.db
      .updateTable('messages')
      .set({ status: 'sending', attempts: 1, sending_until: new Date(t.clock.now.getTime() + 60_000) })
      .where('id', '=', message.id)
      .execute();
    await t.drain();
    assert.equal(gateway.received.length, 0, 'not while another worker may still be sending it');
    t.clock.advance(61_000);
    await t.app.db.updateTable('outbox').set({ available_at: new Date(0) }).where('status', '=', 'pending').execute();
    await until(t, ['sent']);
    assert.equal(gateway.received.length, 1);
    assert.match(gateway.received[0].text, /^Код подтверждения: \d{4}$/);
  });
});
