// Scenario steps beyond the guests module's: points, authorization codes, webhooks (signed, retried,
// parked), a step that throws (retried, then parked, visible in the run log) and the guard against scenarios
// that keep re-triggering each other through segments.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'kysely';
import { createTestApp, type TestApp } from '../../test/support/app.ts';
import { iikoPreset } from '../project/presets/iiko.ts';
import { applyProject } from '../project/project.service.ts';
import type { ProjectInput } from '../project/schemas.ts';
import { signatureOf } from './webhook.ts';

const PHONE = '79006000001';
const SECRET = 'webhook-secret-0123456789';

type Project = ProjectInput & { customFields: unknown[]; segments: unknown[]; scenarios: unknown[] };

async function appWith(extend: (project: Project) => void): Promise<TestApp> {
  const t = await createTestApp({ phoneConfirmation: false, smsInbox: true });
  const project = iikoPreset({ phoneConfirmation: false }) as Project;
  extend(project);
  await applyProject(t.app.db, project, { secrets: t.app.project.secrets });
  await t.app.project.reload();
  return t;
}

async function register(t: TestApp, phone = PHONE): Promise<number> {
  const answer = await t.call('Offline.RegisterCustomer', { customer: { mobilePhone: phone } });
  assert.equal(answer.body.status, 'Success', JSON.stringify(answer.body));
  return Number(answer.body.customer.ids.mindboxId);
}

async function edit(t: TestApp, changes: Record<string, unknown>, phone = PHONE): Promise<void> {
  const answer = await t.call('Offline.EditCustomer', { customer: { mobilePhone: phone, ...changes } });
  assert.equal(answer.body.status, 'Success', JSON.stringify(answer.body));
}

async function runsOf(t: TestApp, customerId: number, scenario: string): Promise<any[]> {
  const items = (await t.admin('GET', `/api/admin/customers/${customerId}/scenario-runs`)).body.items;
  return items.filter((run: any) => run.scenario === scenario);
}

