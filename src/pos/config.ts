// The POS plugin configuration: the same keys as the iiko Mindbox plugin (`Resto.Front.Api.MindBoxPlugin.dll.config`),
// in .NET appSettings XML or in a flat JSON object, plus two keys of our own (timeout_ms, queue_path). The only
// reader of process.env on the POS side (decision 0602).

import { readFileSync } from 'node:fs';
import { dirname, extname, resolve } from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';

export interface DailyTime {
  hours: number;
  minutes: number;
  seconds: number;
}

export interface PosConfig {
  /** API base URL without a trailing slash, e.g. `http://127.0.0.1:8080` (a bare host in the file means https) */
  server: string;
  /** integration point system name, sent as `endpointId` */
  endpoint: string;
  secretKey: string;
  /** external system of product ids (the key under `product.ids`) */
  productId: string;
  brand: string | null;
  /** balance type (points account) system name */
  balanceName: string;
  /** true: product id = iiko dish guid; false: the dish article */
  sendProductId: boolean;
  /** true: spending points needs an SMS authorization code */
  sendSmsConfirm: boolean;
  /** daily menu upload time (POS local time); null = no automatic upload */
  timeSendProducts: DailyTime | null;
  /** iikoOffice discount that carries the points payment */
  discountType: string | null;
  /** iikoOffice payment type for delivery orders */
  paymentType: string | null;
  timeoutMs: number;
  /** directory of the offline order queue; `loadPosConfig` resolves it against the config file's folder */
  queuePath: string;
}

export type PosConfigFormat = 'json' | 'xml';

export class PosConfigError extends Error {
  readonly problems: string[];

