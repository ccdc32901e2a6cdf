// The encryption key lives beside the data, never in the database: made on the first start, the same on
// every later one, refused when it does not fit the database, and moved out of the database on upgrade.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase } from '../../test/support/db.ts';
import { openSecretBox } from './encryption-key.ts';
import { SecretBox } from './secret-box.ts';

const keyFileIn = () => join(mkdtempSync(join(tmpdir(), 'regulars-key-test-')), 'regulars.key');

test('sealed texts open only with the same key and reveal nothing in between', () => {
  const box = SecretBox.random();
  const sealed = box.seal('Код: 4821');
  assert.ok(!sealed.includes('4821'));
  assert.notEqual(sealed, box.seal('Код: 4821'), 'a fresh IV each time');
  assert.equal(box.open(sealed), 'Код: 4821');
  const tampered = sealed.slice(0, -4) + (sealed.endsWith('AAAA') ? 'BBBB' : 'AAAA');
  assert.throws(() => box.open(tampered));
  assert.throws(() => SecretBox.random().open(sealed), 'another key opens nothing');
});

test('the first start writes a key file readable by its owner only; the database keeps no key, only its fingerprint', async () => {
  const database = await createTestDatabase();
  const keyFile = keyFileIn();
  try {
    const first = await openSecretBox(database.db, { key: null, keyFile });
    assert.equal(statSync(keyFile).mode & 0o777, 0o600);
    const sealed = first.seal('gateway password');
    const again = await openSecretBox(database.db, { key: null, keyFile });
    assert.equal(again.open(sealed), 'gateway password', 'the next start has the same key');
    const stored = await database.db.selectFrom('server_secrets').selectAll().execute();
    assert.deepEqual(stored.map((row) => row.name), ['secret-box-fingerprint']);
    assert.ok(!JSON.stringify(stored).includes(readFileSync(keyFile, 'utf8').trim()));
  } finally {
    await database.close();
    rmSync(keyFile);
  }
});

test('a process without the key, or with another one, refuses to start rather than seal what the others cannot open', async () => {
  const database = await createTestDatabase();
  const keyFile = keyFileIn();
  try {
    await openSecretBox(database.db, { key: null, keyFile });
    await assert.rejects(openSecretBox(database.db, { key: null, keyFile: keyFileIn() }), /sealed with a key this process does not have/);
    await assert.rejects(openSecretBox(database.db, { key: randomBytes(32), keyFile: null }), /is not the one this database's secrets were sealed with/);
    const configured = Buffer.from(readFileSync(keyFile, 'utf8').trim(), 'base64');
    assert.ok(await openSecretBox(database.db, { key: configured, keyFile: null }), 'REGULARS_ENCRYPTION_KEY with the same key works');
  } finally {
    await database.close();
  }
});

test('upgrade: a key an older version kept in the database moves to the key file, or seals its texts again under a configured key', async () => {
  for (const configured of [false, true]) {
    const database = await createTestDatabase();
    const keyFile = keyFileIn();
    try {
      const legacyKey = randomBytes(32);
      const legacy = new SecretBox(legacyKey);
      await database.db.insertInto('server_secrets').values({ name: 'secret-box', value: legacyKey.toString('base64') }).execute();
      await database.db
        .insertInto('messages')
        .values({
          id: '00000000-0000-4000-8000-000000000001',
          phone: '79001234567',
          text_encrypted: null,
          outgoing_text_encrypted: legacy.seal('Код: 4821'),
          connection: 'default',
          status: 'queued',
          created_at: new Date(),
          updated_at: new Date(),
          valid_until: new Date(Date.now() + 3600_000),
        })
        .execute();
      await database.db.insertInto('outbox').values({ topic: 'event', payload: JSON.stringify({ type: 'customerRegistered', data: { secrets: legacy.seal('{"to":"x"}') } }), available_at: new Date() }).execute();

      const box = await openSecretBox(database.db, { key: configured ? randomBytes(32) : null, keyFile });
      const message = await database.db.selectFrom('messages').select('outgoing_text_encrypted').executeTakeFirstOrThrow();
      assert.equal(box.open(message.outgoing_text_encrypted!), 'Код: 4821', 'the message still goes out');
      const job = await database.db.selectFrom('outbox').select('payload').executeTakeFirstOrThrow();
      assert.equal(box.open((job.payload as any).data.secrets), '{"to":"x"}', 'the code on its way still reaches its SMS');
      const names = (await database.db.selectFrom('server_secrets').select('name').execute()).map((row) => row.name);
      assert.deepEqual(names, ['secret-box-fingerprint'], 'the old key left the database');
      if (!configured) assert.equal(readFileSync(keyFile, 'utf8').trim(), legacyKey.toString('base64'), 'the old key became the key file');
    } finally {
      await database.close();
    }
  }
});
