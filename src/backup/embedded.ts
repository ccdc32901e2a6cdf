// A backup of the embedded database (PGlite, decision 0015): its data directory as a gzipped tar, taken by the
// process that has the database open, with PostgreSQL's own online backup: pg_backup_start (a checkpoint),
// a copy of the files while the server goes on writing (a copy that may be torn), pg_backup_stop, then the
// write-ahead log written meanwhile. Opening the copy replays that log from the checkpoint the backup label
// names, so it comes up as one consistent state at least as new as the backup's start. Other work waits only
// for the two calls. The key file is never in the backup (decision 0006).
import { createReadStream } from 'node:fs';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Worker } from 'node:worker_threads';
import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import { storedKeyFingerprint } from '../shared/encryption-key.ts';
import { startWorkerThread } from '../shared/worker-thread.ts';
import type { FileWork, FileWorkResult } from './file-work.ts';

/** The first entry of an embedded backup: what it is, and what restoring it needs. */
export const MANIFEST_NAME = 'regulars-backup.json';
/** The Unix socket of the process that holds the embedded database, inside its data directory. */
export const SOCKET_NAME = 'regulars.sock';
/** Where the copy is gathered inside the data directory before it is archived (same file system, so a fast copy). */
const STAGING_NAME = '.backup-staging';
const WAL_DIR = 'pg_wal';
const WAL_SEGMENT = /^[0-9A-F]{24}$/;

export interface BackupManifest {
  format: 'regulars-embedded-backup';
  version: 1;
  createdAt: string;
  /** the fingerprint of the encryption key the database's secrets are sealed with; the key itself is not in the backup */
  keyFingerprint: string | null;
  /** the newest migration the database ran: a Regulars that lacks it cannot open the restored database */
  lastMigration: string | null;
}

export interface EmbeddedBackupReport {
  manifest: BackupManifest;
  /** how long other work waited for the database: the checkpoint of pg_backup_start and pg_backup_stop */
  pausedMs: number;
}

/** What belongs to this installation's data directory but not to the database: the key file, the socket, the staging copy. */
function namesLeftOut(dataDir: string, keyFile: string | null): string[] {
  const keyInDataDir = keyFile && resolve(keyFile) === resolve(dataDir, basename(keyFile)) ? [basename(keyFile)] : [];
  return [...keyInDataDir, SOCKET_NAME, STAGING_NAME];
}

export function leftOutOfBackup(dataDir: string, keyFile: string | null): (relative: string) => boolean {
  const names = namesLeftOut(dataDir, keyFile);
  return (relative) => names.includes(relative);
}

/** Files of a running PostgreSQL a copy leaves out (as pg_basebackup does): they describe the running process. */
const RUNTIME_FILES = ['postmaster.pid', 'postmaster.opts'];

/**
 * Writes a backup of the embedded database open as `db` (its files in `dataDir`) to `output`. `onCopied` is told
 * once the archive is ready, before it is streamed.
 */
export async function writeEmbeddedBackup(
  db: Db,
  dataDir: string,
  keyFile: string | null,
  output: Writable,
  onCopied: (report: EmbeddedBackupReport) => void = () => {},
): Promise<EmbeddedBackupReport> {
  const staging = join(dataDir, STAGING_NAME);
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging);
  const files = new FileWorker();
  try {
    const manifest: BackupManifest = {
      format: 'regulars-embedded-backup',
      version: 1,
      createdAt: new Date().toISOString(),
      keyFingerprint: await storedKeyFingerprint(db),
      lastMigration: await newestMigration(db),
    };
    const copy = join(staging, 'data');
    const pausedMs = await copyOnline(db, files, dataDir, copy, [...namesLeftOut(dataDir, keyFile), ...RUNTIME_FILES]);
    const report = { manifest, pausedMs };
    const archive = join(staging, 'backup.tar.gz');
    await files.run({ kind: 'archive', dir: copy, first: { name: MANIFEST_NAME, text: `${JSON.stringify(manifest, null, 2)}\n` }, file: archive });
    onCopied(report);
    await pipeline(createReadStream(archive, { highWaterMark: 1024 * 1024 }), output);
    return report;
  } finally {
    await files.stop();
    await rm(staging, { recursive: true, force: true });
  }
}

