// Process entry: config → database → migrations → preset → server and workers.
import pino, { type Logger } from 'pino';
import type { AppContext } from './app-context.ts';
import type { Config } from './config.ts';
import { migrateToLatest, openDatabase, type DatabaseHandle } from './db/database.ts';
import { isDatabaseUnavailable } from './db/errors.ts';
import { backgroundWork } from './background.ts';
import { startWorker, type Worker } from './jobs/worker.ts';
import { ProjectStore } from './project/project-store.ts';
import { OperationLogWriter } from './protocol/mindbox/operation-log-writer.ts';
import { initProject, recordUnrecordedVersion, sealStoredSecrets, type InitResult } from './project/project.service.ts';
import { SecretValues } from './project/secret-values.ts';
import { walletsOf } from './guestcard/wallet-updates.ts';
import { buildServer } from './server.ts';
import { claimDataDir } from './backup/backup-socket.ts';
import { decodeMasterKey, openSecretBox } from './shared/encryption-key.ts';
import { runShutdownHooks } from './shared/shutdown.ts';

export interface OpenOptions {
  logger?: Logger;
  now?: () => Date;
}

export interface OpenedApp {
  app: AppContext;
  database: DatabaseHandle;
  init: InitResult;
  close(): Promise<void>;
}

/** The real time, or (REGULARS_CLOCK) a clock that started at the configured instant and runs on from it. */
function clockOf(config: Config): () => Date {
  if (!config.clockStart) return () => new Date();
  const offsetMs = config.clockStart.getTime() - Date.now();
  return () => new Date(Date.now() + offsetMs);
}

/** Opens the database, migrates it and makes sure the project exists (applying the iiko preset on first start). */
export async function openApp(config: Config, options: OpenOptions = {}): Promise<OpenedApp> {
  const logger = options.logger ?? pino({ level: config.logLevel, base: undefined });
  const database = await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir, reachabilityLog: logger });
  try {
    await migrateToLatest(database.db);
    const init = await initProject(database.db, {
      preset: 'iiko',
      presetOptions: { phoneConfirmation: config.phoneConfirmation, timeZone: config.timeZone },
      secretKey: config.secretKey,
      adminToken: config.adminToken,
    });
    const secrets = await openSecretBox(database.db, {
      key: config.encryptionKey ? decodeMasterKey(config.encryptionKey, 'REGULARS_ENCRYPTION_KEY') : null,
      keyFile: config.keyFile,
    });
    const projectSecrets = new SecretValues(secrets, config.environment);
    for (const change of await sealStoredSecrets(database.db, projectSecrets)) logger.warn({ change }, 'project upgraded');
    if (await recordUnrecordedVersion(database.db)) logger.info('the project history begins with the version this installation runs');
    const project = await ProjectStore.open(database.db, projectSecrets);
    const projectZone = project.current.settings.timeZone;
    // the variable only seeds the first start: a project changed since then keeps its own zone, said once at each start
    if (config.timeZone && config.timeZone !== projectZone)
      logger.warn({ REGULARS_TIMEZONE: config.timeZone, timeZone: projectZone }, "REGULARS_TIMEZONE is used at the first start only: the project's settings.timeZone rules, change it there");
    const app: AppContext = {
      config,
      db: database.db,
      databaseKind: database.kind,
      databaseConnections: () => database.connections(),
      project,
      logger,
      secrets,
      operationLog: new OperationLogWriter(database.db, logger),
      now: options.now ?? clockOf(config),
    };
    const close = async () => {
      await app.operationLog.flush();
      await database.close();
    };
    return { app, database, init, close };
  } catch (error) {
    await database.close();
    throw error;
  }
}

export interface RunningServer extends OpenedApp {
  url: string;
  stop(): Promise<void>;
}

const PROJECT_REFRESH_MS = 5000;

/** Starts the API and/or the worker, as the configured role says. */
export async function startServer(config: Config, options: OpenOptions = {}): Promise<RunningServer> {
  // PGlite locks nothing: the process that opens the embedded database claims it first, and answers `regulars backup` there
  const claim = !config.databaseUrl && !config.dataDir.includes('://') ? await claimDataDir(config.dataDir, `the Regulars server (pid ${process.pid})`) : null;
  const opened = await openApp(config, options).catch(async (error: unknown) => {
    await claim?.release();
    throw error;
  });
  const { app } = opened;
  try {
    // the Wallet certificates and keys are read now, whatever the role: a bad file stops the start
    walletsOf(app);
  } catch (error) {
    await opened.close();
    await claim?.release();
    throw error;
  }
  claim?.serveBackups(app.db, config.keyFile, app.logger);
  const server = config.role === 'worker' ? null : await buildServer(app);
  let url = '';
  if (server) {
    url = await server.listen({ port: config.port, host: config.host });
  }
  const worker: Worker | null = config.role === 'api' ? null : startWorker(app, backgroundWork);
  const refresh = setInterval(() => {
    app.project.refreshIfStale().catch((error) => {
      // while the database does not answer, the next refresh simply tries again (the outage is logged once, by the database)
      if (!isDatabaseUnavailable(error)) app.logger.warn({ err: error }, 'could not refresh the project');
    });
  }, PROJECT_REFRESH_MS);
  refresh.unref();
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    clearInterval(refresh);
    await server?.close();
    await worker?.stop();
    await runShutdownHooks();
    await opened.close();
    await claim?.release();
  };
  return { ...opened, url, stop, close: stop };
}
