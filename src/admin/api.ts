// Typed admin routes that document themselves: each route's query, params and body are zod schemas that
// both validate the request and feed the OpenAPI document served at /api/docs.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AdminRole } from '../db/schema.ts';
import { isAppError } from '../shared/errors.ts';
import { jsonBody } from './auth.ts';
import type { AdminPrincipal } from './users.service.ts';

declare module 'fastify' {
  interface FastifyRequest {
    adminPrincipal?: AdminPrincipal;
  }
  interface FastifyContextConfig {
    /** the least role that may call the route; GET needs viewer and anything else marketer when not set */
    adminRole?: AdminRole;
  }
}

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

interface DocumentedRoute {
  method: string;
  url: string;
  summary: string;
  tag: string;
  description?: string;
  query?: z.ZodType;
  params?: z.ZodType;
  body?: z.ZodType;
  response?: z.ZodType;
  role: AdminRole;
  /** answered without signing in (the sign-in routes) */
  public?: boolean;
}

const documented = new Map<string, DocumentedRoute>();
const undocumented = new Map<string, { method: string; url: string }>();

/** An HTTP error a route can throw: `throw httpError(404, 'no such guest')`. */
export function httpError(statusCode: number, message: string, issues?: { path: string; message: string }[]) {
  return Object.assign(new Error(message), { statusCode, issues });
}

const ADMIN_STATUS: Record<string, number> = { validation: 400, bad_request: 400, not_found: 404, conflict: 409, forbidden: 403, unauthorized: 401 };

/** Answers every admin error as `{ error, issues? }`: bad input 400, missing 404, unexpected 500 with a request id. */
export function adminErrorHandler(error: Error & { statusCode?: number; issues?: unknown }, request: FastifyRequest, reply: FastifyReply) {
  if (isAppError(error)) {
    const status = ADMIN_STATUS[error.code] ?? 500;
    return reply.status(status).send({
      error: error.message,
      ...(error.validationMessages.length ? { issues: error.validationMessages.map((m) => ({ path: m.location ?? '', message: m.message })) } : {}),
    });
  }
  if (typeof error.statusCode === 'number' && error.statusCode < 500) {
    return reply.status(error.statusCode).send({ error: error.message, ...(error.issues ? { issues: error.issues } : {}) });
  }
  request.log.error({ err: error }, 'admin request failed');
  return reply.status(500).send({ error: 'internal error', requestId: request.id });
}

function parse<S extends z.ZodType>(schema: S | undefined, value: unknown, where: string): z.output<S> {
  if (!schema) return undefined as z.output<S>;
  const parsed = schema.safeParse(value ?? {});
  if (parsed.success) return parsed.data;
  throw httpError(
    400,
    `invalid ${where}`,
    parsed.error.issues.map((issue) => ({ path: `/${issue.path.map(String).join('/')}`, message: issue.message })),
  );
}

export function adminRoute<Q extends z.ZodType = z.ZodUnknown, P extends z.ZodType = z.ZodUnknown, B extends z.ZodType = z.ZodUnknown>(
  admin: FastifyInstance,
  spec: RouteSpec<Q, P, B>,
  handler: (input: RouteInput<Q, P, B>) => Promise<unknown>,
): void {
  const role: AdminRole = spec.role ?? (spec.method === 'GET' ? 'viewer' : 'marketer');
  documented.set(`${spec.method} ${spec.url}`, { ...spec, role });
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

/** Documents a route registered elsewhere with plain Fastify, from the zod schemas it validates with. */
export function describeRoute(spec: Omit<RouteSpec<z.ZodType, z.ZodType, z.ZodType>, 'role'> & { role?: AdminRole; public?: boolean }): void {
  documented.set(`${spec.method} ${spec.url}`, { ...spec, role: spec.role ?? (spec.method === 'GET' ? 'viewer' : 'marketer') });
}

/** Records routes added without `adminRoute` (by other modules) so the document still lists them. */
export function noteRoute(method: string | string[], url: string): void {
  for (const one of Array.isArray(method) ? method : [method]) {
    if (one === 'HEAD' || documented.has(`${one} ${url}`)) continue;
    undocumented.set(`${one} ${url}`, { method: one, url });
  }
}

const ROLE_TEXT: Record<AdminRole, string> = { viewer: 'any signed-in user', marketer: 'owner or marketer', owner: 'owner only' };

function toSchema(schema: z.ZodType, io: 'input' | 'output') {
  return z.toJSONSchema(schema, { target: 'openapi-3.0', io, unrepresentable: 'any' }) as Record<string, any>;
}

function parametersOf(schema: z.ZodType | undefined, where: 'query' | 'path') {
  if (!schema) return [];
  const json = toSchema(schema, 'input');
  const required = new Set<string>(json.required ?? []);
  return Object.entries((json.properties ?? {}) as Record<string, any>).map(([name, property]) => ({
    name,
    in: where,
    required: where === 'path' || required.has(name),
    ...(property.description ? { description: property.description } : {}),
    schema: property,
  }));
}

export function openApiDocument(info: { version: string }) {
  const paths: Record<string, Record<string, unknown>> = {};
  const pathOf = (url: string) => url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
  for (const route of documented.values()) {
    const operation: Record<string, unknown> = {
      tags: [route.tag],
      summary: route.summary,
      description: [route.description, route.public ? 'No sign-in needed.' : `Role: ${ROLE_TEXT[route.role]}.`].filter(Boolean).join('\n\n'),
      ...(route.public ? { security: [] } : {}),
      parameters: [...parametersOf(route.params, 'path'), ...parametersOf(route.query, 'query')],
      responses: {
        '200': {
          description: 'OK',
          ...(route.response ? { content: { 'application/json': { schema: toSchema(route.response, 'output') } } } : {}),
        },
        '400': { description: 'Invalid input', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
        '401': { description: 'Not signed in' },
        '403': { description: 'The role may not do this, or the CSRF token is missing' },
      },
    };
    if (route.body) operation.requestBody = { required: true, content: { 'application/json': { schema: toSchema(route.body, 'input') } } };
    (paths[pathOf(route.url)] ??= {})[route.method.toLowerCase()] = operation;
  }
  for (const route of undocumented.values()) {
    if (documented.has(`${route.method} ${route.url}`)) continue;
    (paths[pathOf(route.url)] ??= {})[route.method.toLowerCase()] ??= {
      tags: ['Other'],
      summary: `${route.method} ${route.url}`,
      description: 'Added by a module without a schema.',
      parameters: [...route.url.matchAll(/:([A-Za-z0-9_]+)/g)].map((match) => ({ name: match[1], in: 'path', required: true, schema: { type: 'string' } })),
      responses: { '200': { description: 'OK' } },
    };
  }
  return {
    openapi: '3.0.3',
    info: {
      title: 'Regulars admin API',
      version: info.version,
      description:
        'The admin console and scripts use this API. Authenticate with `Authorization: Bearer <admin token>`, or sign in at ' +
        '`POST /api/auth/login` to get a session cookie; with the cookie, every request that changes something sends the ' +
        '`X-CSRF-Token` header from the sign-in answer.',
    },
    servers: [{ url: '/' }],
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer' },
        session: { type: 'apiKey', in: 'cookie', name: 'regulars_session' },
      },
      schemas: { Error: { type: 'object', properties: { error: { type: 'string' }, issues: { type: 'array', items: { type: 'object', properties: { path: { type: 'string' }, message: { type: 'string' } } } } } } },
    },
    security: [{ bearer: [] }, { session: [] }],
    paths: Object.fromEntries(Object.entries(paths).sort(([a], [b]) => a.localeCompare(b))),
  };
}
