import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MindboxClient } from './client.ts';
import { OfflineQueue, type QueuedItem } from './offline-queue.ts';
import { OfflineSender, type SendFailure } from './offline-sender.ts';

interface Request {
  transactionId: string;
  orderId: string;
}

/** A stand-in for the server's SaveOfflineOrder: idempotent by transactionId, credits each new order once. */
class FakeServer {
  readonly requests: Request[] = [];
  readonly credited: string[] = [];
  private readonly seen = new Set<string>();
  private server: Server | null = null;

  constructor(private readonly behaviour: (request: Request, index: number) => 'process' | 'error500' | 'processAndDropAnswer' | 'validationError' | 'unauthorized') {}

  async listen(port = 0): Promise<number> {
    this.server = createServer((request, response) => this.handle(request, response));
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
    return (this.server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    if (!this.server) return;
    const server = this.server;
    this.server = null;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private handle(request: IncomingMessage, response: ServerResponse): void {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const url = new URL(request.url ?? '/', 'http://localhost');
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      const entry = { transactionId: url.searchParams.get('transactionId') ?? '', orderId: body.order.ids.iikoOrderId };
      this.requests.push(entry);
      const reply = (status: number, payload: object) => {
        response.writeHead(status, { 'Content-Type': 'application/json' });
        response.end(JSON.stringify(payload));
      };
      const action = this.behaviour(entry, this.requests.length - 1);
      if (action === 'error500') return reply(500, { status: 'InternalServerError', errorMessage: 'warming up', httpStatusCode: 500 });
      if (action === 'unauthorized') return reply(401, { status: 'ProtocolError', errorMessage: 'wrong secret key', httpStatusCode: 401 });
      if (this.seen.has(entry.transactionId)) return reply(200, { status: 'TransactionAlreadyProcessed' });
      if (action === 'validationError') {
        return reply(200, { status: 'ValidationError', validationMessages: [{ message: 'unknown product', location: '/order/lines/0/product' }] });
      }
      this.seen.add(entry.transactionId);
      this.credited.push(entry.orderId);
      if (action === 'processAndDropAnswer') {
        request.socket.destroy();
        return;
      }
      reply(200, { status: 'Success' });
    });
  }
}

function saveOfflineOrder(number: number) {
  return {
    operation: 'Offline.SaveOfflineOrder',
    transactionId: `00000000-0000-4000-8000-00000000000${number}`,
    body: { executionDateTimeUtc: '2026-01-31T12:00:00.000Z', order: { ids: { iikoOrderId: `order-${number}` }, totalPrice: 450 } },
  };
}

async function withQueue(run: (queue: OfflineQueue) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'pos-sender-'));
  const queue = await OfflineQueue.open(dir);
  try {
    await run(queue);
  } finally {
    await queue.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function freePort(): Promise<number> {
  const probe = new FakeServer(() => 'process');
  const port = await probe.listen();
  await probe.close();
  return port;
}

function until(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const check = () => {
      if (condition()) return resolve();
      if (Date.now() - started > timeoutMs) return reject(new Error(`timed out waiting for ${what}`));
      setTimeout(check, 5);
    };
    check();
  });
}

const client = (port: number) => new MindboxClient({ server: `http://127.0.0.1:${port}`, endpoint: 'iiko', secretKey: 'k', timeoutMs: 1000 });