  constructor(problems: string[], source?: string) {
    super(`invalid POS configuration${source ? ` in ${source}` : ''}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'PosConfigError';
    this.problems = problems;
  }
}

export const POS_CONFIG_KEYS = [
  'server',
  'endpoint',
  'secret_key',
  'product_id',
  'brand',
  'balance_name',
  'send_product_id',
  'send_sms_confirm',
  'time_sendProducts',
  'discount_type',
  'payment_type',
  'timeout_ms',
  'queue_path',
] as const;

type PosConfigKey = (typeof POS_CONFIG_KEYS)[number];

const ENVIRONMENT_PREFIX = 'REGULARS_POS_';

/**
 * The overrides of plugin configuration keys from the environment: `REGULARS_POS_<KEY>` (e.g. `REGULARS_POS_SECRET_KEY`,
 * `REGULARS_POS_SEND_SMS_CONFIRM`), returned by the part after the prefix; the simulator maps them to plugin keys.
 */
export function loadPosEnvironment(env: Record<string, string | undefined> = process.env): Record<string, string> {
  const found: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (name.startsWith(ENVIRONMENT_PREFIX) && value !== undefined && value !== '') found[name.slice(ENVIRONMENT_PREFIX.length)] = value;
  }
  return found;
}

/**
 * What a process the simulator starts (the demo's own server) takes from this environment: the search path and the
 * home directory only, so none of an installation's settings (DATABASE_URL, REGULARS_*) can reach it.
 */
export function inheritedEnvironment(env: Record<string, string | undefined> = process.env): Record<string, string> {
  const inherited: Record<string, string> = {};
  for (const name of ['PATH', 'HOME']) {
    const value = env[name];
    if (value !== undefined) inherited[name] = value;
  }
  return inherited;
}

export const DEFAULT_TIMEOUT_MS = 3000;
export const DEFAULT_QUEUE_PATH = './pos-queue';
const TIMEOUT_RANGE_MS = { min: 100, max: 120_000 };

/**
 * Reads and checks a configuration file; the format comes from the extension (.json, .xml, .config) or the first
 * character. `overrides` (plugin key → value, e.g. from the environment or the command line) replace file values.
 */
export function loadPosConfig(path: string, overrides: Record<string, string> = {}): PosConfig {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    throw new PosConfigError([`cannot read the file: ${(error as Error).message}`], path);
  }
  const text = decodeText(bytes);
  const format = formatFromExtension(path) ?? sniffFormat(text);
  if (!format) throw new PosConfigError(['the file is neither a JSON object nor XML'], path);
  try {
    const config = parsePosConfig(text, format, overrides);
    return { ...config, queuePath: resolve(dirname(path), config.queuePath) };
  } catch (error) {
    if (error instanceof PosConfigError) throw new PosConfigError(error.problems, path);
    throw error;
  }
}

export function parsePosConfig(text: string, format: PosConfigFormat, overrides: Record<string, string> = {}): PosConfig {
  const source = text.replace(/^\uFEFF/, '');
  const { entries, problems } = format === 'json' ? readJsonEntries(source) : readXmlEntries(source);
  if (problems.length > 0) throw new PosConfigError(problems);
  for (const [key, value] of Object.entries(overrides)) entries.set(key, value);
  return checkEntries(entries);
}

/** The API base URL from a `server` value: `http(s)://host[:port][/prefix]`, or a bare host meaning https. */
export function serverBaseUrl(value: string): string | null {
  const text = value.trim();
  if (text === '' || /\s/.test(text)) return null;
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `https://${text}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  if (url.hostname === '' || url.username || url.password || url.search || url.hash) return null;
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

type RawValue = string | boolean | number;

interface RawEntries {
  entries: Map<string, RawValue>;
  problems: string[];
}

function readJsonEntries(text: string): RawEntries {
  const entries = new Map<string, RawValue>();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return { entries, problems: [`not valid JSON: ${(error as Error).message}`] };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return { entries, problems: ['the JSON configuration must be an object of key/value pairs'] };
  }
  const problems: string[] = [];
  for (const [key, value] of Object.entries(parsed)) {
    if (typeof value === 'string' || typeof value === 'boolean' || typeof value === 'number') {
      entries.set(key, value);
    } else {
      problems.push(`${key} must be a string, a number or true/false, got ${JSON.stringify(value)}`);
    }
  }
  return { entries, problems };
}

const xmlParser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  isArray: (name) => name === 'add' || name === 'appSettings',
});

function readXmlEntries(text: string): RawEntries {
  const entries = new Map<string, RawValue>();
  const valid = XMLValidator.validate(text);
  if (valid !== true) {
    return { entries, problems: [`not well-formed XML: ${valid.err.msg} (line ${valid.err.line})`] };
  }
  const document = xmlParser.parse(text) as Record<string, unknown>;
  const roots = Object.keys(document).filter((name) => !name.startsWith('?'));
  const root = roots[0];
  let sections: unknown;
  if (root === 'configuration') {
    const configuration = document.configuration;
    sections = typeof configuration === 'object' && configuration !== null ? (configuration as Record<string, unknown>).appSettings : undefined;
  } else if (root === 'appSettings') {
    sections = document.appSettings;
  } else {
    return { entries, problems: [`the XML root must be <configuration> or <appSettings>, got <${root ?? ''}>`] };
  }
  if (!Array.isArray(sections) || sections.length === 0) return { entries, problems: ['the XML has no <appSettings> section'] };
  if (sections.length > 1) return { entries, problems: ['the XML has more than one <appSettings> section'] };

  const problems: string[] = [];
  const section = sections[0];
  if (typeof section !== 'object' || section === null) return { entries, problems };
  for (const name of Object.keys(section)) {
    if (name === 'add') continue;
    if (name.startsWith('@_')) problems.push(`<appSettings> has an unexpected attribute ${name.slice(2)}`);
    else if (name === '#text') problems.push('<appSettings> has text outside <add/> elements');
    else problems.push(`<appSettings> may contain only <add key="…" value="…"/>, got <${name}>`);
  }
  const adds = ((section as Record<string, unknown>).add ?? []) as unknown[];
  adds.forEach((add, index) => {
    const attributes = typeof add === 'object' && add !== null ? (add as Record<string, unknown>) : {};
    const key = attributes['@_key'];
    const value = attributes['@_value'];
    if (typeof key !== 'string' || key === '') {
      problems.push(`<add> number ${index + 1} has no key attribute`);
    } else if (typeof value !== 'string') {
      problems.push(`${key} has no value attribute`);
    } else if (entries.has(key)) {
      problems.push(`${key} is given more than once`);
    } else {
      entries.set(key, value);
    }
  });
  return { entries, problems };
}

function checkEntries(entries: Map<string, RawValue>): PosConfig {
  const problems: string[] = [];
  for (const key of entries.keys()) {
    if ((POS_CONFIG_KEYS as readonly string[]).includes(key)) continue;
    const suggestion = closestKey(key);
    problems.push(`unknown key ${JSON.stringify(key)}${suggestion ? ` (did you mean ${JSON.stringify(suggestion)}?)` : ''}`);
  }

  const text = (key: PosConfigKey): string | undefined => {
    const value = entries.get(key);
    if (value === undefined) return undefined;
    if (typeof value !== 'string') {
      problems.push(`${key} must be a string, got ${JSON.stringify(value)}`);
      return undefined;
    }
    return value.trim();
  };
  const required = (key: PosConfigKey): string => {
    const value = text(key);
    if (value === undefined) {
      if (!entries.has(key)) problems.push(`${key} is missing`);
      return '';
    }
    if (value === '') problems.push(`${key} is empty`);
    return value;
  };
  const optional = (key: PosConfigKey): string | null => {
    const value = text(key);
    return value === undefined || value === '' ? null : value;
  };
  const flag = (key: PosConfigKey): boolean => {
    const value = entries.get(key);
    if (value === undefined) {
      problems.push(`${key} is missing`);
      return false;
    }
    if (typeof value === 'boolean') return value;
    const word = typeof value === 'string' ? value.trim().toLowerCase() : '';
    if (word === 'true' || word === 'false') return word === 'true';
    problems.push(`${key} must be true or false, got ${JSON.stringify(value)}`);
    return false;
  };

  const serverText = required('server');
  const server = serverText === '' ? '' : serverBaseUrl(serverText);
  if (server === null) problems.push(`server must be a URL like http://127.0.0.1:8080 or a host name, got ${JSON.stringify(serverText)}`);

  const config: PosConfig = {
    server: server ?? '',
    endpoint: required('endpoint'),
    secretKey: required('secret_key'),
    productId: required('product_id'),
    brand: optional('brand'),
    balanceName: required('balance_name'),
    sendProductId: flag('send_product_id'),
    sendSmsConfirm: flag('send_sms_confirm'),
    timeSendProducts: dailyTime(entries.get('time_sendProducts'), problems),
    discountType: optional('discount_type'),
    paymentType: optional('payment_type'),
    timeoutMs: timeout(entries.get('timeout_ms'), problems),
    queuePath: optional('queue_path') ?? DEFAULT_QUEUE_PATH,
  };
  if (problems.length > 0) throw new PosConfigError(problems);
  return config;
}

function dailyTime(value: RawValue | undefined, problems: string[]): DailyTime | null {
  if (value === undefined) return null;
  const text = typeof value === 'string' ? value.trim() : '';
  if (typeof value === 'string' && (text === '' || text.toLowerCase() === 'cancel')) return null;
  const match = /^(\d{1,2}):(\d{2}):(\d{2})$/.exec(text);
  const [hours, minutes, seconds] = match ? match.slice(1).map(Number) : [NaN, NaN, NaN];
  if (!match || hours > 23 || minutes > 59 || seconds > 59) {
    problems.push(`time_sendProducts must be a time of day HH:MM:SS, empty or "cancel", got ${JSON.stringify(value)}`);
    return null;
  }
  return { hours, minutes, seconds };
}

function timeout(value: RawValue | undefined, problems: string[]): number {
  if (value === undefined || value === '') return DEFAULT_TIMEOUT_MS;
  const number = typeof value === 'number' ? value : typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(number) || number < TIMEOUT_RANGE_MS.min || number > TIMEOUT_RANGE_MS.max) {
    problems.push(
      `timeout_ms must be a whole number of milliseconds from ${TIMEOUT_RANGE_MS.min} to ${TIMEOUT_RANGE_MS.max}, got ${JSON.stringify(value)}`,
    );
    return DEFAULT_TIMEOUT_MS;
  }
  return number;
}

/** The known key a misspelt one most likely meant: same letters ignoring case and `_`, or at most two edits away. */
function closestKey(key: string): string | null {
  const squash = (s: string) => s.toLowerCase().replace(/[^a-z0-9]/g, '');
  let best: { key: string; distance: number } | null = null;
  for (const known of POS_CONFIG_KEYS) {
    const distance = squash(known) === squash(key) ? 0 : editDistance(key.toLowerCase(), known.toLowerCase());
    if (distance <= 2 && (!best || distance < best.distance)) best = { key: known, distance };
  }
  return best?.key ?? null;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}

/** Windows tools save config files as UTF-8 with a BOM or as UTF-16LE. */
function decodeText(bytes: Buffer): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return bytes.subarray(2).toString('utf16le');
  return bytes.toString('utf8').replace(/^\uFEFF/, '');
}

function formatFromExtension(path: string): PosConfigFormat | null {
  const extension = extname(path).toLowerCase();
  if (extension === '.json') return 'json';
  if (extension === '.xml' || extension === '.config') return 'xml';
  return null;
}

function sniffFormat(text: string): PosConfigFormat | null {
  const first = text.trimStart()[0];
  if (first === '{') return 'json';
  if (first === '<') return 'xml';
  return null;
}
