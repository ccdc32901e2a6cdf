// The one error type. Every expected failure is an AppError with a code; the table below gives, for each
// code, the Mindbox envelope (status and HTTP status) and the HTTP status of the admin API's JSON answer.
// The protocol envelope (src/protocol/mindbox/envelope.ts) and the JSON error handler (src/http/errors.ts)
// both read it. Anything else is an unexpected failure: InternalServerError / 500 with an id, nothing more.

import type { ValidationMessage } from '../wire/answers.ts';

export type { ValidationMessage } from '../wire/answers.ts';

export type ErrorCode =
  | 'validation'
  | 'bad_request'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'payload_too_large'
  | 'request_timeout'
  | 'rate_limited'
  | 'conflict'
  | 'unavailable';

export type ProtocolStatus = 'ValidationError' | 'ProtocolError' | 'InternalServerError';

export interface ErrorAnswer {
  /** the Mindbox envelope's `status` */
  protocolStatus: ProtocolStatus;
  /** the HTTP status the envelope goes with (Mindbox answers a ValidationError with 200) */
  protocolHttpStatus: number;
  /** the HTTP status of the admin API's `{ error, issues? }` answer (and of the other JSON routes) */
  adminHttpStatus: number;
}

export const ERROR_TABLE: Readonly<Record<ErrorCode, ErrorAnswer>> = {
  validation: { protocolStatus: 'ValidationError', protocolHttpStatus: 200, adminHttpStatus: 400 },
  bad_request: { protocolStatus: 'ProtocolError', protocolHttpStatus: 400, adminHttpStatus: 400 },
  unauthorized: { protocolStatus: 'ProtocolError', protocolHttpStatus: 401, adminHttpStatus: 401 },
  forbidden: { protocolStatus: 'ProtocolError', protocolHttpStatus: 403, adminHttpStatus: 403 },
  not_found: { protocolStatus: 'ProtocolError', protocolHttpStatus: 404, adminHttpStatus: 404 },
  payload_too_large: { protocolStatus: 'ProtocolError', protocolHttpStatus: 413, adminHttpStatus: 413 },
  request_timeout: { protocolStatus: 'ProtocolError', protocolHttpStatus: 408, adminHttpStatus: 408 },
  rate_limited: { protocolStatus: 'ProtocolError', protocolHttpStatus: 429, adminHttpStatus: 429 },
  conflict: { protocolStatus: 'ProtocolError', protocolHttpStatus: 409, adminHttpStatus: 409 },
  unavailable: { protocolStatus: 'InternalServerError', protocolHttpStatus: 503, adminHttpStatus: 503 },
};

export interface AppErrorDetails {
  /** what is wrong where, each with a `/path/like/this` location */
  validationMessages?: ValidationMessage[];
  /** for `rate_limited`: when to try again, sent as Retry-After */
  retryAfterSeconds?: number;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly validationMessages: ValidationMessage[];
  readonly retryAfterSeconds: number | undefined;

  constructor(code: ErrorCode, message: string, details: AppErrorDetails = {}) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.validationMessages = details.validationMessages ?? [];
    this.retryAfterSeconds = details.retryAfterSeconds;
  }
}

export function validationError(messages: ValidationMessage[] | ValidationMessage): AppError {
  const list = Array.isArray(messages) ? messages : [messages];
  return new AppError('validation', list.map((m) => (m.location ? `${m.location}: ${m.message}` : m.message)).join('; '), { validationMessages: list });
}

export function protocolError(message: string, code: Exclude<ErrorCode, 'validation'> = 'bad_request'): AppError {
  return new AppError(code, message);
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}
