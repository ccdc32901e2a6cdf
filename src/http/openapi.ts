// The OpenAPI 3 document of the admin API, built from the zod schemas the routes validate with. The routes
// it lists belong to one Fastify instance (`server.openApi`), so two servers in one process (tests build
// several) each document their own.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AdminRole } from '../db/schema.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** the routes of this server's API document; set by `registerOpenApi` */
    openApi: OpenApiRegistry;
  }
}

export interface DocumentedRoute {
  method: string;
  url: string;
  summary: string;
  tag: string;
  description?: string;
  query?: z.ZodType;
  params?: z.ZodType;
  body?: z.ZodType;
  /** what the route answers with */
  response?: z.ZodType;
  role: AdminRole;
  /** answered without signing in (the sign-in routes) */
  public?: boolean;
}

/** The least role a route needs when it names none: GET any signed-in user, anything else an owner or a marketer. */
export function defaultRole(method: string): AdminRole {
  return method === 'GET' ? 'viewer' : 'marketer';
}

export class OpenApiRegistry {
  private readonly documented = new Map<string, DocumentedRoute>();
  private readonly undocumented = new Map<string, { method: string; url: string }>();

  document(route: DocumentedRoute): void {
    this.documented.set(`${route.method} ${route.url}`, route);
  }

  /** A route added without its schemas: it still appears, under "Other", with its path parameters read from the URL. */
  note(method: string, url: string): void {
    if (method === 'HEAD' || this.documented.has(`${method} ${url}`)) return;
    this.undocumented.set(`${method} ${url}`, { method, url });
  }

  get documentedRoutes(): DocumentedRoute[] {
    return [...this.documented.values()];
  }

  get undocumentedRoutes(): { method: string; url: string }[] {
    return [...this.undocumented.values()].filter((route) => !this.documented.has(`${route.method} ${route.url}`));
  }
}

/** Gives the server its registry; every route later added under `prefix` is listed, documented or not. */
export function registerOpenApi(server: FastifyInstance, prefix: string): OpenApiRegistry {
  const registry = new OpenApiRegistry();
  server.decorate('openApi', registry);
  server.addHook('onRoute', (route) => {
    if (!route.url.startsWith(prefix)) return;
    for (const method of Array.isArray(route.method) ? route.method : [route.method]) registry.note(method, route.url);
  });
  return registry;
}

/** Documents a route registered with plain Fastify, from the zod schemas it validates with. */
export function describeRoute(server: FastifyInstance, route: Omit<DocumentedRoute, 'role'> & { role?: AdminRole }): void {
  server.openApi.document({ ...route, role: route.role ?? defaultRole(route.method) });
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

export interface ApiInfo {
  title: string;
  version: string;
  description: string;
  /** the cookie a signed-in browser sends */
  sessionCookie: string;
}

export function openApiDocument(registry: OpenApiRegistry, info: ApiInfo) {
  const paths: Record<string, Record<string, unknown>> = {};
  const pathOf = (url: string) => url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
  for (const route of registry.documentedRoutes) {
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
  for (const route of registry.undocumentedRoutes) {
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
    info: { title: info.title, version: info.version, description: info.description },
    servers: [{ url: '/' }],
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer' },
        session: { type: 'apiKey', in: 'cookie', name: info.sessionCookie },
      },
      schemas: { Error: { type: 'object', properties: { error: { type: 'string' }, issues: { type: 'array', items: { type: 'object', properties: { path: { type: 'string' }, message: { type: 'string' } } } } } } },
    },
    security: [{ bearer: [] }, { session: [] }],
    paths: Object.fromEntries(Object.entries(paths).sort(([a], [b]) => a.localeCompare(b))),
  };
}
