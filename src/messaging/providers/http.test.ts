import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSmsProvider } from './index.ts';
import type { OutgoingSms } from './types.ts';

const SMS: OutgoingSms = { id: 'msg-1', to: '79001234567', text: 'Код подтверждения: 1234', sender: 'Regulars' };

interface Received {
  path: string;
  headers: IncomingMessage['headers'];
  body: unknown;
}

async function startGateway(answer: (path: string, response: ServerResponse) => void): Promise<{ url: string; received: Received[]; server: Server }> {
  const received: Received[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({ path: request.url ?? '', headers: request.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
      answer(request.url ?? '', response);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received, server };
}

async function stop(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
}

test('a 2xx answer accepts the SMS and takes the gateway message id; the gateway receives id, to, text and sender', async () => {
  const gateway = await startGateway((path, response) => {
    if (path === '/json') response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ messageId: 'gw-42' }));
    else if (path === '/number') response.writeHead(201).end('{"id": 7}');
    else response.writeHead(202).end('queued');
  });
  try {
    const provider = createSmsProvider(`${gateway.url}/json`);
    assert.equal(provider.kind, 'http');
    assert.deepEqual(await provider.send(SMS), { kind: 'accepted', providerMessageId: 'gw-42' });
    assert.deepEqual(gateway.received[0].body, { id: 'msg-1', to: '79001234567', text: 'Код подтверждения: 1234', sender: 'Regulars' });
    assert.equal(gateway.received[0].headers['content-type'], 'application/json');
    assert.deepEqual(await createSmsProvider(`${gateway.url}/number`).send(SMS), { kind: 'accepted', providerMessageId: '7' });
    assert.deepEqual(await createSmsProvider(`${gateway.url}/text`).send(SMS), { kind: 'accepted', providerMessageId: null });
  } finally {
    await stop(gateway.server);
  }
});

test('with a message id path, the gateway message id is read where the connection says, or not at all', async () => {
  const gateway = await startGateway((path, response) => {
    if (path === '/nested') response.writeHead(200).end(JSON.stringify({ result: [{ sms_id: 9001, status: 'accepted' }], id: 'request-1' }));
    else response.writeHead(200).end(JSON.stringify({ id: 'request-1', result: [] }));
  });
  try {
    assert.deepEqual(await createSmsProvider(`${gateway.url}/nested`, { messageIdPath: 'result.0.sms_id' }).send(SMS), { kind: 'accepted', providerMessageId: '9001' });
    assert.deepEqual(await createSmsProvider(`${gateway.url}/empty`, { messageIdPath: 'result.0.sms_id' }).send(SMS), { kind: 'accepted', providerMessageId: null });
    assert.deepEqual(await createSmsProvider(`${gateway.url}/empty`, { messageIdPath: 'id.length' }).send(SMS), { kind: 'accepted', providerMessageId: null }, 'only own keys of objects and arrays');
  } finally {
    await stop(gateway.server);
  }
});

test('credentials in the URL are sent as Basic authorization, not in the request URL', async () => {
  const gateway = await startGateway((_path, response) => response.writeHead(200).end());
  try {
    const url = gateway.url.replace('http://', 'http://regulars:p%40ss@');
    assert.equal((await createSmsProvider(`${url}/send`).send(SMS)).kind, 'accepted');
    assert.equal(gateway.received[0].headers.authorization, `Basic ${Buffer.from('regulars:p@ss').toString('base64')}`);
    assert.equal(gateway.received[0].path, '/send');
  } finally {
    await stop(gateway.server);
  }
});

test('a 4xx answer fails the SMS for good with the status and an excerpt of the body', async () => {
  const gateway = await startGateway((_path, response) => response.writeHead(400).end(`{"error": "invalid phone number"}${' '.repeat(50)}${'x'.repeat(500)}`));
  try {
    const outcome = await createSmsProvider(gateway.url).send(SMS);
    assert.equal(outcome.kind, 'failed');
    assert.ok(outcome.kind === 'failed' && outcome.error.startsWith('HTTP 400: {"error": "invalid phone number"} xxx'), JSON.stringify(outcome));
    assert.ok(outcome.error.length < 230, 'the excerpt is short');
  } finally {
    await stop(gateway.server);
  }
});

test('5xx, 429 and 408 answers are retried, with the pause the gateway asks for', async () => {
  const gateway = await startGateway((path, response) => {
    if (path === '/busy') response.writeHead(429, { 'retry-after': '7' }).end();
    else if (path === '/timeout') response.writeHead(408).end();
    else response.writeHead(500).end('Internal Server Error');
  });
  try {
    assert.deepEqual(await createSmsProvider(gateway.url).send(SMS), { kind: 'retry', error: 'HTTP 500: Internal Server Error' });
    assert.deepEqual(await createSmsProvider(`${gateway.url}/busy`).send(SMS), { kind: 'retry', error: 'HTTP 429', retryAfterMs: 7000 });
    assert.equal((await createSmsProvider(`${gateway.url}/timeout`).send(SMS)).kind, 'retry');
  } finally {
    await stop(gateway.server);
  }
});

test('a gateway that does not answer in time, or cannot be reached, gives retry without hanging; only the first may have the text', async () => {
  const gateway = await startGateway(() => {});
  try {
    const started = Date.now();
    const outcome = await createSmsProvider(gateway.url, { timeoutMs: 200 }).send(SMS);
    assert.deepEqual(outcome, { kind: 'retry', error: 'SMS gateway unreachable: no answer within 200 ms', maybeSent: true });
    assert.ok(Date.now() - started < 2000);
  } finally {
    await stop(gateway.server);
  }
  const refused = await createSmsProvider(gateway.url, { timeoutMs: 2000 }).send(SMS);
  assert.equal(refused.kind, 'retry');
  assert.match(refused.kind === 'retry' ? refused.error : '', /ECONNREFUSED/);
  assert.equal(refused.kind === 'retry' && refused.maybeSent, undefined, 'a refused connection carried nothing');
});

test('closing the provider ends a send in flight with retry', async () => {
  const gateway = await startGateway(() => {});
  try {
    const provider = createSmsProvider(gateway.url);
    const pending = provider.send(SMS);
    while (gateway.received.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    await provider.close();
    assert.equal((await pending).kind, 'retry');
    assert.deepEqual(await provider.send(SMS), { kind: 'retry', error: 'SMS provider is closed' });
  } finally {
    await stop(gateway.server);
  }
});

test('logs carry the message id but never the phone number or the text', async () => {
  const gateway = await startGateway((_path, response) => response.writeHead(200).end());
  const lines: string[] = [];
  const logger = { info: (fields: object, message?: string) => lines.push(JSON.stringify([fields, message])), warn: (fields: object, message?: string) => lines.push(JSON.stringify([fields, message])) };
  try {
    await createSmsProvider(gateway.url, { logger }).send(SMS);
    assert.ok(lines.some((line) => line.includes('msg-1')));
    assert.ok(lines.every((line) => !line.includes('79001234567') && !line.includes('Код')));
  } finally {
    await stop(gateway.server);
  }
});
