// Google Wallet objects of the guest's card (issue 17) through the real server, with a service account key made for
// the test: the signed-in guest is sent to Google's save link, whose JWT verifies with the account's public key and
// carries the card's loyalty object; a paid order makes the worker send the object with the new balance to a local
// double of Google's objects API, under a token the double's token URL granted for the account's assertion; an
// object Google does not have yet is inserted; a refusal for good is parked; the console counts the guests who
// took the link. Without the settings there is no button, no route, no count and no job.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../src/config.ts';
import { syncWalletCards, walletsOf, walletUpdates } from '../src/guestcard/wallet-updates.ts';
import { startServer } from '../src/main.ts';
import { createTestApp, type TestApp } from './support/app.ts';
import { readJwt, signedInGuest, startGoogleWalletDouble, type GoogleWalletDouble } from './support/wallet.ts';

const PHONE = '79163334455';
const ISSUER = '3388000000012345678';
const ACCOUNT = 'regulars@venue-wallet.iam.gserviceaccount.com';
const SAVE_URL = 'https://pay.google.com/gp/v/save/';

const keys = generateKeyPairSync('rsa', { modulusLength: 2048 });
const dir = mkdtempSync(join(tmpdir(), 'regulars-google-wallet-'));
const file = (name: string, text: string) => {
  writeFileSync(join(dir, name), text);
  return join(dir, name);
};
const privatePem = keys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const KEY_FILE = file('service-account.json', JSON.stringify({ type: 'service_account', client_email: ACCOUNT, private_key: privatePem, private_key_id: 'k1' }));

const paidOrder = (t: TestApp, orderId: string) =>
  t.call('Offline.SaveOfflineOrder', {
    customer: { mobilePhone: PHONE },
    executionDateTimeUtc: t.clock.now.toISOString().replace('T', ' ').replace('Z', ''),
    order: { ids: { iikoOrderId: orderId }, totalPrice: 7650, payments: [{ type: 'Cash', amount: 7650 }], lines: [{ product: { ids: { iiko: 'dinner' } }, quantity: 1, basePricePerItem: 7650 }] },
  });

