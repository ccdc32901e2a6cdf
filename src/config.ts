// The only reader of process.env. Parsed once, validated with zod, frozen.
import { join } from 'node:path';
import { z } from 'zod';
import { isTimeZone } from './shared/time-zone.ts';

const flag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off'])
  .transform((value) => ['true', '1', 'yes', 'on'].includes(value));

const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().min(1).default('127.0.0.1'),
  REGULARS_DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
    .optional(),
  REGULARS_SECRET_KEY: z.string().min(16, 'must be at least 16 characters').optional(),
  REGULARS_ADMIN_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  REGULARS_ENCRYPTION_KEY: z
    .string()
    .refine((text) => Buffer.from(text.trim(), 'base64').length === 32, '32 random bytes in base64 (openssl rand -base64 32)')
    .optional(),
  REGULARS_KEY_FILE: z.string().min(1).optional(),
  REGULARS_SMS_URL: z
    .string()
    .regex(/^(outbox:|smpp:\/\/|https?:\/\/)/, 'must be outbox:, smpp://… or http(s)://…')
    .default('outbox:'),
  REGULARS_PHONE_CONFIRMATION: flag.default(true),
  REGULARS_ROLE: z.enum(['all', 'api', 'worker']).default('all'),
  REGULARS_BODY_LIMIT_MB: z.coerce.number().positive().max(512).default(64),
  REGULARS_ORDER_BODY_LIMIT_KB: z.coerce.number().positive().max(512 * 1024).default(1024),
  REGULARS_CALL_BODY_LIMIT_KB: z.coerce.number().positive().max(512 * 1024).default(64),
  REGULARS_UPLOAD_TIMEOUT_SECONDS: z.coerce.number().int().positive().max(3600).default(120),
  REGULARS_CONNECTIONS_PER_ADDRESS: z.coerce.number().int().min(0).default(64),
  REGULARS_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().positive().default(8000),
  REGULARS_OPERATION_LOG_RETENTION_DAYS: z.coerce.number().int().positive().default(30),
  REGULARS_IDEMPOTENCY_RETENTION_DAYS: z.coerce.number().int().positive().default(30),
  REGULARS_OUTBOX_RETENTION_DAYS: z.coerce.number().int().positive().default(7),
  REGULARS_SCENARIO_RUN_RETENTION_DAYS: z.coerce.number().int().positive().default(90),
  REGULARS_SMS_TEXT_RETENTION_DAYS: z.coerce.number().int().positive().default(30),
  REGULARS_SMS_RETENTION_DAYS: z.coerce.number().int().positive().default(365),
  REGULARS_WORKER_POLL_MS: z.coerce.number().int().positive().default(250),
  REGULARS_TIMEZONE: z.string().refine(isTimeZone, 'must be an IANA time zone, e.g. Europe/Moscow').optional(),
  REGULARS_METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  REGULARS_TRUST_PROXY: flag.default(false),
  REGULARS_CLOCK: z.iso.datetime({ offset: true, message: 'must be an ISO 8601 instant such as 2027-01-11T00:05:00Z' }).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  REGULARS_PUBLIC_URL: z.url({ protocol: /^https?$/, error: 'must be the https:// address guests reach the server at' }).optional(),
  REGULARS_APPLE_PASS_TYPE_ID: z.string().regex(/^pass\.[A-Za-z0-9.-]+$/, 'must be a pass type identifier, e.g. pass.ru.example.loyalty').optional(),
  REGULARS_APPLE_TEAM_ID: z.string().regex(/^[A-Z0-9]{10}$/, 'must be the 10-character team identifier').optional(),
  REGULARS_APPLE_PASS_CERT: z.string().min(1).optional(),
  REGULARS_APPLE_PASS_KEY: z.string().min(1).optional(),
  REGULARS_APPLE_PASS_KEY_PASSPHRASE: z.string().min(1).optional(),
  REGULARS_APPLE_WWDR_CERT: z.string().min(1).optional(),
  REGULARS_APPLE_PUSH_URL: z.url({ protocol: /^https$/, error: 'must be an https:// address' }).default('https://api.push.apple.com'),
  REGULARS_APPLE_PUSH_CA: z.string().min(1).optional(),
  REGULARS_GOOGLE_ISSUER_ID: z.string().regex(/^\d{1,30}$/, 'must be the issuer id of the Google Pay & Wallet Console (digits)').optional(),
  REGULARS_GOOGLE_CLASS_ID: z
    .string()
    .regex(/^[\w.-]{1,200}$/, 'must be the loyalty class id (<issuer id>.<suffix>) or its suffix: letters, digits, ".", "_", "-"')
    .optional(),
  REGULARS_GOOGLE_KEY_FILE: z.string().min(1).optional(),
  REGULARS_GOOGLE_SERVICE_ACCOUNT: z.email('must be the service account\'s e-mail').optional(),
  REGULARS_GOOGLE_WALLET_API_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s):// address' }).default('https://walletobjects.googleapis.com/walletobjects/v1'),
  REGULARS_GOOGLE_TOKEN_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s):// address' }).default('https://oauth2.googleapis.com/token'),
});