test('through a refused port, a 500, a lost answer and a refusal, every order is credited once, in order, with its own transactionId', async () => {
  await withQueue(async (queue) => {
    const items: QueuedItem[] = [];
    for (const number of [1, 2, 3, 4, 5]) items.push(await queue.append(saveOfflineOrder(number)));
    const port = await freePort();
    const server = new FakeServer((request, index) => {
      if (index === 0) return 'error500';
      if (request.orderId === 'order-3') return 'validationError';
      if (request.orderId === 'order-2') return 'processAndDropAnswer';
      return 'process';
    });
    const delivered: string[] = [];
    const failures: Array<{ orderId: string; failure: SendFailure }> = [];
    const sender = new OfflineSender(queue, client(port), {
      backoff: { initialMs: 10, maxMs: 40 },
      onDelivered: (item) => delivered.push(item.transactionId),
      onFailed: (item, failure) => failures.push({ orderId: (item.body as { order: { ids: { iikoOrderId: string } } }).order.ids.iikoOrderId, failure }),
    });
    try {
      sender.start();
      await until(() => failures.length >= 3, 'three refused connections');
      await server.listen(port);
      await until(() => queue.pending().length === 0, 'the queue to drain');
    } finally {
      await sender.stop();
      await server.close();
    }

    assert.deepEqual(server.credited, ['order-1', 'order-2', 'order-4', 'order-5']);
    assert.deepEqual(delivered, [items[0], items[1], items[3], items[4]].map((item) => item.transactionId));
    const itemOf = new Map(items.map((item) => [(item.body as { order: { ids: { iikoOrderId: string } } }).order.ids.iikoOrderId, item]));
    for (const request of server.requests) assert.equal(request.transactionId, itemOf.get(request.orderId)?.transactionId);
    const order = server.requests.map((request) => request.orderId);
    assert.deepEqual(order, [...order].sort(), 'requests went out strictly in queue order');
    assert.deepEqual(order, ['order-1', 'order-1', 'order-2', 'order-2', 'order-3', 'order-4', 'order-5']);

    const [rejected] = queue.rejected();
    assert.equal(queue.rejected().length, 1);
    assert.equal(rejected.transactionId, items[2].transactionId);
    assert.equal(rejected.reason, 'ValidationError: /order/lines/0/product: unknown product');
    assert.equal(rejected.answer?.body.status, 'ValidationError');

    const refused = failures.filter(({ failure }) => failure.kind === 'retry' && failure.reason === 'connection refused (ECONNREFUSED)');
    assert.ok(refused.length >= 3);
    assert.deepEqual(
      refused.slice(0, 4).map(({ failure }) => (failure.kind === 'retry' ? failure.delayMs : -1)),
      [10, 20, 40, 40].slice(0, Math.min(4, refused.length)),
      'the wait doubles up to maxMs',
    );
    assert.ok(failures.some(({ failure }) => failure.kind === 'retry' && failure.reason === 'server error HTTP 500: warming up'));
    assert.ok(failures.some(({ orderId, failure }) => orderId === 'order-3' && failure.kind === 'rejected'));
  });
});

test('flush reports what is left while the server is down, then delivers everything once it is up', async () => {
  await withQueue(async (queue) => {
    for (const number of [1, 2, 3]) await queue.append(saveOfflineOrder(number));
    const port = await freePort();
    const sender = new OfflineSender(queue, client(port), { backoff: { initialMs: 10, maxMs: 40 } });
    assert.deepEqual(await sender.flush(), { delivered: 0, rejected: 0, remaining: 3 });

    const server = new FakeServer(() => 'process');
    await server.listen(port);
    try {
      assert.deepEqual(await sender.flush(), { delivered: 3, rejected: 0, remaining: 0 });
      assert.deepEqual(server.credited, ['order-1', 'order-2', 'order-3']);
    } finally {
      await server.close();
    }
  });
});

test('a wrong secret key (ProtocolError 401) does not empty the queue into rejected: the order waits', async () => {
  await withQueue(async (queue) => {
    await queue.append(saveOfflineOrder(1));
    const server = new FakeServer(() => 'unauthorized');
    const port = await server.listen();
    const failures: SendFailure[] = [];
    const sender = new OfflineSender(queue, client(port), { backoff: { initialMs: 10, maxMs: 40 }, onFailed: (_, failure) => failures.push(failure) });
    try {
      assert.deepEqual(await sender.flush(), { delivered: 0, rejected: 0, remaining: 1 });
      assert.equal(queue.rejected().length, 0);
      assert.equal(failures[0].kind, 'retry');
      assert.equal(failures[0].reason, 'server answered ProtocolError (HTTP 401): wrong secret key');
    } finally {
      await server.close();
    }
  });
});

test('a running sender picks up orders queued later, and stop() returns promptly even during a long backoff', async () => {
  await withQueue(async (queue) => {
    const server = new FakeServer(() => 'process');
    const port = await server.listen();
    const sender = new OfflineSender(queue, client(port), { backoff: { initialMs: 10, maxMs: 40 } });
    try {
      sender.start();
      await queue.append(saveOfflineOrder(1));
      await until(() => server.credited.length === 1, 'the first order');
      await queue.append(saveOfflineOrder(2));
      await until(() => server.credited.length === 2, 'the second order');
    } finally {
      await sender.stop();
      await server.close();
    }
    assert.deepEqual(queue.pending(), []);

    const downPort = await freePort();
    await queue.append(saveOfflineOrder(3));
    let failed = 0;
    const patient = new OfflineSender(queue, client(downPort), { backoff: { initialMs: 60_000, maxMs: 60_000 }, onFailed: () => failed++ });
    patient.start();
    await until(() => failed === 1, 'the first failure');
    const started = Date.now();
    await patient.stop();
    assert.ok(Date.now() - started < 1000, 'stop waited for the backoff');
    assert.equal(queue.pending().length, 1);
  });
});
