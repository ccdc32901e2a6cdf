// Signing in and out of the admin console: POST /api/auth/login (name and password, or the admin token),
// GET /api/auth/session, POST /api/auth/logout. Failed sign-ins are counted per account (or admin token) and per
// address before the password is checked, and then back off (decision 0502). Sign-in takes JSON only, and a
// browser's sign-in only from this server's own pages, so no other site can sign a visitor in to its account.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../app-context.ts';
import { jsonBody } from '../http/admin-route.ts';
import { overHttps } from '../http/https.ts';
import { describeRoute } from '../http/openapi.ts';
import { AppError } from '../shared/errors.ts';
import { addressCounter, countThenCheck } from '../shared/failed-attempts.ts';
import { adminTokenCounters, authenticate, PRIVATE_ANSWER_HEADERS, SESSION_COOKIE } from './auth.ts';
import { accountCounter, csrfTokenMatches, csrfTokenOf, SESSION_LIFETIME_MS, signInWithPassword, signInWithToken, signOut, type OpenedSession } from './users.service.ts';

/** A name and a password, or a token: a few hundred bytes; nobody's sign-in needs more, and it is read unauthenticated. */
const SIGN_IN_BODY_LIMIT_BYTES = 16 * 1024;

export const loginBody = z.union([
  z.object({ name: z.string().min(1).max(64), password: z.string().min(1).max(1000) }).strict(),
  z.object({ token: z.string().min(1).max(1000) }).strict(),
]);

/**
 * Refuses what a browser sends on another site's behalf: a body other than JSON (a form or text/plain, which
 * another site may post without asking), or an Origin other than this server. Scripts send no Origin.
 */
function refuseForeignSignIn(request: FastifyRequest): void {
  const contentType = (request.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  if (contentType !== 'application/json') throw new AppError('bad_request', 'sign in with a JSON body (Content-Type: application/json)');
  const origin = request.headers.origin;
  if (origin === undefined) return;
  let host: string | null = null;
  try {
    host = new URL(origin).host;
  } catch {
    // "null" (a sandboxed page, a redirect) or no URL at all: no origin of ours
  }
  if (host !== request.host) throw new AppError('forbidden', 'sign-in is accepted from this server\'s own pages only');
}

async function privateAnswer(_request: FastifyRequest, reply: FastifyReply): Promise<void> {
  reply.headers(PRIVATE_ANSWER_HEADERS);
}

function sessionCookie(request: FastifyRequest, trustProxy: boolean, value: string, maxAgeSeconds: number): string {
  const secure = overHttps(request, trustProxy) ? '; Secure' : '';
  return `${SESSION_COOKIE}=${encodeURIComponent(value)}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAgeSeconds}${secure}`;
}

const sessionAnswer = (session: Pick<OpenedSession, 'principal' | 'csrfToken'>) => ({
  user: { name: session.principal.name, role: session.principal.role },
  csrfToken: session.csrfToken,
});

export function registerSessionRoutes(server: FastifyInstance, app: AppContext): void {
  const sessionAnswerSchema = z.object({ user: z.object({ name: z.string(), role: z.enum(['owner', 'marketer', 'viewer']) }), csrfToken: z.string().nullable() });
  describeRoute(server, {
    method: 'POST',
    url: '/api/auth/login',
    tag: 'Sign-in',
    summary: 'Sign in with a name and password (or the admin token); sets the session cookie',
    description:
      'Answers the CSRF token to send as `X-CSRF-Token` with every change. JSON only; a browser signs in from this server\'s pages only (its `Origin`). ' +
      '401 for a wrong name or password. 429 with Retry-After while the account (or the admin token, from that address) or the address backs off: ' +
      'after 5 failures of an account or 50 from an address, a wait of 30 s that doubles with every further failure, up to 15 minutes.',
    body: loginBody,
    response: sessionAnswerSchema,
    public: true,
  });
  describeRoute(server, { method: 'GET', url: '/api/auth/session', tag: 'Sign-in', summary: 'Who is signed in, with the CSRF token of the session', response: sessionAnswerSchema, role: 'viewer' });
  describeRoute(server, { method: 'POST', url: '/api/auth/logout', tag: 'Sign-in', summary: 'Sign out: ends the session and clears the cookie', role: 'viewer' });

  server.post('/api/auth/login', { onRequest: privateAnswer, bodyLimit: SIGN_IN_BODY_LIMIT_BYTES }, async (request, reply) => {
    const now = app.now();
    refuseForeignSignIn(request);
    const parsed = loginBody.safeParse(jsonBody(request));
    if (!parsed.success) throw new AppError('bad_request', 'give a name and a password');
    const userAgent = request.headers['user-agent'] ?? null;
    const { data } = parsed;
    const session =
      'token' in data
        ? await countThenCheck(app.db, adminTokenCounters(request.ip), now, () => signInWithToken(app.db, data.token, now, userAgent))
        : await countThenCheck(app.db, [addressCounter(request.ip), accountCounter(data.name)], now, () => signInWithPassword(app.db, data.name, data.password, now, userAgent));
    if (!session) throw new AppError('unauthorized', 'wrong name or password');
    reply.header('set-cookie', sessionCookie(request, app.config.trustProxy, session.sessionId, SESSION_LIFETIME_MS / 1000));
    return sessionAnswer(session);
  });

  server.get('/api/auth/session', { onRequest: privateAnswer }, async (request) => {
    const caller = await authenticate(app, request);
    if (!caller) throw new AppError('unauthorized', 'not signed in');
    return {
      user: { name: caller.principal.name, role: caller.principal.role },
      csrfToken: caller.sessionId ? csrfTokenOf(caller.sessionId) : null,
    };
  });

  server.post('/api/auth/logout', { onRequest: privateAnswer }, async (request, reply) => {
    const caller = await authenticate(app, request);
    if (caller?.sessionId) {
      const presented = request.headers['x-csrf-token'];
      if (typeof presented !== 'string' || !csrfTokenMatches(caller.sessionId, presented)) {
        throw new AppError('forbidden', 'the X-CSRF-Token header is missing or wrong');
      }
      await signOut(app.db, caller.sessionId);
    }
    reply.header('set-cookie', sessionCookie(request, app.config.trustProxy, '', 0));
    return { signedOut: true };
  });
}
