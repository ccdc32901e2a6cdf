// `regulars backup FILE` and `regulars restore FILE [--force]`, with the configuration of the server beside them.
import type { Command } from 'commander';
import type { Config } from '../config.ts';
import { takeBackup, restoreBackup } from './backup.ts';

const megabytes = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

export function registerBackupCommands(program: Command, config: () => Config, print: (line?: string) => void): void {
  program
    .command('backup <file>')
    .description('write a consistent backup of the database to FILE, also while the server runs (the encryption key is not in it)')
    .action(async (file: string) => {
      const settings = config();
      const backup = await takeBackup(settings, file);
      const how = settings.databaseUrl
        ? 'pg_dump of the PostgreSQL database'
        : backup.serverPausedMs === null
          ? 'the embedded database (no server was running)'
          : `the embedded database, copied by the running server (its work waited ${backup.serverPausedMs} ms for the copy)`;
      print(`Backup written to ${file}: ${megabytes(backup.bytes)} in ${seconds(backup.durationMs)}, ${how}.`);
      const key = settings.encryptionKey ? 'REGULARS_ENCRYPTION_KEY' : `the key file ${settings.keyFile}`;
      print(
        `The encryption key is NOT in the backup: keep a copy of ${key}${backup.keyFingerprint ? ` (fingerprint ${backup.keyFingerprint})` : ''} apart from it.` +
          ' A restore needs it; whoever has both can read the sealed SMS texts and credentials.',
      );
    });

  program
    .command('restore <file>')
    .description('restore a backup into an empty data directory (REGULARS_DATA_DIR) or PostgreSQL schema (DATABASE_URL)')
    .option('--force', 'replace the database that is there')
    .action(async (file: string, options: { force?: boolean }) => {
      const settings = config();
      const restored = await restoreBackup(settings, file, { force: Boolean(options.force) });
      print(`Restored ${file} into ${settings.databaseUrl ? 'the PostgreSQL database' : settings.dataDir} in ${seconds(restored.durationMs)}.`);
      if (restored.schemaNotInUrl)
        print(`The data is in schema "${restored.schemaNotInUrl}", which DATABASE_URL does not work in: add ?options=-c%20search_path%3D${restored.schemaNotInUrl} to it.`);
      print('Start the server as usual: it runs the migrations a newer version brings.');
    });
}
