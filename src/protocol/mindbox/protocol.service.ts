// Reads of the operations log (the log is written by the pipeline, masked, in batches): what this process
// has not written yet is written first, so a reader sees every call answered so far.
import type { AppContext } from '../../app-context.ts';
import * as repository from './protocol.repository.ts';

export async function queryOperationLog(app: AppContext, query: repository.OperationLogQuery) {
  await app.operationLog.flush();
  return repository.queryOperationLog(app.db, query);
}

export async function getOperationLogEntry(app: AppContext, id: number) {
  await app.operationLog.flush();
  return repository.getOperationLogEntry(app.db, id);
}
