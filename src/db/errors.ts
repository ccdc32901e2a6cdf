// The PostgreSQL error codes (SQLSTATE) the code reacts to, in one place. Both drivers, pg and PGlite,
// put the SQLSTATE in `code` and the refusing constraint's name in `constraint`. Here too: which failures mean
// "the database cannot be reached now" (a restart, a failover, a terminated backend, a network cut), the ones
// a caller is answered 503 for and background work waits out.

import { AppError } from '../shared/errors.ts';

export const SQLSTATE = {
  /** a unique index refused the row */
  uniqueViolation: '23505',
  /** class 08, connection exception: the connection failed or broke (08000, 08003, 08006 …) */
  connectionExceptionClass: '08',
  /** a write reached a server that is read-only now: a primary demoted by a failover, a standby */
  readOnlySqlTransaction: '25006',
  /** the server has no connection slot left */
  tooManyConnections: '53300',
  /** pg_terminate_backend, or a fast shutdown */
  adminShutdown: '57P01',
  /** another backend crashed and the server restarts */
  crashShutdown: '57P02',
  /** the server is starting up, shutting down or recovering */
  cannotConnectNow: '57P03',
} as const;

/** What the POS is told to wait before it tries again while the database cannot be reached. */
export const DATABASE_RETRY_AFTER_SECONDS = 2;

/** SQLSTATEs of a session the server ended or cannot serve (besides class 08). */
const LOST_SESSION_SQLSTATES: ReadonlySet<string> = new Set([
  SQLSTATE.readOnlySqlTransaction,
  SQLSTATE.tooManyConnections,
  SQLSTATE.adminShutdown,
  SQLSTATE.crashShutdown,
  SQLSTATE.cannotConnectNow,
]);

/** Node's socket failures under a connection (reset, timed out, written after the peer closed, no route). */
const SOCKET_ERROR_CODES: ReadonlySet<string> = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH']);

/** pg's own words for a connection that ended, timed out or cannot be used any more (it gives them no code). */
const PG_LOST_CONNECTION_MESSAGES = [
  /^Connection terminated/,
  /^Query read timeout$/,
  /^Client has encountered a connection error and is not queryable$/,
  /^Client was closed and is not queryable$/,
];

/**
 * What pg threw for a statement says its connection is lost or cannot serve (read by the pool's guard in
 * database.ts, the only place that knows an error came from pg: a failed `fetch` to an SMS gateway carries the
 * same socket codes).
 */
export function isLostConnection(error: unknown): boolean {
  const { code, message } = databaseErrorOf(error);
  if (typeof code === 'string') {
    if (code.length === 5 && code.startsWith(SQLSTATE.connectionExceptionClass)) return true;
    if (LOST_SESSION_SQLSTATES.has(code) || SOCKET_ERROR_CODES.has(code)) return true;
  }
  return typeof message === 'string' && PG_LOST_CONNECTION_MESSAGES.some((words) => words.test(message));
}

/**
 * The database cannot be reached now: no connection could be made — whatever the reason: refused, timed out,
 * turned away by the server (55000 "not currently accepting connections", 53300, 57P03, even a changed
 * password) — or the one in use broke, went read-only under a failover, or did not answer within its caller's
 * time. The work may be tried again once the database is back. Only the pool's guard (database.ts) makes these.
 */
export class DatabaseUnavailableError extends Error {
  constructor(message: string, cause?: unknown) {
    super(cause === undefined ? message : `${message}: ${messageOf(cause)}`, { cause });
    this.name = 'DatabaseUnavailableError';
  }
}

interface DatabaseError {
  code?: unknown;
  constraint?: unknown;
  message?: unknown;
}

function databaseErrorOf(error: unknown): DatabaseError {
  return typeof error === 'object' && error !== null ? (error as DatabaseError) : {};
}

/** A unique index refused the write; with `constraint`, that index in particular. */
export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  const { code, constraint: refusedBy } = databaseErrorOf(error);
  return code === SQLSTATE.uniqueViolation && (constraint === undefined || refusedBy === constraint);
}

/** The work failed because the database cannot be reached now (see DatabaseUnavailableError). */
export function isDatabaseUnavailable(error: unknown): boolean {
  return error instanceof DatabaseUnavailableError;
}

/** The answer to a caller whose call failed because the database cannot be reached (503, try again shortly); null for any other failure. */
export function unavailableErrorOf(error: unknown): AppError | null {
  if (!isDatabaseUnavailable(error)) return null;
  return new AppError('unavailable', `the database cannot be reached right now; try again in ${DATABASE_RETRY_AFTER_SECONDS} s`, {
    retryAfterSeconds: DATABASE_RETRY_AFTER_SECONDS,
  });
}

function messageOf(error: unknown): string {
  const { message } = databaseErrorOf(error);
  return typeof message === 'string' ? message : String(error);
}
