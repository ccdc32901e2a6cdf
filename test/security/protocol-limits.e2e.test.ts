// The protocol's limits against the real server process, over real sockets, as an attacker without a key (or a
// POS on a bad line) meets them (decision 0014): bodies without a key are refused before they are read, and the
// server's memory stays flat under eight parallel 60 MB ones; a declared or chunked body over the operation's
// limit is refused at once; a trickling body or header is closed after its timeout; one address holds at most
// its cap of sockets; the operation log keeps no phone, card, code or e-mail of a call that failed before its
// body was decoded; failed authentications shut the address out for a minute, the right key included (behind a
// reverse proxy, by the address it appends: protocol-limits.test.ts).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { createTestDatabase, testDatabaseUrl, type TestDatabase } from '../support/db.ts';
import { freshDataDir, startServerProcess, type ServerProcess } from '../support/process.ts';

const KEY = 'limits-secret-key-0123456789';
const ADMIN = 'limits-admin-token-0123456789';
const PHONE = '79161234567';
const CARD = '2000123456789';
const EMAIL = 'olga.smirnova@example.ru';
const CODE = '4821';
const MB = 1024 * 1024;

interface RawAnswer {
  /** the server told the client to send its body (100 Continue) before it answered */
  continued: boolean;
  status: number;
  headers: Record<string, string>;
  body: string;
  /** from the connection's start until the first byte of the answer; null when none came */
  answeredAfterMs: number | null;
  closedAfterMs: number;
  /** body bytes the client got to write before the server closed the connection */
  bodyBytesWritten: number;
}

interface RawRequest {
  head: string;
  /** body bytes written as fast as the server takes them */
  bodyBytes?: number;
  /** or these pieces, one every `everyMs` */
  pieces?: string[];
  everyMs?: number;
}

