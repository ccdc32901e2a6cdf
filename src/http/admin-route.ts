// Typed admin routes that document themselves: each route's query, params and body are zod schemas that
// both validate the request and feed the server's OpenAPI document. A module's admin routes are an
// `AdminRoutes` function; src/server.ts lists them and registers them in the guarded /api/admin scope.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import type { AdminRole } from '../db/schema.ts';
import { AppError, type ValidationMessage } from '../shared/errors.ts';
import { defaultRole } from './openapi.ts';

/** Who calls an admin route: a console user, or a script with the admin token (acting as an owner). */
export interface AdminPrincipal {
  /** the user's name, or "admin token" */
  name: string;
  role: AdminRole;
  via: 'session' | 'token';
}

declare module 'fastify' {
  interface FastifyRequest {
    /** set by the admin guard before every route of the admin scope */
    adminPrincipal?: AdminPrincipal;
  }
  interface FastifyContextConfig {
    /** the least role that may call the route; GET needs viewer and anything else marketer when not set */
    adminRole?: AdminRole;
  }
}

/** A module's admin routes, registered into the guarded /api/admin scope with the running process's context. */
export type AdminRoutes<App> = (admin: FastifyInstance, app: App) => void | Promise<void>;

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface RouteSpec<Q extends z.ZodType, P extends z.ZodType, B extends z.ZodType> {
  method: Method;
  url: string;
  summary: string;
  tag: string;
  description?: string;
  query?: Q;
  params?: P;
  body?: B;
  /** what the route answers with (documentation) */
  response?: z.ZodType;
  role?: AdminRole;
}

export interface RouteInput<Q extends z.ZodType, P extends z.ZodType, B extends z.ZodType> {
  query: z.output<Q>;
  params: z.output<P>;
  body: z.output<B>;
  principal: AdminPrincipal;
  request: FastifyRequest;
  reply: FastifyReply;
}

/** Bad input found in a part of the request: 400 with each problem at its `/path/like/this`. */
export function invalidInput(where: 'query' | 'path' | 'body', messages: ValidationMessage[]): AppError {
  return new AppError('validation', `invalid ${where}`, { validationMessages: messages });
}

/** Parses a JSON request body (bodies arrive as text). */
export function jsonBody(request: FastifyRequest): unknown {
  if (typeof request.body !== 'string' || request.body.trim() === '') return {};
  try {
    return JSON.parse(request.body);
  } catch {
    throw new AppError('bad_request', 'the body is not valid JSON');
  }
}

function parse<S extends z.ZodType>(schema: S | undefined, value: unknown, where: 'query' | 'path' | 'body'): z.output<S> {
  if (!schema) return undefined as z.output<S>;
  const parsed = schema.safeParse(value ?? {});
  if (parsed.success) return parsed.data;
  throw invalidInput(
    where,
    parsed.error.issues.map((issue) => ({ location: `/${issue.path.map(String).join('/')}`, message: issue.message })),
  );
}

export function adminRoute<Q extends z.ZodType = z.ZodUnknown, P extends z.ZodType = z.ZodUnknown, B extends z.ZodType = z.ZodUnknown>(
  admin: FastifyInstance,
  spec: RouteSpec<Q, P, B>,
  handler: (input: RouteInput<Q, P, B>) => Promise<unknown>,
): void {
  const role = spec.role ?? defaultRole(spec.method);
  admin.openApi.document({ ...spec, role });
  admin.route({
    method: spec.method,
    url: spec.url,
    config: { adminRole: role },
    handler: async (request, reply) => {
      const input = {
        query: parse(spec.query, request.query, 'query'),
        params: parse(spec.params, request.params, 'path'),
        body: parse(spec.body, spec.body ? jsonBody(request) : undefined, 'body'),
        principal: request.adminPrincipal!,
        request,
        reply,
      };
      const result = await handler(input);
      return reply.sent ? reply : result;
    },
  });
}
