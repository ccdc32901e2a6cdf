// Security of what the console serves, tried against the real server process: who may plan a project change, how
// large a file may be and that reading one does not stall the server (measured by /health meanwhile), YAML alias
// bombs, paths into the assets folder, and the headers of the admin API's answers and of the API document.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import YAML from 'yaml';
import { request, signIn, startInstallation, type Installation, type Session } from './installation.ts';

const ADMIN_TOKEN = 'admin-surface-admin-token-0123';
const MB = 1024 * 1024;

/** A valid project file of nearly `bytes` bytes: many guest fields, the bulk a real project might grow. */
function largeProjectFile(bytes: number): string {
  const field = (i: number) => ({ systemName: `Field${i}`, name: `Поле анкеты гостя номер ${i}`, entity: 'Customer', type: 'String' });
  const perField = Buffer.byteLength(YAML.stringify({ customFields: [field(100_000)] }));
  let count = Math.floor(bytes / perField);
  let text = YAML.stringify({ customFields: Array.from({ length: count }, (_, i) => field(i)) });
  while (Buffer.byteLength(text) > bytes) text = YAML.stringify({ customFields: Array.from({ length: (count -= 100) }, (_, i) => field(i)) });
  return text;
}

/** GET of a path exactly as written (fetch would resolve its dot segments first). */
function rawGet(base: string, path: string): Promise<number> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const request = httpRequest({ hostname, port, path, method: 'GET' }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode!));
    });
    request.on('error', reject);
    request.end();
  });
}

/**
 * A POST of a body too large to be read: the server may answer 413 and close the connection while the body is still
 * being sent, which a client sees as a reset (fetch only says "fetch failed"). Gives the status, or 'closed' when the
 * server shut the connection before any answer could be read.
 */
function postUnread(base: string, path: string, headers: Record<string, string>, body: string): Promise<number | 'closed'> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve) => {
    const request = httpRequest({ hostname, port, path, method: 'POST', headers: { ...headers, 'content-length': Buffer.byteLength(body) } }, (response) => {
      response.resume();
      resolve(response.statusCode!);
    });
    // the answer may still be in the socket when the write fails: give it a moment to be read
    request.on('error', () => setTimeout(() => resolve('closed'), 200));
    request.end(body);
  });
}

