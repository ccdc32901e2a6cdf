// The dates a mailing's template can use: the guest's birthday and, in a code message, when the code expires,
// both as wall-clock values of the project's time zone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp, type TestApp } from '../../test/support/app.ts';
import { getCustomerById, mailingRecipient } from '../customers/customers.service.ts';
import { iikoPreset } from '../project/presets/iiko.ts';
import { applyProject } from '../project/project.service.ts';
import type { ProjectInput } from '../project/schemas.ts';
import { queueMailing } from './mailings.service.ts';

const PHONE = '79005550101';
const mailingDeps = (t: TestApp) => ({ project: t.app.project.current, defaultSmsUrl: t.app.config.smsUrl, secrets: t.app.secrets });

async function withTemplates(t: TestApp, templates: Record<string, string>, extra: ProjectInput['mailings'] = []): Promise<void> {
  const project = iikoPreset({ phoneConfirmation: true });
  project.mailings = [...(project.mailings ?? []).map((mailing) => ({ ...mailing, template: templates[mailing.systemName] ?? mailing.template })), ...(extra ?? [])];
  await applyProject(t.app.db, project);
  await t.app.project.reload();
}

test('a code SMS tells until when the code is valid, and a greeting names the birthday, in the project time zone', async () => {
  // 23:30 in Moscow (UTC+3): the code, valid for a day, expires at 23:30 tomorrow local time
  const t = await createTestApp({ now: '2026-11-29T20:30:00Z', smsInbox: true });
  try {
    await withTemplates(
      t,
      { PhoneConfirmationSms: 'Код ${Recipient.MobilePhoneConfirmationCode} действует до ${FormatDateTime(Recipient.CodeExpiresAt, "d MMMM HH:mm")}' },
      [{ systemName: 'BirthdayGreeting', name: 'С днём рождения', channel: 'sms', connection: 'default', template: '${Recipient.FirstName}, ждём вас ${FormatDateTime(Recipient.BirthDate, "d MMMM")}: ${Recipient.BirthDate}' }],
    );
    const registered = await t.call('Offline.RegisterCustomer', { customer: { mobilePhone: PHONE, firstName: 'Анна', birthDate: '1990-01-31' } });
    assert.equal(registered.body.customer?.processingStatus, 'Created', JSON.stringify(registered.body));
    await t.drain();
    assert.match(t.sms.to(PHONE)[0], /^Код \d{4} действует до 30 ноября 23:30$/);
    const [confirmation] = (await t.admin('GET', `/api/admin/messages?phone=${PHONE}`)).body.items;
    assert.equal(confirmation.text, 'Код •••• действует до 30 ноября 23:30', 'the SMS log shows the text with the code masked');

    const customer = (await getCustomerById(t.app.db, registered.body.customer.ids.mindboxId))!;
    t.clock.advance(60_000);
    const greeting = await queueMailing(t.app.db, mailingDeps(t), { mailing: 'BirthdayGreeting', recipient: mailingRecipient(customer), source: 'test', now: t.clock.now });
    assert.notEqual(greeting.status, 'skipped');
    const [newest] = (await t.admin('GET', `/api/admin/messages?phone=${PHONE}`)).body.items;
    assert.equal(newest.text, 'Анна, ждём вас 31 января: 31.01.1990');

    t.clock.advance(60_000);
    const noBirthday = await queueMailing(t.app.db, mailingDeps(t), {
      mailing: 'BirthdayGreeting',
      recipient: { ...mailingRecipient(customer), birthDate: null },
      source: 'test',
      now: t.clock.now,
    });
    assert.notEqual(noBirthday.status, 'skipped', 'an unknown birthday prints as nothing');
    assert.equal((await t.admin('GET', `/api/admin/messages?phone=${PHONE}`)).body.items[0].text, 'Анна, ждём вас :');
  } finally {
    await t.close();
  }
});

test('a template that needs a code expiry is skipped when the message carries no code, and says why', async () => {
  const t = await createTestApp();
  try {
    await withTemplates(t, {}, [{ systemName: 'Expiring', name: 'Срок', channel: 'sms', connection: 'default', template: 'До ${FormatDateTime(Recipient.CodeExpiresAt, "HH:mm")}' }]);
    const registered = await t.call('Offline.RegisterCustomer', { customer: { mobilePhone: PHONE } });
    const customer = (await getCustomerById(t.app.db, registered.body.customer.ids.mindboxId))!;
    const outcome = await queueMailing(t.app.db, mailingDeps(t), {
      mailing: 'Expiring',
      recipient: mailingRecipient(customer),
      validUntil: new Date('2026-11-30T12:00:00Z'),
      source: 'test',
      now: t.clock.now,
    });
    assert.deepEqual(outcome, { status: 'skipped', reason: 'the template needs CodeExpiresAt, which this event does not carry' });
  } finally {
    await t.close();
  }
});
