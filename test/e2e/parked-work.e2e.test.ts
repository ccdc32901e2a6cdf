// Parked work in the console, in a real browser (Debian's headless Chromium driven by playwright-core): SMS the
// gateway kept refusing and an async call that kept failing show on the dashboard as a count and on the page
// "Работа в очереди" with what, why, attempts and when; a viewer only reads; once the gateway is back an owner
// retries one, then all, and the SMS go out. The server runs in this process, on a loopback port, so the test
// can let the waits between attempts pass at once and run the worker when it chooses. Takes the page's
// screenshot (written to docs/ when REGULARS_UPDATE_SCREENSHOT=1).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { type BrowserContext, type Page } from 'playwright-core';
import { buildUi } from '../../scripts/build-ui.ts';
import { addUser } from '../../src/admin/users.service.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { browserSkipReason, openBrowser } from '../support/browser.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const PHONES = ['79005550101', '79005550102'];

/** Runs what is due, then lets the wait before every retry pass at once, `rounds` times. */
async function attemptsPass(t: TestApp, rounds: number): Promise<void> {
  for (let round = 0; round < rounds; round += 1) {
    await t.drain();
    await t.app.db.updateTable('outbox').set({ available_at: new Date(0) }).where('status', '=', 'pending').execute();
    await t.app.db.updateTable('async_operations').set({ available_at: new Date(0) }).where('status', '=', 'pending').execute();
  }
}

async function signIn(page: Page, url: string, name: string, password: string) {
  await page.context().clearCookies();
  await page.goto(url);
  await page.fill('input[name=name]', name);
  await page.fill('input[name=password]', password);
  await page.click('button[type=submit]');
  await page.waitForSelector('nav.sidebar');
}

// Under CI a missing browser fails the test (launching it does); elsewhere the test says what to install.
describe('parked work in the console', { skip: browserSkipReason() }, () => {
  let t: TestApp;
  let url: string;
  let context: BrowserContext;

  before(async () => {
    await buildUi({ quiet: true });
    t = await createTestApp({ smsInbox: true });
    await addUser(t.app.db, { name: 'olga', role: 'owner', password: 'owner-password-1' });
    await addUser(t.app.db, { name: 'vera', role: 'viewer', password: 'viewer-password-1' });
    url = await t.server.listen({ host: '127.0.0.1', port: 0 });

    // the gateway is down for longer than the SMS's 20 attempts; an async call fails all 8 of its attempts
    t.sms.refuseWith = 503;
    for (const phone of PHONES) assert.equal((await t.call('Offline.RegisterCustomer', { customer: { mobilePhone: phone } })).body.status, 'Success');
    const accepted = await t.call('Offline.CheckCustomer', { customer: { mobilePhone: PHONES[0] } }, { mode: 'async', transactionId: randomUUID() });
    assert.equal(accepted.body.status, 'Success');
    await sql`alter table protocol_transactions rename to protocol_transactions_away`.execute(t.app.db);
    await attemptsPass(t, 20);
    await sql`alter table protocol_transactions_away rename to protocol_transactions`.execute(t.app.db);

    context = await openBrowser({ viewport: { width: 1400, height: 800 } });
  });

  after(async () => {
    await context?.close();
    await t?.close();
  });

  test('the dashboard counts the parked work and leads to it: what, why, attempts and when, never a phone or a code', async () => {
    const page = await context.newPage();
    await signIn(page, url, 'olga', 'owner-password-1');
    await page.waitForSelector('.cards a.parked-work');
    assert.equal(await page.textContent('.cards a.parked-work b'), '3');
    await page.click('.cards a.parked-work');
    await page.waitForSelector('table.parked tbody tr');
    assert.ok(await page.isVisible('nav.sidebar a.active >> text=Работа в очереди'));
    const rows = page.locator('table.parked tbody tr');
    assert.equal(await rows.count(), 3);
    const text = (await page.textContent('table.parked')) ?? '';
    assert.equal(text.match(/sms\.send/g)?.length, 2);
    assert.match(text, /HTTP 503: gateway unavailable/);
    assert.match(text, /асинхронный вызов/);
    assert.match(text, /Offline\.CheckCustomer from iiko \(transaction /);
    assert.match(text, /protocol_transactions/);
    assert.deepEqual(await rows.locator('td.num').allTextContents(), ['20', '20', '8']);
    for (const phone of PHONES) assert.doesNotMatch(text, new RegExp(phone.slice(1)));
    const screenshot = join(tmpdir(), `regulars-console-parked-work-${process.pid}.png`);
    await page.screenshot({ path: screenshot, fullPage: true });
    if (process.env.REGULARS_UPDATE_SCREENSHOT === '1') copyFileSync(screenshot, join(ROOT, 'docs', 'console-parked-work.png'));
    await page.close();
  });

  test('a viewer reads the list but is offered no retry', async () => {
    const page = await context.newPage();
    await signIn(page, url, 'vera', 'viewer-password-1');
    await page.goto(`${url}/#/jobs`);
    await page.waitForSelector('table.parked tbody tr');
    assert.equal(await page.locator('button.retry, button.retry-all').count(), 0);
    assert.ok(await page.isVisible('text=только просмотр'));
    await page.close();
  });

  test('with the gateway back, an owner retries one SMS, then all, and the guests get their SMS', async () => {
    t.sms.refuseWith = null;
    const page = await context.newPage();
    await signIn(page, url, 'olga', 'owner-password-1');
    await page.goto(`${url}/#/jobs`);
    await page.waitForSelector('table.parked tbody tr');
    const firstSms = page.locator('table.parked tbody tr', { hasText: 'sms.send' }).first();
    await firstSms.locator('button.retry').click();
    await page.waitForSelector('[role=status] >> text=Возвращено в очередь');
    await page.waitForFunction(() => document.querySelectorAll('table.parked tbody tr').length === 2);
    await t.drain();
    assert.equal(t.sms.received.length, 1, 'the retried SMS went out');

    await page.click('button.retry-all');
    await page.waitForSelector('text=Ничего не отложено');
    assert.equal(await page.textContent('[role=status]'), 'Возвращено в очередь: 2');
    await t.drain();
    assert.deepEqual(t.sms.received.map((sms) => sms.to).sort(), PHONES, 'each guest got their code once');

    await page.goto(`${url}/#/messages`);
    await page.waitForSelector('table.messages tbody tr');
    const statuses = await page.locator('table.messages tbody tr td:nth-child(2)').allTextContents();
    assert.deepEqual(statuses, ['отправлено', 'отправлено']);
    await page.goto(`${url}/#/dashboard`);
    await page.waitForSelector('.cards .card');
    assert.equal(await page.locator('.cards a.parked-work').count(), 0, 'no count once nothing is parked');
    await page.close();
  });
});
