// Bearer-token guard for the admin API: a wrong or missing token gets 401 and never data.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../app-context.ts';
import { verifyAdminToken } from '../project/project.service.ts';

export function adminGuard(app: AppContext) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const header = request.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header.trim());
    if (!match || !(await verifyAdminToken(app.db, match[1]))) {
      return reply.status(401).header('www-authenticate', 'Bearer').send({ error: 'a valid admin token is required (Authorization: Bearer <token>)' });
    }
  };
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
