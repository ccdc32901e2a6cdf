import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadPosConfig, loadPosEnvironment, parsePosConfig, PosConfigError, type PosConfig } from './config.ts';

const examples = join(dirname(fileURLToPath(import.meta.url)), 'examples');

const expectedExample: Omit<PosConfig, 'queuePath'> = {
  server: 'http://127.0.0.1:8080',
  endpoint: 'iiko',
  secretKey: 'change-me-to-the-printed-secret-key',
  productId: 'iiko',
  brand: null,
  balanceName: 'Bonus',
  sendProductId: true,
  sendSmsConfirm: true,
  timeSendProducts: { hours: 3, minutes: 0, seconds: 0 },
  discountType: 'Mindbox Bonus',
  paymentType: 'MindBoxBonus',
  timeoutMs: 3000,
};

const minimal = {
  server: 'http://127.0.0.1:8080',
  endpoint: 'iiko',
  secret_key: 'k',
  product_id: 'iiko',
  balance_name: 'Bonus',
  send_product_id: 'false',
  send_sms_confirm: 'false',
};

function xml(settings: Record<string, string>, root: 'configuration' | 'appSettings' = 'configuration'): string {
  const adds = Object.entries(settings)
    .map(([key, value]) => `    <add key="${key}" value="${value}"/>`)
    .join('\n');
  const section = `<appSettings>\n${adds}\n  </appSettings>`;
  return root === 'configuration' ? `<?xml version="1.0" encoding="utf-8"?>\n<configuration>\n  ${section}\n</configuration>` : section;
}

function problemsOf(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof PosConfigError, `expected PosConfigError, got ${String(error)}`);
    return error.problems;
  }
  assert.fail('the configuration was accepted');
}

test('the shipped XML and JSON examples load to the same typed configuration, queue folder beside the file', () => {
  const fromXml = loadPosConfig(join(examples, 'plugin.config.xml'));
  const fromJson = loadPosConfig(join(examples, 'plugin.config.json'));
  const { queuePath, ...rest } = fromXml;
  assert.deepEqual(rest, expectedExample);
  assert.equal(queuePath, join(examples, 'pos-queue'));
  assert.deepEqual(fromJson, fromXml);
});

test('a minimal file gets the defaults: 3 s timeout, ./pos-queue, optional names null, menu upload off', () => {
  const config = parsePosConfig(JSON.stringify(minimal), 'json');
  assert.equal(config.timeoutMs, 3000);
  assert.equal(config.queuePath, './pos-queue');
  assert.equal(config.brand, null);
  assert.equal(config.discountType, null);
  assert.equal(config.paymentType, null);
  assert.equal(config.timeSendProducts, null);
  assert.equal(config.sendProductId, false);
  assert.equal(config.sendSmsConfirm, false);
});

test('appSettings may be the XML root; values are trimmed and booleans are case-insensitive', () => {
  const config = parsePosConfig(
    xml({ ...minimal, secret_key: '  s3cret  ', send_sms_confirm: 'True', brand: 'Cafe', time_sendProducts: 'cancel' }, 'appSettings'),
    'xml',
  );
  assert.equal(config.secretKey, 's3cret');
  assert.equal(config.sendSmsConfirm, true);
  assert.equal(config.brand, 'Cafe');
  assert.equal(config.timeSendProducts, null);
});

test('a bare host means https; a trailing slash and a path prefix are kept tidy', () => {
  const server = (value: string) => parsePosConfig(JSON.stringify({ ...minimal, server: value }), 'json').server;
  assert.equal(server('api.example.ru'), 'https://api.example.ru');
  assert.equal(server('loyalty.local:8443'), 'https://loyalty.local:8443');
  assert.equal(server('http://127.0.0.1:8080/'), 'http://127.0.0.1:8080');
  assert.equal(server('https://proxy.example.ru/regulars/'), 'https://proxy.example.ru/regulars');
});

