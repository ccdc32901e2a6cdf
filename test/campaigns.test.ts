// SMS campaigns against the real SMPP server double: who of a segment gets a campaign and why the others do not,
// personalised texts, replies of STOP (over SMPP and over the HTTP route), quiet hours and the frequency cap on a
// fixed clock, and stopping a campaign.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { drainMarketing, marketingLoop } from '../src/campaigns/campaigns.jobs.ts';
import { closeSmsProviders } from '../src/messaging/sms-connections.ts';
import { applyProject } from '../src/project/project.service.ts';
import { recalculateAllSegments } from '../src/segments/segments.service.ts';
import { createTestApp, type TestApp } from './support/app.ts';
import { startSmppGateway, type SmppGateway } from './support/smpp-gateway.ts';

const GATEWAY_SECRET = 'incoming-secret-0123456789';

interface Guest {
  phone?: string;
  card?: string;
  firstName: string;
  /** undefined: never answered */
  sms?: boolean;
}

const GUESTS: Guest[] = [
  { phone: '79005550001', firstName: 'Анна', sms: true },
  { phone: '79005550002', firstName: 'Boris', sms: true },
  { phone: '79005550003', firstName: 'Вера', sms: true },
  { phone: '79005550004', firstName: 'Глеб' },
  { phone: '79005550005', firstName: 'Дина', sms: false },
  { card: '4000123', firstName: 'Ефим', sms: true },
];

async function register(t: TestApp, guest: Guest): Promise<number> {
  const answer = await t.call('Offline.RegisterCustomer', {
    customer: {
      ...(guest.phone ? { mobilePhone: guest.phone } : {}),
      ...(guest.card ? { discountCard: { ids: { number: guest.card } } } : {}),
      firstName: guest.firstName,
      ...(guest.sms === undefined ? {} : { subscriptions: [{ pointOfContact: 'Sms', isSubscribed: guest.sms }] }),
    },
  });
  assert.equal(answer.body.status, 'Success', JSON.stringify(answer.body));
  return answer.body.customer.ids.mindboxId;
}

const CAMPAIGN = {
  name: 'Новое меню',
  segments: ['Everyone'],
  text: '${Recipient.FirstName}, у нас новое меню! Ваш уровень: ${ReplaceIfEmpty(Recipient.CustomFields.Rank, "гость")}',
};

async function createAndStart(t: TestApp, body: Record<string, unknown> = CAMPAIGN): Promise<number> {
  const created = await t.admin('POST', '/api/admin/campaigns', body);
  assert.equal(created.httpStatus, 200, JSON.stringify(created.body));
  const started = await t.admin('POST', `/api/admin/campaigns/${created.body.id}/start`);
  assert.equal(started.httpStatus, 200, JSON.stringify(started.body));
  return created.body.id;
}

const progress = async (t: TestApp, id: number) => (await t.admin('GET', `/api/admin/campaigns/${id}`)).body;

