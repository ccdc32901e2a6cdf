// The API document belongs to one server: routes added to one do not appear in another built in the same
// process, and a route added without schemas still appears, under "Other".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import Fastify from 'fastify';
import { z } from 'zod';
import { adminRoute } from './admin-route.ts';
import { openApiDocument, registerOpenApi } from './openapi.ts';
import { beforeCursor, idCursor } from './pagination.ts';

const INFO = { title: 'test', version: '0', description: 'test', sessionCookie: 'session' };

test('two servers in one process document only their own routes', async () => {
  const first = Fastify({ logger: false });
  const second = Fastify({ logger: false });
  registerOpenApi(first, '/api/admin');
  registerOpenApi(second, '/api/admin');
  await first.register(async (admin) => {
    adminRoute(admin, { method: 'GET', url: '/api/admin/things', tag: 'Things', summary: 'Things', query: z.object({ before: beforeCursor(idCursor) }) }, async () => ({ items: [] }));
  });
  await second.register(async (admin) => {
    adminRoute(admin, { method: 'POST', url: '/api/admin/others', tag: 'Others', summary: 'Others' }, async () => ({}));
  });
  await Promise.all([first.ready(), second.ready()]);
  try {
    assert.deepEqual(Object.keys(openApiDocument(first.openApi, INFO).paths), ['/api/admin/things']);
    assert.deepEqual(Object.keys(openApiDocument(second.openApi, INFO).paths), ['/api/admin/others']);
    const [before] = (openApiDocument(first.openApi, INFO).paths['/api/admin/things'] as { get: { parameters: { name: string; schema: { type: string } }[] } }).get.parameters;
    assert.deepEqual([before.name, before.schema.type], ['before', 'string'], 'the cursor is documented as the text it is sent as');
    assert.match((openApiDocument(second.openApi, INFO).paths['/api/admin/others'] as { post: { description: string } }).post.description, /owner or marketer/);
  } finally {
    await Promise.all([first.close(), second.close()]);
  }
});

test('a route added with plain Fastify under the prefix is still listed, with its path parameters', async () => {
  const server = Fastify({ logger: false });
  registerOpenApi(server, '/api/admin');
  server.get('/api/admin/plain/:id', async () => ({}));
  server.get('/elsewhere', async () => ({}));
  await server.ready();
  try {
    const paths = openApiDocument(server.openApi, INFO).paths as Record<string, { get: { tags: string[]; parameters: { name: string; in: string }[] } }>;
    assert.deepEqual(Object.keys(paths), ['/api/admin/plain/{id}']);
    assert.deepEqual(paths['/api/admin/plain/{id}'].get.tags, ['Other']);
    assert.deepEqual(paths['/api/admin/plain/{id}'].get.parameters.map((p) => `${p.in}:${p.name}`), ['path:id']);
  } finally {
    await server.close();
  }
});
