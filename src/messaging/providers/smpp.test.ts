import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { createSmppProvider, splitSms, type SmppLibrary, type SmppPdu, type SmppSession } from './smpp.ts';
import { createSmsProvider } from './index.ts';
import type { DeliveryReceipt, OutgoingSms, SendOutcome, SmsProvider } from './types.ts';

const smpp = createRequire(import.meta.url)('smpp') as SmppLibrary;

const CONFIRMATION: OutgoingSms = { id: 'msg-1', to: '79001234567', text: 'Код подтверждения: 1234' };

interface Gateway {
  port: number;
  binds: SmppPdu[];
  submits: SmppPdu[];
  enquireLinks: number;
  sessions: SmppSession[];
  /** Answers each submit_sm (null: no answer); by default accepts it with the id `sms-<n>`. */
  answer: (pdu: SmppPdu, index: number) => Record<string, unknown> | null;
  stop(): Promise<void>;
}

async function startGateway(port = 0): Promise<Gateway> {
  const server = smpp.createServer((session) => {
    gateway.sessions.push(session);
    session.on('error', () => {});
    session.on('bind_transceiver', (pdu) => {
      gateway.binds.push(pdu);
      const ok = pdu.system_id === 'regulars' && pdu.password === 'secret';
      session.send(pdu.response(ok ? {} : { command_status: smpp.errors.ESME_RBINDFAIL }));
    });
    session.on('submit_sm', (pdu) => {
      gateway.submits.push(pdu);
      const answer = gateway.answer(pdu, gateway.submits.length);
      if (answer) session.send(pdu.response(answer));
    });
    session.on('enquire_link', (pdu) => {
      gateway.enquireLinks += 1;
      session.send(pdu.response());
    });
    session.on('unbind', (pdu) => {
      session.send(pdu.response());
      session.close();
    });
  });
  const gateway: Gateway = {
    port: 0,
    binds: [],
    submits: [],
    enquireLinks: 0,
    sessions: [],
    answer: (_pdu, index) => ({ message_id: `sms-${index}` }),
    async stop() {
      const closed = new Promise((resolve) => server.close(resolve));
      for (const session of server.sessions) session.destroy();
      await closed;
    },
  };
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  gateway.port = (server.address() as AddressInfo).port;
  return gateway;
}

function providerFor(gateway: Gateway, timeoutMs = 2000): SmsProvider {
  return createSmppProvider(new URL(`smpp://regulars:secret@127.0.0.1:${gateway.port}?source=Regulars`), {
    timeoutMs,
    reconnectDelayMs: 50,
    maxReconnectDelayMs: 200,
  });
}

function messageOf(pdu: SmppPdu): { message: string; udh?: Buffer[] } {
  return pdu.short_message as { message: string; udh?: Buffer[] };
}

function deliveryReceipt(session: SmppSession, text: string): Promise<SmppPdu> {
  return new Promise((resolve) =>
    session.deliver_sm({ source_addr: '79001234567', destination_addr: 'Regulars', esm_class: 0x04, short_message: text }, resolve),
  );
}

function nextReceipt(provider: SmsProvider): () => Promise<DeliveryReceipt> {
  const queue: DeliveryReceipt[] = [];
  const waiting: ((receipt: DeliveryReceipt) => void)[] = [];
  provider.onDeliveryReceipt((receipt) => {
    const wake = waiting.shift();
    if (wake) wake(receipt);
    else queue.push(receipt);
  });
  return () => {
    const queued = queue.shift();
    return queued ? Promise.resolve(queued) : new Promise((resolve) => waiting.push(resolve));
  };
}

