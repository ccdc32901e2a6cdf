// "See the effect" in the console, in a real browser against the real server process (issue 15): a marketer
// uploads a proposed project (Gold earns 12 % and gets 10 % off, Silver starts at 15 000), sees the paid orders
// replayed under both programs, the guest who would drop from Silver to Bronze and a sample bill side by side,
// before anything is applied; then changes the Gold rate in the program's form, sees the effect, applies, and the
// POS's next preorder earns at the new rate, while a code's SMS text is refused to a marketer; a viewer has no upload. Takes docs/console-simulation.png (written to docs/ when
// REGULARS_UPDATE_SCREENSHOT=1), and docs/console-program-editor.png.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, type Page } from 'playwright-core';
import YAML from 'yaml';
import { buildUi } from '../../scripts/build-ui.ts';
import { addUser } from '../../src/admin/users.service.ts';
import { loadConfig } from '../../src/config.ts';
import { openApp } from '../../src/main.ts';
import { createTestDatabase, testDatabaseUrl, type TestDatabase } from '../support/db.ts';
import { freshDataDir, startServerProcess, type ServerProcess } from '../support/process.ts';
import { browserSkipReason, openBrowser } from '../support/browser.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const SECRET_KEY = 'e2e-secret-key-0123456789';
const ADMIN_TOKEN = 'e2e-admin-token-0123456789';

