import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase } from '../../test/support/db.ts';
import { iikoPreset } from './presets/iiko.ts';
import { adminTokenIdOf } from './admin-tokens.ts';
import { addSecretKey, applyProject, exportProject, initProject, loadProject, planProject, revokeSecretKey, verifySecretKey } from './project.service.ts';
import { validateProject } from './validate.ts';
import { SecretValues } from './secret-values.ts';
import { isAppError } from '../shared/errors.ts';
import { SecretBox } from '../shared/secret-box.ts';

const SEED_OPERATIONS = [
  'Offline.RegisterCustomer',
  'Offline.SendMobilePhoneAuthorizationCode',
  'Offline.ResendMobilePhoneConfirmationCode',
  'Offline.CheckCustomer',
  'Offline.CheckMobilePhoneAuthorizationCode',
  'Offline.ConfirmMobilePhone',
  'Offline.AuthorizedPreorder',
  'Offline.CreateAuthorizedOrder',
  'Offline.AnonymousPreorder',
  'Offline.CreateAnonymousOrder',
  'Offline.SaveOfflineOrder',
  'Offline.ChangeStatus',
  'Offline.Return',
  'Offline.EditCustomer',
  'Offline.SendProductCatalog',
];

describe('the iiko preset', () => {
  test('has every entity of the seed document with its exact system name', () => {
    const validation = validateProject(iikoPreset({ phoneConfirmation: true }));
    assert.ok(validation.ok, JSON.stringify(!validation.ok && validation.problems));
    const project = validation.project;
    assert.deepEqual(project.integrationPoints.map((p) => [p.systemName, p.preset, p.phoneConfirmation]), [['iiko', 'Other', true]]);
    assert.deepEqual(
      project.orderLineStatuses.map((s) => [s.externalId, s.category]),
      [['iikoCheckedOut', 'CheckedOut'], ['iikoPaid', 'Paid'], ['iikoReturn', 'Return']],
    );
    assert.deepEqual(project.externalSystems.map((e) => e.systemName), ['iiko']);
    assert.deepEqual(
      project.customFields.map((f) => [f.entity, f.systemName, f.type]),
      [['Order', 'iikoOrderId', 'ExternalIdentifier'], ['Order', 'Waiter', 'String'], ['Customer', 'Rank', 'String']],
    );
    assert.deepEqual(project.balanceTypes.map((b) => [b.systemName, b.fractional, b.activationDelayHours, b.lifetimeDays]), [['Bonus', false, 0, 365]]);
    assert.deepEqual(project.smsConnections.map((c) => c.systemName), ['default']);
    assert.deepEqual(
      project.mailings.map((m) => [m.systemName, m.template]),
      [
        ['AuthorizationCodeSms', 'Код авторизации: ${Recipient.AuthentificationCode}'],
        ['PhoneConfirmationSms', 'Код подтверждения: ${Recipient.MobilePhoneConfirmationCode}'],
        ['BirthdaySms', '${ReplaceIfEmpty(Recipient.FirstName, "Дорогой гость")}, с наступающим днём рождения! Дарим вам бонусы: ждём в гости.'],
        ['WelcomeSms', '${ReplaceIfEmpty(Recipient.FirstName, "Добро пожаловать")}, спасибо, что вы с нами! Копите бонусы с каждого заказа.'],
        ['WinBackSms', 'Мы соскучились! Ваш промокод ${Recipient.CouponCode} — покажите его при заказе.'],
      ],
    );
    assert.deepEqual(project.operations.map((o) => o.systemName).sort(), [...SEED_OPERATIONS].sort());
    assert.ok(project.operations.every((o) => o.integrationPoints.join() === 'iiko'));
    assert.deepEqual(project.segments.map((s) => s.systemName).sort(), ['RankBronze', 'RankGold', 'RankSilver']);
    assert.deepEqual(project.scenarios.map((s) => [s.systemName, s.trigger.event]), [
      ['Rank', 'enteredSegment'],
      ['AuthorizationCodeSms', 'authorizationCodeRequested'],
      ['PhoneConfirmationSms', 'customerRegistered'],
      ['BirthdayGift', 'birthday'],
      ['NewGuestWelcome', 'customerRegistered'],
      ['WinBack', 'noPaidOrder'],
    ]);
    // the marketing scenarios start off: a marketer switches them on
    assert.deepEqual(project.scenarios.filter((s) => !s.enabled).map((s) => s.systemName), ['BirthdayGift', 'NewGuestWelcome', 'WinBack']);
    assert.deepEqual(project.couponPools.map((p) => p.systemName), ['WinBack']);
    assert.deepEqual(project.scenarios[0].branches.map((b) => b.steps[0]), [
      { type: 'setCustomField', field: 'Rank', value: 'Gold' },
      { type: 'setCustomField', field: 'Rank', value: 'Silver' },
      { type: 'setCustomField', field: 'Rank', value: 'Bronze' },
    ]);
    assert.equal(iikoPreset({ phoneConfirmation: false }).integrationPoints?.[0].phoneConfirmation, false);
  });
});