describe('protocol limits against the server process', () => {
  let database: TestDatabase | null = null;
  let server: ServerProcess;
  let port: number;

  before(async () => {
    database = testDatabaseUrl ? await createTestDatabase() : null;
    server = await startServerProcess({
      ...(database ? database.env : { REGULARS_DATA_DIR: freshDataDir() }),
      REGULARS_SECRET_KEY: KEY,
      REGULARS_ADMIN_TOKEN: ADMIN,
    });
    port = Number(new URL(server.url).port);
  });

  after(async () => {
    await server?.stop();
    await database?.close();
  });

  const residentMb = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${server.child.pid}/status`, 'utf8'))![1]) / 1024;

  /** Sends a request over a socket of its own, the way the test says, and reads what comes back until the server closes. */
  function raw(request: RawRequest): Promise<RawAnswer> {
    return new Promise((resolve) => {
      const started = performance.now();
      const socket = connect(port, '127.0.0.1');
      const chunks: Buffer[] = [];
      let answeredAfterMs: number | null = null;
      let bodyBytesWritten = 0;
      let drip: NodeJS.Timeout | undefined;
      /** the server's answer began (a 100 Continue asks for the body, it does not answer) */
      let answerBegan = false;
      socket.on('data', (chunk) => {
        answeredAfterMs ??= performance.now() - started;
        chunks.push(chunk);
        answerBegan ||= Buffer.concat(chunks).toString('latin1').replace('HTTP/1.1 100 Continue\r\n\r\n', '').length > 0;
      });
      socket.on('error', () => {});
      socket.on('close', () => {
        clearInterval(drip);
        const received = Buffer.concat(chunks).toString('utf8');
        const continued = received.startsWith('HTTP/1.1 100 Continue\r\n\r\n');
        const text = continued ? received.slice('HTTP/1.1 100 Continue\r\n\r\n'.length) : received;
        const [head, ...rest] = text.split('\r\n\r\n');
        const [statusLine, ...headerLines] = (head ?? '').split('\r\n');
        resolve({
          continued,
          status: Number(statusLine?.split(' ')[1] ?? 0),
          headers: Object.fromEntries(headerLines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()])),
          body: rest.join('\r\n\r\n'),
          answeredAfterMs,
          closedAfterMs: performance.now() - started,
          bodyBytesWritten,
        });
      });
      socket.write(request.head);
      const chunk = Buffer.alloc(64 * 1024, 'a');
      const pump = () => {
        while (bodyBytesWritten < (request.bodyBytes ?? 0) && !socket.destroyed) {
          bodyBytesWritten += chunk.length;
          if (!socket.write(chunk)) return void socket.once('drain', pump);
        }
      };
      pump();
      const pieces = [...(request.pieces ?? [])];
      if (pieces.length) {
        drip = setInterval(() => {
          const piece = pieces.shift();
          // what was written before the answer came is what the server took before it refused
          if (piece === undefined || socket.destroyed || answerBegan) return clearInterval(drip);
          bodyBytesWritten += piece.length;
          socket.write(piece);
        }, request.everyMs ?? 1000);
      }
    });
  }

  const call = (operation: string, headers: Record<string, string | number>) =>
    [`POST /v3/operations/sync?endpointId=iiko&operation=${operation} HTTP/1.1`, 'Host: regulars', ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`), '', ''].join('\r\n');

  const envelope = (answer: RawAnswer) => JSON.parse(answer.body) as { status: string; errorMessage: string; httpStatusCode: number };

  test('eight parallel 60 MB bodies without a key are refused at once, unread: the server memory stays flat', async () => {
    const head = call('Offline.CheckCustomer', { 'Content-Type': 'application/json', 'Content-Length': 60 * MB });
    await raw({ head: call('Offline.CheckCustomer', { 'Content-Type': 'application/json', 'Content-Length': 0, Connection: 'close' }) });
    const before = residentMb();
    let highest = before;
    const sampling = setInterval(() => (highest = Math.max(highest, residentMb())), 20);
    const answers = await Promise.all(Array.from({ length: 8 }, () => raw({ head, bodyBytes: 60 * MB })));
    clearInterval(sampling);
    for (const answer of answers) {
      assert.equal(answer.status, 401);
      assert.equal(envelope(answer).status, 'ProtocolError');
      assert.equal(answer.headers.connection, 'close');
      assert.ok(answer.answeredAfterMs! < 2000, `answered after ${answer.answeredAfterMs} ms`);
      // what the kernel's buffers took before the server closed, never the whole body
      assert.ok(answer.bodyBytesWritten < 20 * MB, `${answer.bodyBytesWritten} bytes went out`);
    }
    console.log(`resident memory under 8 × 60 MB unauthenticated bodies: ${before.toFixed(0)} MB → at most ${highest.toFixed(0)} MB`);
    assert.ok(highest - before < 40, `resident memory grew from ${before.toFixed(0)} to ${highest.toFixed(0)} MB`);
  });

  test('a client that asks before sending (Expect: 100-continue) is refused without being asked for the body', async () => {
    const answer = await raw({ head: call('Offline.CheckCustomer', { 'Content-Type': 'application/json', 'Content-Length': 60 * MB, Expect: '100-continue', Authorization: 'SecretKey wrong-key-0123456789' }) });
    assert.equal(answer.status, 403);
    assert.equal(answer.continued, false);
    assert.equal(answer.bodyBytesWritten, 0);
    const admitted = await raw({ head: call('Offline.CheckCustomer', { 'Content-Type': 'application/json', 'Content-Length': 2, Expect: '100-continue', Authorization: `SecretKey ${KEY}`, Connection: 'close' }), pieces: ['{}'], everyMs: 300 });
    assert.equal(admitted.continued, true);
    assert.equal(admitted.status, 200);
  });

  test("a body over the operation's limit is refused at once: declared, or cut off when chunked", async () => {
    const authorized = { 'Content-Type': 'application/json', Authorization: `SecretKey ${KEY}` };
    const declared = await raw({ head: call('Offline.CheckCustomer', { ...authorized, 'Content-Length': 2 * MB }), bodyBytes: 2 * MB });
    assert.equal(declared.status, 413);
    assert.match(envelope(declared).errorMessage, /Offline\.CheckCustomer may have at most 65536 bytes; the server's REGULARS_CALL_BODY_LIMIT_KB/);
    assert.ok(declared.answeredAfterMs! < 1000);
    const chunk = `4000\r\n${'a'.repeat(0x4000)}\r\n`;
    // 1 MB in 64 pieces, 25 ms apart: read whole, the refusal would come after the last; cut off at 64 KB, it comes
    // after the fifth, and the slack below is a busy machine's delay of a few hundred milliseconds
    const chunked = await raw({ head: call('Offline.CheckCustomer', { ...authorized, 'Transfer-Encoding': 'chunked' }), pieces: Array.from({ length: 64 }, () => chunk), everyMs: 25 });
    assert.equal(chunked.status, 413);
    assert.ok(chunked.bodyBytesWritten < 512 * 1024, `${chunked.bodyBytesWritten} bytes were taken before the refusal`);
    const order = await raw({ head: call('Offline.AnonymousPreorder', { ...authorized, 'Content-Length': 2 * MB }), bodyBytes: 2 * MB });
    assert.match(envelope(order).errorMessage, /at most 1048576 bytes; the server's REGULARS_ORDER_BODY_LIMIT_KB/);
  });

  test('200 sockets trickling a body: the cap holds 64 of them, refuses the rest at once, and closes the held ones after 10 s', async () => {
    const body = `{"customer":{"mobilePhone":"${PHONE}"}}`;
    const head = call('Offline.CheckCustomer', { 'Content-Type': 'application/json', Authorization: `SecretKey ${KEY}`, 'Content-Length': body.length });
    const started = performance.now();
    const answers = await Promise.all(Array.from({ length: 200 }, () => raw({ head, pieces: body.split(''), everyMs: 3000 })));
    const refused = answers.filter((answer) => answer.status === 429);
    const timedOut = answers.filter((answer) => answer.status === 408);
    assert.equal(refused.length + timedOut.length, 200);
    assert.ok(timedOut.length <= 64 && timedOut.length >= 60, `${timedOut.length} sockets were held`);
    for (const answer of refused) {
      assert.ok(answer.closedAfterMs < 2000);
      assert.equal(envelope(answer).status, 'ProtocolError');
      assert.equal(answer.headers['retry-after'], '1');
    }
    for (const answer of timedOut) {
      assert.equal(envelope(answer).errorMessage, 'the body did not arrive within 10 s');
      assert.ok(answer.closedAfterMs > 9500 && answer.closedAfterMs < 13_000, `closed after ${answer.closedAfterMs} ms`);
      assert.ok(!answer.body.includes(PHONE.slice(-7)));
    }
    assert.ok(performance.now() - started < 15_000);
  });

  test('headers that trickle, or never come, are closed after 5 s', async () => {
    const [trickling, silent] = await Promise.all([
      raw({ head: 'POST /v3/operations/sync HTTP/1.1\r\n', pieces: 'Host: regulars\r\nX-Slow: 1\r\n'.split(''), everyMs: 1000 }),
      raw({ head: '' }),
    ]);
    for (const answer of [trickling, silent]) {
      assert.equal(answer.status, 408);
      assert.ok(answer.closedAfterMs > 4500 && answer.closedAfterMs < 8000, `closed after ${answer.closedAfterMs} ms`);
    }
  });

  test('the log keeps no phone, card, e-mail or code of calls that failed before their body was decoded', async () => {
    const secrets = `{"customer":{"mobilePhone":"+7 (916) 123-45-67","email":"${EMAIL}","discountCard":{"ids":{"number":"${CARD}"}}},"authentificationCode":"${CODE}"`;
    const broken = await raw({
      head: call('Offline.CheckMobilePhoneAuthorizationCode', { 'Content-Type': 'application/json', Authorization: `SecretKey ${KEY}`, 'Content-Length': Buffer.byteLength(secrets), Connection: 'close' }),
      pieces: [secrets],
      everyMs: 1,
    });
    assert.equal(broken.status, 400);
    const unauthenticated = `{"customer":{"mobilePhone":"${PHONE}"}}`;
    const refused = await raw({
      head: call('Offline.CheckCustomer', { 'Content-Type': 'application/json', Authorization: 'SecretKey revoked-or-wrong-0123', 'Content-Length': unauthenticated.length, Connection: 'close' }),
      pieces: [unauthenticated],
      everyMs: 1,
    });
    assert.equal(refused.status, 403);
    const log = await fetch(`${server.url}/api/admin/operation-log?limit=20`, { headers: { authorization: `Bearer ${ADMIN}` } });
    const entries = ((await log.json()) as { items: { operation: string; http_status: number; request: unknown }[] }).items;
    const text = JSON.stringify(entries);
    for (const secret of [PHONE, '123-45-67', CARD, EMAIL, `"${CODE}"`]) assert.ok(!text.includes(secret), `the log shows ${secret}`);
    const brokenEntry = entries.find((entry) => entry.operation === 'Offline.CheckMobilePhoneAuthorizationCode' && entry.http_status === 400)!;
    assert.match(String(brokenEntry.request), /^\{"customer":\{"mobilePhone":"7\*{6}67","email":"o\*\*\*@\*\*\*\.ru"/);
    const refusedEntry = entries.find((entry) => entry.operation === 'Offline.CheckCustomer' && entry.http_status === 403)!;
    assert.deepEqual(refusedEntry.request, { body: 'not read', contentLength: unauthenticated.length });
  });


  test('at the 20th failed authentication within a minute the address is shut out, the right key included', async () => {
    const withKey = (key: string) =>
      raw({ head: call('Offline.CheckCustomer', { 'Content-Type': 'application/json', Authorization: `SecretKey ${key}`, 'Content-Length': 2, Connection: 'close' }), pieces: ['{}'], everyMs: 1 });
    // the tests before failed some already, from this same address
    let attempts = 0;
    let answer = await withKey('wrong-key-0-0123456789');
    while (answer.status === 403 && attempts < 20) answer = await withKey(`wrong-key-${++attempts}-0123456789`);
    assert.equal(answer.status, 429, `still ${answer.status} after ${attempts + 1} more failures`);
    const shutOut = await withKey(KEY);
    assert.equal(shutOut.status, 429);
    assert.match(envelope(shutOut).errorMessage, /too many failed authentications from this address; try again in \d+ s/);
    assert.ok(Number(shutOut.headers['retry-after']) > 30 && Number(shutOut.headers['retry-after']) <= 60, `Retry-After: ${shutOut.headers['retry-after']}`);
    assert.ok(shutOut.answeredAfterMs! < 500);
  });
});
