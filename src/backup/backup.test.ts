// `regulars backup` and `restore` on the embedded database with no server running (the running server's path and
// PostgreSQL are in test/e2e/backup.e2e.test.ts), the data directory's claim, and the refusals of a restore.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { loadConfig } from '../config.ts';
import { migrateToLatest, openDatabase } from '../db/database.ts';
import { openSecretBox } from '../shared/encryption-key.ts';
import { testDatabaseUrl } from '../../test/support/db.ts';
import { claimDataDir, DataDirInUseError } from './backup-socket.ts';
import { restoreBackup, takeBackup } from './backup.ts';

const fresh = (name: string) => mkdtempSync(join(tmpdir(), `regulars-backup-${name}-`));
const configFor = (dataDir: string, keyFile?: string) => loadConfig({ REGULARS_DATA_DIR: dataDir, LOG_LEVEL: 'silent', ...(keyFile ? { REGULARS_KEY_FILE: keyFile } : {}) });

describe('an embedded database with no server running', { skip: testDatabaseUrl !== null && 'the embedded database only' }, () => {
  const dataDir = fresh('original');
  const file = join(fresh('file'), 'regulars.backup');

  before(async () => {
    const database = await openDatabase({ dataDir });
    try {
      await migrateToLatest(database.db);
      await openSecretBox(database.db, { key: null, keyFile: join(dataDir, 'regulars.key') });
      await database.db.insertInto('customers').values({ mobile_phone: '79005550101', first_name: 'Ольга', custom_fields: '{}' }).execute();
    } finally {
      await database.close();
    }
  });

  test('is backed up by the command itself, the key file left out', async () => {
    const backup = await takeBackup(configFor(dataDir), file);
    assert.equal(backup.serverPausedMs, null);
    assert.match(backup.keyFingerprint ?? '', /^[0-9a-f]{16}$/);
    const names = execFileSync('tar', ['tzf', file], { encoding: 'utf8' }).split('\n');
    assert.equal(names[0], 'regulars-backup.json');
    assert.ok(names.includes('PG_VERSION') && names.includes('backup_label'));
    assert.ok(!names.some((name) => /regulars\.(key|sock)|postmaster\.pid/.test(name)), names.join(' '));
  });

  test('is restored only with the key that fits, into an empty directory, and opens with its data', async () => {
    const target = fresh('restored');
    await assert.rejects(restoreBackup(configFor(target), file, { force: false }), /sealed with the encryption key of fingerprint/);
    assert.deepEqual(readdirSync(target), [], 'nothing was written');
    const otherKey = join(fresh('other-key'), 'regulars.key');
    writeFileSync(otherKey, randomBytes(32).toString('base64'));
    await assert.rejects(restoreBackup(configFor(target, otherKey), file, { force: false }), /is not|but the backup's secrets are sealed/);

    copyFileSync(join(dataDir, 'regulars.key'), join(target, 'regulars.key'));
    await restoreBackup(configFor(target), file, { force: false });
    await assert.rejects(restoreBackup(configFor(target), file, { force: false }), /is not empty/);
    await restoreBackup(configFor(target), file, { force: true });

    const database = await openDatabase({ dataDir: target });
    try {
      const guest = await database.db.selectFrom('customers').select('first_name').where('mobile_phone', '=', '79005550101').executeTakeFirst();
      assert.equal(guest?.first_name, 'Ольга');
    } finally {
      await database.close();
    }
  });

  describe('while another process holds the data directory', () => {
    let claim: Awaited<ReturnType<typeof claimDataDir>>;
    before(async () => {
      claim = await claimDataDir(dataDir, 'a test standing in for a starting server');
    });
    after(() => claim.release());

    test('a second claim is refused, and a backup asks the holder, which takes none until it serves them', async () => {
      await assert.rejects(claimDataDir(dataDir, 'a second server'), DataDirInUseError);
      await assert.rejects(takeBackup(configFor(dataDir), join(fresh('refused'), 'regulars.backup')), /takes no backup now/);
      await assert.rejects(restoreBackup(configFor(dataDir), file, { force: true }), DataDirInUseError);
    });
  });
});