/** Copies the database's files into `copy` between pg_backup_start and pg_backup_stop; returns how long those two held the database. */
async function copyOnline(db: Db, files: FileWorker, dataDir: string, copy: string, leftOut: string[]): Promise<number> {
  let held = performance.now();
  const { rows: started } = await sql<{ wal: string }>`select pg_walfile_name(lsn) as wal from pg_backup_start('regulars backup', true) as lsn`.execute(db);
  let pausedMs = performance.now() - held;
  let stopped = false;
  try {
    await files.run({ kind: 'copy', from: dataDir, to: copy, skipPaths: leftOut, skipPrefixes: [`${WAL_DIR}/`] });
    held = performance.now();
    const { rows: ended } = await sql<{ wal: string; labelfile: string }>`
      select pg_walfile_name(lsn) as wal, labelfile from pg_backup_stop(false)`.execute(db);
    pausedMs += performance.now() - held;
    stopped = true;
    await writeFile(join(copy, 'backup_label'), ended[0].labelfile);
    // the log from the backup's start to its end: older segments are not replayed, and later names are segments
    // PostgreSQL recycled for reuse, holding old log
    const outside = (await readdir(join(dataDir, WAL_DIR))).filter((name) => WAL_SEGMENT.test(name) && (name < started[0].wal || name > ended[0].wal));
    await files.run({ kind: 'copy', from: join(dataDir, WAL_DIR), to: join(copy, WAL_DIR), skipPaths: outside, skipPrefixes: [] });
    await assertWalPresent(db, join(copy, WAL_DIR), started[0].wal, ended[0].wal);
  } finally {
    // a failed copy must not leave the database in backup mode: the next backup could not start
    if (!stopped) await sql`select pg_backup_stop(false)`.execute(db).catch(() => {});
  }
  return Math.round(pausedMs);
}

/**
 * A worker thread for the file work (copies, the archive): in the server's own thread, each step of a copy would
 * wait behind the calls being served, and a busy server would take minutes for what takes seconds.
 */
class FileWorker {
  readonly #worker: Worker;
  #waiting: Array<(result: FileWorkResult) => void> = [];
  #failure: Error | null = null;

  constructor() {
    this.#worker = startWorkerThread(new URL('./file-work.worker.ts', import.meta.url), { execArgv: [] });
    this.#worker.on('message', (result: FileWorkResult) => this.#waiting.shift()?.(result));
    this.#worker.on('error', (error) => {
      this.#failure = error;
      for (const settle of this.#waiting.splice(0)) settle({ ok: false, message: error.message });
    });
  }

  run(work: FileWork): Promise<void> {
    if (this.#failure) return Promise.reject(this.#failure);
    return new Promise((done, failed) => {
      this.#waiting.push((result) => (result.ok ? done() : failed(new Error(result.message))));
      this.#worker.postMessage(work);
    });
  }

  async stop(): Promise<void> {
    await this.#worker.terminate();
  }
}

/**
 * Refuses a copy that lacks a log segment between the backup's start and end: a checkpoint during a long copy
 * may have recycled one (after a gigabyte of writes), and the copy could not be replayed to a consistent state.
 */
async function assertWalPresent(db: Db, walCopy: string, firstSegment: string, lastSegment: string): Promise<void> {
  const { rows } = await sql<{ bytes: string }>`select setting as bytes from pg_settings where name = 'wal_segment_size'`.execute(db);
  const segmentsPerLogId = 0x100000000 / Number(rows[0].bytes);
  const number = (segment: string) => parseInt(segment.slice(8, 16), 16) * segmentsPerLogId + parseInt(segment.slice(16, 24), 16);
  const present = new Set(await readdir(walCopy));
  const timeline = firstSegment.slice(0, 8);
  for (let segment = number(firstSegment); segment <= number(lastSegment); segment += 1) {
    const name = `${timeline}${Math.floor(segment / segmentsPerLogId).toString(16).toUpperCase().padStart(8, '0')}${(segment % segmentsPerLogId).toString(16).toUpperCase().padStart(8, '0')}`;
    if (!present.has(name)) throw new Error(`the log segment ${name} was recycled while the files were copied (much was written meanwhile): take the backup again`);
  }
}

async function newestMigration(db: Db): Promise<string | null> {
  const { rows } = await sql<{ name: string }>`select name from kysely_migration order by name desc limit 1`.execute(db);
  return rows[0]?.name ?? null;
}