describe('campaigns through an SMPP gateway', () => {
  let t: TestApp;
  let gateway: SmppGateway;
  const ids = new Map<string, number>();

  before(async () => {
    gateway = await startSmppGateway();
    gateway.receipts = true;
    // a Tuesday, 12:00 in Moscow
    t = await createTestApp({
      now: '2026-12-01T09:00:00Z',
      phoneConfirmation: false,
      env: { REGULARS_SMS_URL: `smpp://user:pass@127.0.0.1:${gateway.port}?source=Regulars` },
    });
    await applyProject(
      t.app.db,
      {
        smsConnections: [
          { systemName: 'default', ratePerSecond: 500, pricePerPart: 2.5 },
          // an HTTP gateway that only posts the guests' replies here
          { systemName: 'web', url: 'http://127.0.0.1:9/send', statusSecret: GATEWAY_SECRET },
        ],
        segments: [{ systemName: 'Everyone', name: 'Все гости', conditions: [{ type: 'registeredWithinDays', days: 3650 }] }],
      },
      { secrets: t.app.project.secrets },
    );
    await t.app.project.reload();
    for (const guest of GUESTS) ids.set(guest.firstName, await register(t, guest));
    await t.app.db.updateTable('customers').set({ custom_fields: JSON.stringify({ Rank: 'Gold' }) }).where('id', '=', ids.get('Анна')!).execute();
    await recalculateAllSegments(t.app.db, t.app.project.current, t.clock.now, 'manual');
  });
  after(async () => {
    await closeSmsProviders();
    await t?.close();
    await gateway?.stop();
  });

  test('the estimate splits the audience by why a guest would not get it, counts the parts and the cost', async () => {
    const estimate = await t.admin('POST', '/api/admin/campaigns/estimate', CAMPAIGN);
    assert.equal(estimate.httpStatus, 200, JSON.stringify(estimate.body));
    assert.deepEqual(estimate.body.audience, { total: 6, recipients: 3, skipped: { noConsent: 2, invalidPhone: 1, frequencyCap: 0 } });
    assert.equal(estimate.body.sms.encoding, 'UCS-2');
    assert.deepEqual([estimate.body.sms.minParts, estimate.body.sms.maxParts, estimate.body.sms.sampled], [1, 1, 3]);
    assert.deepEqual(estimate.body.cost, { pricePerPart: 2.5, estimate: 7.5 });

    const refused = await t.admin('POST', '/api/admin/campaigns/estimate', { ...CAMPAIGN, segments: ['Nobody'], text: 'Код ${Recipient.AuthentificationCode}' });
    assert.equal(refused.httpStatus, 400);
    assert.deepEqual(
      refused.body.issues.map((issue: { path: string }) => issue.path),
      ['/segments/0', '/text'],
    );
    const typo = await t.admin('POST', '/api/admin/campaigns/estimate', { ...CAMPAIGN, text: 'Привет, ${Recipient.FirsName}' });
    assert.match(typo.body.issues[0].message, /FirsName/);
  });

  test('only the guests who agreed get it, each once, personalised; the others are skipped with the reason', async () => {
    const id = await createAndStart(t);
    await drainMarketing(t.app);
    const received = gateway.received.splice(0);
    assert.deepEqual(received.map((sms) => sms.to).sort(), ['79005550001', '79005550002', '79005550003']);
    assert.equal(received.find((sms) => sms.to === '79005550001')?.text, 'Анна, у нас новое меню! Ваш уровень: Gold');
    assert.equal(received.find((sms) => sms.to === '79005550002')?.text, 'Boris, у нас новое меню! Ваш уровень: гость');
    await new Promise((resolve) => setTimeout(resolve, 200));
    const campaign = await progress(t, id);
    assert.equal(campaign.status, 'finished');
    assert.deepEqual(campaign.counts, { queued: 0, sent: 0, delivered: 3, failed: 0, skipped: 3 });
    assert.deepEqual(campaign.skippedBy, { noConsent: 2, invalidPhone: 1, frequencyCap: 0, emptyText: 0, stopped: 0 });
    // run again: nobody gets it twice
    await drainMarketing(t.app);
    assert.equal(gateway.received.length, 0);
  });

  test('a reply of STOP over SMPP, or posted by an HTTP gateway, unsubscribes the guest with its source; the next campaign skips them', async () => {
    await gateway.reply('79005550003', ' стоп ');
    const posted = async (body: unknown, secret = GATEWAY_SECRET) =>
      t.server.inject({ method: 'POST', url: '/api/sms/web/incoming', headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' }, payload: JSON.stringify(body) });
    const stop = await posted({ from: '+7 900 555-00-02', text: 'Stop' });
    assert.equal(stop.statusCode, 200);
    assert.deepEqual(stop.json(), { action: 'optOut', unsubscribed: 1 });
    assert.deepEqual((await posted({ from: '79005550002', text: 'STOP' })).json(), { action: 'optOut', unsubscribed: 0 }, 'again: nothing more to do');
    assert.deepEqual((await posted({ from: '79005550001', text: 'stop it please' })).json(), { action: 'ignored' });
    assert.equal((await posted({ from: '79005550001', text: 'STOP' }, 'not-the-secret-0123456789')).statusCode, 403);
    assert.equal((await posted({ text: 'STOP' })).statusCode, 400);

    for (let waited = 0; waited < 50; waited += 1) {
      const [row] = (await t.admin('GET', `/api/admin/customers/${ids.get('Вера')}/subscription-history`)).body.items;
      if (row?.source === 'reply') break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const [viaSmpp] = (await t.admin('GET', `/api/admin/customers/${ids.get('Вера')}/subscription-history`)).body.items;
    assert.deepEqual([viaSmpp.source, viaSmpp.actor, viaSmpp.reason, viaSmpp.wasSubscribed, viaSmpp.isSubscribed], ['reply', 'default', 'стоп', true, false]);
    const [viaHttp] = (await t.admin('GET', `/api/admin/customers/${ids.get('Boris')}/subscription-history`)).body.items;
    assert.deepEqual([viaHttp.source, viaHttp.actor, viaHttp.reason], ['reply', 'web', 'Stop']);

    const estimate = await t.admin('POST', '/api/admin/campaigns/estimate', CAMPAIGN);
    assert.deepEqual(estimate.body.audience, { total: 6, recipients: 1, skipped: { noConsent: 4, invalidPhone: 1, frequencyCap: 0 } });
  });

  test('at 22:30 a campaign waits for 09:00; the frequency cap skips a third SMS within 7 days, and a week later it goes', async () => {
    t.clock.set('2026-12-01T19:30:00Z');
    const evening = await createAndStart(t);
    await drainMarketing(t.app);
    assert.equal(gateway.received.length, 0, 'nothing goes in the quiet hours');
    assert.deepEqual((await progress(t, evening)).counts, { queued: 1, sent: 0, delivered: 0, failed: 0, skipped: 5 });

    t.clock.set('2026-12-02T06:05:00Z');
    await drainMarketing(t.app);
    assert.deepEqual(gateway.received.splice(0).map((sms) => sms.to), ['79005550001']);

    const third = await createAndStart(t);
    await drainMarketing(t.app);
    assert.equal(gateway.received.length, 0);
    const capped = await progress(t, third);
    assert.equal(capped.status, 'finished');
    assert.equal(capped.skippedBy.frequencyCap, 1);
    assert.equal((await t.admin('POST', '/api/admin/campaigns/estimate', CAMPAIGN)).body.audience.skipped.frequencyCap, 1);

    // 7 days after the first: only the one of 2 December counts
    t.clock.set('2026-12-08T09:01:00Z');
    await createAndStart(t);
    await drainMarketing(t.app);
    assert.deepEqual(gateway.received.splice(0).map((sms) => sms.to), ['79005550001']);
  });

  test('a campaign at a time waits for it; a stopped campaign reaches nobody else', async () => {
    const scheduled = await createAndStart(t, { ...CAMPAIGN, sendAt: '2026-12-09T10:00:00Z' });
    assert.equal((await progress(t, scheduled)).status, 'scheduled');
    await drainMarketing(t.app);
    assert.equal(gateway.received.length, 0);
    const stopped = await t.admin('POST', `/api/admin/campaigns/${scheduled}/cancel`);
    assert.equal(stopped.body.status, 'cancelled');
    t.clock.set('2026-12-09T10:30:00Z');
    await drainMarketing(t.app);
    assert.equal(gateway.received.length, 0);
    assert.equal((await t.admin('POST', `/api/admin/campaigns/${scheduled}/cancel`)).httpStatus, 409);
    assert.equal((await t.admin('POST', `/api/admin/campaigns/${scheduled}/start`)).httpStatus, 409);

    // written in the quiet hours, stopped before 09:00: the waiting SMS never goes
    t.clock.set('2026-12-09T20:00:00Z');
    const overnight = await createAndStart(t);
    await drainMarketing(t.app);
    await t.admin('POST', `/api/admin/campaigns/${overnight}/cancel`);
    t.clock.set('2026-12-10T07:00:00Z');
    await drainMarketing(t.app);
    assert.equal(gateway.received.length, 0);
    const campaign = await progress(t, overnight);
    assert.equal(campaign.status, 'cancelled');
    assert.equal(campaign.counts.failed, 1);
    assert.equal(campaign.counts.queued, 0);

    const list = await t.admin('GET', '/api/admin/campaigns?limit=2');
    assert.deepEqual(
      list.body.items.map((item: { id: number }) => item.id),
      [overnight, scheduled],
    );
    assert.equal(typeof list.body.next, 'string');
  });
});

describe('a gateway outage in the middle of a campaign', () => {
  test('loses nothing and sends nobody anything twice: what waits goes once the gateway is back', async () => {
    const gateway = await startSmppGateway();
    gateway.receipts = false;
    const t = await createTestApp({
      now: '2026-12-01T09:00:00Z',
      phoneConfirmation: false,
      env: { REGULARS_SMS_URL: `smpp://user:pass@127.0.0.1:${gateway.port}?source=Regulars` },
    });
    const loop = marketingLoop.start(t.app);
    try {
      await applyProject(t.app.db, {
        smsConnections: [{ systemName: 'default', ratePerSecond: 20 }],
        segments: [{ systemName: 'Everyone', name: 'Все гости', conditions: [{ type: 'registeredWithinDays', days: 3650 }] }],
      });
      await t.app.project.reload();
      const phones = Array.from({ length: 30 }, (_, index) => `7900556${String(index).padStart(4, '0')}`);
      for (const phone of phones) await register(t, { phone, firstName: 'Гость', sms: true });
      await recalculateAllSegments(t.app.db, t.app.project.current, t.clock.now, 'manual');
      const id = await createAndStart(t);

      await until(() => gateway.received.length >= 8);
      await gateway.stop();
      await new Promise((resolve) => setTimeout(resolve, 1500));
      assert.ok(gateway.received.length < 30, 'the outage came mid-campaign');
      await gateway.start();
      await until(async () => (await progress(t, id)).status === "finished", 30_000);

      const campaign = await progress(t, id);
      const received = gateway.received.map((sms) => sms.to);
      assert.equal(new Set(received).size, received.length, 'nobody got it twice');
      // a text in flight when the line dropped may have reached the gateway: it fails, and is not sent again
      const uncertain = await t.app.db.selectFrom('messages').select('phone').where('status', '=', 'failed').execute();
      assert.ok(uncertain.length <= 8, `${uncertain.length} texts were in flight: more than the sender's lanes`);
      assert.deepEqual([...received, ...uncertain.map((row) => row.phone)].sort(), [...new Set([...received, ...uncertain.map((row) => row.phone)])].sort());
      assert.equal(new Set([...received, ...uncertain.map((row) => row.phone)]).size, 30, 'every guest is accounted for');
      assert.equal(campaign.counts.sent + campaign.counts.failed, 30);
    } finally {
      await loop.stop();
      await closeSmsProviders();
      await t.close();
      await gateway.stop();
    }
  });
});

async function until(condition: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