export interface Config {
  readonly port: number;
  readonly host: string;
  readonly dataDir: string;
  readonly databaseUrl: string | null;
  readonly secretKey: string | null;
  readonly adminToken: string | null;
  /** the master key of the secret box (base64), when configured rather than kept in the key file */
  readonly encryptionKey: string | null;
  /** where the master key is kept when not configured; null for a throw-away (memory://) database */
  readonly keyFile: string | null;
  readonly smsUrl: string;
  readonly phoneConfirmation: boolean;
  readonly role: 'all' | 'api' | 'worker';
  /** the catalogue upload's largest body, and the largest of any request (decision 0014) */
  readonly bodyLimitBytes: number;
  /** the largest body of a bill: preorders, orders, offline orders, status changes, returns */
  readonly orderBodyLimitBytes: number;
  /** the largest body of every other protocol call */
  readonly callBodyLimitBytes: number;
  /** how long the catalogue upload (and so any request) may take to arrive */
  readonly uploadTimeoutMs: number;
  /** sockets one client address may hold open; 0: no cap (behind a reverse proxy the peer is the proxy) */
  readonly connectionsPerAddress: number;
  readonly rateLimitPerMinute: number;
  readonly operationLogRetentionDays: number;
  /** how long a spent transactionId (and a finished async call) is remembered: a POS may retry after days offline */
  readonly idempotencyRetentionDays: number;
  /** how long outbox jobs that are done stay (parked ones stay until an operator deals with them) */
  readonly outboxRetentionDays: number;
  readonly scenarioRunRetentionDays: number;
  /** how long an SMS keeps its (masked) text; the row itself stays `smsRetentionDays` */
  readonly smsTextRetentionDays: number;
  readonly smsRetentionDays: number;
  readonly workerPollMs: number;
  /** the time zone the preset gives the project at the first start (then the project's settings.timeZone rules); null: the preset's */
  readonly timeZone: string | null;
  /** the bearer token of GET /metrics; null: no /metrics (it answers 404) */
  readonly metricsToken: string | null;
  /** behind a reverse proxy that terminates https and sets X-Forwarded-Proto */
  readonly trustProxy: boolean;
  /** where the server's clock starts (it runs on from there); null: the real time. For tests and demos. */
  readonly clockStart: Date | null;
  readonly logLevel: string;
  /** the guest's card page and Wallet passes (decision 0023) */
  readonly guestCard: GuestCardConfig;
  /** the environment as the process started, for project secrets that name a variable (`${env:NAME}`, decision 0008) */
  readonly environment: Readonly<Record<string, string>>;
}

/** Apple Wallet: the pass type's certificate and key (files), Apple's WWDR certificate, and where pushes go. */
export interface AppleWalletConfig {
  passTypeIdentifier: string;
  teamIdentifier: string;
  certificateFile: string;
  keyFile: string;
  keyPassphrase: string | null;
  wwdrCertificateFile: string;
  pushUrl: string;
  /** certificates to trust for the push endpoint instead of the system's (a private relay; tests) */
  pushCaFile: string | null;
}

