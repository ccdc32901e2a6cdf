// The guest's card page in a real phone-sized browser (Debian's headless Chromium) against the real server
// process, whose SMS go to a real SMPP server on loopback: the guest types the phone, reads the code from the SMS,
// signs in, sees the balance from a paid order, the level and what is missing to the next one, the history, the
// card's QR code and barcode, and switches SMS on. Takes docs/guest-card.png (REGULARS_UPDATE_SCREENSHOT=1).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { devices, type BrowserContext } from 'playwright-core';
import { createTestDatabase, testDatabaseUrl, type TestDatabase } from '../support/db.ts';
import { freshDataDir, startServerProcess, type ServerProcess } from '../support/process.ts';
import { browserSkipReason, openBrowser } from '../support/browser.ts';
import { startSmppGateway, type SmppGateway } from '../support/smpp-gateway.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const SECRET_KEY = 'e2e-card-secret-key-0123456789';
const ADMIN_TOKEN = 'e2e-card-admin-token-0123456789';
const PHONE = '79031234567';

describe('the card page in a browser', { skip: browserSkipReason() }, () => {
  let database: TestDatabase | null = null;
  let gateway: SmppGateway;
  let server: ServerProcess;
  let context: BrowserContext;

  const protocol = async (operation: string, body: unknown) => {
    const response = await fetch(`${server.url}/v3/operations/sync?endpointId=iiko&operation=${operation}&transactionId=${randomUUID()}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `SecretKey ${SECRET_KEY}` },
      body: JSON.stringify(body),
    });
    return (await response.json()) as any;
  };

  before(async () => {
    gateway = await startSmppGateway();
    database = testDatabaseUrl ? await createTestDatabase() : null;
    server = await startServerProcess({
      ...(database ? database.env : { REGULARS_DATA_DIR: freshDataDir() }),
      REGULARS_SECRET_KEY: SECRET_KEY,
      REGULARS_ADMIN_TOKEN: ADMIN_TOKEN,
      REGULARS_PHONE_CONFIRMATION: 'false',
      REGULARS_SMS_URL: `smpp://user:pass@127.0.0.1:${gateway.port}?source=Regulars`,
    });
    const registered = await protocol('Offline.RegisterCustomer', { customer: { mobilePhone: PHONE, firstName: 'Анна', lastName: 'Смирнова' } });
    assert.equal(registered.customer?.processingStatus, 'Created', JSON.stringify(registered));
    const paid = await protocol('Offline.SaveOfflineOrder', {
      customer: { mobilePhone: PHONE },
      pointOfContact: 'cafe-arbat',
      executionDateTimeUtc: new Date(Date.now() - 3_600_000).toISOString().replace('T', ' ').replace('Z', ''),
      order: { ids: { iikoOrderId: 'card-1' }, totalPrice: 7650, payments: [{ type: 'Cash', amount: 7650 }], lines: [{ product: { ids: { iiko: 'dinner' } }, quantity: 1, basePricePerItem: 7650 }] },
    });
    assert.equal(paid.order?.processingStatus, 'Created', JSON.stringify(paid));
    context = await openBrowser(devices['Pixel 7']);
  });

  after(async () => {
    await context?.close();
    await server?.stop();
    await gateway?.stop();
    await database?.close();
  });

  test('a guest signs in with the SMS code and sees the balance, the level, the history and the card; switches SMS on', async () => {
    const page = await context.newPage();
    await page.goto(`${server.url}/card`);
    await page.fill('input[name=phone]', '8 (903) 123-45-67');
    await page.click('button[type=submit]');
    await page.waitForSelector('input[name=code]');
    const sms = await gateway.nextSms();
    assert.equal(sms.to, PHONE);
    const code = /^Код авторизации: (\d{6})$/.exec(sms.text)?.[1];
    assert.ok(code, sms.text);
    await page.fill('input[name=code]', code);
    await page.click('button[type=submit]');
    await page.waitForSelector('[data-testid=card-number]');

    // 5 % of 7 650 ₽ for Bronze
    assert.equal((await page.textContent('[data-testid=available]'))?.trim(), '382');
    assert.match((await page.textContent('[data-testid=next-level]')) ?? '', /Ещё 2\s350\s₽ до уровня Silver/);
    assert.match((await page.textContent('[data-testid=history]')) ?? '', /\+382/);
    const number = (await page.textContent('[data-testid=card-number]'))?.trim() ?? '';
    assert.match(number, /^29\d{11}$/);
    const qr = await page.locator('[data-testid=qr] svg').boundingBox();
    assert.ok(qr && qr.width >= 150 && qr.height >= 150, `the QR code is drawn large enough to scan: ${JSON.stringify(qr)}`);
    assert.ok(await page.locator('[data-testid=barcode] svg path').count(), 'the barcode is drawn');
    // the cashier's POS finds the guest by the number under the codes
    const found = await protocol('Offline.CheckCustomer', { customer: { discountCard: { ids: { number } } } });
    assert.equal(found.customer.mobilePhone, PHONE);

    await page.click('[data-testid=consent-Sms] button');
    await page.waitForSelector('[data-testid=consent-Sms] >> text=включены');
    const guests = (await (await fetch(`${server.url}/api/admin/customers?q=${PHONE}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).json()) as any;
    const history = (await (await fetch(`${server.url}/api/admin/customers/${guests.items[0].id}/subscription-history`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).json()) as any;
    assert.equal(history.items[0].operation, 'GuestCard.ChangeConsent');

    const screenshot = join(tmpdir(), `regulars-guest-card-${process.pid}.png`);
    await page.screenshot({ path: screenshot, fullPage: true });
    if (process.env.REGULARS_UPDATE_SCREENSHOT === '1') copyFileSync(screenshot, join(ROOT, 'docs', 'guest-card.png'));

    await page.click('text=Выйти');
    await page.waitForSelector('input[name=phone]');
    await page.close();
  });
});
