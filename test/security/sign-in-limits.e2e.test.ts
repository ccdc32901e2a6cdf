// Security of the console's sign-in, tried as an attacker would against the real server process behind a trusted
// proxy (so each request names its client's address): guessing an owner's password while a colleague signs in,
// 60 guesses at once, guessing from one address across many accounts, the back-off, guessing the admin token and
// an SMS gateway's report secret, and signing a visitor in from another site (decision 0502).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { request, signIn, signInAttempt, startInstallation, type Installation } from './installation.ts';

const ADMIN_TOKEN = 'sign-in-limits-admin-token-0123';
const REPORT_SECRET = 'report-secret-for-limits-0123';

describe('sign-in limits', () => {
  let installation: Installation;
  let url: string;
  const owners = ['olga', 'boris'];
  const viewers = ['vera', 'ivan', 'lena', 'pavel', 'rita'];

  before(async () => {
    installation = await startInstallation(
      { REGULARS_ADMIN_TOKEN: ADMIN_TOKEN, REGULARS_TRUST_PROXY: 'true' },
      [...owners.map((name) => ({ name, role: 'owner' as const, password: `${name}-password-1` })), ...viewers.map((name) => ({ name, role: 'viewer' as const, password: `${name}-password-1` }))],
    );
    url = installation.server.url;
  });
  after(async () => installation?.close());

  test("one account's wrong passwords, interleaved with a colleague's good sign-ins from the same address, lock that account only", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 45; i += 1) {
      statuses.push((await signInAttempt(url, { name: 'olga', password: `guess-${i}` }, '198.51.100.10')).status);
      assert.equal((await signInAttempt(url, { name: 'vera', password: 'vera-password-1' }, '198.51.100.10')).status, 200, 'the colleague signs in every time');
    }
    assert.deepEqual(statuses.slice(0, 5), [401, 401, 401, 401, 401]);
    assert.ok(statuses.slice(5).every((status) => status === 429), `after five, the owner's account waits (30 s): ${statuses.join(' ')}`);
    const right = await signInAttempt(url, { name: 'olga', password: 'olga-password-1' }, '203.0.113.77');
    assert.equal(right.status, 429, 'the right password from another address is refused too while the account waits');
    assert.ok(Number(right.headers.get('retry-after')) >= 1);
  });

  test('of 60 wrong passwords sent at once, at most five are checked', async () => {
    const answers = await Promise.all(Array.from({ length: 60 }, (_, i) => signInAttempt(url, { name: 'ivan', password: `parallel-${i}` }, '198.51.100.20')));
    const checked = answers.filter((answer) => answer.status === 401).length;
    const refused = answers.filter((answer) => answer.status === 429);
    assert.ok(checked <= 5, `${checked} were checked`);
    assert.equal(checked + refused.length, 60);
    assert.ok(refused.every((answer) => Number(answer.headers.get('retry-after')) >= 1), 'each refusal says how long to wait');
  });

  test('one person mistyping does not lock out the venue behind one address; one address guessing across accounts waits', async () => {
    const venue = '198.51.100.30';
    for (let i = 0; i < 10; i += 1) await signInAttempt(url, { name: 'lena', password: `typo-${i}` }, venue);
    assert.equal((await signInAttempt(url, { name: 'pavel', password: 'pavel-password-1' }, venue)).status, 200, 'a colleague at the venue signs in');

    const guesser = '198.51.100.31';
    const statuses: number[] = [];
    for (let i = 0; i < 55; i += 1) statuses.push((await signInAttempt(url, { name: `someone-${i}`, password: 'guess' }, guesser)).status);
    assert.equal(statuses.filter((status) => status === 401).length, 50, 'an address may fail 50 times across accounts');
    assert.equal((await signInAttempt(url, { name: 'rita', password: 'rita-password-1' }, guesser)).status, 429, 'then it waits, even for a good password');
    assert.equal((await signInAttempt(url, { name: 'rita', password: 'rita-password-1' }, '198.51.100.32')).status, 200, 'the account itself is not locked');
  });

  test('admin-token guesses are counted per address: the guesser waits, scripts elsewhere go on, in parallel too', async () => {
    const guesser = '198.51.100.50';
    const guesses = await Promise.all(Array.from({ length: 20 }, (_, i) => request(url, '/api/admin/me', { bearer: `guessed-token-${i}`, from: guesser })));
    assert.equal(guesses.filter((answer) => answer.status === 401).length, 5, 'five wrong tokens are answered as wrong');
    assert.ok(guesses.filter((answer) => answer.status !== 401).every((answer) => answer.status === 429));
    assert.equal((await request(url, '/api/admin/me', { bearer: ADMIN_TOKEN, from: guesser })).status, 429, 'the right token from the guessing address waits too');
    assert.equal((await signInAttempt(url, { token: ADMIN_TOKEN }, guesser)).status, 429, 'and so does signing in with it there');
    const script = await Promise.all(Array.from({ length: 30 }, () => request(url, '/api/admin/me', { bearer: ADMIN_TOKEN, from: '198.51.100.51' })));
    assert.ok(script.every((answer) => answer.status === 200), 'a script elsewhere, 30 calls at once, is never refused');
  });

  test("an SMS gateway's report secret: guesses are counted per address and connection; the gateway's reports go on", async () => {
    const owner = await signIn(url, { name: 'boris', password: 'boris-password-1' }, '198.51.100.60');
    const project = { smsConnections: [{ systemName: 'gateway', url: 'https://gateway.example/send', statusSecret: REPORT_SECRET }] };
    const applied = await request(url, '/api/admin/project/apply', { body: { content: JSON.stringify(project) }, session: owner, from: '198.51.100.60' });
    assert.equal(applied.status, 200, applied.text);
    const report = (secret: string, from: string) =>
      request(url, '/api/sms/gateway/status', { bearer: secret, from, body: { messageId: 'gw-unknown', status: 'delivered' } });
    const guesses = await Promise.all(Array.from({ length: 12 }, (_, i) => report(`guessed-secret-${i}`, '198.51.100.61')));
    assert.equal(guesses.filter((answer) => answer.status === 403).length, 5);
    assert.ok(guesses.filter((answer) => answer.status !== 403).every((answer) => answer.status === 429));
    assert.equal((await report(REPORT_SECRET, '198.51.100.61')).status, 429, 'the right secret from the guessing address waits');
    const fromGateway = await report(REPORT_SECRET, '198.51.100.62');
    assert.equal(fromGateway.status, 404, `the gateway's secret is taken (the message is unknown): ${fromGateway.text}`);
  });

  test('signing in takes JSON only, and from this server\'s own pages: no other site signs a visitor in', async () => {
    const from = '198.51.100.70';
    const body = JSON.stringify({ name: 'vera', password: 'vera-password-1' });
    const asText = await request(url, '/api/auth/login', { body, from, headers: { 'content-type': 'text/plain' } });
    assert.equal(asText.status, 400);
    assert.match(asText.json().error, /JSON/);
    const asForm = await request(url, '/api/auth/login', { body: 'name=vera&password=vera-password-1', from, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    assert.equal(asForm.status, 400);
    for (const origin of ['https://evil.example', 'null', `${url}.evil.example`]) {
      const foreign = await request(url, '/api/auth/login', { body, from, headers: { 'content-type': 'application/json', origin } });
      assert.equal(foreign.status, 403, origin);
      assert.equal(foreign.headers.get('set-cookie'), null);
    }
    assert.equal((await request(url, '/api/auth/login', { body, from, headers: { 'content-type': 'application/json', origin: url } })).status, 200, 'the console itself');
    assert.equal((await request(url, '/api/auth/login', { body, from, headers: { 'content-type': 'application/json; charset=utf-8' } })).status, 200, 'a script sends no Origin');
  });

  test('the wait doubles with every failure after the fifth (the server restarted with its clock moved past each wait)', async () => {
    const from = '198.51.100.40';
    const attempt = () => signInAttempt(installation.server.url, { name: 'backoff-target', password: 'guess' }, from);
    for (let i = 0; i < 5; i += 1) assert.equal((await attempt()).status, 401);
    const waits: number[] = [];
    let shiftMs = 0;
    for (let step = 0; step < 3; step += 1) {
      const refused = await attempt();
      assert.equal(refused.status, 429);
      waits.push(Number(refused.headers.get('retry-after')));
      shiftMs += (waits[step] + 1) * 1000;
      await installation.restart({ REGULARS_CLOCK: new Date(Date.now() + shiftMs).toISOString() });
      assert.equal((await attempt()).status, 401, 'once the wait is over the next guess is checked');
    }
    assert.deepEqual(waits, [30, 60, 120]);
  });
});