describe('the admin surface', () => {
  let installation: Installation;
  let url: string;
  const sessions = {} as Record<'owner' | 'marketer' | 'viewer', Session>;

  before(async () => {
    installation = await startInstallation({ REGULARS_ADMIN_TOKEN: ADMIN_TOKEN }, [
      { name: 'olga', role: 'owner', password: 'olga-password-1' },
      { name: 'mark', role: 'marketer', password: 'mark-password-1' },
      { name: 'vera', role: 'viewer', password: 'vera-password-1' },
    ]);
    url = installation.server.url;
    sessions.owner = await signIn(url, { name: 'olga', password: 'olga-password-1' });
    sessions.marketer = await signIn(url, { name: 'mark', password: 'mark-password-1' });
    sessions.viewer = await signIn(url, { name: 'vera', password: 'vera-password-1' });
  });
  after(async () => installation?.close());

  const plan = (who: Session, content: string) => request(url, '/api/admin/project/plan', { session: who, body: { content } });

  test('a plan is for those who may apply: owners', async () => {
    const content = YAML.stringify({ settings: { timeZone: 'Europe/Moscow', codeMaxAttempts: 4 } });
    assert.equal((await plan(sessions.viewer, content)).status, 403);
    assert.equal((await plan(sessions.marketer, content)).status, 403);
    const owners = await plan(sessions.owner, content);
    assert.equal(owners.status, 200, owners.text);
    assert.deepEqual(owners.json().changed, ['settings/project']);
  });

  test('a project file over 1 MB is refused with 413; an alias bomb with 400', async () => {
    const tooLarge = await plan(sessions.owner, `# ${'x'.repeat(MB)}\nsettings: {}\n`);
    assert.equal(tooLarge.status, 413);
    assert.match(tooLarge.json().error, /at most 1 MB/);
    const levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let level = 1; level < 9; level += 1) {
      const previous = String.fromCharCode(96 + level);
      levels.push(`${String.fromCharCode(97 + level)}: &${String.fromCharCode(97 + level)} [${Array(9).fill(`*${previous}`).join(',')}]`);
    }
    const bomb = await plan(sessions.owner, levels.join('\n'));
    assert.equal(bomb.status, 400);
    assert.match(bomb.json().error, /alias/i);
  });

  test('while a 1 MB file is planned, three times over, the server keeps answering /health', async () => {
    const content = largeProjectFile(MB - 1024);
    let planning = true;
    const latencies: number[] = [];
    const probe = (async () => {
      while (planning) {
        const started = performance.now();
        assert.equal((await request(url, '/health')).status, 200);
        latencies.push(performance.now() - started);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    const started = performance.now();
    const plans = await Promise.all([plan(sessions.owner, content), plan(sessions.owner, content), plan(sessions.owner, content)]);
    const planMs = performance.now() - started;
    planning = false;
    await probe;
    for (const answer of plans) assert.equal(answer.status, 200, answer.text.slice(0, 300));
    assert.ok(plans[0].json().created.length > 5000, 'the file was read whole');
    const slowest = Math.max(...latencies);
    process.stdout.write(`# three plans of ${(Buffer.byteLength(content) / MB).toFixed(2)} MB took ${Math.round(planMs)} ms; /health answered ${latencies.length} times, slowest ${Math.round(slowest)} ms\n`);
    assert.ok(latencies.length >= 10, 'the probe ran while the plans did');
    // a parse on the event loop held /health for as long as the plans took; a busy machine slows both alike
    assert.ok(slowest < Math.max(1000, planMs / 4), `/health waited ${Math.round(slowest)} ms of the plans' ${Math.round(planMs)} ms`);
  });

  test('a sign-in body over 16 KB and an admin body over 4 MB are refused with 413, not read into memory', async () => {
    const bigSignIn = await request(url, '/api/auth/login', { body: { name: 'vera', password: 'x'.repeat(20 * 1024) } });
    assert.equal(bigSignIn.status, 413);
    const session = { cookie: sessions.owner.cookie, 'x-csrf-token': sessions.owner.csrfToken, 'content-type': 'application/json' };
    const bigPlan = await postUnread(url, '/api/admin/project/plan', session, JSON.stringify({ content: 'x'.repeat(5 * MB) }));
    assert.ok(bigPlan === 413 || bigPlan === 'closed', `a 5 MB plan answered ${bigPlan}`);
    assert.equal((await request(url, '/api/auth/login', { body: { name: 'vera', password: 'vera-password-1' } })).status, 200, 'an ordinary sign-in still works');
  });

  test('paths into the assets folder that are not a file in it answer 404', async () => {
    for (const path of ['/assets/', '/assets/.', '/assets/..', '/assets/%2e%2e', '/assets/..%2f..%2fpackage.json', '/assets/%2e%2e%2f%2e%2e%2fpackage.json', '/assets/nothing.js']) {
      assert.equal(await rawGet(url, path), 404, path);
    }
  });

  test('admin API answers are kept by no cache and not sniffed; the API document gets the console\'s CSP and frame headers', async () => {
    const answers = [
      await request(url, '/api/admin/me', { bearer: ADMIN_TOKEN }),
      await request(url, '/api/admin/me'),
      await request(url, '/api/admin/users', { session: sessions.viewer }),
      await request(url, '/api/admin/customers', { session: sessions.viewer }),
      await request(url, '/api/auth/session', { session: sessions.viewer }),
      await request(url, '/api/auth/login', { body: { name: 'vera', password: 'wrong-password' } }),
    ];
    assert.deepEqual(answers.map((answer) => answer.status), [200, 401, 403, 200, 200, 401]);
    for (const answer of answers) {
      assert.equal(answer.headers.get('cache-control'), 'no-store');
      assert.equal(answer.headers.get('x-content-type-options'), 'nosniff');
    }
    for (const path of ['/api/docs', '/api/docs/openapi.json']) {
      const document = await request(url, path);
      assert.equal(document.status, 200);
      assert.match(document.headers.get('content-security-policy') ?? '', /default-src 'self'.*frame-ancestors 'none'/);
      assert.equal(document.headers.get('x-frame-options'), 'DENY');
      assert.equal(document.headers.get('x-content-type-options'), 'nosniff');
    }
  });
});
