// Who may apply what (a marketer the program, an owner everything: one rule for a plan and an apply), every applied
// change a version (who, when, what changed, the whole project as it was, secrets sealed), and a restore.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { hostname, userInfo } from 'node:os';
import YAML from 'yaml';
import { addUser } from '../src/admin/users.service.ts';
import { applyProject, recordUnrecordedVersion } from '../src/project/project.service.ts';
import { createTestApp, type TestApp } from './support/app.ts';

interface Session {
  cookie: string;
  csrfToken: string;
}

const GATEWAY_PASSWORD = 'gateway-password-7f3a';

describe('project versions and who may apply what', () => {
  let t: TestApp;
  let owner: Session;
  let marketer: Session;
  let viewer: Session;

  async function session(name: string, password: string): Promise<Session> {
    const answer = await t.server.inject({ method: 'POST', url: '/api/auth/login', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ name, password }) });
    assert.equal(answer.statusCode, 200, answer.body);
    return { cookie: String(answer.headers['set-cookie']).split(';')[0], csrfToken: answer.json().csrfToken };
  }

  async function as(who: Session, method: 'GET' | 'POST', url: string, body?: unknown) {
    const headers: Record<string, string> = { cookie: who.cookie, 'x-csrf-token': who.csrfToken };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const answer = await t.server.inject({ method, url, headers, payload: body === undefined ? undefined : JSON.stringify(body) });
    return { status: answer.statusCode, body: answer.json() };
  }

  /** The stored project, as the console reads it, changed by `edit`, as a file to apply. */
  async function edited(edit: (project: any) => void): Promise<{ content: string }> {
    const project = (await t.admin('GET', '/api/admin/project')).body;
    edit(project);
    return { content: YAML.stringify(project) };
  }

  const version = () => t.app.project.current.version;

/** A project with each kind's entities in one order, whatever order the database listed them in. */
const sortedEntities = (project: Record<string, unknown>) =>
  Object.fromEntries(
    Object.entries(project).map(([kind, value]) => [
      kind,
      Array.isArray(value) ? [...value].sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : 1)) : value,
    ]),
  );