test('binds as a 3.4 transceiver and submits Cyrillic text as UCS-2 to an international number', async () => {
  const gateway = await startGateway();
  const logLines: string[] = [];
  const log = (fields: object, message?: string) => logLines.push(JSON.stringify([fields, message]));
  const provider = createSmsProvider(`smpp://regulars:secret@127.0.0.1:${gateway.port}?source=Regulars`, {
    timeoutMs: 2000,
    logger: { info: log, warn: log },
  });
  try {
    assert.equal(provider.kind, 'smpp');
    assert.deepEqual(await provider.send(CONFIRMATION), { kind: 'accepted', providerMessageId: 'sms-1' });
    assert.equal(gateway.binds.length, 1);
    assert.equal(gateway.binds[0].interface_version, 0x34);
    const submit = gateway.submits[0];
    assert.equal(messageOf(submit).message, 'Код подтверждения: 1234');
    assert.equal(submit.data_coding, 8);
    assert.equal(submit.destination_addr, '79001234567');
    assert.deepEqual([submit.dest_addr_ton, submit.dest_addr_npi], [1, 1]);
    assert.deepEqual([submit.source_addr, submit.source_addr_ton], ['Regulars', 5]);
    assert.equal(submit.registered_delivery, 1);
    assert.equal(submit.esm_class, 0);

    await provider.send({ id: 'msg-2', to: '79001234567', text: 'Code: 1234', sender: '79990001122' });
    const latin = gateway.submits[1];
    assert.equal(latin.data_coding, 0);
    assert.equal(messageOf(latin).message, 'Code: 1234');
    assert.deepEqual([latin.source_addr, latin.source_addr_ton, latin.source_addr_npi], ['79990001122', 1, 1]);

    assert.ok(logLines.some((line) => line.includes('msg-1')), 'the message id is logged');
    assert.ok(logLines.every((line) => !line.includes('79001234567') && !line.includes('Код') && !line.includes('Code')), 'no phone, no text');
  } finally {
    await provider.close();
    await gateway.stop();
  }
});

test('delivery receipts reach the listeners and are answered', async () => {
  const gateway = await startGateway();
  const provider = providerFor(gateway);
  const receipt = nextReceipt(provider);
  try {
    await provider.send(CONFIRMATION);
    const session = gateway.sessions[0];
    const answer = await deliveryReceipt(session, 'id:sms-1 sub:001 dlvrd:001 submit date:2501011200 done date:2501011201 stat:DELIVRD err:000 text:');
    assert.equal(answer.command, 'deliver_sm_resp');
    assert.equal(answer.command_status, 0);
    assert.deepEqual(await receipt(), { providerMessageId: 'sms-1', status: 'delivered' });

    await deliveryReceipt(session, 'id:sms-9 sub:001 dlvrd:000 submit date:2501011200 done date:2501011201 stat:ENROUTE err:000 text:');
    await deliveryReceipt(session, 'id:sms-9 sub:001 dlvrd:000 submit date:2501011200 done date:2501011201 stat:UNDELIV err:012 text:');
    assert.deepEqual(await receipt(), { providerMessageId: 'sms-9', status: 'failed', error: 'UNDELIV err:012' });
  } finally {
    await provider.close();
    await gateway.stop();
  }
});

test("a guest's reply (a deliver_sm that is no receipt) reaches the incoming listeners, in GSM or UCS-2, and is answered", async () => {
  const gateway = await startGateway();
  const provider = providerFor(gateway);
  const replies: { from: string; text: string }[] = [];
  const receipts: DeliveryReceipt[] = [];
  provider.onIncomingSms((sms) => replies.push(sms));
  provider.onDeliveryReceipt((receipt) => receipts.push(receipt));
  try {
    await provider.send(CONFIRMATION);
    const session = gateway.sessions[0];
    const reply = (fields: Record<string, unknown>) =>
      new Promise<SmppPdu>((resolve) => session.deliver_sm({ destination_addr: 'Regulars', esm_class: 0, ...fields }, resolve));
    const answer = await reply({ source_addr: '79001234567', short_message: ' Stop ' });
    assert.equal(answer.command_status, 0);
    await reply({ source_addr: '+79007654321', data_coding: 8, short_message: { message: 'стоп' } });
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.deepEqual(replies, [
      { from: '79001234567', text: ' Stop ' },
      { from: '79007654321', text: 'стоп' },
    ]);
    assert.deepEqual(receipts, [], 'a reply is not a delivery receipt');
  } finally {
    await provider.close();
    await gateway.stop();
  }
});