describe('applying a project file', () => {
  test('lists every problem with its path and writes nothing', async () => {
    const db = await createTestDatabase();
    try {
      const bad = {
        integrationPoints: [{ systemName: 'iiko', name: 'Касса' }],
        operations: [{ systemName: 'Offline.CheckCustomer', type: 'GetCustomer', integrationPoints: ['pos'], settings: { balanceTypes: ['Nope'] } }],
        mailings: [{ systemName: 'M', name: 'M', connection: 'default', template: 'Код: ${Recipient.Cod}' }],
        balanceTypes: [{ systemName: '9bad', name: 'x' }],
      };
      await assert.rejects(applyProject(db.db, bad), (error: unknown) => {
        assert.ok(isAppError(error) && error.code === 'validation');
        assert.deepEqual(error.validationMessages.map((p) => p.location), ['/balanceTypes/0/systemName']);
        return true;
      });
      const good = { ...bad, balanceTypes: [] };
      await assert.rejects(applyProject(db.db, good), (error: unknown) => {
        assert.ok(isAppError(error) && error.code === 'validation');
        const paths = error.validationMessages.map((p) => p.location);
        assert.deepEqual(paths, ['/operations/0/integrationPoints/0', '/operations/0/settings/balanceTypes/0', '/mailings/0/connection', '/mailings/0/template']);
        assert.match(error.validationMessages[3].message, /Recipient\.Cod.*line 1, column/);
        return true;
      });
      assert.equal((await db.db.selectFrom('project_entities').select('kind').execute()).length, 0);
    } finally {
      await db.close();
    }
  });

  test('refuses two fields of one entity whose names differ only in case, in the file and against the applied project', async () => {
    const db = await createTestDatabase();
    try {
      const file = {
        customFields: [
          { entity: 'Customer', systemName: 'Rank', type: 'String' },
          { entity: 'Order', systemName: 'rank', type: 'String' },
          { entity: 'Customer', systemName: 'RANK', type: 'String' },
        ],
      };
      const validation = validateProject(file);
      assert.ok(!validation.ok);
      assert.deepEqual(validation.problems.map((p) => p.path), ['/customFields/2/systemName'], 'an Order field may share a Customer field\'s name');
      assert.match(validation.problems[0].message, /"RANK" differs from the Customer field "Rank" \(\/customFields\/0\) only in case/);

      await applyProject(db.db, iikoPreset({ phoneConfirmation: true }));
      await assert.rejects(applyProject(db.db, { customFields: [{ entity: 'Customer', systemName: 'rank', type: 'String' }] }), (error: unknown) => {
        assert.ok(isAppError(error) && error.code === 'validation');
        assert.deepEqual(error.validationMessages.map((p) => p.location), ['/customFields/0/systemName']);
        return true;
      });
      const unchanged = await applyProject(db.db, { customFields: [{ entity: 'Customer', systemName: 'Rank', name: 'Уровень программы лояльности', type: 'String' }] });
      assert.deepEqual([unchanged.created, unchanged.changed], [[], []], 'the same field again is no clash');
    } finally {
      await db.close();
    }
  });

  test('is idempotent, reports what changed, and export → apply on an empty database reproduces it', async () => {
    const first = await createTestDatabase();
    const second = await createTestDatabase();
    try {
      const report = await applyProject(first.db, iikoPreset({ phoneConfirmation: true }));
      assert.ok(report.created.includes('operations/Offline.CheckCustomer'));
      assert.equal(report.changed.length, 0);
      const again = await applyProject(first.db, iikoPreset({ phoneConfirmation: true }));
      assert.deepEqual([again.created, again.changed], [[], []]);
      assert.equal(again.version, report.version);
      const changed = await applyProject(first.db, { integrationPoints: iikoPreset({ phoneConfirmation: false }).integrationPoints });
      assert.deepEqual(changed.changed, ['integrationPoints/iiko']);
      assert.equal(changed.version, report.version + 1);

      const exported = await exportProject(first.db, new SecretValues(SecretBox.random(), {}));
      await applyProject(second.db, JSON.parse(JSON.stringify(exported)));
      assert.deepEqual(await exportProject(second.db, new SecretValues(SecretBox.random(), {})), exported);
      assert.equal((await loadProject(second.db)).integrationPoint('iiko')?.phoneConfirmation, false);
    } finally {
      await first.close();
      await second.close();
    }
  });
  test('a file that says nothing of the settings leaves them as they are; one that names them changes them', async () => {
    const database = await createTestDatabase();
    try {
      const preset = iikoPreset({ phoneConfirmation: true });
      await applyProject(database.db, { ...preset, settings: { ...preset.settings, timeZone: 'Asia/Yekaterinburg', marketingSmsFrom: '10:00' } });
      const pointsOnly = { integrationPoints: preset.integrationPoints };
      const plan = await planProject(database.db, pointsOnly);
      assert.ok(plan.ok && !plan.changes.some((change) => change.id.startsWith('settings/')), 'the plan does not list the settings');
      const report = await applyProject(database.db, pointsOnly);
      assert.deepEqual([report.created, report.changed], [[], []]);
      const kept = (await loadProject(database.db)).settings;
      assert.deepEqual([kept.timeZone, kept.marketingSmsFrom], ['Asia/Yekaterinburg', '10:00']);
      const named = await applyProject(database.db, { settings: { timeZone: 'Europe/Moscow' } });
      assert.deepEqual(named.changed, ['settings/project']);
      assert.equal((await loadProject(database.db)).settings.marketingSmsFrom, '09:00', 'named settings are the whole settings: what they omit takes its default');
    } finally {
      await database.close();
    }
  });
});

