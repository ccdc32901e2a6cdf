// The contract between the protocol pipeline and an operation handler. A handler gets the decoded call and
// narrow dependencies — the call's transaction, the project, the time, what seals codes — never the whole
// app: nothing in a handler can reach past its transaction (with the embedded database, a query on another
// connection than the transaction's would wait for it forever). It returns the answer nodes (the protocol
// adds `status`), or throws an AppError.
import type { Db } from '../../../db/database.ts';
import type { IntegrationPointDefinition, OperationDefinition } from '../../../project/schemas.ts';
import type { ProjectSnapshot } from '../../../project/snapshot.ts';
import type { ValidationMessage } from '../../../shared/errors.ts';
import type { SecretBox } from '../../../shared/secret-box.ts';
import type { BodyFormat } from '../codec.ts';

/** What the POS sent, decoded. */
export interface OperationCall {
  integrationPoint: IntegrationPointDefinition;
  operation: OperationDefinition;
  body: Record<string, unknown>;
  format: BodyFormat;
  xmlRoot: string | null;
  raw: string;
  transactionId: string | null;
  deviceUUID: string | null;
  mode: 'sync' | 'async';
}

/** What a handler may use besides the call. */
export interface OperationDeps {
  /** the transaction the whole operation runs in (its writes, events and idempotency record commit together); for a read-only call without a transactionId, the connection */
  db: Db;
  project: ProjectSnapshot;
  now: Date;
  /** seals the codes an event carries to its SMS, and the texts of SMS */
  secrets: SecretBox;
  /** REGULARS_SMS_URL: where a mailing sent straight from an operation goes when its connection names no URL */
  defaultSmsUrl: string;
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

/** What reading a call may use: no database, so it judges only what the call itself says. */
export type ReadContext = Pick<OperationDeps, 'project' | 'now'>;

/**
 * An operation in two steps. `read` reads and checks the body as far as that can be judged without the data —
 * shape, types, values, what the project allows — and throws the protocol's answer when it cannot be right; an
 * async call is read at intake, so a body that cannot succeed is refused there and then, not accepted and lost
 * later. `run` does the work in the call's transaction with what `read` gave.
 */
export interface OperationHandler<Input> {
  read(call: OperationCall, context: ReadContext): Input;
  /** what an async call's intake checks instead of `read`, when reading is too costly to do twice (a whole menu) */
  intake?(call: OperationCall, context: ReadContext): void;
  run(call: OperationCall, deps: OperationDeps, input: Input): Promise<OperationAnswer>;
}

/** Declares a handler, its input type inferred from `read`. */
export function operation<Input>(handler: OperationHandler<Input>): OperationHandler<Input> {
  return handler;
}
