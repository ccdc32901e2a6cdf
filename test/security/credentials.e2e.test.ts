// Security of the console's credentials, tried against the real server process and its command line as an
// operator and an attacker would: an admin token rotated, revoked or replaced in the environment takes the console
// sessions it opened with it, a disabled user's or a changed password's sessions end, a session ends a day after
// its sign-in however busy, and REGULARS_SECRET_KEY keys the preset's integration point only, however many there
// are (decision 0502). On the embedded database the command line runs while the server is stopped (one process
// owns the data directory); on PostgreSQL it runs beside the running server, which must see the change at once.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { testDatabaseUrl } from '../support/db.ts';
import { request, signIn, signInAttempt, startInstallation, type Installation, type Session } from './installation.ts';

const SECRET_KEY = 'credentials-secret-key-0123';
const FIRST_ENV_TOKEN = 'credentials-env-token-first-0123';
const SECOND_ENV_TOKEN = 'credentials-env-token-second-0123';

describe('credentials and the sessions they open', () => {
  let installation: Installation;
  /** what every start gets besides the installation's environment */
  let startEnv: Record<string, string> = {};
  /** the token `admin-token rotate` printed */
  let rotatedToken = '';
  const url = () => installation.server.url;
  const me = (options: { session?: Session; bearer?: string }) => request(url(), '/api/admin/me', options).then((answer) => answer.status);

  /** runs the command line as an operator on the same database, beside the server (PostgreSQL) or while it is stopped */
  const operator = async (args: string[]) => {
    if (!testDatabaseUrl) await installation.stop();
    const result = await installation.cli(args, startEnv);
    if (!testDatabaseUrl) await installation.restart(startEnv);
    return result;
  };

  before(async () => {
    installation = await startInstallation({ REGULARS_SECRET_KEY: SECRET_KEY }, [
      { name: 'olga', role: 'owner', password: 'olga-password-1' },
      { name: 'vera', role: 'viewer', password: 'vera-password-1' },
      { name: 'mark', role: 'marketer', password: 'mark-password-1' },
    ]);
  });
  after(async () => installation?.close());

  test('rotating the admin token ends the sessions the old one opened; the new one works', async () => {
    const first = installation.firstStart.adminToken!;
    const opened = await signIn(url(), { token: first });
    assert.equal(await me({ session: opened }), 200);
    const rotated = await operator(['admin-token', 'rotate']);
    assert.equal(rotated.code, 0, rotated.output);
    rotatedToken = /New admin token \(shown once, store it now\): (\S+)/.exec(rotated.output)![1];
    assert.equal(await me({ session: opened }), 401, 'the session of the old token is over');
    assert.equal(await me({ bearer: first }), 401);
    assert.equal(await me({ bearer: rotatedToken }), 200);
    assert.equal(await me({ session: await signIn(url(), { token: rotatedToken }) }), 200);
  });

  test('revoking ends the sessions at once, and no start brings a token back', async () => {
    const listed = await operator(['admin-token', 'list']);
    const live = listed.output.split('\n').filter((line) => line.includes(' live '));
    assert.equal(live.length, 1, listed.output);
    assert.ok(!listed.output.includes(rotatedToken), 'the list shows ids and labels, never a token');
    const opened = await signIn(url(), { token: rotatedToken });
    const revoked = await operator(['admin-token', 'revoke', live[0].split(/\s+/)[0]]);
    assert.match(revoked.output, /Revoked 1 admin token/);
    assert.equal(await me({ session: opened }), 401);
    assert.equal(await me({ bearer: rotatedToken }), 401);
    await installation.restart(startEnv);
    assert.doesNotMatch(installation.server.output(), /Admin token \(shown once/, 'the start generates no new token');
    assert.doesNotMatch((await operator(['admin-token', 'list'])).output, / live /);
  });

  test('a new REGULARS_ADMIN_TOKEN replaces the old one and ends its sessions; the old value then refuses the start', async () => {
    startEnv = { REGULARS_ADMIN_TOKEN: FIRST_ENV_TOKEN };
    await installation.restart(startEnv);
    const opened = await signIn(url(), { token: FIRST_ENV_TOKEN });
    assert.equal(await me({ session: opened }), 200);

    startEnv = { REGULARS_ADMIN_TOKEN: SECOND_ENV_TOKEN };
    await installation.restart(startEnv);
    assert.match(installation.server.output(), /REGULARS_ADMIN_TOKEN is new: 1 earlier admin token\(s\) revoked/);
    assert.equal(await me({ session: opened }), 401);
    assert.equal(await me({ bearer: FIRST_ENV_TOKEN }), 401);
    assert.equal(await me({ bearer: SECOND_ENV_TOKEN }), 200);

    await assert.rejects(installation.restart({ REGULARS_ADMIN_TOKEN: FIRST_ENV_TOKEN }), /REGULARS_ADMIN_TOKEN holds an admin token that was revoked/);
    const rotate = await installation.cli(['admin-token', 'rotate'], startEnv);
    assert.equal(rotate.code, 1);
    assert.match(rotate.output, /REGULARS_ADMIN_TOKEN sets the admin token: put a new value there and restart/);
    await installation.restart(startEnv);
  });

  test("a disabled user's sessions end and stay ended; a new password ends the sessions of the old one", async () => {
    const vera = await signIn(url(), { name: 'vera', password: 'vera-password-1' });
    const mark = await signIn(url(), { name: 'mark', password: 'mark-password-1' });
    assert.equal((await operator(['users', 'disable', 'vera'])).code, 0);
    assert.equal(await me({ session: vera }), 401);
    assert.equal((await signInAttempt(url(), { name: 'vera', password: 'vera-password-1' })).status, 401);
    assert.equal((await operator(['users', 'enable', 'vera'])).code, 0);
    assert.equal(await me({ session: vera }), 401, 'enabling the user again does not bring the old session back');
    assert.equal(await me({ session: await signIn(url(), { name: 'vera', password: 'vera-password-1' }) }), 200);

    assert.equal((await operator(['users', 'password', 'mark', '--password', 'mark-password-2'])).code, 0);
    assert.equal(await me({ session: mark }), 401);
    assert.equal((await signInAttempt(url(), { name: 'mark', password: 'mark-password-1' })).status, 401);
    assert.equal(await me({ session: await signIn(url(), { name: 'mark', password: 'mark-password-2' }) }), 200);
  });

  test('REGULARS_SECRET_KEY keys the preset\'s integration point only: a second point does not stop the start, nor opens with that key', async () => {
    const owner = await signIn(url(), { name: 'olga', password: 'olga-password-1' });
    const project = {
      integrationPoints: [{ systemName: 'web', name: 'Сайт' }],
      operations: [{ systemName: 'Website.CheckCustomer', type: 'GetCustomer', integrationPoints: ['web'] }],
    };
    const applied = await request(url(), '/api/admin/project/apply', { session: owner, body: { content: JSON.stringify(project) } });
    assert.equal(applied.status, 200, applied.text);
    await installation.restart(startEnv);

    const call = (endpointId: string, operation: string, key: string) =>
      request(url(), `/v3/operations/sync?endpointId=${endpointId}&operation=${operation}`, {
        headers: { authorization: `SecretKey ${key}` },
        body: { customer: { mobilePhone: '79161234567' } },
      });
    assert.equal((await call('iiko', 'Offline.CheckCustomer', SECRET_KEY)).json().status, 'Success');
    assert.equal((await call('web', 'Website.CheckCustomer', SECRET_KEY)).status, 403, "the preset's key does not open the second point");
    const added = await operator(['keys', 'add', 'web', '--label', 'the site']);
    const webKey = /New secret key \(shown once\): (\S+)/.exec(added.output)![1];
    assert.equal((await call('web', 'Website.CheckCustomer', webKey)).json().status, 'Success');
  });

  test('a session ends 24 hours after its sign-in however busy, though it was used within the idle 12 hours', async () => {
    const signedInAt = Date.now() + 2 * 86_400_000;
    const startAt = (hours: number) => installation.restart({ ...startEnv, REGULARS_CLOCK: new Date(signedInAt + hours * 3_600_000).toISOString() });
    await startAt(0);
    const session = await signIn(url(), { name: 'olga', password: 'olga-password-1' });
    await startAt(11);
    assert.equal(await me({ session }), 200);
    await startAt(22);
    assert.equal(await me({ session }), 200);
    await startAt(24.02);
    assert.equal(await me({ session }), 401, 'two hours after its last use, but a day after the sign-in');
  });
});
