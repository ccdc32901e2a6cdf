// The real server process on a PostgreSQL database of its own, under POS-like load (registrations, preorders,
// bills created and paid, points spent, CheckCustomer, async calls), while the database goes away: its
// backends are terminated again and again, then the database refuses connections for a while. The process
// lives; every call is answered within the POS's 3 s, Success or 503 with Retry-After; it serves again soon
// after the database is back; every answer given as Success is in the database; queued background work (an
// SMS held at the gateway, an async call) completes without a restart. Figures go to the test's diagnostics.
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import pg from 'pg';
import { openDatabase, type DatabaseHandle } from '../../src/db/database.ts';
import { ledgerDiscrepancies } from '../../src/loyalty/ledger.repository.ts';
import { testDatabaseUrl } from '../support/db.ts';
import { freshDataDir, startServerProcess, type ServerProcess } from '../support/process.ts';
import { readScrape } from '../support/metrics.ts';

const SECRET_KEY = 'e2e-faults-secret-key-0123456789';
const ADMIN_TOKEN = 'e2e-faults-admin-token-0123456789';
const METRICS_TOKEN = 'e2e-faults-metrics-token-0123456789';
/** the POS gives up on a call after this long */
const POS_TIMEOUT_MS = 3000;
/** how soon after the database is back the server must serve again */
const RECOVERY_LIMIT_MS = 2000;
const TERMINALS = 6;

const MENU = [
  { id: 'faults-steak', price: 1290 },
  { id: 'faults-salad', price: 450 },
  { id: 'faults-lemonade', price: 260 },
];

interface Answer {
  operation: string;
  httpStatus: number;
  body: any;
  retryAfter: string | null;
  ms: number;
  /** performance.now() when the answer came */
  at: number;
  /** the request failed without an HTTP answer */
  transportError?: string;
}

/** What the server said Success (or TransactionAlreadyProcessed, after a retry) to: each must be in the database. */
interface Promised {
  guests: string[];
  orders: { orderId: string; lines: number; paid: boolean }[];
  asyncRegistrations: { transactionId: string; phone: string }[];
}

/** An HTTP SMS gateway on loopback that records every message and can hold back its answers to one number. */
async function startGateway() {
  const received: { id: string; to: string }[] = [];
  let holding: string | null = null;
  const held: (() => void)[] = [];
  const server: Server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      const sms = JSON.parse(body) as { id: string; to: string };
      received.push({ id: sms.id, to: sms.to });
      const answer = () => response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: `gw-${received.length}` }));
      if (sms.to === holding) held.push(answer);
      else answer();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/sms`,
    received,
    hold: (phone: string) => (holding = phone),
    release: () => {
      holding = null;
      for (const answer of held.splice(0)) answer();
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

const percentile = (values: number[], share: number) => {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor(share * sorted.length))]);
};

const until = async (what: string, check: () => Promise<boolean>, timeoutMs = 15_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`${what}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
};