test('a long text arrives in concatenated parts and reads back whole; its receipts count as one', async () => {
  const gateway = await startGateway();
  const provider = providerFor(gateway);
  const receipt = nextReceipt(provider);
  const text = 'Здравствуйте, Анна! На вашем счёте 1 250 баллов. Ими можно оплатить до половины счёта в любом ресторане сети. Спасибо, что вы с нами!';
  try {
    assert.equal(text.length, 133);
    assert.deepEqual(await provider.send({ id: 'long', to: '79001234567', text }), { kind: 'accepted', providerMessageId: 'sms-1' });
    assert.equal(gateway.submits.length, 2);
    const parts = gateway.submits.map((pdu) => {
      const { udh, message } = messageOf(pdu);
      assert.ok(((pdu.esm_class as number) & 0x40) !== 0, 'the UDH indicator is set');
      assert.equal(pdu.data_coding, 8);
      assert.ok(udh && udh[0][0] === 0x00 && udh[0][1] === 0x03, 'an 8-bit concatenation header');
      return { reference: udh[0][2], total: udh[0][3], index: udh[0][4], message };
    });
    assert.deepEqual(parts.map(({ total, index }) => [total, index]), [[2, 1], [2, 2]]);
    assert.equal(parts[0].reference, parts[1].reference);
    assert.equal(parts[0].message.length, 67);
    assert.equal(parts.map((part) => part.message).join(''), text);

    const session = gateway.sessions[0];
    await deliveryReceipt(session, 'id:sms-2 sub:001 dlvrd:001 submit date:2501011200 done date:2501011201 stat:DELIVRD err:000 text:');
    await deliveryReceipt(session, 'id:sms-1 sub:001 dlvrd:001 submit date:2501011200 done date:2501011201 stat:DELIVRD err:000 text:');
    assert.deepEqual(await receipt(), { providerMessageId: 'sms-1', status: 'delivered' });
  } finally {
    await provider.close();
    await gateway.stop();
  }
});

test('a throttled or full gateway gives retry with a pause; other refusals fail for good', async () => {
  const gateway = await startGateway();
  const provider = providerFor(gateway);
  try {
    gateway.answer = () => ({ command_status: smpp.errors.ESME_RTHROTTLED });
    assert.deepEqual(await provider.send(CONFIRMATION), {
      kind: 'retry',
      error: 'SMPP submit_sm refused: ESME_RTHROTTLED (0x00000058)',
      retryAfterMs: 1000,
    });
    gateway.answer = () => ({ command_status: smpp.errors.ESME_RMSGQFUL });
    const full = await provider.send(CONFIRMATION);
    assert.equal(full.kind === 'retry' && full.retryAfterMs, 5000);
    gateway.answer = () => ({ command_status: smpp.errors.ESME_RINVDSTADR });
    assert.deepEqual(await provider.send(CONFIRMATION), { kind: 'failed', error: 'SMPP submit_sm refused: ESME_RINVDSTADR (0x0000000b)' });
  } finally {
    await provider.close();
    await gateway.stop();
  }
});

test('a later part refused as throttled is sent again in place, so the first part is not repeated', async () => {
  const gateway = await startGateway();
  const provider = providerFor(gateway);
  try {
    gateway.answer = (_pdu, index) => (index === 2 ? { command_status: smpp.errors.ESME_RTHROTTLED } : { message_id: `sms-${index}` });
    const outcome = await provider.send({ id: 'long', to: '79001234567', text: 'я'.repeat(100) });
    assert.deepEqual(outcome, { kind: 'accepted', providerMessageId: 'sms-1' });
    assert.deepEqual(
      gateway.submits.map((pdu) => messageOf(pdu).udh?.[0][4]),
      [1, 2, 2],
    );
  } finally {
    await provider.close();
    await gateway.stop();
  }
});

test('a gateway that takes a submit_sm and never answers gives retry after the timeout, saying it may have the text', async () => {
  const gateway = await startGateway();
  const provider = providerFor(gateway, 300);
  try {
    gateway.answer = () => null;
    const started = Date.now();
    assert.deepEqual(await provider.send(CONFIRMATION), { kind: 'retry', error: 'no submit_sm_resp within 300 ms', maybeSent: true });
    assert.ok(Date.now() - started < 1000);
  } finally {
    await provider.close();
    await gateway.stop();
  }
});

