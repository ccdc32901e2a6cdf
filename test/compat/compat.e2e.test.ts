// The compatibility suite: request/answer pairs for the 15 iiko operations, in JSON and in XML, written from the
// Mindbox v3 reference (../shared/reference/mindbox-v3-protocol.md: field names, value types, casing, envelopes,
// error answers), replayed in the order of their files against the real server process with the iiko preset.
// Each file (test/compat/NN-*.yaml) names its operation and holds its cases; a case sends `request` and checks
// `expect`. A value in `expect.body` is literal unless it is a matcher:
//   $any $absent $string $number $integer $boolean $date $dateTime $uuid $list
// In an XML answer every value is text, so `$number` accepts "12.5" and a literal 390 matches "390"; the expected
// body is the content of <result> as elements (a list is its wrapper with its singular items). `{{name}}` is a
// value captured from an earlier answer (`capture: {name: path.in.answer}`), `{{code:PHONE:authorization|confirmation:N}}`
// the code of the N-th such SMS the phone received. `expect.notes` are texts the call's operation log entry must
// note; an async call's `expect.run` is what its run by the worker must log. A pair that departs from the reference
// on purpose says why in `deviation`.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { XMLParser } from 'fast-xml-parser';
import { parse as parseYaml } from 'yaml';
import { createTestDatabase, testDatabaseUrl, type TestDatabase } from '../support/db.ts';
import { freshDataDir, startServerProcess, type ServerProcess } from '../support/process.ts';
import { startSmsInbox, type SmsInbox } from '../support/sms-inbox.ts';

const SECRET_KEY = 'compat-suite-secret-key-0123456789';
const ADMIN_TOKEN = 'compat-suite-admin-token-0123456789';
/** The server's clock starts here (and runs on), so the pairs can name fixed times of the days before. */
const CLOCK = '2026-03-04T07:00:00Z';
const DIRECTORY = import.meta.dirname;

interface CompatRequest {
  format?: 'json' | 'xml';
  mode?: 'sync' | 'async';
  /** `new` for a fresh GUID, any other text names one GUID reused wherever the name appears */
  transactionId?: string;
  /** the Accept header, when the answer is asked in the other format */
  accept?: string;
  /** `none` leaves the Authorization header out; `wrong` sends another key; `legacy` the `Mindbox secretKey="…"` form */
  auth?: 'none' | 'wrong' | 'legacy';
  operation?: string;
  /** other query parameters, sent as they are */
  query?: Record<string, string>;
  /** another path than /v3/operations/sync (or async) */
  path?: string;
  body?: unknown;
  /** sent as it is instead of the body: a body that is not well-formed */
  raw?: string;
}

interface CompatCase {
  name: string;
  request: CompatRequest;
  expect: {
    httpStatus?: number;
    body: unknown;
    notes?: string[];
    run?: { status: string; notes?: string[] };
  };
  capture?: Record<string, string>;
  deviation?: string;
}

interface CompatFile {
  operation: string;
  reference: string;
  /** admin API calls that prepare the server for the file's cases */
  setup?: { method: 'GET' | 'POST'; path: string; body?: unknown }[];
  cases: CompatCase[];
}

const xmlParser = new XMLParser({ ignoreAttributes: true, parseTagValue: false, trimValues: true });

let server: ServerProcess;
let database: TestDatabase | null = null;
let inbox: SmsInbox;
const captured = new Map<string, unknown>();
const transactionIds = new Map<string, string>();

before(async () => {
  inbox = await startSmsInbox();
  const storage = testDatabaseUrl ? (database = await createTestDatabase()).env : { REGULARS_DATA_DIR: freshDataDir() };
  server = await startServerProcess({ ...storage, REGULARS_SECRET_KEY: SECRET_KEY, REGULARS_ADMIN_TOKEN: ADMIN_TOKEN, REGULARS_SMS_URL: inbox.url, REGULARS_CLOCK: CLOCK });
});

after(async () => {
  await server?.stop();
  await database?.close();
  await inbox?.close();
});

const CODE_MARKERS = { authorization: 'Код авторизации', confirmation: 'Код подтверждения' } as const;