describe('database faults against the real server process (PostgreSQL only: the embedded PGlite cannot go away)', { skip: !testDatabaseUrl && 'needs TEST_DATABASE_URL' }, () => {
  const databaseName = `regulars_faults_${randomBytes(5).toString('hex')}`;
  let admin: pg.Client;
  let server: ServerProcess;
  let gateway: Awaited<ReturnType<typeof startGateway>>;
  let exitedWith: string | null = null;
  const answers: Answer[] = [];
  const promised: Promised = { guests: [], orders: [], asyncRegistrations: [] };

  const databaseUrl = () => {
    const url = new URL(testDatabaseUrl!);
    url.pathname = `/${databaseName}`;
    url.search = '';
    return url.toString();
  };
  const terminateBackends = async () =>
    (await admin.query('select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()', [databaseName])).rowCount ?? 0;
  /** a short-lived look into the server's database (closed again, so an outage does not hit it) */
  const inDatabase = async <T>(work: (database: DatabaseHandle) => Promise<T>): Promise<T> => {
    const database = await openDatabase({ url: databaseUrl(), poolSize: 1 });
    try {
      return await work(database);
    } finally {
      await database.close();
    }
  };

  async function send(operation: string, body: unknown, options: { mode?: 'sync' | 'async'; transactionId?: string } = {}): Promise<Answer> {
    const query = new URLSearchParams({ endpointId: 'iiko', operation });
    if (options.transactionId) query.set('transactionId', options.transactionId);
    const started = performance.now();
    let answer: Answer;
    try {
      const response = await fetch(`${server.url}/v3/operations/${options.mode ?? 'sync'}?${query}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `SecretKey ${SECRET_KEY}` },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(15_000),
      });
      const text = await response.text();
      const now = performance.now();
      answer = { operation, httpStatus: response.status, body: JSON.parse(text), retryAfter: response.headers.get('retry-after'), ms: now - started, at: now };
    } catch (error) {
      const now = performance.now();
      answer = { operation, httpStatus: 0, body: null, retryAfter: null, ms: now - started, at: now, transportError: String(error) };
    }
    answers.push(answer);
    return answer;
  }

  /** As the POS plugin: a call answered 503 is sent again with the same transactionId (sooner than Retry-After asks, to press harder). */
  async function persist(operation: string, body: unknown, options: { mode?: 'sync' | 'async'; transactionId?: string } = {}): Promise<Answer> {
    for (let attempt = 1; ; attempt++) {
      const answer = await send(operation, body, options);
      if (answer.httpStatus !== 503 || attempt >= 100 || exitedWith) return answer;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  const accepted = (answer: Answer) => answer.httpStatus === 200 && (answer.body?.status === 'Success' || answer.body?.status === 'TransactionAlreadyProcessed');

  /** One terminal's guests and bills, over and over, until `stop` says so. */
  async function terminal(number: number, stop: { now: boolean }, prefix: string) {
    for (let round = 0; !stop.now && !exitedWith; round++) {
      const serial = `${number}${String(round).padStart(6, '0')}`;
      const phone = `79${prefix}0${serial}`;
      const registered = await persist('Offline.RegisterCustomer', { customer: { mobilePhone: phone, firstName: 'Гость' } }, { transactionId: randomUUID() });
      if (!accepted(registered)) continue;
      promised.guests.push(phone);
      await persist('Offline.CheckCustomer', { customer: { mobilePhone: phone } });
      for (const [bill, spend] of [['A', 0], ['B', 30]] as const) {
        const orderId = `faults-${prefix}-${serial}-${bill}`;
        const lines = MENU.slice(0, bill === 'A' ? 3 : 2).map((dish, index) => ({
          lineId: `line-${index + 1}`,
          lineNumber: index + 1,
          quantity: 1,
          basePricePerItem: dish.price,
          product: { ids: { iiko: dish.id } },
        }));
        const order = { ids: { iikoOrderId: orderId }, lines, ...(spend ? { bonusPoints: [{ amount: spend }] } : {}) };
        const customer = { mobilePhone: phone };
        const preorder = await persist('Offline.AuthorizedPreorder', { customer, pointOfContact: 'faults', order });
        if (!accepted(preorder)) break;
        const created = await persist(
          'Offline.CreateAuthorizedOrder',
          { customer, pointOfContact: 'faults', order: { ...order, totalPrice: preorder.body.order.totalPrice } },
          { transactionId: randomUUID() },
        );
        if (!accepted(created)) break;
        const promise = { orderId, lines: lines.length, paid: false };
        promised.orders.push(promise);
        const paid = await persist('Offline.ChangeStatus', { order: { ids: { iikoOrderId: orderId } }, orderLinesStatus: 'iikoPaid' }, { transactionId: randomUUID() });
        if (!accepted(paid)) break;
        promise.paid = true;
      }
      const later = { transactionId: randomUUID(), phone: `79${prefix}5${serial}` };
      if (accepted(await persist('Offline.RegisterCustomer', { customer: { mobilePhone: later.phone } }, { mode: 'async', transactionId: later.transactionId }))) {
        promised.asyncRegistrations.push(later);
      }
    }
  }

  function summary(of: Answer[]) {
    const unavailable = of.filter((answer) => answer.httpStatus === 503);
    return {
      calls: of.length,
      success: of.filter(accepted).length,
      unavailable: unavailable.length,
      p50Ms: percentile(of.map((answer) => answer.ms), 0.5),
      maxMs: percentile(of.map((answer) => answer.ms), 1),
      unavailableP50Ms: percentile(unavailable.map((answer) => answer.ms), 0.5),
      unavailableMaxMs: percentile(unavailable.map((answer) => answer.ms), 1),
    };
  }

  /** Every answer is Success (or TransactionAlreadyProcessed after a retry) or 503 with Retry-After in the Mindbox envelope, each within the POS's timeout. */
  function assertPromptAndWellFormed(of: Answer[]) {
    for (const answer of of) {
      assert.equal(answer.transportError, undefined, `${answer.operation}: no HTTP answer (${answer.transportError})`);
      assert.ok(answer.ms < POS_TIMEOUT_MS, `${answer.operation} answered after ${Math.round(answer.ms)} ms`);
      if (answer.httpStatus === 503) {
        assert.equal(answer.body.status, 'InternalServerError', JSON.stringify(answer.body));
        assert.equal(answer.body.httpStatusCode, 503);
        assert.match(answer.body.errorMessage, /database/);
        assert.ok(Number(answer.retryAfter) > 0, `Retry-After: ${answer.retryAfter}`);
      } else {
        assert.ok(accepted(answer), `${answer.operation}: ${answer.httpStatus} ${JSON.stringify(answer.body)}`);
      }
    }
  }

  /** Everything answered Success is in the database: guests, bills with their lines, payments, the ledger, async calls done once. */
  async function assertPromisesKept() {
    await inDatabase(async ({ db }) => {
      const guests = await db.selectFrom('customers').select('mobile_phone').where('mobile_phone', 'in', promised.guests).execute();
      assert.equal(guests.length, new Set(promised.guests).size, 'every guest registered with Success exists');
      const { rows: orders } = await sql<{ order_id: string; lines: number; paid: number }>`
        select i.value as order_id, count(l.id)::int as lines, count(l.id) filter (where l.status = 'iikoPaid')::int as paid
        from order_identifiers i join order_lines l on l.order_id = i.order_id
        where i.field = 'iikoOrderId' and i.value like 'faults-%' group by i.value`.execute(db);
      const stored = new Map(orders.map((row) => [row.order_id, row]));
      for (const promise of promised.orders) {
        const row = stored.get(promise.orderId);
        assert.ok(row, `bill ${promise.orderId} was answered Success and is missing`);
        assert.equal(row.lines, promise.lines, `bill ${promise.orderId} has all its lines`);
        if (promise.paid) assert.equal(row.paid, promise.lines, `bill ${promise.orderId} was answered paid`);
      }
      assert.deepEqual(await ledgerDiscrepancies(db), [], 'every balance equals its ledger');
      const transactionIds = promised.asyncRegistrations.map((call) => call.transactionId);
      if (transactionIds.length === 0) return;
      await until('every accepted async call is processed', async () => {
        const done = await db.selectFrom('async_operations').select('id').where('transaction_id', 'in', transactionIds).where('status', '=', 'done').execute();
        return done.length === transactionIds.length;
      });
      const calls = await db.selectFrom('async_operations').select(['transaction_id', 'status']).where('transaction_id', 'in', transactionIds).execute();
      assert.equal(calls.length, transactionIds.length, 'each accepted async call is queued once');
      const registered = await db.selectFrom('customers').select('mobile_phone').where('mobile_phone', 'in', promised.asyncRegistrations.map((call) => call.phone)).execute();
      assert.equal(registered.length, transactionIds.length, 'each async registration made its guest');
    });
  }

  before(async () => {
    admin = new pg.Client({ connectionString: testDatabaseUrl! });
    await admin.connect();
    await admin.query(`create database ${databaseName}`);
    gateway = await startGateway();
    server = await startServerProcess({
      REGULARS_DATA_DIR: freshDataDir(),
      DATABASE_URL: databaseUrl(),
      REGULARS_KEY_FILE: `${freshDataDir()}/regulars.key`,
      REGULARS_SECRET_KEY: SECRET_KEY,
      REGULARS_ADMIN_TOKEN: ADMIN_TOKEN,
      REGULARS_SMS_URL: gateway.url,
      REGULARS_RATE_LIMIT_PER_MINUTE: '1000000',
      REGULARS_METRICS_TOKEN: METRICS_TOKEN,
    });
    server.child.once('exit', (code, signal) => (exitedWith = `exit code ${code}, signal ${signal}`));
  });

  after(async () => {
    await server?.stop();
    await gateway?.close();
    if (admin) {
      await admin.query(`alter database ${databaseName} allow_connections true`).catch(() => {});
      await admin.query(`drop database if exists ${databaseName} with (force)`);
      await admin.end();
    }
  });

  test('its backends terminated ten times under load: the process lives, every call is answered promptly, every Success is kept', async (t) => {
    const stop = { now: false };
    const load = Array.from({ length: TERMINALS }, (_, number) => terminal(number, stop, '1'));
    const from = answers.length;
    let terminated = 0;
    for (let round = 0; round < 10 && !exitedWith; round++) {
      await new Promise((resolve) => setTimeout(resolve, 400));
      terminated += await terminateBackends();
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
    stop.now = true;
    await Promise.all(load);
    assert.equal(exitedWith, null, `the server ended: ${exitedWith}\n${server.output().slice(-3000)}`);

    const during = answers.slice(from);
    t.diagnostic(`backends terminated: ${terminated} in 10 rounds; answers: ${JSON.stringify(summary(during))}`);
    assert.ok(terminated >= 10, 'the rounds found backends to terminate');
    assertPromptAndWellFormed(during);
    assert.ok(during.filter(accepted).length > 50, 'the load went on between the terminations');
    await assertPromisesKept();
    const ledger = await inDatabase(({ db }) => db.selectFrom('ledger_entries').select(['kind', (eb) => eb.fn.countAll<number>().as('count')]).groupBy('kind').execute());
    t.diagnostic(`ledger entries: ${JSON.stringify(Object.fromEntries(ledger.map((row) => [row.kind, Number(row.count)])))}`);
    assert.ok(ledger.some((row) => row.kind === 'spend'), 'guests paid with points under the faults');
    assert.doesNotMatch(server.output(), /Unhandled 'error' event|operation failed unexpectedly|worker loop error/);
  });

  test('the database refuses connections for 3 s: 503 with Retry-After at once, serving again right after, held SMS and queued async call complete', async (t) => {
    // background work in flight when the database goes: the worker sends a confirmation SMS the gateway holds, and
    // an async call waits behind it
    const heldPhone = '79300000001';
    gateway.hold(heldPhone);
    assert.ok(accepted(await persist('Offline.RegisterCustomer', { customer: { mobilePhone: heldPhone } }, { transactionId: randomUUID() })));
    promised.guests.push(heldPhone);
    await until('the worker hands the SMS to the gateway', async () => gateway.received.some((sms) => sms.to === heldPhone));
    const queued = { transactionId: randomUUID(), phone: '79300000002' };
    assert.ok(accepted(await persist('Offline.RegisterCustomer', { customer: { mobilePhone: queued.phone } }, { mode: 'async', transactionId: queued.transactionId })));
    promised.asyncRegistrations.push(queued);

    const stop = { now: false };
    const load = Array.from({ length: TERMINALS }, (_, number) => terminal(number, stop, '2'));
    await new Promise((resolve) => setTimeout(resolve, 500));

    const logFrom = server.output().length;
    await admin.query(`alter database ${databaseName} allow_connections false`);
    await terminateBackends();
    const outageStarted = performance.now();
    gateway.release();
    await new Promise((resolve) => setTimeout(resolve, 200));
    const liveness = await fetch(`${server.url}/health`);
    const readiness = await fetch(`${server.url}/health/ready`);
    const adminList = await fetch(`${server.url}/api/admin/messages`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    const scrapeStarted = performance.now();
    const scrape = await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    const scrapeMs = performance.now() - scrapeStarted;
    const metrics = readScrape(await scrape.text());
    await new Promise((resolve) => setTimeout(resolve, 2800));
    await admin.query(`alter database ${databaseName} allow_connections true`);
    const allowedAt = performance.now();

    // a POS asking every 20 ms: when is it first served again?
    let firstSuccessAt: number | null = null;
    while (firstSuccessAt === null && performance.now() - allowedAt < 10_000) {
      const answer = await send('Offline.CheckCustomer', { customer: { mobilePhone: heldPhone } });
      if (accepted(answer)) firstSuccessAt = answer.at;
      else await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
    stop.now = true;
    await Promise.all(load);
    assert.equal(exitedWith, null, `the server ended: ${exitedWith}\n${server.output().slice(-3000)}`);

    const duringOutage = answers.filter((answer) => answer.at - answer.ms >= outageStarted + 50 && answer.at <= allowedAt);
    const servedAgainMs = firstSuccessAt === null ? Infinity : Math.round(firstSuccessAt - allowedAt);
    t.diagnostic(`during the outage: ${JSON.stringify(summary(duringOutage))}; served again ${servedAgainMs} ms after the database was`);
    assert.ok(duringOutage.length > 20, 'the POS kept calling during the outage');
    assert.ok(duringOutage.every((answer) => answer.httpStatus === 503), 'every call during the outage is answered 503');
    assertPromptAndWellFormed(answers);
    assert.ok(servedAgainMs <= RECOVERY_LIMIT_MS, `served again after ${servedAgainMs} ms`);

    assert.equal(liveness.status, 200, 'liveness does not depend on the database');
    assert.equal(readiness.status, 503, 'readiness does');
    assert.equal(adminList.status, 503);
    assert.equal(scrape.status, 200, 'the metrics answer during the outage');
    assert.ok(scrapeMs < 2000, `a scrape took ${Math.round(scrapeMs)} ms`);
    assert.equal(metrics.value('regulars_database_up'), 0);
    assert.ok(Number.isNaN(metrics.value('regulars_sms_oldest_waiting_age_seconds')), 'what is read from the database is not known');
    assert.equal(metrics.value('regulars_sms_last_24h', { state: 'sent' }), undefined, 'and left out');
    assert.ok(metrics.sum('regulars_protocol_answers_total', { http_status: '503', status: 'InternalServerError' }) > 0, 'the 503s are counted');
    assert.ok(Number(adminList.headers.get('retry-after')) > 0, 'the admin API says when to try again');
    assert.equal((await fetch(`${server.url}/health/ready`)).status, 200);

    await until('the SMS the gateway accepted during the outage is recorded as sent', () =>
      inDatabase(async ({ db }) => (await db.selectFrom('messages').select('status').where('phone', '=', heldPhone).executeTakeFirst())?.status === 'sent'),
    );
    assert.equal(gateway.received.filter((sms) => sms.to === heldPhone).length, 1, 'the guest got the text once');
    const messages = await inDatabase(({ db }) => db.selectFrom('messages').select(['status', (eb) => eb.fn.countAll<number>().as('count')]).groupBy('status').execute());
    t.diagnostic(`SMS by status: ${JSON.stringify(Object.fromEntries(messages.map((row) => [row.status, Number(row.count)])))}`);
    assert.ok(messages.every((row) => row.status !== 'failed'), 'no SMS failed for the outage');
    await assertPromisesKept();

    const outageLog = server.output().slice(logFrom);
    assert.equal(outageLog.match(/the database does not answer/g)?.length, 1, `the outage is logged once:\n${outageLog.slice(0, 3000)}`);
    assert.doesNotMatch(outageLog, /worker loop error|periodic task failed|could not refresh the project|operation failed unexpectedly|"stack"/);
    const unavailableAnswers = answers.filter((answer) => answer.httpStatus === 503).length;
    await until('the operation log holds every call answered 503', () =>
      inDatabase(async ({ db }) => {
        const { count } = await db.selectFrom('operation_log').select((eb) => eb.fn.countAll<number>().as('count')).where('http_status', '=', 503).executeTakeFirstOrThrow();
        return Number(count) === unavailableAnswers;
      }),
    );
  });
});
