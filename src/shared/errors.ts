// The one error type. Every expected failure is an AppError with a code; the table below maps a code
// to the Mindbox envelope status and the HTTP status. Anything else is an unexpected failure.

import type { ValidationMessage } from '../wire/answers.ts';

export type { ValidationMessage } from '../wire/answers.ts';

export type ErrorCode =
  | 'validation'
  | 'bad_request'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'payload_too_large'
  | 'rate_limited'
  | 'conflict'
  | 'unavailable';

export const ERROR_TABLE: Record<ErrorCode, { httpStatus: number; protocolStatus: 'ValidationError' | 'ProtocolError' | 'InternalServerError' }> = {
  validation: { httpStatus: 200, protocolStatus: 'ValidationError' },
  bad_request: { httpStatus: 400, protocolStatus: 'ProtocolError' },
  unauthorized: { httpStatus: 401, protocolStatus: 'ProtocolError' },
  forbidden: { httpStatus: 403, protocolStatus: 'ProtocolError' },
  not_found: { httpStatus: 404, protocolStatus: 'ProtocolError' },
  payload_too_large: { httpStatus: 413, protocolStatus: 'ProtocolError' },
  rate_limited: { httpStatus: 429, protocolStatus: 'ProtocolError' },
  conflict: { httpStatus: 409, protocolStatus: 'ProtocolError' },
  unavailable: { httpStatus: 503, protocolStatus: 'InternalServerError' },
};

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly validationMessages: ValidationMessage[];

  constructor(code: ErrorCode, message: string, validationMessages: ValidationMessage[] = []) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.validationMessages = validationMessages;
  }

  get httpStatus(): number {
    return ERROR_TABLE[this.code].httpStatus;
  }
}

export function validationError(messages: ValidationMessage[] | ValidationMessage): AppError {
  const list = Array.isArray(messages) ? messages : [messages];
  return new AppError('validation', list.map((m) => (m.location ? `${m.location}: ${m.message}` : m.message)).join('; '), list);
}

export function protocolError(message: string, code: Exclude<ErrorCode, 'validation'> = 'bad_request'): AppError {
  return new AppError(code, message);
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}