test('when the gateway goes away, sends answer retry at once; once it is back, the provider rebinds and sends', async () => {
  const gateway = await startGateway();
  const provider = providerFor(gateway);
  try {
    assert.equal((await provider.send(CONFIRMATION)).kind, 'accepted');
    await gateway.stop();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = Date.now();
    const whileDown = await provider.send(CONFIRMATION);
    assert.equal(whileDown.kind, 'retry');
    assert.ok(Date.now() - started < 1000, 'a send does not wait for the gateway to come back');

    const restarted = await startGateway(gateway.port);
    try {
      let outcome: SendOutcome = whileDown;
      for (let attempt = 0; attempt < 50 && outcome.kind !== 'accepted'; attempt += 1) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        outcome = await provider.send(CONFIRMATION);
      }
      assert.deepEqual(outcome, { kind: 'accepted', providerMessageId: 'sms-1' });
      assert.equal(restarted.binds.length, 1);
    } finally {
      await provider.close();
      await restarted.stop();
    }
  } finally {
    await provider.close();
  }
});

test('a gateway that is not there gives retry within the timeout, and a refused bind is reported', async () => {
  const gateway = await startGateway();
  const port = gateway.port;
  await gateway.stop();
  const absent = createSmppProvider(new URL(`smpp://regulars:secret@127.0.0.1:${port}`), { timeoutMs: 300, reconnectDelayMs: 50 });
  try {
    const started = Date.now();
    const outcome = await absent.send(CONFIRMATION);
    assert.equal(outcome.kind, 'retry');
    assert.match(outcome.kind === 'retry' ? outcome.error : '', /ECONNREFUSED/);
    assert.ok(Date.now() - started < 1000);
  } finally {
    await absent.close();
  }

  const strict = await startGateway();
  const wrongPassword = createSmppProvider(new URL(`smpp://regulars:wrong@127.0.0.1:${strict.port}`), { timeoutMs: 1000, reconnectDelayMs: 1000 });
  try {
    const outcome = await wrongPassword.send(CONFIRMATION);
    assert.equal(outcome.kind, 'retry');
    assert.match(outcome.kind === 'retry' ? outcome.error : '', /bind refused: ESME_RBINDFAIL/);
  } finally {
    await wrongPassword.close();
    await strict.stop();
  }
});

test('the bound session is kept alive with enquire_link', async () => {
  const gateway = await startGateway();
  const provider = createSmppProvider(new URL(`smpp://regulars:secret@127.0.0.1:${gateway.port}`), { enquireLinkIntervalMs: 30 });
  try {
    await provider.send(CONFIRMATION);
    await new Promise((resolve) => setTimeout(resolve, 150));
    assert.ok(gateway.enquireLinks >= 2, `${gateway.enquireLinks} enquire_link`);
  } finally {
    await provider.close();
    await gateway.stop();
  }
});

test('splitting: GSM texts take 160 septets or 153 per part, UCS-2 texts 70 or 67 characters per part', () => {
  const partLengths = (text: string) => splitSms(text, 1).payloads.map((payload) => payload.length);
  assert.deepEqual(partLengths('a'.repeat(160)), [160]);
  assert.deepEqual(partLengths('a'.repeat(161)), [6 + 153, 6 + 8]);
  assert.deepEqual(partLengths('€'.repeat(80)), [160], 'an extension character takes two septets');
  assert.deepEqual(partLengths('€'.repeat(81)), [6 + 152, 6 + 10], 'an escape sequence is never cut');
  assert.deepEqual(partLengths('я'.repeat(70)), [140]);
  assert.deepEqual(partLengths('я'.repeat(71)), [6 + 134, 6 + 8]);
  assert.deepEqual(partLengths('я'.repeat(66) + '😀' + 'я'.repeat(5)), [6 + 132, 6 + 14], 'a surrogate pair is never cut');
  assert.equal(splitSms('Hello', 1).dataCoding, 0);
  assert.equal(splitSms('Привет', 1).dataCoding, 8);
  const [first] = splitSms('я'.repeat(71), 200).payloads;
  assert.deepEqual([...first.subarray(0, 6)], [0x05, 0x00, 0x03, 200, 2, 1]);
});
