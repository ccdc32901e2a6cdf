// Signing in and out of the admin console: POST /api/auth/login (name and password, or the admin token),
// GET /api/auth/session, POST /api/auth/logout. Repeated failures from one address are slowed down.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../app-context.ts';
import { jsonBody } from '../http/admin-route.ts';
import { describeRoute } from '../http/openapi.ts';
import { AppError } from '../shared/errors.ts';
import { authenticate, SESSION_COOKIE } from './auth.ts';
import { csrfTokenMatches, csrfTokenOf, SESSION_IDLE_MS, signInWithPassword, signInWithToken, signOut, type OpenedSession } from './users.service.ts';

export const loginBody = z.union([
  z.object({ name: z.string().min(1).max(64), password: z.string().min(1).max(1000) }).strict(),
  z.object({ token: z.string().min(1).max(1000) }).strict(),
]);

const FAILURE_WINDOW_MS = 15 * 60_000;
const MAX_FAILURES = 10;

/** Whether the browser reached us over https: directly, or through a trusted proxy that says so. */
function overHttps(request: FastifyRequest, trustProxy: boolean): boolean {
  if (request.protocol === 'https') return true;
  const forwarded = request.headers['x-forwarded-proto'];
  // the first proxy (the one the browser reached) writes the leftmost value
  return trustProxy && typeof forwarded === 'string' && forwarded.split(',')[0].trim().toLowerCase() === 'https';
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
  const failures = new Map<string, { count: number; since: number }>();
  /** Seconds until the address may try again; null when it may now. */
  const waitOf = (ip: string, now: number): number | null => {
    const entry = failures.get(ip);
    if (!entry || now - entry.since > FAILURE_WINDOW_MS || entry.count < MAX_FAILURES) return null;
    return Math.ceil((entry.since + FAILURE_WINDOW_MS - now) / 1000);
  };
  const noteFailure = (ip: string, now: number) => {
    if (failures.size > 10_000) {
      for (const [key, old] of failures) if (now - old.since > FAILURE_WINDOW_MS) failures.delete(key);
    }
    const entry = failures.get(ip);
    if (!entry || now - entry.since > FAILURE_WINDOW_MS) failures.set(ip, { count: 1, since: now });
    else entry.count += 1;
  };

  const sessionAnswerSchema = z.object({ user: z.object({ name: z.string(), role: z.enum(['owner', 'marketer', 'viewer']) }), csrfToken: z.string().nullable() });
  describeRoute(server, {
    method: 'POST',
    url: '/api/auth/login',
    tag: 'Sign-in',
    summary: 'Sign in with a name and password (or the admin token); sets the session cookie',
    description: 'Answers the CSRF token to send as `X-CSRF-Token` with every change. 401 for a wrong name or password, 429 after 10 failures in 15 minutes.',
    body: loginBody,
    response: sessionAnswerSchema,
    public: true,
  });
  describeRoute(server, { method: 'GET', url: '/api/auth/session', tag: 'Sign-in', summary: 'Who is signed in, with the CSRF token of the session', response: sessionAnswerSchema, role: 'viewer' });
  describeRoute(server, { method: 'POST', url: '/api/auth/logout', tag: 'Sign-in', summary: 'Sign out: ends the session and clears the cookie', role: 'viewer' });

  server.post('/api/auth/login', async (request, reply) => {
    const now = app.now();
    const wait = waitOf(request.ip, now.getTime());
    if (wait !== null) throw new AppError('rate_limited', 'too many failed sign-ins; wait 15 minutes', { retryAfterSeconds: wait });
    const parsed = loginBody.safeParse(jsonBody(request));
    if (!parsed.success) throw new AppError('bad_request', 'give a name and a password');
    const userAgent = request.headers['user-agent'] ?? null;
    const session =
      'token' in parsed.data
        ? await signInWithToken(app.db, parsed.data.token, now, userAgent)
        : await signInWithPassword(app.db, parsed.data.name, parsed.data.password, now, userAgent);
    if (!session) {
      noteFailure(request.ip, now.getTime());
      throw new AppError('unauthorized', 'wrong name or password');
    }
    failures.delete(request.ip);
    reply.header('set-cookie', sessionCookie(request, app.config.trustProxy, session.sessionId, SESSION_IDLE_MS / 1000));
    return sessionAnswer(session);
  });

  server.get('/api/auth/session', async (request) => {
    const caller = await authenticate(app, request);
    if (!caller) throw new AppError('unauthorized', 'not signed in');
    return {
      user: { name: caller.principal.name, role: caller.principal.role },
      csrfToken: caller.sessionId ? csrfTokenOf(caller.sessionId) : null,
    };
  });

  server.post('/api/auth/logout', async (request, reply) => {
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
