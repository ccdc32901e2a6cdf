// A request body read within a budget of bytes and time. A Content-Length over the budget is refused before
// this is used; a chunked body is cut off at the budget, and a body still arriving when the time is up (one
// byte every few seconds keeps a socket and a buffer busy) ends with an error that the route answers.
import { Transform, type Readable } from 'node:stream';

export interface BodyBudget {
  maxBytes: number;
  /** from now, until the whole body must have arrived */
  timeMs: number;
  tooLarge: () => Error;
  tooSlow: () => Error;
}

/** The payload as it arrives, failing with `tooLarge()` past `maxBytes` and with `tooSlow()` after `timeMs`. */
export function limitedBody(payload: Readable, budget: BodyBudget): Readable {
  let received = 0;
  const limited = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      received += chunk.length;
      if (received > budget.maxBytes) callback(budget.tooLarge());
      else callback(null, chunk);
    },
    flush(callback) {
      clearTimeout(deadline);
      callback();
    },
    destroy(error, callback) {
      clearTimeout(deadline);
      callback(error);
    },
  });
  // The route's parser listens for the error while it reads; once it stopped reading, a late one must not end the process.
  limited.on('error', () => {});
  const deadline = setTimeout(() => limited.destroy(budget.tooSlow()), budget.timeMs);
  deadline.unref();
  payload.pipe(limited);
  return limited;
}