describe('first start', () => {
  test('creates the key and token once, hashed; a second start changes nothing', async () => {
    const db = await createTestDatabase();
    try {
      const first = await initProject(db.db, { preset: 'iiko', presetOptions: { phoneConfirmation: true }, secretKey: null, adminToken: null });
      assert.ok(first.applied && first.secretKey && first.adminToken);
      assert.equal(await verifySecretKey(db.db, 'iiko', first.secretKey), true);
      assert.equal(await verifySecretKey(db.db, 'iiko', 'guess'), false);
      assert.ok(await adminTokenIdOf(db.db, first.adminToken));
      const stored = await db.db.selectFrom('integration_point_keys').select('key_hash').execute();
      assert.equal(stored.length, 1);
      assert.notEqual(stored[0].key_hash, first.secretKey);
      const second = await initProject(db.db, { preset: 'iiko', presetOptions: { phoneConfirmation: true }, secretKey: null, adminToken: null });
      assert.deepEqual(second, { applied: null, secretKey: null, adminToken: null, revokedAdminTokens: 0 });
    } finally {
      await db.close();
    }
  });

  test('uses REGULARS_SECRET_KEY when given and never prints it back', async () => {
    const db = await createTestDatabase();
    try {
      const result = await initProject(db.db, { preset: 'iiko', presetOptions: { phoneConfirmation: true }, secretKey: 'configured-secret-key-123', adminToken: 'configured-admin-token-123' });
      assert.equal(result.secretKey, null);
      assert.equal(result.adminToken, null);
      assert.equal(await verifySecretKey(db.db, 'iiko', 'configured-secret-key-123'), true);
    } finally {
      await db.close();
    }
  });

  test("REGULARS_SECRET_KEY is the preset's integration point's key only: a second point gets none, and the start goes on", async () => {
    const db = await createTestDatabase();
    const start = (secretKey: string | null) => initProject(db.db, { preset: 'iiko', presetOptions: { phoneConfirmation: true }, secretKey, adminToken: null });
    try {
      await start('configured-secret-key-123');
      await applyProject(db.db, { integrationPoints: [{ systemName: 'web', name: 'Сайт', preset: 'Other' }] });
      const again = await start('configured-secret-key-123');
      assert.equal(again.secretKey, null);
      assert.equal(await verifySecretKey(db.db, 'iiko', 'configured-secret-key-123'), true);
      assert.equal(await verifySecretKey(db.db, 'web', 'configured-secret-key-123'), false, 'one key does not open every point');
      assert.equal((await start(null)).secretKey, null, 'a point added later gets its keys from regulars keys add');
      const webKey = await addSecretKey(db.db, 'web', 'the site');
      assert.equal(await verifySecretKey(db.db, 'web', webKey), true);
      await assert.rejects(start(webKey), /REGULARS_SECRET_KEY is the key of integration point "web", but it sets the key of "iiko"/);
    } finally {
      await db.close();
    }
  });

  test('a revoked key stays revoked: set again in REGULARS_SECRET_KEY it refuses the start, and no start generates another', async () => {
    const db = await createTestDatabase();
    const start = (secretKey: string | null) => initProject(db.db, { preset: 'iiko', presetOptions: { phoneConfirmation: true }, secretKey, adminToken: null });
    try {
      const first = await start(null);
      const [key] = await db.db.selectFrom('integration_point_keys').select('id').execute();
      assert.equal(await revokeSecretKey(db.db, key.id), true);
      assert.equal((await start(null)).secretKey, null);
      assert.equal(await verifySecretKey(db.db, 'iiko', first.secretKey!), false);
      await assert.rejects(start(first.secretKey), /REGULARS_SECRET_KEY holds a revoked key of integration point "iiko"/);
    } finally {
      await db.close();
    }
  });
});
