// What a reader of a decoded body (JSON, or XML read into the same shapes) asks of a value before reading it.
// Both ends read bodies: the server its requests and uploads, the POS its answers.

/** An object with fields: not null, not a list. A value read as `unknown` becomes a record of unknown fields; one
 * of a declared answer shape keeps its shape. */
export function isObject<T>(value: T): value is T & (unknown extends T ? Record<string, unknown> : object) {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A value the sender filled in: Mindbox clients send a missing, a null and an empty value alike for "none". */
export function given(value: unknown): boolean {
  return value !== undefined && value !== null && value !== '';
}
