// What every part of a running process shares: configuration, database, the project, a logger, a clock.
import type { Logger } from 'pino';
import type { Config } from './config.ts';
import type { ConnectionUse, Db } from './db/database.ts';
import type { ProjectStore } from './project/project-store.ts';
import type { OperationLogWriter } from './protocol/mindbox/operation-log-writer.ts';
import type { SecretBox } from './shared/secret-box.ts';

export interface AppContext {
  config: Config;
  db: Db;
  databaseKind: 'pglite' | 'postgres';
  /** the database connections as this process uses them now (the metrics) */
  databaseConnections: () => ConnectionUse;
  project: ProjectStore;
  logger: Logger;
  /** seals and opens what is kept encrypted (SMS texts, codes in the outbox, project credentials) */
  secrets: SecretBox;
  /** the protocol calls' log, written in batches off the response path */
  operationLog: OperationLogWriter;
  /** the current time; tests pass a fixed clock */
  now: () => Date;
}