/** The code of the N-th SMS of a kind the phone received, waiting for it to arrive (the worker sends it). */
async function smsCode(phone: string, kind: keyof typeof CODE_MARKERS, nth: number): Promise<string> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const texts = inbox.to(phone).filter((text) => text.includes(CODE_MARKERS[kind]));
    if (texts.length >= nth) return /(\d{4,8})(?!.*\d{4,8})/.exec(texts[nth - 1])![1];
    if (Date.now() > deadline) throw new Error(`no ${kind} SMS number ${nth} reached ${phone}: ${JSON.stringify(inbox.to(phone))}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** `{{name}}` and `{{code:…}}` placeholders replaced, in strings at any depth; a placeholder alone keeps its value's type. */
async function resolved(value: unknown): Promise<unknown> {
  if (typeof value === 'string') {
    const whole = /^\{\{([^}]+)\}\}$/.exec(value);
    if (whole) return placeholder(whole[1]);
    const parts = value.split(/(\{\{[^}]+\}\})/);
    const texts = await Promise.all(parts.map(async (part) => (/^\{\{[^}]+\}\}$/.test(part) ? String(await placeholder(part.slice(2, -2))) : part)));
    return texts.join('');
  }
  if (Array.isArray(value)) return Promise.all(value.map(resolved));
  if (value && typeof value === 'object') {
    return Object.fromEntries(await Promise.all(Object.entries(value).map(async ([key, item]) => [key, await resolved(item)])));
  }
  return value;
}

async function placeholder(name: string): Promise<unknown> {
  const code = /^code:(\d+):(authorization|confirmation):(\d+)$/.exec(name);
  if (code) return smsCode(code[1], code[2] as keyof typeof CODE_MARKERS, Number(code[3]));
  if (!captured.has(name)) throw new Error(`{{${name}}} was not captured by an earlier case`);
  return captured.get(name);
}

function transactionIdOf(name: string | undefined): string | undefined {
  if (name === undefined) return undefined;
  if (name === 'new') return randomUUID();
  if (!transactionIds.has(name)) transactionIds.set(name, randomUUID());
  return transactionIds.get(name);
}

async function admin(method: string, path: string, body?: unknown) {
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  assert.ok(response.ok, `${method} ${path}: ${response.status} ${text}`);
  return JSON.parse(text) as any;
}

interface LogEntry {
  id: number;
  mode: string;
  status: string;
  notes: string[] | null;
}

async function newestLogEntries(operation: string): Promise<LogEntry[]> {
  return (await admin('GET', `/api/admin/operation-log?operation=${encodeURIComponent(operation)}&limit=5`)).items;
}

/** Every way the answer differs from what is expected, each with its path. */
function mismatches(expected: unknown, actual: unknown, path: string, xml: boolean): string[] {
  if (typeof expected === 'string' && expected.startsWith('$')) {
    const ok = matcherAccepts(expected, actual, xml);
    return ok ? [] : [`${path || '/'}: expected ${expected}, got ${JSON.stringify(actual)}`];
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return [`${path}: expected a list, got ${JSON.stringify(actual)}`];
    if (actual.length !== expected.length) return [`${path}: expected ${expected.length} item(s), got ${actual.length}: ${JSON.stringify(actual)}`];
    return expected.flatMap((item, index) => mismatches(item, actual[index], `${path}/${index}`, xml));
  }
  if (expected && typeof expected === 'object') {
    if (!actual || typeof actual !== 'object' || Array.isArray(actual)) return [`${path}: expected an object, got ${JSON.stringify(actual)}`];
    return Object.entries(expected).flatMap(([key, item]) => {
      const value = (actual as Record<string, unknown>)[key];
      if (item === '$absent') return value === undefined ? [] : [`${path}/${key}: expected to be absent, got ${JSON.stringify(value)}`];
      if (value === undefined) return [`${path}/${key}: missing`];
      return mismatches(item, value, `${path}/${key}`, xml);
    });
  }
  const same = xml ? String(expected) === actual : expected === actual;
  return same ? [] : [`${path}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`];
}

function matcherAccepts(matcher: string, value: unknown, xml: boolean): boolean {
  const text = typeof value === 'string' ? value : null;
  switch (matcher) {
    case '$any':
      return value !== undefined;
    case '$string':
      return text !== null && text !== '';
    case '$number':
      return xml ? text !== null && /^-?\d+(\.\d+)?$/.test(text) : typeof value === 'number' && Number.isFinite(value);
    case '$integer':
      return xml ? text !== null && /^-?\d+$/.test(text) : Number.isInteger(value);
    case '$boolean':
      return xml ? text === 'true' || text === 'false' : typeof value === 'boolean';
    case '$date':
      return text !== null && /^\d{4}-\d{2}-\d{2}$/.test(text);
    case '$dateTime':
      return text !== null && /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?$/.test(text);
    case '$uuid':
      return text !== null && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(text);
    case '$list':
      // an XML list is its wrapper element: its items, or empty text when it has none
      return xml ? (value !== undefined && typeof value === 'object') || value === '' : Array.isArray(value);
    default:
      throw new Error(`unknown matcher ${matcher}`);
  }
}

function valueAt(body: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((node, key) => (node && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined), body);
}

async function replay(operation: string, compat: CompatCase): Promise<void> {
  const request = compat.request;
  const format = request.format ?? 'json';
  const body = await resolved(request.body);
  const query = new URLSearchParams({ endpointId: 'iiko', operation: request.operation ?? operation });
  const transactionId = transactionIdOf(request.transactionId);
  if (transactionId) query.set('transactionId', transactionId);
  for (const [name, value] of Object.entries(request.query ?? {})) query.set(name, value);
  const headers: Record<string, string> = { 'content-type': format === 'xml' ? 'application/xml' : 'application/json' };
  if (request.accept) headers.accept = request.accept;
  if (request.auth === 'legacy') headers.authorization = `Mindbox secretKey="${SECRET_KEY}"`;
  else if (request.auth === 'wrong') headers.authorization = 'SecretKey not-the-key-of-this-integration-point';
  else if (request.auth !== 'none') headers.authorization = `SecretKey ${SECRET_KEY}`;
  const loggedBefore = request.mode === 'async' ? ((await newestLogEntries(operation))[0]?.id ?? 0) : 0;

  const response = await fetch(`${server.url}${request.path ?? `/v3/operations/${request.mode ?? 'sync'}`}?${query}`, {
    method: 'POST',
    headers,
    body: request.raw ?? (format === 'xml' ? String(body) : JSON.stringify(body)),
  });
  const text = await response.text();
  const answerIsXml = (response.headers.get('content-type') ?? '').includes('xml');
  const expectsXml = request.accept ? request.accept.includes('xml') : format === 'xml';
  assert.equal(answerIsXml, expectsXml, `the answer's Content-Type: ${response.headers.get('content-type')}`);
  const answer = answerIsXml ? (xmlParser.parse(text) as { result?: unknown }).result : JSON.parse(text);
  assert.equal(response.status, compat.expect.httpStatus ?? 200, text);
  const problems = mismatches(await resolved(compat.expect.body), answer, '', answerIsXml);
  assert.deepEqual(problems, [], `${problems.join('\n')}\nanswer: ${text}`);
  for (const [name, path] of Object.entries(compat.capture ?? {})) {
    const value = valueAt(answer, path);
    assert.notEqual(value, undefined, `nothing at ${path} to capture as ${name}: ${text}`);
    captured.set(name, answerIsXml && typeof value === 'string' && /^\d+(\.\d+)?$/.test(value) ? Number(value) : value);
  }

  if (compat.expect.notes) {
    const [entry] = await newestLogEntries(request.operation ?? operation);
    for (const note of compat.expect.notes) assert.ok((entry.notes ?? []).some((noted) => noted.includes(note)), `the operation log notes ${JSON.stringify(entry.notes)}, not "${note}"`);
  }
  if (compat.expect.run) {
    // the intake is logged first (its mode is async too), the worker's run after it: the newer of the two
    const deadline = Date.now() + 10_000;
    let run: LogEntry | undefined;
    for (;;) {
      const fresh = (await newestLogEntries(operation)).filter((entry) => entry.id > loggedBefore && entry.mode === 'async');
      if (fresh.length >= 2) {
        run = fresh[0];
        break;
      }
      assert.ok(Date.now() < deadline, 'the worker did not run the async call within 10 s');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.equal(run.status, compat.expect.run.status, JSON.stringify(run));
    for (const note of compat.expect.run.notes ?? []) assert.ok((run.notes ?? []).some((noted) => noted.includes(note)), `the run notes ${JSON.stringify(run.notes)}, not "${note}"`);
  }
}

const files = readdirSync(DIRECTORY)
  .filter((name) => name.endsWith('.yaml'))
  .sort();

for (const name of files) {
  const file = parseYaml(readFileSync(join(DIRECTORY, name), 'utf8')) as CompatFile;
  describe(`${name}: ${file.operation} (${file.reference})`, () => {
    if (file.setup) {
      before(async () => {
        for (const step of file.setup!) await admin(step.method, String(await resolved(step.path)), await resolved(step.body));
      });
    }
    for (const compat of file.cases) {
      it(compat.name, () => replay(file.operation, compat));
    }
  });
}