/** Google Wallet: the issuer and its loyalty class, the service account's key, and where the API and tokens are. */
export interface GoogleWalletConfig {
  issuerId: string;
  /** the whole id, `<issuer id>.<suffix>` */
  classId: string;
  /** the service account's JSON key file (client_email, private_key) or a PEM private key */
  keyFile: string;
  /** the service account's e-mail; null: the JSON key file's `client_email` */
  serviceAccount: string | null;
  /** the Wallet API's base, `…/walletobjects/v1` */
  apiUrl: string;
  tokenUrl: string;
}

export interface GuestCardConfig {
  /** the address guests reach the server at (Apple's web service, the origin of Google's save link); null: no Apple passes */
  publicUrl: string | null;
  apple: AppleWalletConfig | null;
  google: GoogleWalletConfig | null;
}

export class ConfigError extends Error {}

type Setting = keyof z.output<typeof envSchema>;

interface WalletSettings {
  required: readonly Setting[];
  /** settings that turn the wallet on as well, though it can go without them */
  optional: readonly Setting[];
  needsPublicUrl: boolean;
}

const APPLE_SETTINGS: WalletSettings = {
  required: ['REGULARS_APPLE_PASS_TYPE_ID', 'REGULARS_APPLE_TEAM_ID', 'REGULARS_APPLE_PASS_CERT', 'REGULARS_APPLE_PASS_KEY', 'REGULARS_APPLE_WWDR_CERT'],
  optional: [],
  needsPublicUrl: true,
};

// the save link names the server's origin when it is known; Google calls nothing back
const GOOGLE_SETTINGS: WalletSettings = {
  required: ['REGULARS_GOOGLE_ISSUER_ID', 'REGULARS_GOOGLE_CLASS_ID', 'REGULARS_GOOGLE_KEY_FILE'],
  optional: ['REGULARS_GOOGLE_SERVICE_ACCOUNT'],
  needsPublicUrl: false,
};

/** A wallet is on when all of its settings are given; some but not all is a mistake said at start. */
function walletSettings(e: z.output<typeof envSchema>, settings: WalletSettings, wallet: string): boolean {
  const given = [...settings.required, ...settings.optional].filter((name) => e[name] !== undefined);
  if (given.length === 0) return false;
  const missing: string[] = settings.required.filter((name) => e[name] === undefined);
  if (settings.needsPublicUrl && !e.REGULARS_PUBLIC_URL) missing.push('REGULARS_PUBLIC_URL');
  if (missing.length) throw new ConfigError(`invalid configuration:\n  ${wallet} passes need ${missing.join(', ')} as well`);
  return true;
}

/** The loyalty class's whole id: a suffix gets the issuer's id in front; a whole id must be the issuer's. */
function googleClassId(issuerId: string, classId: string): string {
  if (!classId.includes('.')) return `${issuerId}.${classId}`;
  if (!classId.startsWith(`${issuerId}.`) || classId.length === issuerId.length + 1) {
    throw new ConfigError(`invalid configuration:\n  REGULARS_GOOGLE_CLASS_ID: ${classId} is not a class of issuer ${issuerId} (give <issuer id>.<suffix>, or the suffix alone)`);
  }
  return classId;
}

