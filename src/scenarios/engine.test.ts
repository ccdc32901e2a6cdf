import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { createTestApp, type TestApp } from '../../test/support/app.ts';
import type { DomainEvent } from '../jobs/outbox.ts';
import { iikoPreset } from '../project/presets/iiko.ts';
import { applyProject } from '../project/project.service.ts';
import type { ProjectInput } from '../project/schemas.ts';
import { runScenariosForEvent, triggerMatches } from './engine.ts';

async function appWithWelcomeScenario(): Promise<TestApp> {
  const t = await createTestApp({ phoneConfirmation: false });
  const project = iikoPreset({ phoneConfirmation: false }) as ProjectInput & { customFields: unknown[]; scenarios: unknown[] };
  project.customFields.push(
    { entity: 'Customer', systemName: 'Note', type: 'String' },
    { entity: 'Customer', systemName: 'Vip', type: 'Boolean' },
  );
  project.scenarios.push({
    systemName: 'Welcome',
    name: 'Welcome',
    trigger: { event: 'customerRegistered' },
    branches: [
      { name: 'vip', conditions: [{ type: 'fieldEquals', field: 'Vip', value: true }], steps: [{ type: 'setCustomField', field: 'Note', value: 'vip' }] },
      { name: 'gold', conditions: [{ type: 'inSegment', segment: 'RankGold' }], steps: [{ type: 'setCustomField', field: 'Note', value: 'gold' }] },
      {
        name: 'plain',
        conditions: [
          { type: 'notInSegment', segment: 'RankGold' },
          { type: 'fromOperation', operation: 'Offline.RegisterCustomer' },
          { type: 'phoneConfirmed', equals: false },
        ],
        steps: [
          { type: 'setCustomField', field: 'Note', value: 'plain' },
          { type: 'changeBalance', balanceType: 'Bonus', amount: 100, reason: 'welcome points' },
        ],
      },
    ],
  });
  await applyProject(t.app.db, project);
  await t.app.project.reload();
  return t;
}

async function newGuest(t: TestApp, phone: string, customFields: Record<string, unknown> = {}): Promise<number> {
  const answer = await t.call('Offline.RegisterCustomer', { customer: { mobilePhone: phone, customFields } });
  assert.equal(answer.body.status, 'Success', JSON.stringify(answer.body));
  return answer.body.customer.ids.mindboxId;
}

const registered = (customerId: number, operation = 'Offline.RegisterCustomer'): DomainEvent => ({
  type: 'customerRegistered',
  customerId,
  operation,
  integrationPoint: 'iiko',
  at: '2026-11-29T12:00:00.000Z',
});

async function note(t: TestApp, id: number): Promise<unknown> {
  const row = await t.app.db.selectFrom('customers').select('custom_fields').where('id', '=', id).executeTakeFirstOrThrow();
  return (row.custom_fields as Record<string, unknown>).Note;
}

test('the first branch whose conditions hold runs its steps in order; the run is logged once per event', async () => {
  const t = await appWithWelcomeScenario();
  try {
    const vip = await newGuest(t, '79001000001', { Vip: true });
    const plain = await newGuest(t, '79001000002');
    const gold = await newGuest(t, '79001000003');
    const other = await newGuest(t, '79001000004');
    await sql`create table if not exists customer_segments (customer_id bigint not null, segment text not null, entered_at timestamptz not null default now())`.execute(t.app.db);
    await sql`insert into customer_segments (customer_id, segment, entered_at) values (${gold}, 'RankGold', now())`.execute(t.app.db);

    const [vipRun] = (await runScenariosForEvent(t.app, registered(vip), 'test:1')).filter((r) => r.scenario === 'Welcome');
    assert.deepEqual({ branch: vipRun.branch, status: vipRun.status }, { branch: 'vip', status: 'completed' });
    assert.equal(await note(t, vip), 'vip');

    const [goldRun] = (await runScenariosForEvent(t.app, registered(gold), 'test:2')).filter((r) => r.scenario === 'Welcome');
    assert.equal(goldRun.branch, 'gold');
    assert.equal(await note(t, gold), 'gold');

    const [plainRun] = (await runScenariosForEvent(t.app, registered(plain), 'test:3')).filter((r) => r.scenario === 'Welcome');
    assert.equal(plainRun.branch, 'plain');
    assert.deepEqual(
      plainRun.steps.map((step) => [step.type, step.status]),
      [
        ['setCustomField', 'done'],
        ['changeBalance', 'done'],
      ],
    );
    assert.equal(await note(t, plain), 'plain');

    const [none] = (await runScenariosForEvent(t.app, registered(other, 'Offline.EditCustomer'), 'test:4')).filter((r) => r.scenario === 'Welcome');
    assert.equal(none.status, 'noBranchMatched');
    assert.equal(await note(t, other), undefined);

    await t.app.db.updateTable('customers').set({ custom_fields: JSON.stringify({ Note: 'edited by hand' }) }).where('id', '=', vip).execute();
    const [again] = (await runScenariosForEvent(t.app, registered(vip), 'test:1')).filter((r) => r.scenario === 'Welcome');
    assert.equal(again.status, 'alreadyRun');
    assert.equal(await note(t, vip), 'edited by hand', 'a redelivered event changes nothing');

    const log = (await t.admin('GET', `/api/admin/customers/${plain}/scenario-runs`)).body.items;
    const welcome = log.find((run: any) => run.scenario === 'Welcome');
    assert.equal(welcome.event, 'customerRegistered');
    assert.equal(welcome.operation, 'Offline.RegisterCustomer');
    assert.equal(welcome.branch, 'plain');
    assert.match(welcome.steps[1].detail, /^\+100 Bonus \(ledger entry \d+\)$/);
  } finally {
    await t.close();
  }
});

test('events reach the engine through the outbox, and a redelivered outbox job runs nothing twice', async () => {
  const t = await appWithWelcomeScenario();
  try {
    const id = await newGuest(t, '79001000005');
    await t.drain();
    assert.equal(await note(t, id), 'plain');
    const runs = await t.app.db.selectFrom('scenario_runs').selectAll().where('customer_id', '=', id).execute();
    // entering RankBronze on registration runs the preset's Rank scenario too
    assert.deepEqual(runs.map((run) => run.scenario).sort(), ['PhoneConfirmationSms', 'Rank', 'Welcome']);
    assert.match(runs[0].event_key, /^event:\d+$/);

    await t.app.db.updateTable('customers').set({ custom_fields: JSON.stringify({}) }).where('id', '=', id).execute();
    await t.app.db.updateTable('outbox').set({ status: 'pending', available_at: new Date(0) }).where('topic', '=', 'event').execute();
    await t.drain();
    assert.equal(await note(t, id), undefined);
    assert.equal((await t.app.db.selectFrom('scenario_runs').select('id').where('customer_id', '=', id).execute()).length, 3);
  } finally {
    await t.close();
  }
});

test('segment triggers start only for the segments they name', () => {
  const trigger = { event: 'enteredSegment' as const, segments: ['RankGold', 'RankSilver'] };
  const event = (segment: string): DomainEvent => ({ type: 'enteredSegment', customerId: 1, at: '2026-11-29T12:00:00Z', data: { segment } });
  assert.equal(triggerMatches(trigger, event('RankGold')), true);
  assert.equal(triggerMatches(trigger, event('RankBronze')), false);
  assert.equal(triggerMatches({ event: 'customerRegistered' }, event('RankGold')), false);
});