describe('Google Wallet objects', () => {
  let t: TestApp;
  let google: GoogleWalletDouble;
  let cookie = '';
  let objectId = '';
  let cardNumber = '';

  const card = (headers: Record<string, string> = { cookie }) => t.server.inject({ method: 'GET', url: '/card', headers });
  const saveLink = (headers: Record<string, string> = { cookie }) => t.server.inject({ method: 'GET', url: '/card/wallet/google', headers });
  const sync = async () => (await syncWalletCards(t.app.db, t.app.project.current, t.clock.now, walletsOf(t.app))).google;
  const puts = () => google.calls.filter((call) => call.method === 'PUT');

  before(async () => {
    google = await startGoogleWalletDouble(ACCOUNT, keys.publicKey);
    t = await createTestApp({
      smsInbox: true,
      phoneConfirmation: false,
      env: {
        REGULARS_PUBLIC_URL: 'https://loyalty.example.ru/',
        REGULARS_GOOGLE_ISSUER_ID: ISSUER,
        REGULARS_GOOGLE_CLASS_ID: 'loyalty',
        REGULARS_GOOGLE_KEY_FILE: KEY_FILE,
        REGULARS_GOOGLE_WALLET_API_URL: google.apiUrl,
        REGULARS_GOOGLE_TOKEN_URL: google.tokenUrl,
      },
    });
    cookie = await signedInGuest(t, PHONE, 'Борис');
    cardNumber = (await t.admin('GET', `/api/admin/customers?q=${PHONE}`)).body.items[0].discountCard;
    // the update task starts watching from here
    await walletUpdates.run(t.app);
  });

  after(async () => {
    await t?.close();
    await google?.close();
  });

  test('Google settings are all or nothing; the class must be the issuer’s', () => {
    assert.throws(
      () => loadConfig({ REGULARS_GOOGLE_ISSUER_ID: ISSUER }),
      (error: Error) => error instanceof ConfigError && /Google Wallet passes need REGULARS_GOOGLE_CLASS_ID, REGULARS_GOOGLE_KEY_FILE as well$/.test(error.message),
    );
    assert.throws(() => loadConfig({ REGULARS_GOOGLE_SERVICE_ACCOUNT: ACCOUNT }), /Google Wallet passes need REGULARS_GOOGLE_ISSUER_ID/);
    const settings = { REGULARS_GOOGLE_ISSUER_ID: ISSUER, REGULARS_GOOGLE_KEY_FILE: KEY_FILE };
    assert.throws(() => loadConfig({ ...settings, REGULARS_GOOGLE_CLASS_ID: '1234.loyalty' }), /REGULARS_GOOGLE_CLASS_ID: 1234.loyalty is not a class of issuer/);
    assert.equal(loadConfig({ ...settings, REGULARS_GOOGLE_CLASS_ID: `${ISSUER}.loyalty` }).guestCard.google?.classId, `${ISSUER}.loyalty`);
    const defaults = loadConfig({ ...settings, REGULARS_GOOGLE_CLASS_ID: 'loyalty' }).guestCard.google;
    assert.equal(defaults?.classId, `${ISSUER}.loyalty`);
    assert.equal(defaults?.apiUrl, 'https://walletobjects.googleapis.com/walletobjects/v1');
    assert.equal(defaults?.tokenUrl, 'https://oauth2.googleapis.com/token');
    assert.equal(loadConfig({}).guestCard.google, null);
  });

  test('a key file that is not the service account’s key stops the start, with the setting named', async () => {
    const ecKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const bad: [string, RegExp][] = [
      [join(dir, 'missing.json'), /REGULARS_GOOGLE_KEY_FILE: cannot read .*missing\.json \(ENOENT\)$/],
      [file('no-key.json', JSON.stringify({ client_email: ACCOUNT })), /REGULARS_GOOGLE_KEY_FILE: .* is not a service account's key file \(it needs client_email and private_key\)$/],
      [file('broken.json', '{ "client_email": '), /REGULARS_GOOGLE_KEY_FILE: .* is not valid JSON$/],
      [file('not-a-key.pem', 'hello'), /REGULARS_GOOGLE_KEY_FILE: .* holds no private key Node can read/],
      [file('ec.pem', ecKey), /REGULARS_GOOGLE_KEY_FILE: the key in .* is ec; Google signs with RSA/],
      [file('account.pem', privatePem), /REGULARS_GOOGLE_KEY_FILE: .* is a PEM key: REGULARS_GOOGLE_SERVICE_ACCOUNT must name the service account's e-mail$/],
    ];
    for (const [keyFile, message] of bad) {
      const config = loadConfig({ REGULARS_GOOGLE_ISSUER_ID: ISSUER, REGULARS_GOOGLE_CLASS_ID: 'loyalty', REGULARS_GOOGLE_KEY_FILE: keyFile });
      assert.throws(() => walletsOf({ config, secrets: t.app.secrets }), message, keyFile);
    }
    // a PEM key with the account's e-mail is a key
    const pem = loadConfig({ REGULARS_GOOGLE_ISSUER_ID: ISSUER, REGULARS_GOOGLE_CLASS_ID: 'loyalty', REGULARS_GOOGLE_KEY_FILE: join(dir, 'account.pem'), REGULARS_GOOGLE_SERVICE_ACCOUNT: ACCOUNT });
    assert.deepEqual(walletsOf({ config: pem, secrets: t.app.secrets }), { apple: false, google: true });

    // the server itself refuses to start (a worker too), before it listens
    const worker = loadConfig({
      REGULARS_DATA_DIR: 'memory://',
      REGULARS_ROLE: 'worker',
      LOG_LEVEL: 'silent',
      REGULARS_GOOGLE_ISSUER_ID: ISSUER,
      REGULARS_GOOGLE_CLASS_ID: 'loyalty',
      REGULARS_GOOGLE_KEY_FILE: join(dir, 'no-key.json'),
    });
    const started = startServer(worker).then(async (running) => {
      await running.stop();
      return running;
    });
    await assert.rejects(started, /^Error: REGULARS_GOOGLE_KEY_FILE: .*no-key\.json is not a service account's key file/);
  });

  test('the signed-in guest is sent to the save link: a JWT signed with the account’s key carrying the card’s object', async () => {
    const page = (await card()).body;
    assert.match(page, /<a class="wallet" href="\/card\/wallet\/google" data-testid="google-wallet">Добавить в Google Wallet<\/a>/);
    assert.doesNotMatch(page, /data-testid="apple-wallet"/, 'Apple Wallet is not configured');
    assert.match((await t.server.inject({ method: 'GET', url: '/card?lang=en', headers: { cookie } })).body, />Add to Google Wallet</);
    const stranger = await saveLink({});
    assert.equal(stranger.statusCode, 303);
    assert.equal(stranger.headers.location, '/card');

    const response = await saveLink();
    assert.equal(response.statusCode, 303);
    assert.equal(response.headers['cache-control'], 'no-store');
    const location = String(response.headers.location);
    assert.ok(location.startsWith(SAVE_URL), location);
    const jwt = location.slice(SAVE_URL.length);
    const { header, claims, verified } = readJwt(jwt, keys.publicKey);
    assert.ok(verified, 'the signature verifies with the service account’s public key');
    assert.equal(readJwt(jwt, generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey).verified, false, 'and with no other key');
    const [head, body, signature] = jwt.split('.');
    const forged = Buffer.from(Buffer.from(body, 'base64url').toString('utf8').replace('"Bronze"', '"Gold"')).toString('base64url');
    assert.equal(readJwt(`${head}.${forged}.${signature}`, keys.publicKey).verified, false, 'a changed object does not verify');

    assert.deepEqual(header, { alg: 'RS256', typ: 'JWT' });
    assert.equal(claims.iss, ACCOUNT);
    assert.equal(claims.aud, 'google');
    assert.equal(claims.typ, 'savetowallet');
    assert.deepEqual(claims.origins, ['https://loyalty.example.ru']);
    assert.equal(claims.iat, Math.floor(t.clock.now.getTime() / 1000));
    const objects = claims.payload.loyaltyObjects;
    assert.equal(objects.length, 1);
    const [object] = objects;
    assert.match(object.id, new RegExp(`^${ISSUER}\\.[\\w-]+$`));
    assert.equal(object.classId, `${ISSUER}.loyalty`);
    assert.equal(object.state, 'ACTIVE');
    assert.equal(object.accountId, cardNumber);
    assert.equal(object.accountName, 'Борис');
    assert.equal(object.loyaltyPoints.balance.string, '0');
    assert.deepEqual(object.secondaryLoyaltyPoints, { label: 'Уровень', balance: { string: 'Bronze' } });
    assert.match(object.textModulesData[0].body, /^ещё 10\s000 ₽ до Silver$/);
    assert.deepEqual(object.barcode, { type: 'QR_CODE', value: cardNumber, alternateText: cardNumber });
    objectId = object.id;

    // asked again, it is the same object
    const again = readJwt(String((await saveLink()).headers.location).slice(SAVE_URL.length), keys.publicKey);
    assert.equal(again.claims.payload.loyaltyObjects[0].id, objectId);
    assert.equal(google.calls.length, 0, 'nothing is sent to Google until the card changes');
    const dashboard = (await t.admin('GET', '/api/admin/dashboard')).body;
    assert.equal(dashboard.googleWalletPasses, 1, 'the console counts the guests who took the save link');
    assert.equal(dashboard.walletPasses, null, 'Apple Wallet is not configured');
  });

  test('a paid order makes the worker send the object with the new balance to Google, under a token Google granted', async () => {
    // the guest saved the card: Google made the object from the link
    const saved = readJwt(String((await saveLink()).headers.location).slice(SAVE_URL.length), keys.publicKey).claims.payload.loyaltyObjects[0];
    google.objects.set(objectId, saved);
    t.clock.advance(60_000);
    const paid = await paidOrder(t, 'google-1');
    assert.equal(paid.body.order.processingStatus, 'Created', paid.text);
    await walletUpdates.run(t.app);
    assert.equal(await sync(), 0, 'an object whose content did not change again is not sent again');
    await t.drain();

    assert.equal(google.issuedTokens.length, 1);
    assert.deepEqual(
      puts().map((call) => [call.path, call.authorization, call.status]),
      [[`/walletobjects/v1/loyaltyObject/${objectId}`, `Bearer ${google.issuedTokens[0]}`, 200]],
    );
    const sent = google.objects.get(objectId);
    assert.equal(sent.id, objectId);
    assert.equal(sent.loyaltyPoints.balance.string, '382');
    assert.equal(sent.secondaryLoyaltyPoints.balance.string, 'Bronze');
    assert.deepEqual(sent.barcode, { type: 'QR_CODE', value: cardNumber, alternateText: cardNumber });
  });

  test('an object Google does not have yet is inserted with the card as it is; the token is asked for once', async () => {
    google.objects.clear();
    const guest = (await t.admin('GET', `/api/admin/customers?q=${PHONE}`)).body.items[0];
    assert.equal((await t.admin('POST', `/api/admin/customers/${guest.id}/adjustments`, { balanceType: 'Bonus', amount: 100, reason: 'Комплимент' })).httpStatus, 200);
    assert.equal(await sync(), 1);
    await t.drain();
    assert.deepEqual(
      google.calls.slice(-2).map((call) => [call.method, call.status]),
      [
        ['PUT', 404],
        ['POST', 200],
      ],
    );
    assert.equal(google.objects.get(objectId).loyaltyPoints.balance.string, '482');
    assert.equal(google.issuedTokens.length, 1, 'the token is kept until shortly before it expires');
    assert.ok(google.calls.every((call) => call.authorization === `Bearer ${google.issuedTokens[0]}`));
  });

  test('an update Google refuses for good is parked with Google’s reason, not retried', async () => {
    google.refuseWith = 403;
    const guest = (await t.admin('GET', `/api/admin/customers?q=${PHONE}`)).body.items[0];
    await t.admin('POST', `/api/admin/customers/${guest.id}/adjustments`, { balanceType: 'Bonus', amount: 10, reason: 'Комплимент' });
    assert.equal(await sync(), 1);
    const calls = google.calls.length;
    await t.drain();
    google.refuseWith = null;
    assert.equal(google.calls.length, calls + 1, 'one attempt');
    const jobs = await t.app.db.selectFrom('outbox').select(['status', 'attempts', 'last_error']).where('topic', '=', 'wallet.google-update').orderBy('id', 'desc').limit(1).execute();
    assert.deepEqual(jobs, [{ status: 'parked', attempts: 1, last_error: `update of ${objectId}: HTTP 403 (The caller does not have permission)` }]);
  });
});

describe('Google Wallet not configured', () => {
  let t: TestApp;
  let cookie = '';

  before(async () => {
    t = await createTestApp({ smsInbox: true, phoneConfirmation: false });
    cookie = await signedInGuest(t, PHONE, 'Вера');
  });

  after(() => t?.close());

  test('no button, no save link, and a changed card queues no Google job', async () => {
    assert.doesNotMatch((await t.server.inject({ method: 'GET', url: '/card', headers: { cookie } })).body, /google-wallet|Google Wallet/);
    assert.equal((await t.server.inject({ method: 'GET', url: '/card/wallet/google', headers: { cookie } })).statusCode, 404);
    assert.equal((await t.admin('GET', '/api/admin/dashboard')).body.googleWalletPasses, null);

    const wallets = walletsOf(t.app);
    assert.deepEqual(wallets, { apple: false, google: false });
    const sync = () => syncWalletCards(t.app.db, t.app.project.current, t.clock.now, wallets);
    await sync();
    // an object left from a time Google Wallet was configured is not sent without it
    const guest = (await t.admin('GET', `/api/admin/customers?q=${PHONE}`)).body.items[0];
    await t.app.db.insertInto('google_wallet_objects').values({ object_id: `${ISSUER}.left-over`, customer_id: guest.id, fingerprint: 'old', updated_at: t.clock.now, created_at: t.clock.now }).execute();
    t.clock.advance(60_000);
    assert.equal((await paidOrder(t, 'no-google-1')).body.order.processingStatus, 'Created');
    await walletUpdates.run(t.app);
    assert.deepEqual(await sync(), { apple: 0, google: 0 });
    const jobs = await t.app.db.selectFrom('outbox').select('id').where('topic', '=', 'wallet.google-update').execute();
    assert.equal(jobs.length, 0);
  });
});
