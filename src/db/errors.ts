// The PostgreSQL error codes (SQLSTATE) the code reacts to, in one place. Both drivers, pg and PGlite,
// put the SQLSTATE in `code` and the refusing constraint's name in `constraint`.

export const SQLSTATE = {
  /** a unique index refused the row */
  uniqueViolation: '23505',
  /** a schema named in the statement does not exist */
  invalidSchemaName: '3F000',
} as const;

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

/** The statement named a schema that does not exist (another installation may have dropped it meanwhile). */
export function isMissingSchema(error: unknown): error is { message: string } {
  const { code, message } = databaseErrorOf(error);
  return code === SQLSTATE.invalidSchemaName && typeof message === 'string';
}
