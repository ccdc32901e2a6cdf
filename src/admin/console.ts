// What a browser meets: the admin console's built files at `/`, sign-in routes, and the admin API's
// OpenAPI document at /api/docs (HTML) and /api/docs/openapi.json.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { extname, join, resolve, sep } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../app-context.ts';
import { openApiDocument, type ApiInfo } from '../http/openapi.ts';
import { PACKAGE_ROOT } from '../shared/package-root.ts';
import { SESSION_COOKIE } from './auth.ts';
import { registerSessionRoutes } from './session.routes.ts';

export const UI_DIST = join(PACKAGE_ROOT, 'ui', 'dist');
const PACKAGE_VERSION: string = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')).version;

const API_INFO: ApiInfo = {
  title: 'Regulars admin API',
  version: PACKAGE_VERSION,
  description:
    'The admin console and scripts use this API. Authenticate with `Authorization: Bearer <admin token>`, or sign in at ' +
    '`POST /api/auth/login` to get a session cookie; with the cookie, every request that changes something sends the ' +
    '`X-CSRF-Token` header from the sign-in answer. Lists answer `{ items, next }`: ask for the following page with ' +
    '`?before=<next>`; `next` is null on the last page.',
  sessionCookie: SESSION_COOKIE,
};

const CONTENT_TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
  '.html': 'text/html; charset=utf-8',
};

const CONSOLE_HEADERS = {
  'content-security-policy': "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
};

const NOT_BUILT = `<!doctype html><meta charset="utf-8"><title>Regulars</title>
<p>The admin console is not built yet. Run <code>npm run build:ui</code> (it also runs before <code>npm start</code>).</p>
<p>The admin API works: <a href="/api/docs">/api/docs</a>.</p>`;

const escapeHtml = (text: string) => text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

function docsPage(document: ReturnType<typeof openApiDocument>): string {
  const rows: string[] = [];
  for (const [path, operations] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(operations as Record<string, any>)) {
      const parameters = (operation.parameters ?? [])
        .map((p: any) => `<code>${escapeHtml(p.name)}</code>${p.required ? '' : '?'} <small>${escapeHtml(p.schema?.type ?? (p.schema?.enum ? p.schema.enum.join(' | ') : ''))}</small>`)
        .join(', ');
      const body = operation.requestBody ? `<details><summary>body</summary><pre>${escapeHtml(JSON.stringify(operation.requestBody.content['application/json'].schema, null, 2))}</pre></details>` : '';
      rows.push(
        `<tr><td><b>${method.toUpperCase()}</b></td><td><code>${escapeHtml(path)}</code></td><td>${escapeHtml(operation.summary ?? '')}<br><small>${escapeHtml(operation.description ?? '')}</small>${body}</td><td>${parameters}</td></tr>`,
      );
    }
  }
  return `<!doctype html><html lang="en"><meta charset="utf-8"><title>Regulars admin API</title>
<style>body{font:14px system-ui,sans-serif;margin:2rem;color:#1f2430}table{border-collapse:collapse;width:100%}td{border-top:1px solid #ddd;padding:.5rem;vertical-align:top}code{background:#f3f4f6;padding:0 .2rem}pre{background:#f8f8f8;padding:.5rem;overflow:auto}</style>
<h1>${escapeHtml(document.info.title)} <small>${escapeHtml(document.info.version)}</small></h1>
<p>${escapeHtml(document.info.description)}</p>
<p>Machine-readable: <a href="/api/docs/openapi.json">/api/docs/openapi.json</a> (OpenAPI ${document.openapi}).</p>
<table><tbody>${rows.join('\n')}</tbody></table></html>`;
}

export function registerConsole(server: FastifyInstance, app: AppContext): void {
  registerSessionRoutes(server, app);

  server.get('/api/docs/openapi.json', async (_request, reply) => reply.headers(CONSOLE_HEADERS).send(openApiDocument(server.openApi, API_INFO)));
  server.get('/api/docs', async (_request, reply) =>
    reply.headers(CONSOLE_HEADERS).type('text/html; charset=utf-8').send(docsPage(openApiDocument(server.openApi, API_INFO))),
  );

  server.get('/', async (_request, reply) => {
    const index = join(UI_DIST, 'index.html');
    reply.headers(CONSOLE_HEADERS).header('cache-control', 'no-cache').type('text/html; charset=utf-8');
    return reply.send(existsSync(index) ? readFileSync(index) : NOT_BUILT);
  });

  const assets = join(UI_DIST, 'assets');
  server.get<{ Params: { '*': string } }>('/assets/*', async (request, reply) => {
    const file = resolve(assets, request.params['*']);
    // only a file inside the assets folder: not the folder itself, not what lies above it
    if (!file.startsWith(assets + sep) || !statSync(file, { throwIfNoEntry: false })?.isFile()) return reply.status(404).send({ error: 'no such file' });
    return reply
      .headers(CONSOLE_HEADERS)
      .header('cache-control', 'public, max-age=31536000, immutable')
      .type(CONTENT_TYPES[extname(file)] ?? 'application/octet-stream')
      .send(readFileSync(file));
  });
}
