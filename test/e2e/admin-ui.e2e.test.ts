// The admin console in a real browser (Debian's headless Chromium driven by playwright-core) against the
// real server process: sign in, find a guest by a phone typed the way a person types it, read why the
// balance is what it is, adjust it, unsubscribe the guest from SMS with a reason, and see a viewer refused.
// Also takes the dashboard screenshot that README shows (written to docs/ when REGULARS_UPDATE_SCREENSHOT=1).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, type Page } from 'playwright-core';
import { buildUi } from '../../scripts/build-ui.ts';
import { addUser } from '../../src/admin/users.service.ts';
import { loadConfig } from '../../src/config.ts';
import { insertCustomer } from '../../src/customers/customers.repository.ts';
import { accruePoints, changeBalance, spendPoints } from '../../src/loyalty/ledger.service.ts';
import { openApp } from '../../src/main.ts';
import { createTestDatabase, testDatabaseUrl, type TestDatabase } from '../support/db.ts';
import { freshDataDir, startServerProcess, type ServerProcess } from '../support/process.ts';
import { browserSkipReason, openBrowser } from '../support/browser.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const SECRET_KEY = 'e2e-secret-key-0123456789';
const ADMIN_TOKEN = 'e2e-admin-token-0123456789';
const DAY_MS = 86_400_000;

interface SeededGuest {
  phone: string;
  joined: Date;
}

/**
 * A deterministic history for the dashboard, written before the server starts: console users, and guests who
 * joined over two weeks with points earned and spent on those days (the protocol would stamp everything
 * with today's date).
 */
async function seedHistory(env: Record<string, string>, now: Date): Promise<SeededGuest[]> {
  const opened = await openApp(loadConfig({ ...env, LOG_LEVEL: 'silent' }));
  try {
    const { db } = opened.app;
    const project = opened.app.project.current;
    const bonus = project.balanceType('Bonus')!;
    await addUser(db, { name: 'olga', role: 'owner', password: 'owner-password-1' });
    await addUser(db, { name: 'vera', role: 'viewer', password: 'viewer-password-1' });
    const guests: SeededGuest[] = [];
    for (let day = 13, n = 0; day >= 1; day -= 1) {
      const joined = 2 + ((day * 7) % 5);
      for (let k = 0; k < joined; k += 1, n += 1) {
        const created = new Date(now.getTime() - day * DAY_MS - k * 3_600_000);
        const phone = `7901${String(1_000_000 + n)}`;
        const guest = await insertCustomer(db, { mobile_phone: phone, is_mobile_phone_confirmed: n % 3 !== 0, first_name: `Гость ${n}`, custom_fields: '{}', created_at: created });
        guests.push({ phone, joined: created });
        const earned = 40 + ((n * 37) % 160);
        await accruePoints(db, project, { customerId: guest.id, balanceType: bonus, amount: earned, activeFrom: created, expiresAt: new Date(created.getTime() + 365 * DAY_MS), reason: `Приветственные баллы`, now: created }, { source: 'scenario', actor: 'Welcome' });
        const later = new Date(created.getTime() + DAY_MS);
        if (n % 2 === 0 && later < now) await spendPoints(db, project, { customerId: guest.id, balanceType: bonus, amount: Math.floor(earned / 2), reason: `Оплата баллами заказа ${3000 + n}`, now: later }, { source: 'operation', operation: 'Offline.CreateAuthorizedOrder' });
        if (n % 9 === 4) await changeBalance(db, project, { customerId: guest.id, balanceType: bonus, amount: -10, reason: 'Сгорание по сроку', now: created }, { source: 'system' });
      }
    }
    return guests;
  } finally {
    await opened.close();
  }
}

