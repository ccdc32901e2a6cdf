// Reads of the operations log for the admin console (the log is written by the pipeline, masked).
export { getOperationLogEntry, queryOperationLog, type OperationLogQuery } from './protocol.repository.ts';
