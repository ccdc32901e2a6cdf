// The contract between the protocol layer and an operation handler. A handler gets the request body
// and a transaction; it returns the answer nodes (the protocol adds `status`), or throws an AppError.
import type { AppContext } from '../../../app-context.ts';
import type { Db } from '../../../db/database.ts';
import type { BodyFormat } from '../codec.ts';
import type { IntegrationPointDefinition, OperationDefinition } from '../../../project/schemas.ts';
import type { ProjectSnapshot } from '../../../project/snapshot.ts';
import type { ValidationMessage } from '../../../shared/errors.ts';

export interface OperationRequest {
  app: AppContext;
  /** the transaction the whole operation runs in: its writes, events and idempotency record commit together */
  db: Db;
  project: ProjectSnapshot;
  integrationPoint: IntegrationPointDefinition;
  operation: OperationDefinition;
  body: Record<string, unknown>;
  format: BodyFormat;
  xmlRoot: string | null;
  raw: string;
  transactionId: string | null;
  deviceUUID: string | null;
  mode: 'sync' | 'async';
  now: Date;
  /** remarks for the operation log (never phones or codes), e.g. unknown products in an order */
  notes: string[];
}

export interface OperationAnswer {
  body: Record<string, unknown>;
  /** false when the operation saved nothing (e.g. PriceHasBeenChanged): its transactionId stays usable */
  recordTransaction?: boolean;
  /** answer ValidationError with these messages yet commit the handler's writes (e.g. a counted wrong code) */
  validationMessages?: ValidationMessage[];
}

export type OperationHandler = (request: OperationRequest) => Promise<OperationAnswer>;
