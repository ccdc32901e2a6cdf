// Who may call the admin API. Scripts send the admin token (`Authorization: Bearer …`, acts as an owner);
// the console signs people in and keeps an httpOnly SameSite session cookie. With a cookie, every request
// that changes something must carry the session's CSRF token in `X-CSRF-Token`. Viewers only read:
// a route needs its configured role (default: GET any signed-in user, everything else owner or marketer).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../app-context.ts';
import type { AdminRole } from '../db/schema.ts';
import { verifyAdminToken } from '../project/project.service.ts';
import { adminErrorHandler, noteRoute } from './api.ts';
import { csrfTokenMatches, resumeSession, roleAllows, type AdminPrincipal } from './users.service.ts';

export const SESSION_COOKIE = 'regulars_session';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function readCookie(request: FastifyRequest, name: string): string | null {
  const header = request.headers.cookie;
  if (!header) return null;
  for (const part of header.split(';')) {
    const index = part.indexOf('=');
    if (index > 0 && part.slice(0, index).trim() === name) {
      try {
        return decodeURIComponent(part.slice(index + 1).trim());
      } catch {
        return null;
      }
    }
  }
  return null;
}

/** The caller of an admin request: from a bearer token or a session cookie; null when neither is valid. */
export async function authenticate(app: AppContext, request: FastifyRequest): Promise<{ principal: AdminPrincipal; sessionId: string | null } | null> {
  const header = (request.headers.authorization ?? '').trim();
  if (header) {
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (match && (await verifyAdminToken(app.db, match[1]))) return { principal: { name: 'admin token', role: 'owner', via: 'token' }, sessionId: null };
    return null;
  }
  const sessionId = readCookie(request, SESSION_COOKIE);
  if (!sessionId) return null;
  const principal = await resumeSession(app.db, sessionId, app.now());
  return principal ? { principal, sessionId } : null;
}

function refuse(reply: FastifyReply, status: 401 | 403, error: string) {
  if (status === 401) reply.header('www-authenticate', 'Bearer');
  return reply.status(status).send({ error });
}

export function adminGuard(app: AppContext) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const caller = await authenticate(app, request);
    if (!caller) return refuse(reply, 401, 'sign in, or send a valid admin token (Authorization: Bearer <token>)');
    const unsafe = !SAFE_METHODS.has(request.method);
    if (caller.sessionId && unsafe) {
      const presented = request.headers['x-csrf-token'];
      if (typeof presented !== 'string' || !csrfTokenMatches(caller.sessionId, presented)) {
        return refuse(reply, 403, 'the X-CSRF-Token header is missing or wrong; reload the page');
      }
    }
    const needed: AdminRole = request.routeOptions.config.adminRole ?? (unsafe ? 'marketer' : 'viewer');
    if (!roleAllows(caller.principal.role, needed)) {
      return refuse(reply, 403, `a ${caller.principal.role} may not do this (needs ${needed === 'owner' ? 'an owner' : 'an owner or a marketer'})`);
    }
    request.adminPrincipal = caller.principal;
  };
}

/** Guards every route of the admin scope, answers its errors as JSON and lists its routes for the API document. */
export function secureAdminScope(admin: FastifyInstance, app: AppContext): void {
  admin.addHook('onRequest', adminGuard(app));
  admin.addHook('onRoute', (route) => {
    if (route.url.startsWith('/api/admin')) noteRoute(route.method, route.url);
  });
  admin.setErrorHandler(adminErrorHandler);
}

/** Parses a JSON admin request body (bodies arrive as text). */
export function jsonBody(request: FastifyRequest): unknown {
  if (typeof request.body !== 'string' || request.body.trim() === '') return {};
  try {
    return JSON.parse(request.body);
  } catch {
    const error = new Error('the body is not valid JSON') as Error & { statusCode: number };
    error.statusCode = 400;
    throw error;
  }
}