test('the format is sniffed when the extension says nothing; .config files are XML; a UTF-8 BOM is fine', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pos-config-'));
  try {
    writeFileSync(join(dir, 'settings'), JSON.stringify(minimal));
    writeFileSync(join(dir, 'Resto.Front.Api.MindBoxPlugin.dll.config'), `\uFEFF${xml(minimal)}`);
    assert.equal(loadPosConfig(join(dir, 'settings')).endpoint, 'iiko');
    const fromConfig = loadPosConfig(join(dir, 'Resto.Front.Api.MindBoxPlugin.dll.config'));
    assert.equal(fromConfig.secretKey, 'k');
    assert.equal(fromConfig.queuePath, join(dir, 'pos-queue'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('every problem is reported at once, each naming its key', () => {
  const problems = problemsOf(() =>
    parsePosConfig(
      xml({
        sever: 'http://127.0.0.1:8080',
        endpoint: 'iiko',
        product_id: '',
        balance_name: 'Bonus',
        send_product_id: 'true',
        send_sms_confirm: 'yes',
        time_sendProducts: '25:00:00',
        timeout_ms: 'soon',
        secretKey: 'x',
      }),
      'xml',
    ),
  );
  assert.deepEqual(problems.sort(), [
    'product_id is empty',
    'secret_key is missing',
    'send_sms_confirm must be true or false, got "yes"',
    'server is missing',
    'time_sendProducts must be a time of day HH:MM:SS, empty or "cancel", got "25:00:00"',
    'timeout_ms must be a whole number of milliseconds from 100 to 120000, got "soon"',
    'unknown key "secretKey" (did you mean "secret_key"?)',
    'unknown key "sever" (did you mean "server"?)',
  ]);
});

test('the error message lists the file and every problem', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pos-config-'));
  try {
    const path = join(dir, 'plugin.json');
    writeFileSync(path, JSON.stringify({ ...minimal, endpoint: undefined, colour: 'red' }));
    assert.throws(
      () => loadPosConfig(path),
      (error: unknown) =>
        error instanceof PosConfigError &&
        error.message.includes(path) &&
        error.message.includes('endpoint is missing') &&
        error.message.includes('unknown key "colour"') &&
        !error.message.includes('did you mean'),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('wrong value types and bad server values are named', () => {
  assert.deepEqual(problemsOf(() => parsePosConfig(JSON.stringify({ ...minimal, product_id: 42, send_product_id: 1, timeout_ms: 5 }), 'json')), [
    'product_id must be a string, got 42',
    'send_product_id must be true or false, got 1',
    'timeout_ms must be a whole number of milliseconds from 100 to 120000, got 5',
  ]);
  assert.deepEqual(problemsOf(() => parsePosConfig(JSON.stringify({ ...minimal, brand: { name: 'x' } }), 'json')), [
    'brand must be a string, a number or true/false, got {"name":"x"}',
  ]);
  for (const server of ['ftp://host', 'http://user:pw@host', 'http://host/?a=1', 'not a host']) {
    assert.deepEqual(problemsOf(() => parsePosConfig(JSON.stringify({ ...minimal, server }), 'json')), [
      `server must be a URL like http://127.0.0.1:8080 or a host name, got ${JSON.stringify(server)}`,
    ]);
  }
  assert.deepEqual(problemsOf(() => parsePosConfig(JSON.stringify({ ...minimal, send_sms_confirm: undefined }), 'json')), ['send_sms_confirm is missing']);
});

test('broken files are reported, not thrown as parser exceptions', () => {
  assert.match(problemsOf(() => parsePosConfig('{"server": ', 'json'))[0], /^not valid JSON/);
  assert.deepEqual(problemsOf(() => parsePosConfig('["server"]', 'json')), ['the JSON configuration must be an object of key/value pairs']);
  assert.match(problemsOf(() => parsePosConfig('<configuration><appSettings></configuration>', 'xml'))[0], /^not well-formed XML/);
  assert.deepEqual(problemsOf(() => parsePosConfig('<settings/>', 'xml')), ['the XML root must be <configuration> or <appSettings>, got <settings>']);
  assert.deepEqual(problemsOf(() => parsePosConfig('<configuration><startup/></configuration>', 'xml')), ['the XML has no <appSettings> section']);
  assert.deepEqual(problemsOf(() => loadPosConfig(join(tmpdir(), 'no-such-dir', 'plugin.xml'))).length, 1);
});

test('XML oddities: duplicate keys, missing attributes, foreign elements', () => {
  const text = `<configuration><appSettings>
    <add key="server" value="http://127.0.0.1:8080"/>
    <add key="server" value="http://127.0.0.1:9090"/>
    <add key="endpoint"/>
    <add value="orphan"/>
    <clear/>
    <add key="secret_key" value="k"/><add key="product_id" value="iiko"/><add key="balance_name" value="Bonus"/>
    <add key="send_product_id" value="true"/><add key="send_sms_confirm" value="false"/>
  </appSettings></configuration>`;
  assert.deepEqual(problemsOf(() => parsePosConfig(text, 'xml')), [
    '<appSettings> may contain only <add key="…" value="…"/>, got <clear>',
    'server is given more than once',
    'endpoint has no value attribute',
    '<add> number 4 has no key attribute',
  ]);
});

test('XML entities in values are decoded', () => {
  const config = parsePosConfig(xml({ ...minimal, discount_type: 'Bonus &amp; Co' }), 'xml');
  assert.equal(config.discountType, 'Bonus & Co');
});

test('the environment overrides are the non-empty REGULARS_POS_* variables, by the part after the prefix', () => {
  const environment = { REGULARS_POS_SECRET_KEY: 'env-key', REGULARS_POS_BRAND: '', REGULARS_SECRET_KEY: 'server-key', PATH: '/bin' };
  assert.deepEqual(loadPosEnvironment(environment), { SECRET_KEY: 'env-key' });
});
