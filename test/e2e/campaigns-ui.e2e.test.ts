// Campaigns in the console, in a real browser (Debian's headless Chromium driven by playwright-core): a marketer
// composes an SMS to a segment, sees who of it will get it and why the others will not, the parts and the cost,
// sends it and follows it to the end; then schedules one for tomorrow and stops it. The server runs in this
// process on a loopback port, so the test runs the marketing sender when it chooses. Takes the page's screenshot
// (written to docs/console-campaigns.png when REGULARS_UPDATE_SCREENSHOT=1).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, type Page } from 'playwright-core';
import { buildUi } from '../../scripts/build-ui.ts';
import { addUser } from '../../src/admin/users.service.ts';
import { drainMarketing } from '../../src/campaigns/campaigns.jobs.ts';
import { closeSmsProviders } from '../../src/messaging/sms-connections.ts';
import { applyProject } from '../../src/project/project.service.ts';
import { recalculateAllSegments } from '../../src/segments/segments.service.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { browserSkipReason, openBrowser } from '../support/browser.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const GUESTS = [
  { phone: '79005558801', firstName: 'Анна', sms: true },
  { phone: '79005558802', firstName: 'Борис', sms: true },
  { phone: '79005558803', firstName: 'Вера', sms: false },
];

async function signIn(page: Page, url: string) {
  await page.context().clearCookies();
  await page.goto(url);
  await page.fill('input[name=name]', 'maria');
  await page.fill('input[name=password]', 'marketer-password-1');
  await page.click('button[type=submit]');
  await page.waitForSelector('nav.sidebar');
}

describe('campaigns in the console', { skip: browserSkipReason() }, () => {
  let t: TestApp;
  let url: string;
  let context: BrowserContext;

  before(async () => {
    await buildUi({ quiet: true });
    // Tuesday 1 December 2026, 12:00 in Moscow
    t = await createTestApp({ now: '2026-12-01T09:00:00Z', phoneConfirmation: false, smsInbox: true });
    await applyProject(
      t.app.db,
      {
        smsConnections: [{ systemName: 'default', pricePerPart: 2.5 }],
        segments: [{ systemName: 'Everyone', name: 'Все гости', conditions: [{ type: 'registeredWithinDays', days: 3650 }] }],
      },
      { secrets: t.app.project.secrets },
    );
    await t.app.project.reload();
    for (const guest of GUESTS) {
      const answer = await t.call('Offline.RegisterCustomer', {
        customer: { mobilePhone: guest.phone, firstName: guest.firstName, subscriptions: [{ pointOfContact: 'Sms', isSubscribed: guest.sms }] },
      });
      assert.equal(answer.body.status, 'Success');
    }
    await recalculateAllSegments(t.app.db, t.app.project.current, t.clock.now, 'manual');
    await addUser(t.app.db, { name: 'maria', role: 'marketer', password: 'marketer-password-1' });
    url = await t.server.listen({ host: '127.0.0.1', port: 0 });
    context = await openBrowser({ viewport: { width: 1400, height: 900 } });
  });

  after(async () => {
    await context?.close();
    await closeSmsProviders();
    await t?.close();
  });

  test('compose, estimate, send and follow a campaign to the end', async () => {
    const page = await context.newPage();
    await signIn(page, url);
    await page.click('nav.sidebar >> text=Рассылки');
    await page.waitForSelector('form.compose');
    assert.ok(await page.isVisible('text=Рассылок ещё не было'));
    await page.fill('form.compose input[name=name]', 'Новое меню');
    await page.fill('form.compose textarea[name=text]', '${Recipient.FirstName}, у нас новое меню!');
    await page.check('form.compose input[name=segment][value=Everyone]');
    await page.click('button.estimate');
    await page.waitForSelector('.estimate-cards');
    assert.equal(await page.textContent('.estimate-cards .audience-total b'), '3');
    assert.equal(await page.textContent('.estimate-cards .recipients b'), '2');
    assert.match((await page.textContent('.estimate-cards .skipped')) ?? '', /нет согласия: 1/);
    assert.match((await page.textContent('.estimate-cards .parts')) ?? '', /1UCS-2/);
    assert.equal(await page.textContent('.estimate-cards .cost b'), '5');
    const screenshot = join(tmpdir(), `regulars-console-campaigns-${process.pid}.png`);
    await page.screenshot({ path: screenshot, fullPage: true });
    if (process.env.REGULARS_UPDATE_SCREENSHOT === '1') copyFileSync(screenshot, join(ROOT, 'docs', 'console-campaigns.png'));

    await page.click('button.send');
    await page.waitForSelector('.page.campaign h1');
    assert.match((await page.textContent('.page.campaign h1')) ?? '', /Новое меню/);
    await drainMarketing(t.app);
    // the page reads the progress again while the campaign is under way
    await page.waitForSelector('.page.campaign h1 >> text=завершена');
    assert.equal(await page.textContent('.cards.progress .count-sent b'), '2');
    assert.equal(await page.textContent('.cards.progress .count-skipped b'), '1');
    assert.match((await page.textContent('.skipped-by')) ?? '', /нет согласия 1/);
    assert.deepEqual(t.sms.received.map((sms) => sms.text).sort(), ['Анна, у нас новое меню!', 'Борис, у нас новое меню!']);
    await page.close();
  });

  test('a text with a mistake is refused where it is; a campaign scheduled for tomorrow waits and can be stopped', async () => {
    const page = await context.newPage();
    await signIn(page, url);
    await page.goto(`${url}/#/campaigns`);
    await page.waitForSelector('form.compose');
    await page.fill('form.compose input[name=name]', 'Завтрак');
    await page.fill('form.compose textarea[name=text]', '${Recipient.FirsName}, завтраки с 8 утра!');
    await page.check('form.compose input[name=segment][value=Everyone]');
    await page.click('button.estimate');
    await page.waitForSelector('.error >> text=/text');
    assert.match((await page.textContent('.error')) ?? '', /FirsName/);

    await page.fill('form.compose textarea[name=text]', '${Recipient.FirstName}, завтраки с 8 утра!');
    await page.fill('form.compose input[name=sendAt]', '2026-12-02T10:00');
    await page.click('button.estimate');
    await page.waitForSelector('button.send >> text=Запланировать');
    await page.click('button.send');
    await page.waitForSelector('.page.campaign h1 >> text=запланирована');
    await drainMarketing(t.app);
    assert.equal(t.sms.received.length, 2, 'nothing more before tomorrow 10:00');
    await page.click('button.cancel');
    await page.waitForSelector('.page.campaign h1 >> text=остановлена');
    assert.match((await page.textContent('.page.campaign')) ?? '', /Остановил: maria/);

    await page.click('text=← Рассылки');
    await page.waitForSelector('table.campaign-list tbody tr');
    assert.deepEqual(await page.locator('table.campaign-list tbody tr td:first-child').allTextContents(), ['Завтрак', 'Новое меню']);
    await page.close();
  });
});