describe('seeing the effect of a proposed program in the console', { skip: browserSkipReason() }, () => {
  let database: TestDatabase | null = null;
  let server: ServerProcess;
  let context: BrowserContext;

  async function protocol(operation: string, body: unknown) {
    const response = await fetch(`${server.url}/v3/operations/sync?endpointId=iiko&operation=${operation}&transactionId=${randomUUID()}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `SecretKey ${SECRET_KEY}` },
      body: JSON.stringify(body),
    });
    return response.json();
  }

  async function guestWithPaidOrder(phone: string, name: string, price: number) {
    const registered = await protocol('Offline.RegisterCustomer', { customer: { mobilePhone: phone, firstName: name } });
    assert.equal(registered.status, 'Success', JSON.stringify(registered));
    const order = await protocol('Offline.CreateAuthorizedOrder', {
      customer: { mobilePhone: phone },
      order: {
        ids: { iikoOrderId: `S-${phone}` },
        payments: [{ type: 'card', amount: price }],
        totalPrice: price,
        lines: [{ lineNumber: 1, quantity: 1, basePricePerItem: price, product: { ids: { iiko: 'banquet' } }, status: { ids: { externalId: 'iikoPaid' } } }],
      },
    });
    assert.equal(order.status, 'Success', JSON.stringify(order));
  }

  async function signIn(page: Page, name: string, password: string) {
    await page.context().clearCookies();
    await page.goto(server.url);
    await page.fill('input[name=name]', name);
    await page.fill('input[name=password]', password);
    await page.click('button[type=submit]');
    await page.waitForSelector('nav.sidebar');
  }

  const text = async (page: Page, selector: string) => ((await page.textContent(selector)) ?? '').replace(/\s/g, '');

  before(async () => {
    await buildUi({ quiet: true });
    let env: Record<string, string> = testDatabaseUrl ? { ...(database = await createTestDatabase()).env } : { REGULARS_DATA_DIR: freshDataDir() };
    env = { ...env, REGULARS_SECRET_KEY: SECRET_KEY, REGULARS_ADMIN_TOKEN: ADMIN_TOKEN, REGULARS_PHONE_CONFIRMATION: 'false' };
    const opened = await openApp(loadConfig({ ...env, LOG_LEVEL: 'silent' }));
    try {
      await addUser(opened.app.db, { name: 'mark', role: 'marketer', password: 'marketer-password-1' });
      await addUser(opened.app.db, { name: 'vera', role: 'viewer', password: 'viewer-password-1' });
    } finally {
      await opened.close();
    }
    server = await startServerProcess(env);
    await guestWithPaidOrder('79160000001', 'Анна', 60000);
    await guestWithPaidOrder('79160000002', 'Борис', 12000);
    await guestWithPaidOrder('79160000003', 'Вера', 5000);
    // the server's worker moves them into their level segments and the Rank scenario writes the level
    for (const [phone, rank] of [['79160000001', 'Gold'], ['79160000002', 'Silver'], ['79160000003', 'Bronze']]) {
      for (let tries = 0; !JSON.stringify(await protocol('Offline.CheckCustomer', { customer: { mobilePhone: phone } })).includes(`"${rank}"`); tries++) {
        assert.ok(tries < 300, `${phone} never became ${rank}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    context = await openBrowser({ viewport: { width: 1400, height: 1000 } });
  });

  after(async () => {
    await context?.close();
    await server?.stop();
    await database?.close();
  });

  test('a marketer uploads a proposal and sees the replay, the guests who move and a sample bill, with nothing applied', async () => {
    const project = await (await fetch(`${server.url}/api/admin/project`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).json();
    project.promotions.find((p: any) => p.systemName === 'EarnGold').percent = 12;
    project.promotions.push({ systemName: 'GoldDiscount', name: 'Скидка 10 % (Gold)', kind: 'discount', percent: 10, scope: 'order', customField: { name: 'Rank', equals: 'Gold' } });
    project.segments.find((s: any) => s.systemName === 'RankSilver').conditions[0].atLeast = 15000;
    project.segments.find((s: any) => s.systemName === 'RankBronze').conditions[0].below = 15000;

    const page = await context.newPage();
    await signIn(page, 'mark', 'marketer-password-1');
    await page.goto(`${server.url}/#/project`);
    await page.setInputFiles('input[type=file]', { name: 'proposed.yaml', mimeType: 'application/yaml', buffer: Buffer.from(YAML.stringify(project)) });
    await page.waitForSelector('.effect form');
    assert.equal(await page.inputValue('.effect select[name=billFor]'), 'RankGold');
    await page.fill('.effect input[name=dish-0]', 'steak');
    await page.fill('.effect input[name=quantity-0]', '2');
    await page.fill('.effect input[name=price-0]', '1000');
    await page.click('.effect button[type=submit]');
    await page.waitForSelector('.effect-result');

    // Gold 10 % of 60 000, Silver 7 % of 12 000, Bronze 5 % of 5 000 → Gold 12 % of 54 000 after 10 % off, Silver now Bronze: 5 %
    assert.equal(await text(page, '.replay-totals th'), 'Заказов:3');
    assert.equal(await text(page, 'tr[data-total=pointsEarned]'), 'Начисленобаллов70907330+240');
    assert.equal(await text(page, 'tr[data-total=discount]'), 'Скидки,₽06000+6000');
    assert.match(await text(page, '.level-shifts'), /Silver→Bronze1:Борис/);
    assert.equal(await text(page, '.sample-bill [data-side=current] [data-field=toPay]'), '2000');
    assert.equal(await text(page, '.sample-bill [data-side=proposed] [data-field=toPay]'), '1800');
    assert.equal(await text(page, '.sample-bill [data-side=proposed] [data-field=pointsEarned]'), '216');
    assert.match(await text(page, '.sample-bill [data-side=proposed]'), /Скидка10%\(Gold\):−200/);

    const screenshot = join(tmpdir(), `regulars-console-simulation-${process.pid}.png`);
    await page.screenshot({ path: screenshot, fullPage: true });
    if (process.env.REGULARS_UPDATE_SCREENSHOT === '1') copyFileSync(screenshot, join(ROOT, 'docs', 'console-simulation.png'));

    const versions = await (await fetch(`${server.url}/api/admin/project/versions`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).json();
    assert.equal(versions.items.length, 1, 'nothing was applied');
    await page.close();
  });

  test('a marketer changes the Gold earn rate in the form, sees the effect, applies, and the POS earns at it; a code’s text needs an owner', async () => {
    const page = await context.newPage();
    await signIn(page, 'mark', 'marketer-password-1');
    await page.goto(`${server.url}/#/project`);
    await page.click('button.edit-program');

    // the text of a code is the installation's: the server refuses a marketer's plan of it, naming it
    const codeText = await page.inputValue('textarea[name=template-AuthorizationCodeSms]');
    await page.fill('textarea[name=template-AuthorizationCodeSms]', `Ваш ${codeText}`);
    await page.click('.program-editor button[type=submit]');
    await page.waitForSelector('[role=alert]');
    assert.match((await page.textContent('[role=alert]')) ?? '', /need an owner[\s\S]*mailings\/AuthorizationCodeSms/);
    await page.fill('textarea[name=template-AuthorizationCodeSms]', codeText);

    await page.fill('input[name=rate-EarnGold]', '12');
    await page.click('.program-editor button[type=submit]');
    await page.waitForSelector('.plan .change');
    assert.deepEqual(await page.locator('.plan .change summary code').allTextContents(), ['promotions/EarnGold']);
    await page.click('.effect button[type=submit]');
    await page.waitForSelector('.effect-result');
    // Gold 12 % of 60 000 instead of 10 %: +1 200
    assert.equal(await text(page, 'tr[data-total=pointsEarned]'), 'Начисленобаллов70908290+1200');
    const screenshot = join(tmpdir(), `regulars-console-program-editor-${process.pid}.png`);
    await page.screenshot({ path: screenshot, fullPage: true });
    if (process.env.REGULARS_UPDATE_SCREENSHOT === '1') copyFileSync(screenshot, join(ROOT, 'docs', 'console-program-editor.png'));
    await page.click('.plan button.apply');
    await page.waitForSelector('text=Проект применён, версия 2');

    const preorder = await protocol('Offline.AuthorizedPreorder', {
      customer: { mobilePhone: '79160000001' },
      order: { ids: { iikoOrderId: 'S-next' }, lines: [{ lineNumber: 1, quantity: 1, basePricePerItem: 1000, product: { ids: { iiko: 'steak' } } }] },
    });
    assert.equal(preorder.order.bonusPointsChanges[0].earnedAmount, 120, JSON.stringify(preorder));
    const versions = await (await fetch(`${server.url}/api/admin/project/versions`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).json();
    assert.deepEqual([versions.items[0].appliedBy, versions.items[0].changes], ['mark', [{ id: 'promotions/EarnGold', status: 'changed' }]]);
    await page.close();
  });

  test('a viewer has no upload, and the server refuses a viewer’s simulation', async () => {
    const page = await context.newPage();
    await signIn(page, 'vera', 'viewer-password-1');
    await page.goto(`${server.url}/#/project`);
    await page.waitForSelector('.tabs');
    assert.equal(await page.locator('input[type=file]').count(), 0);
    const status = await page.evaluate(async () => {
      const session = await (await fetch('/api/auth/session')).json();
      const response = await fetch('/api/admin/project/simulate', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-csrf-token': session.csrfToken },
        body: JSON.stringify({ content: 'version: 1' }),
      });
      return response.status;
    });
    assert.equal(status, 403);
    await page.close();
  });
});
