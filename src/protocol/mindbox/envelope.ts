// The Mindbox v3 answer envelope for successes and every kind of failure.
import { randomUUID } from 'node:crypto';
import { ERROR_TABLE, isAppError } from '../../shared/errors.ts';

export interface Envelope {
  httpStatus: number;
  body: Record<string, unknown>;
  errorId: string | null;
}

export function successEnvelope(body: Record<string, unknown>): Envelope {
  return { httpStatus: 200, body: { status: 'Success', ...body }, errorId: null };
}

export function alreadyProcessedEnvelope(): Envelope {
  return { httpStatus: 200, body: { status: 'TransactionAlreadyProcessed' }, errorId: null };
}

/** An error as the protocol answers it. Unexpected errors say nothing about internals, only an errorId to quote. */
export function errorEnvelope(error: unknown): Envelope {
  const errorId = randomUUID();
  if (isAppError(error)) {
    const { protocolHttpStatus: httpStatus, protocolStatus } = ERROR_TABLE[error.code];
    if (protocolStatus === 'ValidationError') {
      return { httpStatus, body: { status: 'ValidationError', validationMessages: error.validationMessages }, errorId: null };
    }
    return { httpStatus, body: { status: protocolStatus, errorMessage: error.message, errorId, httpStatusCode: httpStatus }, errorId };
  }
  return {
    httpStatus: 500,
    body: { status: 'InternalServerError', errorMessage: 'An unexpected error occurred; quote the errorId when reporting it.', errorId, httpStatusCode: 500 },
    errorId,
  };
}