/** Drains until `done` holds (outbox retries wait for their backoff), at most `ms`. */
async function drainUntil(t: TestApp, done: () => Promise<boolean>, ms = 20_000): Promise<void> {
  const until = Date.now() + ms;
  for (;;) {
    await t.drain();
    if (await done()) return;
    if (Date.now() > until) throw new Error('the condition did not come true in time');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

test('points, an authorization code and its SMS in one branch; a redelivered event changes nothing twice', async () => {
  const t = await appWith((project) => {
    project.customFields.push({ entity: 'Customer', systemName: 'Promo', type: 'String' });
    project.scenarios.push({
      systemName: 'PromoWelcome',
      name: 'Points and a login code for the promo guests',
      trigger: { event: 'customerChanged' },
      branches: [
        { name: 'not promo', conditions: [{ type: 'fieldEquals', field: 'Promo', value: null }], steps: [{ type: 'setCustomField', field: 'Promo', value: 'none' }] },
        {
          name: 'promo',
          conditions: [
            { type: 'fieldEquals', field: 'Promo', value: 'spring' },
            { type: 'fromOperation', operation: 'Offline.EditCustomer' },
          ],
          steps: [
            { type: 'changeBalance', balanceType: 'Bonus', amount: 150, lifetimeDays: 30, reason: 'Весенняя акция' },
            { type: 'generateAuthorizationCode', lifetime: '1h', length: 6 },
            { type: 'sendMailing', mailing: 'AuthorizationCodeSms' },
          ],
        },
      ],
    });
  });
  try {
    const id = await register(t);
    await edit(t, { customFields: { Promo: 'spring' } });
    await t.drain();

    const [run] = await runsOf(t, id, 'PromoWelcome');
    assert.equal(run.branch, 'promo');
    assert.deepEqual(
      run.steps.map((step: any) => [step.type, step.status]),
      [
        ['changeBalance', 'done'],
        ['generateAuthorizationCode', 'done'],
        ['sendMailing', 'done'],
      ],
    );
    const found = (await t.call('Offline.CheckCustomer', { customer: { mobilePhone: PHONE } })).body;
    assert.deepEqual([found.balances[0].total, found.balances[0].available], [150, 150]);
    assert.equal(found.balances[0].nearestExpiration.date, '2026-12-29', '30 days, not the balance type’s 365');
    const ledger = (await t.admin('GET', `/api/admin/customers/${id}/ledger`)).body.items;
    assert.deepEqual([ledger[0].kind, ledger[0].source, ledger[0].actor, ledger[0].reason], ['adjustment', 'scenario', 'PromoWelcome', 'Весенняя акция']);

    const code = /^Код авторизации: (\d{6})$/.exec(t.sms.to(PHONE).at(-1) ?? '')?.[1];
    assert.ok(code, JSON.stringify(t.sms.to(PHONE)));
    const [sms] = (await t.admin('GET', `/api/admin/messages?phone=${PHONE}`)).body.items;
    assert.equal(sms.text, 'Код авторизации: ••••••');
    assert.ok(!JSON.stringify(run).includes(code), 'the code stays out of the run log');
    const check = await t.call('Offline.CheckMobilePhoneAuthorizationCode', { customer: { mobilePhone: PHONE }, authentificationCode: code });
    assert.equal(check.body.status, 'Success', 'the code the scenario generated lets the guest in');

    await t.app.db.updateTable('outbox').set({ status: 'pending', available_at: new Date(0) }).where('topic', '=', 'event').execute();
    await t.drain();
    const again = (await t.call('Offline.CheckCustomer', { customer: { mobilePhone: PHONE } })).body;
    assert.equal(again.balances[0].total, 150, 'redelivered events do not pay twice');
    assert.equal((await runsOf(t, id, 'PromoWelcome')).length, 1);
  } finally {
    await t.close();
  }
});

interface Received {
  headers: IncomingMessage['headers'];
  body: string;
}

async function receiver(answer: (count: number) => number): Promise<{ server: Server; url: string; received: Received[] }> {
  const received: Received[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      received.push({ headers: request.headers, body });
      response.statusCode = answer(received.length);
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/regulars`, received };
}

function webhookScenario(url: string, maxAttempts: number) {
  return {
    systemName: 'NotifyCrm',
    name: 'Tell the CRM about new Silver guests',
    trigger: { event: 'customerChanged' },
    branches: [{ steps: [{ type: 'callWebhook', url, secret: SECRET, maxAttempts, timeoutSeconds: 2 }] }],
  };
}

test('a webhook is signed, carries the event and the guest, and is retried until the receiver takes it', async () => {
  const hook = await receiver((count) => (count < 3 ? 503 : 204));
  const t = await appWith((project) => project.scenarios.push(webhookScenario(hook.url, 5)));
  try {
    const id = await register(t);
    await edit(t, { firstName: 'Ольга' });
    await drainUntil(t, async () => (await runsOf(t, id, 'NotifyCrm'))[0]?.steps[0].status === 'done');

    assert.equal(hook.received.length, 3, 'two 503s, then 204');
    for (const call of hook.received) assert.equal(call.headers['x-regulars-signature'], signatureOf(call.body, SECRET));
    assert.equal(new Set(hook.received.map((call) => call.headers['x-regulars-delivery'])).size, 1, 'one delivery id for every attempt');
    const body = JSON.parse(hook.received[2].body);
    assert.equal(body.event.type, 'customerChanged');
    assert.equal(body.event.operation, 'Offline.EditCustomer');
    assert.deepEqual(body.customer.ids, { mindboxId: id });
    assert.equal(body.customer.mobilePhone, PHONE);
    assert.equal(body.customer.firstName, 'Ольга');
    const [run] = await runsOf(t, id, 'NotifyCrm');
    assert.equal(run.status, 'completed');
    assert.match(run.steps[0].detail, /HTTP 204 on attempt 3$/);
  } finally {
    await t.close();
    hook.server.close();
  }
});

test('a webhook that keeps failing is parked and shown; one the receiver refuses is parked at once', async () => {
  const down = await receiver(() => 500);
  const refusing = await receiver(() => 404);
  const t = await appWith((project) => {
    project.scenarios.push(webhookScenario(down.url, 2), { ...webhookScenario(refusing.url, 5), systemName: 'NotifyBi' });
  });
  try {
    const id = await register(t);
    await edit(t, { firstName: 'Ольга' });
    await drainUntil(t, async () => (await runsOf(t, id, 'NotifyCrm'))[0]?.steps[0].status === 'parked');

    const [crm] = await runsOf(t, id, 'NotifyCrm');
    assert.equal(crm.status, 'failed');
    assert.match(crm.steps[0].detail, /HTTP 500 on attempt 2 of 2; parked$/);
    assert.equal(down.received.length, 2);
    const [bi] = await runsOf(t, id, 'NotifyBi');
    assert.equal(bi.steps[0].status, 'parked');
    assert.match(bi.steps[0].detail, /HTTP 404 on attempt 1; not retried$/);
    assert.equal(refusing.received.length, 1);
    const parked = await t.app.db.selectFrom('outbox').select(['topic', 'last_error']).where('status', '=', 'parked').execute();
    assert.deepEqual(parked.map((job) => job.topic), ['scenarios.webhook', 'scenarios.webhook']);
  } finally {
    await t.close();
    down.server.close();
    refusing.server.close();
  }
});

test('a step that throws rolls its run back, is retried with the event, and is parked when it keeps throwing', async () => {
  const t = await appWith((project) => {
    project.scenarios.push({
      systemName: 'Gift',
      name: 'Points for editing the profile',
      trigger: { event: 'customerChanged' },
      branches: [
        {
          steps: [
            { type: 'setCustomField', field: 'Rank', value: 'Gifted' },
            { type: 'changeBalance', balanceType: 'Bonus', amount: 10, reason: 'Спасибо' },
          ],
        },
      ],
    });
  });
  try {
    const id = await register(t);
    await t.drain();
    await sql`alter table point_lots rename to point_lots_away`.execute(t.app.db);
    await edit(t, { firstName: 'Ольга' });
    await t.drain();
    let [gift] = await runsOf(t, id, 'Gift');
    assert.equal(gift.status, 'retrying');
    assert.deepEqual([gift.steps[0].type, gift.steps[0].status], ['changeBalance', 'failed']);
    assert.match(gift.steps[0].detail, /^attempt 1: .*point_lots/);
    const guest = await t.app.db.selectFrom('customers').select('custom_fields').where('id', '=', id).executeTakeFirstOrThrow();
    assert.equal(guest.custom_fields.Rank, 'Bronze', 'the step before it was rolled back with it');

    await t.app.db.updateTable('outbox').set({ attempts: 9, available_at: new Date(0) }).where('topic', '=', 'event').where('status', '=', 'pending').execute();
    await t.drain();
    [gift] = await runsOf(t, id, 'Gift');
    assert.equal(gift.status, 'parked');
    assert.match(gift.steps[0].detail, /^attempt 10: /);
    const job = await t.app.db.selectFrom('outbox').select(['id', 'status']).where('topic', '=', 'event').where('status', '=', 'parked').executeTakeFirstOrThrow();

    await sql`alter table point_lots_away rename to point_lots`.execute(t.app.db);
    await t.app.db.updateTable('outbox').set({ status: 'pending', attempts: 0, available_at: new Date(0) }).where('id', '=', job.id).execute();
    await t.drain();
    [gift] = await runsOf(t, id, 'Gift');
    assert.equal(gift.status, 'completed', 'an operator retried the parked event after fixing the cause');
    const found = (await t.call('Offline.CheckCustomer', { customer: { mobilePhone: PHONE } })).body;
    assert.deepEqual([found.customer.customFields.rank, found.balances[0].total], ['Gifted', 10]);
  } finally {
    await t.close();
  }
});

test('scenarios that keep moving a guest in and out of a segment stop after a few rounds', async () => {
  const t = await appWith((project) => {
    project.customFields.push({ entity: 'Customer', systemName: 'Flag', type: 'String' });
    project.segments.push({ systemName: 'Flagged', name: 'Flag on', conditions: [{ type: 'customField', field: 'Flag', equals: 'on' }] });
    project.scenarios.push(
      { systemName: 'TurnOff', name: 'off', trigger: { event: 'enteredSegment', segments: ['Flagged'] }, branches: [{ steps: [{ type: 'setCustomField', field: 'Flag', value: 'off' }] }] },
      { systemName: 'TurnOn', name: 'on', trigger: { event: 'leftSegment', segments: ['Flagged'] }, branches: [{ steps: [{ type: 'setCustomField', field: 'Flag', value: 'on' }] }] },
    );
  });
  try {
    const id = await register(t);
    await edit(t, { customFields: { Flag: 'on' } });
    await t.drain();
    const runs = [...(await runsOf(t, id, 'TurnOff')), ...(await runsOf(t, id, 'TurnOn'))].sort((a, b) => a.id - b.id);
    assert.deepEqual(
      runs.map((run) => run.scenario),
      ['TurnOff', 'TurnOn', 'TurnOff', 'TurnOn'],
    );
    assert.match(runs[3].steps[0].detail, /segments Flagged not re-evaluated: too many scenarios in a chain/);
  } finally {
    await t.close();
  }
});
