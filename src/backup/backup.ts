// `regulars backup FILE` and `regulars restore FILE` (decision 0015). The embedded database is copied by the
// process that has it open: the running server, asked through its backup socket, or this process when no server
// runs. PostgreSQL is dumped with pg_dump. The encryption key is never in a backup (decision 0006): a backup
// names its fingerprint, and a restore refuses to go on until the key that fits is in place.
import { createReadStream, createWriteStream, existsSync } from 'node:fs';
import { chmod, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { createGunzip } from 'node:zlib';
import type { Config } from '../config.ts';
import { openDatabase } from '../db/database.ts';
import { migrations } from '../db/migrations/index.ts';
import { configuredKeyFingerprint, decodeMasterKey, storedKeyFingerprint } from '../shared/encryption-key.ts';
import { backupSocketPath, claimDataDir, requestBackup, serverAnswersOn } from './backup-socket.ts';
import { leftOutOfBackup, MANIFEST_NAME, writeEmbeddedBackup, type BackupManifest } from './embedded.ts';
import * as postgres from './postgres.ts';
import { extractTar, readFirstEntry } from './tar.ts';

export interface BackupOutcome {
  file: string;
  bytes: number;
  durationMs: number;
  /** embedded database: how long the server's other work waited for the copy; null when no server ran */
  serverPausedMs: number | null;
  keyFingerprint: string | null;
}

/** Writes a backup of the configured database to `file` (through `file.partial`, so a file by that name is always whole). */
export async function takeBackup(config: Config, file: string): Promise<BackupOutcome> {
  const started = performance.now();
  const partial = `${file}.partial`;
  try {
    let serverPausedMs: number | null = null;
    let keyFingerprint: string | null;
    if (config.databaseUrl) {
      await postgres.dumpSchema(config.databaseUrl, await postgres.schemaOf(config.databaseUrl), partial);
      // the guests' data: readable by the owner only, as the embedded database's archive is
      await chmod(partial, 0o600);
      keyFingerprint = await postgres.keyFingerprintOfDump(partial);
    } else {
      if (!existsSync(resolve(config.dataDir, 'PG_VERSION'))) throw new Error(`there is no embedded database in ${config.dataDir} (REGULARS_DATA_DIR)`);
      if (await serverAnswersOn(backupSocketPath(config.dataDir))) {
        const fromServer = await requestBackup(config.dataDir, createWriteStream(partial, { mode: 0o600 }));
        serverPausedMs = fromServer.pausedMs;
        keyFingerprint = fromServer.manifest.keyFingerprint;
      } else {
        keyFingerprint = (await backupWithoutServer(config, partial)).keyFingerprint;
      }
    }
    const handle = await open(partial, 'r');
    await handle.sync();
    await handle.close();
    await rename(partial, file);
    return { file, bytes: (await stat(file)).size, durationMs: Math.round(performance.now() - started), serverPausedMs, keyFingerprint };
  } catch (error) {
    await rm(partial, { force: true });
    throw error;
  }
}

/** No server runs on the data directory: this process claims it (a server started meanwhile is refused until it is done), opens it and copies it the same way. */
async function backupWithoutServer(config: Config, file: string): Promise<BackupManifest> {
  const claim = await claimDataDir(config.dataDir, 'regulars backup');
  try {
    const database = await openDatabase({ dataDir: config.dataDir });
    try {
      const report = await writeEmbeddedBackup(database.db, config.dataDir, config.keyFile, createWriteStream(file, { mode: 0o600 }));
      return report.manifest;
    } finally {
      await database.close();
    }
  } finally {
    await claim.release();
  }
}

export interface RestoreOutcome {
  durationMs: number;
  /** PostgreSQL: the schema restored, when DATABASE_URL does not work in it (the server would not find the data) */
  schemaNotInUrl: string | null;
}

/** Restores `file` into the configured database, which must be empty unless `force`. */
export async function restoreBackup(config: Config, file: string, options: { force: boolean }): Promise<RestoreOutcome> {
  const started = performance.now();
  const kind = await kindOfBackup(file);
  if (config.databaseUrl) {
    if (kind !== 'postgres') throw new Error(`${file} is a backup of the embedded database: restore it without DATABASE_URL, into REGULARS_DATA_DIR`);
    const schemaNotInUrl = await restorePostgres(config.databaseUrl, config, file, options.force);
    return { durationMs: Math.round(performance.now() - started), schemaNotInUrl };
  }
  if (kind !== 'embedded') throw new Error(`${file} is a backup of a PostgreSQL database: restore it with DATABASE_URL set`);
  await restoreEmbedded(config, file, options.force);
  return { durationMs: Math.round(performance.now() - started), schemaNotInUrl: null };
}

async function kindOfBackup(file: string): Promise<'embedded' | 'postgres'> {
  const handle = await open(file, 'r');
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(5), 0, 5, 0);
    if (bytesRead >= 2 && buffer[0] === 0x1f && buffer[1] === 0x8b) return 'embedded';
    if (bytesRead === 5 && buffer.toString('latin1') === 'PGDMP') return 'postgres';
  } finally {
    await handle.close();
  }
  throw new Error(`${file} is not a Regulars backup (neither an embedded database's archive nor a pg_dump custom-format file)`);
}

