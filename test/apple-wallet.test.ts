// Apple Wallet passes of the guest's card (issue 17) through the real server, with certificates made for the
// test: the signed-in guest downloads a .pkpass whose manifest and signature hold; a device registers it through
// the PassKit web service; a paid order changes the pass, the device gets a push on the HTTP/2 double of Apple's
// push service (with the pass certificate as client certificate) and fetches the new pass with the new balance;
// the console counts the guests holding a pass.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { ConfigError, loadConfig } from '../src/config.ts';
import { syncWalletCards } from '../src/guestcard/wallet-updates.ts';
import { createTestApp, type TestApp } from './support/app.ts';
import { makeTestCertificates, readZip, signatureVerifies, signedInGuest, startPushDouble, type PushDouble, type TestCertificates } from './support/wallet.ts';

const PHONE = '79162223344';
const PASS_TYPE = 'pass.ru.example.loyalty';
const TEAM = 'ABCDE12345';
const BASE = '/card/wallet/apple/v1';

describe('Apple Wallet passes', () => {
  let t: TestApp;
  let certificates: TestCertificates;
  let push: PushDouble;
  let cookie = '';
  let serial = '';
  let token = '';

  const pkpass = (archive: Buffer) => {
    const files = readZip(archive);
    return { files, pass: JSON.parse(files.get('pass.json')!.toString('utf8')) };
  };
  const service = async (method: 'GET' | 'POST' | 'DELETE', url: string, options: { token?: string; body?: unknown; headers?: Record<string, string> } = {}) =>
    t.server.inject({
      method,
      url,
      headers: { ...(options.token ? { authorization: `ApplePass ${options.token}` } : {}), ...(options.body ? { 'content-type': 'application/json' } : {}), ...options.headers },
      payload: options.body ? JSON.stringify(options.body) : undefined,
    });
  const sync = async () => (await syncWalletCards(t.app.db, t.app.project.current, t.clock.now, { apple: true, google: false })).apple;

  before(async () => {
    certificates = makeTestCertificates(PASS_TYPE, TEAM);
    push = await startPushDouble(certificates);
    t = await createTestApp({
      smsInbox: true,
      phoneConfirmation: false,
      env: {
        REGULARS_PUBLIC_URL: 'https://loyalty.example.ru/',
        REGULARS_APPLE_PASS_TYPE_ID: PASS_TYPE,
        REGULARS_APPLE_TEAM_ID: TEAM,
        REGULARS_APPLE_PASS_CERT: certificates.passCert,
        REGULARS_APPLE_PASS_KEY: certificates.passKey,
        REGULARS_APPLE_WWDR_CERT: certificates.ca,
        REGULARS_APPLE_PUSH_URL: push.url,
        REGULARS_APPLE_PUSH_CA: certificates.ca,
      },
    });
    cookie = await signedInGuest(t, PHONE, 'Борис');
    // the update task starts watching from here
    await sync();
  });

  after(async () => {
    await t?.close();
    await push?.close();
  });

  test('Apple settings are all or nothing, and need the public address', () => {
    assert.throws(() => loadConfig({ REGULARS_APPLE_PASS_TYPE_ID: PASS_TYPE }), (error: Error) => error instanceof ConfigError && /REGULARS_APPLE_TEAM_ID.*REGULARS_PUBLIC_URL/.test(error.message));
    assert.equal(loadConfig({}).guestCard.apple, null);
  });

  test('the signed-in guest downloads a pass signed with the configured certificate: manifest, signature and content hold', async () => {
    assert.match((await t.server.inject({ method: 'GET', url: '/card', headers: { cookie } })).body, /href="\/card\/wallet\/apple.pkpass"/);
    assert.equal((await t.server.inject({ method: 'GET', url: '/card/wallet/apple.pkpass' })).statusCode, 303);
    const response = await t.server.inject({ method: 'GET', url: '/card/wallet/apple.pkpass', headers: { cookie } });
    assert.equal(response.statusCode, 200);
    assert.equal(response.headers['content-type'], 'application/vnd.apple.pkpass');
    const { files, pass } = pkpass(response.rawPayload);

    const manifest = JSON.parse(files.get('manifest.json')!.toString('utf8')) as Record<string, string>;
    assert.deepEqual(Object.keys(manifest).sort(), [...files.keys()].filter((name) => name !== 'manifest.json' && name !== 'signature').sort());
    for (const [name, hash] of Object.entries(manifest)) assert.equal(createHash('sha1').update(files.get(name)!).digest('hex'), hash, name);
    assert.ok(signatureVerifies(files.get('manifest.json')!, files.get('signature')!, certificates.ca), 'the signature verifies with the CA');
    const tampered = Buffer.from(files.get('manifest.json')!.toString('utf8').replace('"icon.png":"', '"icon.png":"0'));
    assert.ok(!signatureVerifies(tampered, files.get('signature')!, certificates.ca), 'a changed manifest does not verify');

    const number = (await t.admin('GET', `/api/admin/customers?q=${PHONE}`)).body.items[0].discountCard;
    assert.equal(pass.passTypeIdentifier, PASS_TYPE);
    assert.equal(pass.teamIdentifier, TEAM);
    assert.equal(pass.webServiceURL, 'https://loyalty.example.ru/card/wallet/apple');
    assert.equal(pass.storeCard.primaryFields[0].value, '0');
    assert.equal(pass.storeCard.secondaryFields[0].value, 'Bronze');
    assert.deepEqual(pass.barcodes.map((barcode: any) => [barcode.format, barcode.message]), [['PKBarcodeFormatQR', number], ['PKBarcodeFormatCode128', number]]);
    assert.equal(pass.backgroundColor, 'rgb(31, 36, 48)');
    serial = pass.serialNumber;
    token = pass.authenticationToken;
    assert.ok(token.length >= 32);
    // downloaded again, it is the same pass
    assert.equal(pkpass((await t.server.inject({ method: 'GET', url: '/card/wallet/apple.pkpass', headers: { cookie } })).rawPayload).pass.serialNumber, serial);
  });

  test('a device registers the pass with its token only; it lists its passes', async () => {
    const registration = `${BASE}/devices/device-1/registrations/${PASS_TYPE}/${serial}`;
    assert.equal((await service('POST', registration, { token: 'x'.repeat(43), body: { pushToken: 'push-1' } })).statusCode, 401);
    assert.equal((await service('POST', registration, { body: { pushToken: 'push-1' } })).statusCode, 401);
    assert.equal((await service('POST', registration, { token, body: { pushToken: 'push-1' } })).statusCode, 201);
    assert.equal((await service('POST', registration, { token, body: { pushToken: 'push-1' } })).statusCode, 200);
    const listed = await service('GET', `${BASE}/devices/device-1/registrations/${PASS_TYPE}`);
    assert.deepEqual(listed.json().serialNumbers, [serial]);
    assert.equal((await service('GET', `${BASE}/devices/device-1/registrations/${PASS_TYPE}?passesUpdatedSince=${listed.json().lastUpdated}`)).statusCode, 204);
    assert.equal((await service('GET', `${BASE}/passes/${PASS_TYPE}/${serial}`, { token: 'wrong' })).statusCode, 401);
    assert.equal((await t.admin('GET', '/api/admin/dashboard')).body.walletPasses, 1, 'the console counts the guests holding a pass');
    assert.equal((await service('POST', `${BASE}/log`, { body: { logs: ['a device says something'] } })).statusCode, 200);
  });

  test('a paid order updates the pass: the device gets a push and fetches the new balance; a device that lost the pass is forgotten', async () => {
    await service('POST', `${BASE}/devices/device-2/registrations/${PASS_TYPE}/${serial}`, { token, body: { pushToken: 'push-gone' } });
    push.gone.add('push-gone');
    const before = (await service('GET', `${BASE}/devices/device-1/registrations/${PASS_TYPE}`)).json().lastUpdated;
    t.clock.advance(60_000);
    const paid = await t.call('Offline.SaveOfflineOrder', {
      customer: { mobilePhone: PHONE },
      executionDateTimeUtc: t.clock.now.toISOString().replace('T', ' ').replace('Z', ''),
      order: { ids: { iikoOrderId: 'wallet-1' }, totalPrice: 7650, payments: [{ type: 'Cash', amount: 7650 }], lines: [{ product: { ids: { iiko: 'dinner' } }, quantity: 1, basePricePerItem: 7650 }] },
    });
    assert.equal(paid.body.order.processingStatus, 'Created', paid.text);
    assert.equal(await sync(), 1);
    assert.equal(await sync(), 0, 'a pass whose content did not change again is not pushed again');
    await t.drain();
    const pushes = push.received.filter((received) => received.path === '/3/device/push-1');
    assert.equal(pushes.length, 1);
    assert.equal(pushes[0].topic, PASS_TYPE);
    assert.equal(pushes[0].clientCertificate, `Pass Type ID: ${PASS_TYPE}`);

    const listed = await service('GET', `${BASE}/devices/device-1/registrations/${PASS_TYPE}?passesUpdatedSince=${before}`);
    assert.equal(listed.statusCode, 200);
    assert.deepEqual(listed.json().serialNumbers, [serial]);
    const latest = await service('GET', `${BASE}/passes/${PASS_TYPE}/${serial}`, { token });
    assert.equal(latest.statusCode, 200);
    assert.equal(pkpass(latest.rawPayload).pass.storeCard.primaryFields[0].value, '382');
    assert.equal((await service('GET', `${BASE}/passes/${PASS_TYPE}/${serial}`, { token, headers: { 'if-modified-since': String(latest.headers['last-modified']) } })).statusCode, 304);
    // the push service said device-2 no longer has the pass
    assert.equal((await service('GET', `${BASE}/devices/device-2/registrations/${PASS_TYPE}`)).statusCode, 204);

    assert.equal((await service('DELETE', `${BASE}/devices/device-1/registrations/${PASS_TYPE}/${serial}`, { token })).statusCode, 200);
    assert.equal((await service('GET', `${BASE}/devices/device-1/registrations/${PASS_TYPE}`)).statusCode, 204);
  });
});
