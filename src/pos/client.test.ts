import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MindboxClient } from './client.ts';

interface Received {
  method: string;
  url: URL;
  headers: IncomingMessage['headers'];
  body: string;
}

async function startServer(handle: (request: Received, response: ServerResponse) => void): Promise<{ server: Server; base: string; received: Received[] }> {
  const received: Received[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const entry = {
        method: request.method ?? '',
        url: new URL(request.url ?? '/', 'http://localhost'),
        headers: request.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      received.push(entry);
      handle(entry, response);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received };
}

async function stopServer(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

function json(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8' });
  response.end(JSON.stringify(body));
}

async function closedPort(): Promise<number> {
  const { server, base } = await startServer(() => undefined);
  await stopServer(server);
  return Number(new URL(base).port);
}

test('a call posts JSON to /v3/operations/sync with endpointId, operation, transactionId, deviceUUID and the secret key', async () => {
  const { server, base, received } = await startServer((_, response) => json(response, 200, { status: 'Success', customer: { processingStatus: 'Found' } }));
  try {
    const client = new MindboxClient({ server: `${base}/`, endpoint: 'iiko', secretKey: 's3cret', timeoutMs: 2000, deviceUUID: 'pos-1' });
    const outcome = await client.call('Offline.CheckCustomer', { customer: { mobilePhone: '79001234567' } }, { transactionId: 'tx-1' });

    assert.deepEqual(outcome, { kind: 'answer', httpStatus: 200, body: { status: 'Success', customer: { processingStatus: 'Found' } } });
    const [request] = received;
    assert.equal(request.method, 'POST');
    assert.equal(request.url.pathname, '/v3/operations/sync');
    assert.deepEqual(Object.fromEntries(request.url.searchParams), {
      endpointId: 'iiko',
      operation: 'Offline.CheckCustomer',
      transactionId: 'tx-1',
      deviceUUID: 'pos-1',
    });
    assert.equal(request.headers.authorization, 'SecretKey s3cret');
    assert.match(request.headers['content-type'] ?? '', /^application\/json/);
    assert.match(request.headers.accept ?? '', /application\/json/);
    assert.deepEqual(JSON.parse(request.body), { customer: { mobilePhone: '79001234567' } });

    await client.call('Offline.ChangeStatus', { orderLinesStatus: 'iikoPaid' }, { mode: 'async' });
    assert.equal(received[1].url.pathname, '/v3/operations/async');
    assert.equal(received[1].url.searchParams.has('transactionId'), false);
  } finally {
    await stopServer(server);
  }
});

test('deliberate refusals are answers: ValidationError, ProtocolError 400 and 401, TransactionAlreadyProcessed', async () => {
  const replies: Array<[number, object]> = [
    [200, { status: 'ValidationError', validationMessages: [{ message: 'taken', location: '/customer/mobilePhone' }] }],
    [400, { status: 'ProtocolError', errorMessage: 'Unknown order', httpStatusCode: 400 }],
    [401, { status: 'ProtocolError', errorMessage: 'No secret key', httpStatusCode: 401 }],
    [200, { status: 'TransactionAlreadyProcessed' }],
  ];
  let next = 0;
  const { server, base } = await startServer((_, response) => {
    const [status, body] = replies[next++];
    json(response, status, body);
  });
  try {
    const client = new MindboxClient({ server: base, endpoint: 'iiko', secretKey: 'k', timeoutMs: 2000 });
    for (const [status, body] of replies) {
      assert.deepEqual(await client.call('Offline.RegisterCustomer', {}), { kind: 'answer', httpStatus: status, body });
    }
  } finally {
    await stopServer(server);
  }
});

test('a 500, a 502 without a body and an HTML page are unreachable, not answers', async () => {
  const replies: Array<(response: ServerResponse) => void> = [
    (response) => json(response, 500, { status: 'InternalServerError', errorMessage: 'database is down', httpStatusCode: 500 }),
    (response) => response.writeHead(502).end(),
    (response) => response.writeHead(200, { 'Content-Type': 'text/html' }).end('<html>Wi-Fi login</html>'),
    (response) => response.writeHead(404).end('Not Found'),
  ];
  let next = 0;
  const { server, base } = await startServer((_, response) => replies[next++](response));
  try {
    const client = new MindboxClient({ server: base, endpoint: 'iiko', secretKey: 'k', timeoutMs: 2000 });
    assert.deepEqual(await client.call('Offline.CheckCustomer', {}), { kind: 'unreachable', reason: 'server error HTTP 500: database is down' });
    assert.deepEqual(await client.call('Offline.CheckCustomer', {}), { kind: 'unreachable', reason: 'server error HTTP 502' });
    assert.deepEqual(await client.call('Offline.CheckCustomer', {}), { kind: 'unreachable', reason: 'HTTP 200 without a Mindbox JSON envelope' });
    assert.deepEqual(await client.call('Offline.CheckCustomer', {}), { kind: 'unreachable', reason: 'HTTP 404 without a Mindbox JSON envelope' });
  } finally {
    await stopServer(server);
  }
});

test('a server that never answers is unreachable after timeoutMs', async () => {
  const { server, base } = await startServer(() => undefined);
  try {
    const client = new MindboxClient({ server: base, endpoint: 'iiko', secretKey: 'k', timeoutMs: 150 });
    const started = Date.now();
    const outcome = await client.call('Offline.CheckCustomer', {});
    const elapsed = Date.now() - started;
    assert.deepEqual(outcome, { kind: 'unreachable', reason: 'no answer within 150 ms' });
    assert.ok(elapsed >= 140 && elapsed < 2000, `took ${elapsed} ms`);
  } finally {
    await stopServer(server);
  }
});

test('a server that sends headers and then stalls the body is unreachable after timeoutMs', async () => {
  const { server, base } = await startServer((_, response) => {
    response.writeHead(200, { 'Content-Type': 'application/json' });
    response.write('{"status":');
  });
  try {
    const client = new MindboxClient({ server: base, endpoint: 'iiko', secretKey: 'k', timeoutMs: 150 });
    assert.deepEqual(await client.call('Offline.CheckCustomer', {}), { kind: 'unreachable', reason: 'no answer within 150 ms' });
  } finally {
    await stopServer(server);
  }
});

test('a refused connection and an unknown host are unreachable, never thrown', async () => {
  const port = await closedPort();
  const refused = new MindboxClient({ server: `http://127.0.0.1:${port}`, endpoint: 'iiko', secretKey: 'k', timeoutMs: 2000 });
  assert.deepEqual(await refused.call('Offline.CheckCustomer', {}), { kind: 'unreachable', reason: 'connection refused (ECONNREFUSED)' });

  const unknownHost = new MindboxClient({ server: 'http://regulars.invalid', endpoint: 'iiko', secretKey: 'k', timeoutMs: 2000 });
  const outcome = await unknownHost.call('Offline.CheckCustomer', {});
  assert.equal(outcome.kind, 'unreachable');
});

test('a bare host name is called over https', async () => {
  const urls: string[] = [];
  const fakeFetch = (async (input: string | URL | Request) => {
    urls.push(String(input));
    return new Response(JSON.stringify({ status: 'Success' }), { status: 200 });
  }) as typeof fetch;
  const client = new MindboxClient({ server: 'api.example.ru', endpoint: 'iiko', secretKey: 'k', timeoutMs: 1000 }, { fetch: fakeFetch });
  await client.call('Offline.CheckCustomer', {});
  assert.equal(urls[0], 'https://api.example.ru/v3/operations/sync?endpointId=iiko&operation=Offline.CheckCustomer');
});
