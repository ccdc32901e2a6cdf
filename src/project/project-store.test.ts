// The secret keys a running process knows: a key added by another process works at once, yet a flood of keys
// it does not know costs the database one read of the keys a second, however many there are (decision 0014).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { KyselyPlugin, PluginTransformQueryArgs, PluginTransformResultArgs, QueryResult, RootOperationNode, UnknownRow } from 'kysely';
import { createTestDatabase, type TestDatabase } from '../../test/support/db.ts';
import { openSecretBox } from '../shared/encryption-key.ts';
import { ProjectStore } from './project-store.ts';
import { addSecretKey, initProject } from './project.service.ts';
import { SecretValues } from './secret-values.ts';

/** Counts the reads of the keys table, so a test can see what the database was asked. */
class KeyReads implements KyselyPlugin {
  count = 0;
  transformQuery({ node }: PluginTransformQueryArgs): RootOperationNode {
    if (node.kind === 'SelectQueryNode' && JSON.stringify(node.from).includes('"integration_point_keys"')) this.count += 1;
    return node;
  }
  async transformResult({ result }: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return result;
  }
}

const KEY = 'store-test-secret-key-0123456';
let database: TestDatabase;
let store: ProjectStore;
const reads = new KeyReads();

before(async () => {
  database = await createTestDatabase();
  await initProject(database.db, { preset: 'iiko', presetOptions: { phoneConfirmation: true }, secretKey: KEY, adminToken: 'store-test-admin-token-0123' });
  const secrets = await openSecretBox(database.db, { key: randomBytes(32), keyFile: null });
  store = await ProjectStore.open(database.db.withPlugin(reads), new SecretValues(secrets, {}));
});

after(() => database.close());

test('a known key is one lookup in memory', async () => {
  const before = reads.count;
  for (let call = 0; call < 1000; call++) assert.equal(await store.isLiveKey('iiko', KEY), true);
  assert.equal(reads.count, before);
});

test('a thousand unknown keys at once cost one read of the keys', async () => {
  await new Promise((resolve) => setTimeout(resolve, 1100));
  const before = reads.count;
  const answers = await Promise.all(Array.from({ length: 1000 }, (_, index) => store.isLiveKey('iiko', `wrong-key-${index}`)));
  assert.ok(answers.every((live) => live === false));
  assert.equal(reads.count - before, 1);
});

test('unknown keys one after another cost a read a second at most', async () => {
  const before = reads.count;
  const started = performance.now();
  while (performance.now() - started < 2500) assert.equal(await store.isLiveKey('iiko', 'wrong-key'), false);
  assert.ok(reads.count - before <= 3, `${reads.count - before} reads in 2.5 s`);
});

test('a key added by another process works at once, even while unknown keys keep arriving', async () => {
  const flood = Array.from({ length: 50 }, (_, index) => store.isLiveKey('iiko', `flood-${index}`));
  const added = await addSecretKey(database.db, 'iiko', 'another process');
  assert.equal(await store.isLiveKey('iiko', added), true);
  await Promise.all(flood);
});