async function protocol(server: ServerProcess, operation: string, body: unknown) {
  const response = await fetch(`${server.url}/v3/operations/sync?endpointId=iiko&operation=${operation}&transactionId=${randomUUID()}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `SecretKey ${SECRET_KEY}` },
    body: JSON.stringify(body),
  });
  return response.json();
}

/** An order the POS took offline and sends later: the real path that writes orders with their past date. */
async function offlineOrder(server: ServerProcess, id: string, at: Date, pointOfContact: string, price: number, phone?: string) {
  const answer = await protocol(server, 'Offline.SaveOfflineOrder', {
    ...(phone ? { customer: { mobilePhone: phone } } : {}),
    pointOfContact,
    executionDateTimeUtc: at.toISOString().replace('T', ' ').replace('Z', ''),
    order: { ids: { iikoOrderId: id }, totalPrice: price, payments: [{ type: 'Cash', amount: price }], lines: [{ product: { ids: { iiko: 'dinner' } }, quantity: 1, basePricePerItem: price }] },
  });
  assert.equal(answer.order?.processingStatus, 'Created', JSON.stringify(answer));
}

async function signIn(page: Page, url: string, name: string, password: string) {
  await page.context().clearCookies();
  await page.goto(url);
  await page.fill('input[name=name]', name);
  await page.fill('input[name=password]', password);
  await page.click('button[type=submit]');
  await page.waitForSelector('nav.sidebar');
}

describe('admin console in a browser', { skip: browserSkipReason() }, () => {
  let database: TestDatabase | null = null;
  let server: ServerProcess;
  let context: BrowserContext;
  let annaId: number;
  const started = Date.now();

  before(async () => {
    await buildUi({ quiet: true });
    let env: Record<string, string>;
    if (testDatabaseUrl) {
      database = await createTestDatabase();
      env = { ...database.env };
    } else {
      env = { REGULARS_DATA_DIR: freshDataDir() };
    }
    env = { ...env, REGULARS_SECRET_KEY: SECRET_KEY, REGULARS_ADMIN_TOKEN: ADMIN_TOKEN };
    const now = new Date();
    const history = await seedHistory(env, now);
    server = await startServerProcess(env);
    const anna = await protocol(server, 'Offline.RegisterCustomer', {
      customer: { mobilePhone: '+7 900 123-45-67', lastName: 'Смирнова', firstName: 'Анна', subscriptions: [{ pointOfContact: 'Sms', isSubscribed: true }] },
    });
    assert.equal(anna.customer?.processingStatus, 'Created', JSON.stringify(anna));
    annaId = anna.customer.ids.mindboxId;
    for (const [phone, name] of [['+7 (902) 000-00-01', 'Пётр'], ['89020000002', 'Мария']]) {
      const answer = await protocol(server, 'Offline.RegisterCustomer', { customer: { mobilePhone: phone, firstName: name } });
      assert.equal(answer.customer?.processingStatus, 'Created', JSON.stringify(answer));
    }
    await offlineOrder(server, 'E-1001', new Date(now.getTime() - DAY_MS), 'cafe-arbat', 2400, '79001234567');
    for (const [n, guest] of history.entries()) {
      const at = new Date(guest.joined.getTime() + 2 * 3_600_000);
      if (at > now) continue;
      const venue = n % 3 === 0 ? 'cafe-tverskaya' : 'cafe-arbat';
      const price = n % 13 === 5 ? 55_000 : n % 7 === 3 ? 12_000 : 900 + ((n * 311) % 2600);
      await offlineOrder(server, `H-${n}`, at, venue, price, n % 4 === 1 ? undefined : guest.phone);
    }
    context = await openBrowser({ viewport: { width: 1400, height: 1000 } });
  });

  after(async () => {
    await context?.close();
    await server?.stop();
    await database?.close();
  });

  test('an owner signs in, finds a guest by "8 (900) 123-45-67", reads the accrual reason and adjusts the balance', async () => {
    const page = await context.newPage();
    await signIn(page, server.url, 'olga', 'owner-password-1');
    assert.equal(await page.textContent('.topbar .who [data-role]'), 'владелец');

    await page.click('nav.sidebar >> text=Гости');
    await page.fill('input[name=q]', '8 (900) 123-45-67');
    await page.click('form[role=search] button[type=submit]');
    // the newest guests are listed before the search answers: wait for the search's own result
    await page.waitForFunction(() => document.querySelectorAll('table.guests tbody tr').length === 1);
    const row = page.locator('table.guests tbody tr');
    assert.match((await row.first().textContent()) ?? '', /Смирнова Анна/);
    await row.first().click();

    await page.waitForSelector('table.ledger tbody tr');
    assert.equal(await page.textContent('[data-balance=Bonus]'), '120');
    assert.match((await page.textContent('table.ledger')) ?? '', /Начислено за заказ E-1001/);

    await page.fill('form.adjust input[name=amount]', '30');
    await page.fill('form.adjust input[name=reason]', 'Извинение за долгую подачу');
    await page.click('form.adjust button[type=submit]');
    await page.waitForSelector('text=Извинение за долгую подачу');
    await page.waitForFunction(() => document.querySelector('[data-balance=Bonus]')?.textContent === '150');
    const ledgerText = (await page.textContent('table.ledger')) ?? '';
    assert.match(ledgerText, /\+30/);
    assert.match(ledgerText, /olga/);

    await page.locator('table.orders tbody tr').first().click();
    await page.waitForSelector('table.lines tbody tr');
    assert.match((await page.textContent('main')) ?? '', /E-1001/);
    assert.match((await page.textContent('table.lines')) ?? '', /iikoPaid/);
    await page.close();
  });

  test('a viewer sees the guest but has no adjustment form, and the server refuses a change with 403', async () => {
    const page = await context.newPage();
    await signIn(page, server.url, 'vera', 'viewer-password-1');
    await page.goto(`${server.url}/#/guests/${annaId}`);
    await page.waitForSelector('table.ledger tbody tr');
    assert.equal(await page.locator('form.adjust').count(), 0);
    assert.equal(await page.locator('form.consent').count(), 0);
    assert.ok(await page.isVisible('text=только просмотр'));
    const refused = await page.evaluate(async (id) => {
      const session = await (await fetch('/api/auth/session')).json();
      const response = await fetch(`/api/admin/customers/${id}/adjustments`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-csrf-token': session.csrfToken },
        body: JSON.stringify({ balanceType: 'Bonus', amount: 1000, reason: 'себе на кофе' }),
      });
      return { status: response.status, body: await response.json() };
    }, annaId);
    assert.equal(refused.status, 403);
    assert.match(refused.body.error, /viewer may not/);
    await page.close();
  });

  test("the guest card shows the consent per channel and its history; an owner unsubscribes the guest from SMS, saying why", async () => {
    const page = await context.newPage();
    await signIn(page, server.url, 'olga', 'owner-password-1');
    await page.goto(`${server.url}/#/guests/${annaId}`);
    await page.waitForSelector('table.consent-history tbody tr');
    assert.match((await page.textContent('table.consents tr[data-channel=Sms]')) ?? '', /подписан/);
    assert.match((await page.textContent('table.consents tr[data-channel=Email]')) ?? '', /нет согласия/);
    assert.match((await page.textContent('table.consent-history')) ?? '', /Offline\.RegisterCustomer/);

    await page.selectOption('form.consent select[name=channel]', 'Sms');
    await page.selectOption('form.consent select[name=consent]', 'no');
    await page.fill('form.consent input[name=consentReason]', 'Попросила на кассе не присылать SMS');
    await page.click('form.consent button[type=submit]');
    await page.waitForSelector('table.consent-history >> text=Попросила на кассе не присылать SMS');
    await page.waitForFunction(() => /отписан/.test(document.querySelector('table.consents tr[data-channel=Sms]')?.textContent ?? ''));
    assert.match((await page.textContent('table.consent-history')) ?? '', /olga/);
    const answer = await protocol(server, 'Offline.CheckCustomer', { customer: { mobilePhone: '79001234567' } });
    assert.deepEqual(answer.customer.subscriptions, [{ pointOfContact: 'Sms', isSubscribed: false }]);
    await page.close();
  });

  test('the dashboard shows charts of the seeded data, in English on request', async () => {
    const page = await context.newPage();
    await signIn(page, server.url, 'olga', 'owner-password-1');
    const twoWeeksAgo = new Date(Date.now() - 14 * DAY_MS).toISOString().slice(0, 10);
    await page.goto(`${server.url}/#/dashboard?from=${twoWeeksAgo}`);
    await page.waitForSelector('figure.chart svg polyline');
    const cards = (await page.textContent('.cards')) ?? '';
    assert.match(cards, /Всего гостей/);
    assert.ok((await page.locator('figure.chart rect').count()) > 10, 'bars are drawn');
    const screenshot = join(tmpdir(), `regulars-admin-dashboard-${process.pid}.png`);
    await page.screenshot({ path: screenshot, fullPage: true });
    if (process.env.REGULARS_UPDATE_SCREENSHOT === '1') copyFileSync(screenshot, join(ROOT, 'docs', 'admin-dashboard.png'));

    await page.click('.topbar .lang >> text=EN');
    await page.waitForSelector('text=Guests in all');
    assert.ok(await page.isVisible('nav.sidebar >> text=Operations log'));
    await page.click('.topbar .lang >> text=RU');
    await page.close();
    process.stdout.write(`# admin console e2e ran ${Math.round((Date.now() - started) / 1000)} s\n`);
  });

  test('the segments page shows each size and when the segments were last recalculated', async () => {
    const recalculated = await fetch(`${server.url}/api/admin/segments/recalculate`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    assert.equal(recalculated.status, 200, await recalculated.text());
    const page = await context.newPage();
    await signIn(page, server.url, 'vera', 'viewer-password-1');
    await page.goto(`${server.url}/#/segments`);
    await page.waitForSelector('text=Последний полный пересчёт');
    const text = (await page.textContent('main')) ?? '';
    assert.match(text, /Последний полный пересчёт: .+ \((ежедневный|после изменения условий|вручную)\)/);
    assert.doesNotMatch(text, /ещё не было/);
    assert.match(text, /RankBronze/);
    await page.close();
  });

  test('a failed call in the operations log opens with its masked request and the answer', async () => {
    await fetch(`${server.url}/v3/operations/sync?endpointId=iiko&operation=Offline.CheckCustomer`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `SecretKey ${SECRET_KEY}` },
      body: JSON.stringify({ customer: { mobilePhone: '12345' } }),
    });
    const page = await context.newPage();
    await signIn(page, server.url, 'olga', 'owner-password-1');
    await page.goto(`${server.url}/#/log?status=ValidationError`);
    await page.locator('table.log tbody tr').first().click();
    await page.waitForSelector('pre.json');
    const text = (await page.textContent('main')) ?? '';
    assert.match(text, /Offline\.CheckCustomer/);
    assert.match(text, /\/customer\/mobilePhone/);
    assert.doesNotMatch(text, /"12345"/);
    await page.close();
  });
});
