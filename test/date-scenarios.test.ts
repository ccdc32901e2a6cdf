// The preset's marketing scenarios on the server's clock: off until a marketer switches them on; then the birthday
// 3 days ahead (points and an SMS, once a year), the welcome after registration, and the win-back of a guest with
// no paid order for 60 days (a code of the pool in the SMS, not again the next day). The daily pass runs at its
// local time, once a day whichever worker runs it.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { drainMarketing } from '../src/campaigns/campaigns.jobs.ts';
import { closeSmsProviders } from '../src/messaging/sms-connections.ts';
import { applyProject } from '../src/project/project.service.ts';
import type { ScenarioDefinition } from '../src/project/schemas.ts';
import { runDueDailyPasses } from '../src/scenarios/daily.ts';
import { createTestApp, type TestApp } from './support/app.ts';

describe('birthday, welcome and win-back scenarios', () => {
  let t: TestApp;
  const phones = { anna: '79006660001', boris: '79006660002', vera: '79006660003', gleb: '79006660004', dina: '79006660005', efim: '79006660006', zoya: '79006660007' };

  const register = async (phone: string, firstName: string, extra: Record<string, unknown> = {}, sms = true) => {
    const answer = await t.call('Offline.RegisterCustomer', {
      customer: { mobilePhone: phone, firstName, ...extra, subscriptions: [{ pointOfContact: 'Sms', isSubscribed: sms }] },
    });
    assert.equal(answer.body.status, 'Success', JSON.stringify(answer.body));
  };
  const points = async (phone: string) => (await t.call('Offline.CheckCustomer', { customer: { mobilePhone: phone } })).body.balances[0].total;
  /** runs what the worker would: the due passes, the events they queue, then the marketing SMS */
  const day = async (at: string) => {
    t.clock.set(at);
    const passes = await runDueDailyPasses(t.app);
    await t.drain();
    await drainMarketing(t.app);
    return passes;
  };
  const paidOrder = async (phone: string, at: string, orderId: string) => {
    const saved = await t.call('Offline.SaveOfflineOrder', {
      customer: { mobilePhone: phone },
      executionDateTimeUtc: at,
      order: {
        ids: { iikoOrderId: orderId },
        totalPrice: 500,
        payments: [{ type: 'cash', amount: 500 }],
        lines: [{ lineNumber: 1, lineId: 'L1', quantity: 1, basePricePerItem: 500, product: { ids: { iiko: 'soup' } }, status: { ids: { externalId: 'iikoPaid' } } }],
      },
    });
    assert.equal(saved.body.status, 'Success', JSON.stringify(saved.body));
  };

  /** what a marketer does in the project file: the whole file, with the scenarios changed */
  const changeScenarios = async (change: (scenario: ScenarioDefinition) => ScenarioDefinition) => {
    const project = t.app.project.current.definition;
    await applyProject(t.app.db, { ...project, scenarios: project.scenarios.map(change) }, { secrets: t.app.project.secrets });
    await t.app.project.reload();
  };

  before(async () => {
    // Sunday 18 October 2026, 10:30 in Moscow
    t = await createTestApp({ now: '2026-10-18T07:30:00Z', phoneConfirmation: false, smsInbox: true });
  });
  after(async () => {
    await closeSmsProviders();
    await t?.close();
  });

  test('off by default: a new guest gets no welcome, a birthday in 3 days no gift', async () => {
    await register(phones.anna, 'Анна', { birthDate: '1990-10-21' });
    assert.deepEqual(await day('2026-10-18T07:31:00Z'), []);
    assert.deepEqual(t.sms.to(phones.anna), []);
    assert.equal(await points(phones.anna), 0);
  });

  test('switched on: the birthday 3 days ahead at 10:00 local, points and an SMS, once; a guest without consent gets the points only', async () => {
    const scenarios = t.app.project.current.definition.scenarios.filter((scenario) => ['BirthdayGift', 'NewGuestWelcome', 'WinBack'].includes(scenario.systemName));
    assert.deepEqual(
      scenarios.map((scenario) => [scenario.systemName, scenario.enabled]),
      [['BirthdayGift', false], ['NewGuestWelcome', false], ['WinBack', false]],
    );
    await changeScenarios((scenario) => (scenarios.includes(scenario) ? { ...scenario, enabled: true } : scenario));
    t.clock.set('2026-10-19T06:30:00Z');
    await register(phones.boris, 'Борис', { birthDate: '1985-10-22' }, false);
    await register(phones.vera, 'Вера', { birthDate: '1979-10-23' });
    await register(phones.gleb, 'Глеб');
    await t.drain();
    await drainMarketing(t.app);
    t.sms.received.splice(0);

    // 09:45 local: before the pass's time
    assert.deepEqual(await day('2026-10-19T06:45:00Z'), []);
    // 10:00 local on the 19th: those born on 22 October
    assert.deepEqual(await day('2026-10-19T07:00:00Z'), [{ scenario: 'BirthdayGift', guests: 1 }]);
    assert.equal(await points(phones.boris), 300);
    assert.deepEqual(t.sms.to(phones.boris), [], 'no consent: no SMS');
    // 12:00 local: the win-back's time (nobody has lapsed); the birthday's pass of today is done
    assert.deepEqual(await day('2026-10-19T09:00:00Z'), [{ scenario: 'WinBack', guests: 0 }]);
    assert.equal(await points(phones.boris), 300);

    const [vera] = (await day('2026-10-20T07:05:00Z')).filter((pass) => pass.scenario === 'BirthdayGift');
    assert.equal(vera.guests, 1);
    assert.deepEqual(t.sms.to(phones.vera), ['Вера, с наступающим днём рождения! Дарим вам бонусы: ждём в гости.']);
    assert.equal(await points(phones.vera), 300);

    // a marketer moves the gift to 2 days before: Vera's birthday of this year is not given twice
    await changeScenarios((scenario) => (scenario.systemName === 'BirthdayGift' ? { ...scenario, trigger: { ...scenario.trigger, daysBefore: 2 } } : scenario));
    await day('2026-10-21T07:05:00Z');
    assert.equal(t.sms.to(phones.vera).length, 1);
    assert.equal(await points(phones.vera), 300);

    // a year later, again
    await day('2027-10-21T07:05:00Z');
    assert.equal(t.sms.to(phones.vera).length, 2);
  });

  test('the welcome SMS after registration, with no gift while the amount is 0', async () => {
    await register(phones.dina, 'Дина');
    await t.drain();
    await drainMarketing(t.app);
    assert.deepEqual(t.sms.to(phones.dina), ['Дина, спасибо, что вы с нами! Копите бонусы с каждого заказа.']);
    assert.equal(await points(phones.dina), 0);
  });

  test('win-back: 60 days without a paid order brings a code of the pool in the SMS, not again the next day', async () => {
    const codes = await t.admin('POST', '/api/admin/coupon-pools/WinBack/codes', { count: 3 });
    assert.equal(codes.httpStatus, 200, JSON.stringify(codes.body));
    t.clock.set('2027-08-20T12:00:00Z');
    await register(phones.efim, 'Ефим');
    await register(phones.zoya, 'Зоя');
    await paidOrder(phones.efim, '2027-08-20 09:00:00.000', 'wb-1');
    await paidOrder(phones.zoya, '2027-08-20 09:00:00.000', 'wb-2');
    t.clock.set('2027-10-01T12:00:00Z');
    await paidOrder(phones.zoya, '2027-10-01 09:00:00.000', 'wb-3');
    await t.drain();
    await drainMarketing(t.app);
    t.sms.received.splice(0);

    // 12:00 local on 22 October 2027: Efim's last paid order was 63 days ago; Zoya came back on 1 October
    const passes = await day('2027-10-22T09:00:00Z');
    assert.deepEqual(passes.find((pass) => pass.scenario === 'WinBack'), { scenario: 'WinBack', guests: 1 });
    const [text] = t.sms.to(phones.efim);
    const code = /промокод (\S+) /.exec(text ?? '')?.[1];
    assert.ok(code && codes.body.codes.includes(code), text);
    assert.deepEqual(t.sms.to(phones.zoya), []);
    await day('2027-10-23T09:00:00Z');
    assert.equal(t.sms.to(phones.efim).length, 1, 'not again the next day');
  });
});
