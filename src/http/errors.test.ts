// The JSON error answer: each AppError code with the admin status of the table, Fastify's own refusals the
// same way, and anything unexpected as a bare 500 with the request id.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import Fastify from 'fastify';
import { AppError, ERROR_TABLE, type ErrorCode } from '../shared/errors.ts';
import { answerJsonError } from './errors.ts';

async function serverThrowing(error: () => unknown) {
  const server = Fastify({ logger: false, bodyLimit: 64 });
  server.removeAllContentTypeParsers();
  server.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => done(null, body));
  server.setErrorHandler(answerJsonError);
  server.post('/fails', async () => {
    throw error();
  });
  await server.ready();
  return server;
}

test('every code answers with its admin status and its message', async () => {
  for (const code of Object.keys(ERROR_TABLE) as ErrorCode[]) {
    const server = await serverThrowing(() => new AppError(code, `refused: ${code}`));
    try {
      const answer = await server.inject({ method: 'POST', url: '/fails' });
      assert.equal(answer.statusCode, ERROR_TABLE[code].adminHttpStatus, code);
      assert.deepEqual(answer.json(), { error: `refused: ${code}` }, code);
    } finally {
      await server.close();
    }
  }
});

test('the statuses a client acts on: 429 with Retry-After, 413, 503, 409, and 400 with the issues at their paths', async () => {
  const statusOf = async (error: AppError) => {
    const server = await serverThrowing(() => error);
    try {
      const answer = await server.inject({ method: 'POST', url: '/fails' });
      return { status: answer.statusCode, retryAfter: answer.headers['retry-after'], body: answer.json() };
    } finally {
      await server.close();
    }
  };
  assert.deepEqual(await statusOf(new AppError('rate_limited', 'wait', { retryAfterSeconds: 42 })), { status: 429, retryAfter: '42', body: { error: 'wait' } });
  assert.equal((await statusOf(new AppError('payload_too_large', 'too big'))).status, 413);
  assert.equal((await statusOf(new AppError('unavailable', 'try later'))).status, 503);
  assert.equal((await statusOf(new AppError('conflict', 'taken'))).status, 409);
  assert.deepEqual(await statusOf(new AppError('validation', 'invalid query', { validationMessages: [{ location: '/before', message: 'not a cursor' }] })), {
    status: 400,
    retryAfter: undefined,
    body: { error: 'invalid query', issues: [{ path: '/before', message: 'not a cursor' }] },
  });
});

test("Fastify's own refusal of a body over the limit is a 413 that names the limit", async () => {
  const server = await serverThrowing(() => new Error('never reached'));
  try {
    const answer = await server.inject({ method: 'POST', url: '/fails', headers: { 'content-type': 'text/plain' }, payload: 'x'.repeat(100) });
    assert.equal(answer.statusCode, 413);
    assert.match(answer.json().error, /larger than the 64 bytes this route takes/);
  } finally {
    await server.close();
  }
});

test('an unexpected error is a 500 with the request id and nothing of the error', async () => {
  const server = await serverThrowing(() => new Error('connection string postgres://secret@db'));
  try {
    const answer = await server.inject({ method: 'POST', url: '/fails' });
    assert.equal(answer.statusCode, 500);
    assert.deepEqual(Object.keys(answer.json()).sort(), ['error', 'requestId']);
    assert.doesNotMatch(answer.body, /secret|stack|at /);
  } finally {
    await server.close();
  }
});
