// Secret fields of the project: sealed when stored, shown as a marker, resolved only where used, and the
// secrets an older version stored in clear sealed on upgrade.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase } from '../../test/support/db.ts';
import { SecretBox } from '../shared/secret-box.ts';
import { applyProject, loadProject, sealStoredSecrets } from './project.service.ts';
import * as repository from './project.repository.ts';
import { SecretValues } from './secret-values.ts';

const values = (environment: Record<string, string> = {}) => new SecretValues(SecretBox.random(), environment);

test('a literal is sealed, an unchanged literal keeps its sealed form, a marker keeps what is stored', () => {
  const secrets = values();
  const connection = { systemName: 'gw', url: 'https://user:pw@gw.example/send?key=k1', statusSecret: 'report-secret-0123' };
  const first = secrets.seal('smsConnections', connection, undefined);
  assert.deepEqual(first.problems, []);
  assert.ok(!JSON.stringify(first.entity).includes('pw@') && !JSON.stringify(first.entity).includes('report-secret'));
  const same = secrets.seal('smsConnections', connection, first.entity);
  assert.deepEqual(same.entity, first.entity, 'the same value again changes nothing');
  const shown = secrets.redact('smsConnections', first.entity);
  assert.deepEqual(shown, { systemName: 'gw', url: { secret: 'stored', hint: 'https://gw.example' }, statusSecret: { secret: 'stored' } });
  assert.deepEqual(secrets.seal('smsConnections', shown, first.entity).entity, first.entity, 'an exported file applies unchanged');
  const none = secrets.seal('smsConnections', shown, undefined);
  assert.deepEqual(none.problems.map((p) => p.path), ['url', 'statusSecret']);
});

test('a value naming environment variables is kept as written and resolved from the environment where used', () => {
  const secrets = values({ SMPP_PASSWORD: 'p@ss' });
  const connection = { systemName: 'sms', url: 'smpp://regulars:${env:SMPP_PASSWORD}@10.0.0.2:2775' };
  const sealed = secrets.seal('smsConnections', connection, undefined);
  assert.deepEqual(sealed.entity, connection);
  assert.equal(secrets.resolve(connection.url, 'url'), 'smpp://regulars:p@ss@10.0.0.2:2775');
  assert.deepEqual(values().seal('smsConnections', connection, undefined).problems, [{ path: 'url', message: 'the environment variable SMPP_PASSWORD is not set on this server' }]);
  assert.throws(() => values().resolve(connection.url, 'smsConnections/sms/url'), /SMPP_PASSWORD is not set/);
});

test('webhook steps seal their URL and secret wherever they sit in the scenario', () => {
  const secrets = values();
  const scenario = { systemName: 'S', branches: [{ steps: [{ type: 'sendMailing' }, { type: 'callWebhook', url: 'https://crm.example/h?token=t0k', secret: 'sixteen-chars-secret' }] }] };
  const { entity } = secrets.seal('scenarios', scenario, undefined);
  assert.ok(!JSON.stringify(entity).includes('t0k') && !JSON.stringify(entity).includes('sixteen-chars'));
  assert.deepEqual((secrets.redact('scenarios', entity) as any).branches[0].steps[1], { type: 'callWebhook', url: { secret: 'stored', hint: 'https://crm.example' }, secret: { secret: 'stored' } });
});

test('upgrade: credentials an older version stored in clear are sealed, and the unsalted statusSecretHash is dropped', async () => {
  const database = await createTestDatabase();
  try {
    const secrets = values();
    await applyProject(database.db, { integrationPoints: [{ systemName: 'iiko', name: 'iiko' }] });
    await repository.upsertEntity(database.db, {
      kind: 'smsConnections',
      system_name: 'gw',
      definition: { systemName: 'gw', url: 'https://user:old-password@gw.example/send', statusSecretHash: 'a'.repeat(64) },
    });
    const changed = await sealStoredSecrets(database.db, secrets);
    assert.deepEqual(changed, ['smsConnections/gw: secrets sealed; statusSecretHash dropped: set statusSecret to take delivery reports again']);
    const project = await loadProject(database.db, secrets);
    assert.equal(project.smsConnectionUrl('gw', 'outbox:'), 'https://user:old-password@gw.example/send');
    const stored = JSON.stringify(await repository.listEntities(database.db));
    assert.ok(!stored.includes('old-password') && !stored.includes('statusSecretHash'));
    assert.deepEqual(await sealStoredSecrets(database.db, secrets), [], 'a second start changes nothing');
  } finally {
    await database.close();
  }
});