function guestCardConfig(e: z.output<typeof envSchema>): GuestCardConfig {
  const apple = walletSettings(e, APPLE_SETTINGS, 'Apple Wallet');
  const google = walletSettings(e, GOOGLE_SETTINGS, 'Google Wallet');
  return {
    publicUrl: e.REGULARS_PUBLIC_URL?.replace(/\/+$/, '') ?? null,
    apple: apple
      ? {
          passTypeIdentifier: e.REGULARS_APPLE_PASS_TYPE_ID!,
          teamIdentifier: e.REGULARS_APPLE_TEAM_ID!,
          certificateFile: e.REGULARS_APPLE_PASS_CERT!,
          keyFile: e.REGULARS_APPLE_PASS_KEY!,
          keyPassphrase: e.REGULARS_APPLE_PASS_KEY_PASSPHRASE ?? null,
          wwdrCertificateFile: e.REGULARS_APPLE_WWDR_CERT!,
          pushUrl: e.REGULARS_APPLE_PUSH_URL.replace(/\/+$/, ''),
          pushCaFile: e.REGULARS_APPLE_PUSH_CA ?? null,
        }
      : null,
    google: google
      ? {
          issuerId: e.REGULARS_GOOGLE_ISSUER_ID!,
          classId: googleClassId(e.REGULARS_GOOGLE_ISSUER_ID!, e.REGULARS_GOOGLE_CLASS_ID!),
          keyFile: e.REGULARS_GOOGLE_KEY_FILE!,
          serviceAccount: e.REGULARS_GOOGLE_SERVICE_ACCOUNT ?? null,
          apiUrl: e.REGULARS_GOOGLE_WALLET_API_URL.replace(/\/+$/, ''),
          tokenUrl: e.REGULARS_GOOGLE_TOKEN_URL,
        }
      : null,
  };
}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`invalid configuration:\n  ${lines.join('\n  ')}`);
  }
  const e = parsed.data;
  return Object.freeze({
    port: e.PORT,
    host: e.HOST,
    dataDir: e.REGULARS_DATA_DIR,
    databaseUrl: e.DATABASE_URL ?? null,
    secretKey: e.REGULARS_SECRET_KEY ?? null,
    adminToken: e.REGULARS_ADMIN_TOKEN ?? null,
    encryptionKey: e.REGULARS_ENCRYPTION_KEY ?? null,
    keyFile: e.REGULARS_KEY_FILE ?? (e.REGULARS_DATA_DIR.includes('://') ? null : join(e.REGULARS_DATA_DIR, 'regulars.key')),
    smsUrl: e.REGULARS_SMS_URL,
    phoneConfirmation: e.REGULARS_PHONE_CONFIRMATION,
    role: e.REGULARS_ROLE,
    bodyLimitBytes: Math.round(e.REGULARS_BODY_LIMIT_MB * 1024 * 1024),
    orderBodyLimitBytes: Math.round(e.REGULARS_ORDER_BODY_LIMIT_KB * 1024),
    callBodyLimitBytes: Math.round(e.REGULARS_CALL_BODY_LIMIT_KB * 1024),
    uploadTimeoutMs: e.REGULARS_UPLOAD_TIMEOUT_SECONDS * 1000,
    connectionsPerAddress: e.REGULARS_CONNECTIONS_PER_ADDRESS,
    rateLimitPerMinute: e.REGULARS_RATE_LIMIT_PER_MINUTE,
    operationLogRetentionDays: e.REGULARS_OPERATION_LOG_RETENTION_DAYS,
    idempotencyRetentionDays: e.REGULARS_IDEMPOTENCY_RETENTION_DAYS,
    outboxRetentionDays: e.REGULARS_OUTBOX_RETENTION_DAYS,
    scenarioRunRetentionDays: e.REGULARS_SCENARIO_RUN_RETENTION_DAYS,
    smsTextRetentionDays: e.REGULARS_SMS_TEXT_RETENTION_DAYS,
    smsRetentionDays: e.REGULARS_SMS_RETENTION_DAYS,
    workerPollMs: e.REGULARS_WORKER_POLL_MS,
    timeZone: e.REGULARS_TIMEZONE ?? null,
    metricsToken: e.REGULARS_METRICS_TOKEN ?? null,
    trustProxy: e.REGULARS_TRUST_PROXY,
    clockStart: e.REGULARS_CLOCK ? new Date(e.REGULARS_CLOCK) : null,
    logLevel: e.LOG_LEVEL,
    guestCard: guestCardConfig(e),
    environment: Object.freeze(present as Record<string, string>),
  });
}
