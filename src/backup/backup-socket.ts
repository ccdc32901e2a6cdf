// The embedded database's claim and its door for `regulars backup` (decision 0015): an HTTP endpoint on a Unix
// socket inside the data directory, readable and writable by its owner only. PGlite locks nothing, and two
// processes with one data directory open would corrupt it, so the process that opens the database (the server,
// or `regulars backup`/`restore` when no server runs) first claims the socket, and a second one is refused.
// Whoever may use the socket may read the data directory anyway, so it asks for no credential; it is not on the
// network.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, realpathSync } from 'node:fs';
import { chmod, unlink } from 'node:fs/promises';
import { createServer, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Writable } from 'node:stream';
import type { Logger } from 'pino';
import type { Db } from '../db/database.ts';
import { SOCKET_NAME, writeEmbeddedBackup, type BackupManifest } from './embedded.ts';

/** Unix socket paths are limited to about a hundred bytes; a deeper data directory gets one in the temporary directory. */
const MAX_SOCKET_PATH_BYTES = 100;

export function backupSocketPath(dataDir: string): string {
  const inDataDir = join(resolve(dataDir), SOCKET_NAME);
  if (Buffer.byteLength(inDataDir) <= MAX_SOCKET_PATH_BYTES) return inDataDir;
  const real = existsSync(dataDir) ? realpathSync(dataDir) : resolve(dataDir);
  return join(tmpdir(), `regulars-${createHash('sha256').update(real).digest('hex').slice(0, 16)}.sock`);
}

export class DataDirInUseError extends Error {}

export interface DataDirClaim {
  /** From now on the socket answers backup requests with backups of this database. */
  serveBackups(db: Db, keyFile: string | null, logger: Logger): void;
  release(): Promise<void>;
}

/**
 * Claims the embedded database in `dataDir` for this process; refuses when another process holds it. Until
 * `serveBackups`, backup requests are answered 503 (the server is starting, or a backup or restore runs here).
 */
export async function claimDataDir(dataDir: string, holder: string): Promise<DataDirClaim> {
  mkdirSync(dataDir, { recursive: true });
  const path = backupSocketPath(dataDir);
  if (await serverAnswersOn(path)) throw new DataDirInUseError(`another process uses the embedded database in ${dataDir} (it answers on ${path}): stop it first`);
  await unlink(path).catch(() => {});
  let backups: { db: Db; keyFile: string | null; logger: Logger } | null = null;
  let busy = false;
  const server = createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/') {
      res.writeHead(200).end(`${holder}\n`);
      return;
    }
    if (req.method !== 'POST' || req.url !== '/backup') {
      res.writeHead(404).end('not found\n');
      return;
    }
    if (!backups) {
      res.writeHead(503).end(`${holder} has the embedded database open and takes no backup now; try again in a moment\n`);
      return;
    }
    if (busy) {
      res.writeHead(409).end('a backup is being taken already; try again when it has ended\n');
      return;
    }
    busy = true;
    const { db, keyFile, logger } = backups;
    writeEmbeddedBackup(db, dataDir, keyFile, res, (copied) => {
      res.writeHead(200, { 'content-type': 'application/gzip', 'x-regulars-paused-ms': String(copied.pausedMs), 'x-regulars-manifest': JSON.stringify(copied.manifest) });
    })
      .then((report) => logger.info({ pausedMs: report.pausedMs }, 'backup taken'))
      .catch((error: Error) => {
        logger.error({ err: error }, 'backup failed');
        if (!res.headersSent) res.writeHead(500).end(`the backup failed: ${error.message}\n`);
        else res.destroy(error);
      })
      .finally(() => {
        busy = false;
      });
  });
  await new Promise<void>((listening, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'EADDRINUSE' ? new DataDirInUseError(`another process is claiming the embedded database in ${dataDir} at this moment`) : error),
    );
    server.listen({ path, exclusive: true }, () => listening());
  });
  await chmod(path, 0o600);
  return {
    serveBackups: (db, keyFile, logger) => {
      backups = { db, keyFile, logger };
    },
    release: async () => {
      await new Promise<void>((closed) => server.close(() => closed()));
      await unlink(path).catch(() => {});
    },
  };
}

/** Whether a process answers on the socket (a socket file left by a process that was killed answers nothing). */
export function serverAnswersOn(path: string): Promise<boolean> {
  if (!existsSync(path)) return Promise.resolve(false);
  return new Promise((answered) => {
    const probe = request({ socketPath: path, method: 'GET', path: '/' }, (res) => {
      res.resume();
      answered(true);
    });
    probe.on('error', () => answered(false));
    probe.end();
  });
}

/** Asks the process that holds the embedded database in `dataDir` (see serverAnswersOn) for a backup and writes it to `output`. */
export function requestBackup(dataDir: string, output: Writable): Promise<{ pausedMs: number; manifest: BackupManifest }> {
  return new Promise((delivered, reject) => {
    const call = request({ socketPath: backupSocketPath(dataDir), method: 'POST', path: '/backup' }, (res) => {
      if (res.statusCode !== 200) {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => reject(new Error(text.trim() || `the server answered ${res.statusCode}`)));
        return;
      }
      const report = { pausedMs: Number(res.headers['x-regulars-paused-ms']), manifest: JSON.parse(String(res.headers['x-regulars-manifest'])) as BackupManifest };
      res.on('aborted', () => reject(new Error('the server stopped in the middle of the backup')));
      res.on('error', reject);
      output.on('error', reject);
      output.on('close', () => delivered(report));
      res.pipe(output);
    });
    call.on('error', reject);
    call.end();
  });
}