const keyOf = (entity: any) => `${entity.entity ?? ''}.${entity.systemName ?? entity.externalId}`;

  before(async () => {
    t = await createTestApp();
    await addUser(t.app.db, { name: 'olga', role: 'owner', password: 'owner-password-1' });
    await addUser(t.app.db, { name: 'mark', role: 'marketer', password: 'marketer-password-1' });
    await addUser(t.app.db, { name: 'vera', role: 'viewer', password: 'viewer-password-1' });
    owner = await session('olga', 'owner-password-1');
    marketer = await session('mark', 'marketer-password-1');
    viewer = await session('vera', 'viewer-password-1');
  });
  after(async () => t.close());

  describe('a marketer changes the program, an owner anything', () => {
    test('the program: an earning rate, a threshold, a balance type rule, a marketing SMS and scenario — applied as a marketer', async () => {
      const file = await edited((project) => {
        project.promotions.find((p: any) => p.systemName === 'EarnSilver').percent = 8;
        project.segments.find((s: any) => s.systemName === 'RankSilver').conditions[0].atLeast = 9000;
        project.segments.find((s: any) => s.systemName === 'RankBronze').conditions[0].below = 9000;
        project.balanceTypes[0].lifetimeDays = 180;
        project.mailings.push({ systemName: 'Welcome', name: 'Привет', connection: 'default', template: 'Добро пожаловать!' });
        project.scenarios.find((s: any) => s.systemName === 'Rank').name = 'Уровни';
      });
      const plan = await as(marketer, 'POST', '/api/admin/project/plan', file);
      assert.equal(plan.status, 200, JSON.stringify(plan.body));
      const pending = plan.body.changes.filter((c: any) => c.status !== 'unchanged');
      assert.deepEqual(
        pending.map((c: any) => [c.id, c.status, c.scope]),
        [
          ['balanceTypes/Bonus', 'changed', 'program'],
          ['mailings/Welcome', 'created', 'program'],
          ['segments/RankBronze', 'changed', 'program'],
          ['segments/RankSilver', 'changed', 'program'],
          ['scenarios/Rank', 'changed', 'program'],
          ['promotions/EarnSilver', 'changed', 'program'],
        ],
      );
      const before = version();
      const applied = await as(marketer, 'POST', '/api/admin/project/apply', file);
      assert.equal(applied.status, 200, JSON.stringify(applied.body));
      assert.equal(applied.body.version, before + 1);
      assert.equal(t.app.project.current.definition.promotions.find((p) => p.systemName === 'EarnSilver')!.percent, 8);
    });

    test('the installation: an operation, settings, a new balance type, whole points made fractional, a code SMS, a transactional scenario — refused to a marketer, each named, nothing written', async () => {
      const cases: Array<[string, (project: any) => void, string]> = [
        ['an operation', (p) => (p.operations.find((o: any) => o.systemName === 'Offline.CheckCustomer').rateLimitPerMinute = 60), '/operations/Offline.CheckCustomer'],
        ['the settings', (p) => (p.settings.codeMaxAttempts = 3), '/settings/project'],
        ['a new balance type', (p) => p.balanceTypes.push({ systemName: 'Stars', name: 'Звёзды' }), '/balanceTypes/Stars'],
        ['fractional points', (p) => (p.balanceTypes[0].fractional = true), '/balanceTypes/Bonus'],
        ['the text of the authorization code', (p) => (p.mailings.find((m: any) => m.systemName === 'AuthorizationCodeSms').template = 'Код: ${Recipient.AuthentificationCode}!'), '/mailings/AuthorizationCodeSms'],
        ['the text of the phone confirmation an operation sends', (p) => (p.mailings.find((m: any) => m.systemName === 'PhoneConfirmationSms').template = 'Код!'), '/mailings/PhoneConfirmationSms'],
        ['a transactional scenario', (p) => (p.scenarios.find((s: any) => s.systemName === 'AuthorizationCodeSms').name = 'Код'), '/scenarios/AuthorizationCodeSms'],
        ['an SMS connection', (p) => (p.smsConnections[0].sender = 'Cafe'), '/smsConnections/default'],
      ];
      for (const [what, edit, location] of cases) {
        const file = await edited((project) => {
          project.promotions.find((p: any) => p.systemName === 'EarnGold').percent = 12;
          edit(project);
        });
        const before = version();
        for (const route of ['plan', 'apply']) {
          const refused = await as(marketer, 'POST', `/api/admin/project/${route}`, file);
          assert.equal(refused.status, 403, `${what}: ${route}`);
          assert.deepEqual(refused.body.issues.map((issue: any) => issue.path), [location], what);
        }
        assert.equal(version(), before, `${what}: nothing was applied`);
        assert.equal(t.app.project.current.definition.promotions.find((p) => p.systemName === 'EarnGold')!.percent, 10);
        const planned = await as(owner, 'POST', '/api/admin/project/plan', file);
        assert.equal(planned.status, 200, what);
        assert.equal(planned.body.changes.find((c: any) => `/${c.id}` === location).scope, 'installation', what);
      }
    });

    test('a scenario that calls a webhook is the installation’s; adding one is refused to a marketer, allowed to an owner', async () => {
      const file = await edited((project) =>
        project.scenarios.push({
          systemName: 'ToCrm',
          name: 'В CRM',
          trigger: { event: 'orderPaid' },
          branches: [{ steps: [{ type: 'callWebhook', url: 'https://crm.example/hook', secret: 'a-webhook-secret-of-16+' }] }],
        }),
      );
      assert.equal((await as(marketer, 'POST', '/api/admin/project/apply', file)).status, 403);
      assert.equal((await as(owner, 'POST', '/api/admin/project/apply', file)).status, 200);
    });

    test('a viewer neither plans nor applies', async () => {
      const file = await edited((project) => (project.promotions[0].name = 'Другое имя'));
      assert.equal((await as(viewer, 'POST', '/api/admin/project/plan', file)).status, 403);
      assert.equal((await as(viewer, 'POST', '/api/admin/project/apply', file)).status, 403);
    });
  });

  describe('versions', () => {
    test('each applied change is a version: who, how, when and what, newest first; the preset is the first', async () => {
      const file = await edited((project) =>
        project.smsConnections.push({ systemName: 'gateway', url: `smpp://cafe:${GATEWAY_PASSWORD}@10.0.0.2:2775`, sender: 'Cafe' }),
      );
      const before = version();
      assert.equal((await as(owner, 'POST', '/api/admin/project/apply', file)).status, 200);
      assert.equal((await as(owner, 'POST', '/api/admin/project/apply', file)).body.version, before + 1, 'the same file again is no new version');
      await t.admin('POST', '/api/admin/project/apply', await edited((project) => (project.promotions[0].name = 'Начисление 5 %')));
      await applyProject(t.app.db, { ...(await t.admin('GET', '/api/admin/project')).body, settings: { ...t.app.project.current.settings, codeMaxAttempts: 6 } }, { secrets: t.app.project.secrets });
      await t.app.project.reload();

      const list = await as(viewer, 'GET', '/api/admin/project/versions');
      assert.equal(list.status, 200);
      const [fromCli, fromToken, fromOwner, ...older] = list.body.items;
      assert.deepEqual([fromCli.appliedVia, fromCli.appliedBy], ['cli', `${userInfo().username}@${hostname()}`]);
      assert.deepEqual(fromCli.changes, [{ id: 'settings/project', status: 'changed' }]);
      assert.deepEqual([fromToken.appliedVia, fromToken.appliedBy, fromToken.changes], ['token', null, [{ id: 'promotions/EarnBronze', status: 'changed' }]]);
      assert.deepEqual([fromOwner.version, fromOwner.appliedVia, fromOwner.appliedBy, fromOwner.changes], [before + 1, 'console', 'olga', [{ id: 'smsConnections/gateway', status: 'created' }]]);
      assert.ok(older.some((v: any) => v.appliedVia === 'console' && v.appliedBy === 'mark'));
      const first = older.at(-1);
      assert.deepEqual([first.version, first.appliedVia, first.appliedBy, first.restoredFrom], [1, 'preset', 'iiko', null]);
      assert.equal(first.changes.length, (await t.app.db.selectFrom('project_versions').select('changes').where('version', '=', 1).executeTakeFirstOrThrow()).changes!.length);
      assert.ok(first.changes.every((change: any) => change.status === 'created'));
      assert.ok(list.body.items.every((item: any, i: number) => i === 0 || item.version < list.body.items[i - 1].version));

      // the whole project as it was, the gateway's password shown as stored, and kept sealed, never in clear
      const shown = await as(viewer, 'GET', `/api/admin/project/versions/${before + 1}`);
      assert.equal(shown.status, 200);
      assert.deepEqual(shown.body.project.smsConnections.find((c: any) => c.systemName === 'gateway').url, { secret: 'stored', hint: 'smpp://10.0.0.2:2775' });
      assert.equal(shown.body.project.promotions.find((p: any) => p.systemName === 'EarnBronze').name, 'Начисление 5 % (Bronze)');
      assert.deepEqual(shown.body.changes.map((c: any) => [c.id, c.status, c.before, c.after.url]), [['smsConnections/gateway', 'created', null, { secret: 'stored', hint: 'smpp://10.0.0.2:2775' }]]);
      assert.doesNotMatch(JSON.stringify(shown.body), new RegExp(GATEWAY_PASSWORD));
      const stored = await t.app.db.selectFrom('project_versions').select(['definition', 'changes']).execute();
      assert.doesNotMatch(JSON.stringify(stored), new RegExp(GATEWAY_PASSWORD));
      assert.match(JSON.stringify(stored), /"sealed":"v1:/);
      assert.equal((await as(viewer, 'GET', '/api/admin/project/versions/999')).status, 404);
    });

    test('an owner restores a version as a new one: what it lacked is removed, its secrets come back; a dry run first writes nothing', async () => {
      const list = (await t.admin('GET', '/api/admin/project/versions')).body.items;
      const withGateway = list.find((v: any) => v.changes?.some((c: any) => c.id === 'smsConnections/gateway'));
      const target = withGateway.version - 1;
      const before = version();

      const refused = await as(marketer, 'POST', `/api/admin/project/versions/${target}/restore`, {});
      assert.equal(refused.status, 403);
      const preview = await as(owner, 'POST', `/api/admin/project/versions/${target}/restore`, { dryRun: true });
      assert.equal(preview.status, 200, JSON.stringify(preview.body));
      assert.equal(preview.body.dryRun, true);
      assert.deepEqual(preview.body.plan.removed, ['smsConnections/gateway']);
      assert.deepEqual(preview.body.plan.changed, ['settings/project', 'promotions/EarnBronze']);
      assert.equal(version(), before, 'a dry run writes nothing');

      const restored = await as(owner, 'POST', `/api/admin/project/versions/${target}/restore`, {});
      assert.equal(restored.status, 200, JSON.stringify(restored.body));
      assert.equal(restored.body.report.version, before + 1);
      assert.deepEqual(restored.body.report.removed, preview.body.plan.removed);
      assert.equal(version(), before + 1);
      const now = (await t.admin('GET', '/api/admin/project')).body;
      const then = (await t.admin('GET', `/api/admin/project/versions/${target}`)).body.project;
      assert.deepEqual(sortedEntities(now), sortedEntities(then), 'the project is what it was');
      assert.equal(t.app.project.current.smsConnection('gateway'), undefined);
      const latest = (await t.admin('GET', '/api/admin/project/versions')).body.items[0];
      assert.deepEqual([latest.version, latest.appliedVia, latest.appliedBy, latest.restoredFrom], [before + 1, 'console', 'olga', target]);

      // back to the version with the gateway: its password is the one sealed then
      const again = await as(owner, 'POST', `/api/admin/project/versions/${withGateway.version}/restore`, {});
      assert.equal(again.status, 200, JSON.stringify(again.body));
      assert.deepEqual(again.body.report.created, ['smsConnections/gateway']);
      assert.equal(t.app.project.current.smsConnectionUrl('gateway', 'outbox:'), `smpp://cafe:${GATEWAY_PASSWORD}@10.0.0.2:2775`);
      const unchanged = await as(owner, 'POST', `/api/admin/project/versions/${withGateway.version}/restore`, { dryRun: true });
      assert.deepEqual([unchanged.body.plan.created, unchanged.body.plan.changed, unchanged.body.plan.removed], [[], [], []], 'restoring what is there changes nothing, its sealed secret included');
    });

    test('an installation upgraded without history records the version it runs, once', async () => {
      await t.app.db.deleteFrom('project_versions').execute();
      assert.equal(await recordUnrecordedVersion(t.app.db), true);
      assert.equal(await recordUnrecordedVersion(t.app.db), false);
      const [only] = (await t.admin('GET', '/api/admin/project/versions')).body.items;
      assert.deepEqual([only.version, only.appliedVia, only.appliedBy, only.changes], [version(), 'unrecorded', null, null]);
      assert.deepEqual(sortedEntities((await t.admin('GET', `/api/admin/project/versions/${version()}`)).body.project), sortedEntities((await t.admin('GET', '/api/admin/project')).body));
    });
  });
});