/** Refuses when the backup needs an encryption key this configuration does not have. */
function assertKeyFits(config: Config, backupFingerprint: string | null): void {
  if (!backupFingerprint) return;
  const configured = configuredKeyFingerprint({
    key: config.encryptionKey ? decodeMasterKey(config.encryptionKey, 'REGULARS_ENCRYPTION_KEY') : null,
    keyFile: config.keyFile,
  });
  const where = config.encryptionKey ? 'REGULARS_ENCRYPTION_KEY' : `the key file ${config.keyFile}`;
  if (!configured)
    throw new Error(
      `the backup's secrets are sealed with the encryption key of fingerprint ${backupFingerprint}, which no backup contains: ` +
        `put the key file kept with the backup at ${config.keyFile ?? 'REGULARS_KEY_FILE'} (or set REGULARS_ENCRYPTION_KEY to that key), then restore again`,
    );
  if (configured !== backupFingerprint)
    throw new Error(
      `${where} holds the key of fingerprint ${configured}, but the backup's secrets are sealed with the key of fingerprint ${backupFingerprint}: ` +
        'use the key kept with the backup, then restore again',
    );
}

function assertMigrationKnown(lastMigration: string | null): void {
  if (lastMigration && !(lastMigration in migrations))
    throw new Error(`the backup was made by a newer Regulars (its database ran migration ${lastMigration}): restore it with that version or a newer one`);
}

async function restorePostgres(url: string, config: Config, file: string, force: boolean): Promise<string | null> {
  const schema = await postgres.schemaOfDump(file);
  assertKeyFits(config, await postgres.keyFingerprintOfDump(file));
  assertMigrationKnown(await postgres.lastMigrationOfDump(file));
  const relations = await postgres.relationsIn(url, schema);
  if (relations > 0 && !force) throw new Error(`schema "${schema}" of the database already holds ${relations} tables: restore into an empty one, or add --force to replace it`);
  await postgres.dropSchema(url, schema, force);
  await postgres.restoreDump(url, file);
  const urlSchema = await postgres.schemaOf(url).catch(() => null);
  return urlSchema === schema ? null : schema;
}

async function restoreEmbedded(config: Config, file: string, force: boolean): Promise<void> {
  const gunzipped = createReadStream(file).pipe(createGunzip());
  const first = await readFirstEntry(gunzipped).finally(() => gunzipped.destroy());
  if (first.name !== MANIFEST_NAME) throw new Error(`${file} is not a Regulars backup: it does not begin with ${MANIFEST_NAME}`);
  const manifest = JSON.parse(first.content.toString('utf8')) as BackupManifest;
  if (manifest.format !== 'regulars-embedded-backup') throw new Error(`${file} is not a Regulars backup`);
  // before anything is replaced: what the backup needs is here
  assertKeyFits(config, manifest.keyFingerprint);
  assertMigrationKnown(manifest.lastMigration);
  const claim = await claimDataDir(config.dataDir, 'regulars restore');
  try {
    await extractInto(config, file, force);
  } finally {
    await claim.release();
  }
}

async function extractInto(config: Config, file: string, force: boolean): Promise<void> {
  const dataDir = config.dataDir;
  const keep = leftOutOfBackup(dataDir, config.keyFile);
  const present = (await readdir(dataDir)).filter((name) => !keep(name));
  if (present.length > 0 && !force) throw new Error(`${dataDir} (REGULARS_DATA_DIR) is not empty: restore into an empty directory, or add --force to replace the database in it`);
  for (const name of present) await rm(resolve(dataDir, name), { recursive: true, force: true });
  try {
    await extractTar(createReadStream(file).pipe(createGunzip()), dataDir, (name) => name === MANIFEST_NAME);
    // the database opens, and is the one the manifest described
    const database = await openDatabase({ dataDir });
    try {
      assertKeyFits(config, await storedKeyFingerprint(database.db));
    } finally {
      await database.close();
    }
  } catch (error) {
    for (const name of await readdir(dataDir)) if (!keep(name)) await rm(resolve(dataDir, name), { recursive: true, force: true });
    throw error;
  }
}
