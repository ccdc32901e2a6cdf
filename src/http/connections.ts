// What a connection may hold of the server: how long its headers, its request and its silences may take, how
// many sockets one address keeps open, and no body is asked for before the route's checks let it in
// (decision 0014).
import type { IncomingMessage, ServerOptions } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { AppError } from '../shared/errors.ts';

/** A POS sends its request line and headers in one packet; nginx forwards them at once too. */
export const HEADERS_TIMEOUT_MS = 5_000;
/**
 * An idle kept-alive connection is closed after this. A reverse proxy must close its idle upstream connections
 * sooner (nginx: `keepalive_timeout 5s` in the upstream), or it may send a request on one being closed.
 */
export const KEEP_ALIVE_TIMEOUT_MS = 10_000;
/** How often Node checks the headers and request timeouts (its default, 30 s, would let them run 30 s late). */
const TIMEOUT_CHECK_INTERVAL_MS = 1_000;
/** A socket opened over its address's cap is refused on its first request; one that sends none goes after this. */
const REFUSED_SOCKET_IDLE_MS = 1_000;
/** How long a socket stays half-open after answering a request whose body was not read (nginx lingers 5 s). */
const LINGER_MS = 2_000;

export interface ConnectionTimeouts {
  /** the longest any request may take to arrive whole (the catalogue upload's time) */
  requestTimeoutMs: number;
}

/**
 * Fastify's options for the timeouts. A socket silent both ways for as long as a request may take to arrive
 * is closed too: it is a client that stopped reading its answer, or one that went away without a word.
 */
export function serverTimeouts({ requestTimeoutMs }: ConnectionTimeouts): {
  connectionTimeout: number;
  keepAliveTimeout: number;
  requestTimeout: number;
  http: ServerOptions;
} {
  return {
    connectionTimeout: requestTimeoutMs,
    keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
    requestTimeout: requestTimeoutMs,
    http: { headersTimeout: HEADERS_TIMEOUT_MS, requestTimeout: requestTimeoutMs, connectionsCheckingInterval: TIMEOUT_CHECK_INTERVAL_MS },
  };
}

/**
 * Counts the open sockets of each peer address (as `groupOf` groups them: an IPv6 client by its /64, say); a
 * request on a socket opened while its address already held `max` is answered 429 (the route's own error
 * answer) and the socket closed after it.
 */
export function capConnectionsPerAddress(server: FastifyInstance, max: number, groupOf: (address: string) => string): void {
  const open = new Map<string, number>();
  const overCap = new WeakSet<Socket>();
  server.server.on('connection', (socket: Socket) => {
    const address = groupOf(socket.remoteAddress ?? '');
    const count = (open.get(address) ?? 0) + 1;
    open.set(address, count);
    if (count > max) {
      overCap.add(socket);
      socket.setTimeout(REFUSED_SOCKET_IDLE_MS);
    }
    socket.once('close', () => {
      const left = (open.get(address) ?? 1) - 1;
      if (left > 0) open.set(address, left);
      else open.delete(address);
    });
  });
  server.addHook('onRequest', async (request, reply) => {
    if (!overCap.has(request.raw.socket)) return;
    reply.header('connection', 'close');
    throw new AppError('rate_limited', `this address has ${max} connections open already; reuse them or close some`, { retryAfterSeconds: 1 });
  });
}

/**
 * A client that asks before sending its body (`Expect: 100-continue`, as curl does for large ones) is told to go
 * on only once the route's onRequest checks passed: one refused there never sends the body at all.
 */
export function continueAfterChecks(server: FastifyInstance): void {
  server.server.on('checkContinue', (request, response) => server.server.emit('request', request, response));
  server.addHook('preParsing', async (request, reply, payload) => {
    if (/^100-continue$/i.test(request.headers.expect ?? '') && !reply.raw.headersSent) reply.raw.writeContinue();
    return payload;
  });
}

/**
 * Answers a request without reading the rest of its body, then closes the socket as nginx's lingering close
 * does: the server stops sending, discards what still comes for a moment, then closes. Closing at once with the
 * client's bytes unread would reset the connection, and the client could lose the answer before reading it.
 */
export function closeAfterAnswer(request: IncomingMessage, reply: FastifyReply): void {
  reply.header('connection', 'close');
  const socket = request.socket;
  // Node ends the socket this way after an answer marked `Connection: close`
  socket.destroySoon = () => {
    socket.end();
    setTimeout(() => socket.destroy(), LINGER_MS).unref();
  };
}

