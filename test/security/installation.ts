// An installation as an attacker meets it in the security tests of the console: the real server process on a
// database of its own (PGlite in a data directory, or a schema on TEST_DATABASE_URL), console users, the command
// line run as an operator runs it, and plain HTTP with the address a trusted proxy would name (X-Forwarded-For).
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { addUser } from '../../src/admin/users.service.ts';
import { loadConfig } from '../../src/config.ts';
import type { AdminRole } from '../../src/db/schema.ts';
import { openApp } from '../../src/main.ts';
import { createTestDatabase, testDatabaseUrl, type TestDatabase } from '../support/db.ts';
import { freshDataDir, startServerProcess, type ServerProcess, regularsCommand, spawnArgs } from '../support/process.ts';

const ROOT = join(import.meta.dirname, '..', '..');

export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  json: () => any;
}

export interface Session {
  cookie: string;
  csrfToken: string;
}

export interface RequestOptions {
  method?: string;
  headers?: Record<string, string>;
  /** sent as JSON unless it is a string */
  body?: unknown;
  /** the client's address, as the trusted proxy in front would name it */
  from?: string;
  session?: Session;
  bearer?: string;
}

export async function request(base: string, path: string, options: RequestOptions = {}): Promise<Answer> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.from) headers['x-forwarded-for'] = options.from;
  if (options.session) Object.assign(headers, { cookie: options.session.cookie, 'x-csrf-token': options.session.csrfToken });
  if (options.bearer) headers.authorization = `Bearer ${options.bearer}`;
  let body: string | undefined;
  if (typeof options.body === 'string') body = options.body;
  else if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['content-type'] ??= 'application/json';
  }
  const response = await fetch(`${base}${path}`, { method: options.method ?? (body === undefined ? 'GET' : 'POST'), headers, body });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, json: () => JSON.parse(text) };
}

export function signInAttempt(base: string, credentials: { name: string; password: string } | { token: string }, from?: string): Promise<Answer> {
  return request(base, '/api/auth/login', { body: credentials, from, headers: { origin: base } });
}

export async function signIn(base: string, credentials: { name: string; password: string } | { token: string }, from?: string): Promise<Session> {
  const answer = await signInAttempt(base, credentials, from);
  if (answer.status !== 200) throw new Error(`sign-in answered ${answer.status}: ${answer.text}`);
  return { cookie: String(answer.headers.get('set-cookie')).split(';')[0], csrfToken: answer.json().csrfToken };
}

export interface Installation {
  /** what the server and the command line are started with */
  env: Record<string, string>;
  /** what the first start printed once: the preset's key and the admin token, unless the environment set them */
  firstStart: { secretKey: string | null; adminToken: string | null };
  server: ServerProcess;
  /** stops the server (if it runs) and starts it again with `env` and `extra` */
  restart(extra?: Record<string, string>): Promise<ServerProcess>;
  /** stops the server, so the command line may open the embedded database */
  stop(): Promise<void>;
  /** runs `regulars …` as an operator would, on the same database */
  cli(args: string[], extra?: Record<string, string>): Promise<{ code: number | null; output: string }>;
  close(): Promise<void>;
}

export async function startInstallation(env: Record<string, string>, users: { name: string; role: AdminRole; password: string }[]): Promise<Installation> {
  const database: TestDatabase | null = testDatabaseUrl ? await createTestDatabase() : null;
  const base = { ...(database ? database.env : { REGULARS_DATA_DIR: freshDataDir() }), ...env };
  const opened = await openApp(loadConfig({ ...base, LOG_LEVEL: 'silent' }));
  const firstStart = { secretKey: opened.init.secretKey, adminToken: opened.init.adminToken };
  try {
    for (const user of users) await addUser(opened.app.db, user);
  } finally {
    await opened.close();
  }
  let server: ServerProcess | null = null;
  const installation: Installation = {
    env: base,
    firstStart,
    get server() {
      if (!server) throw new Error('the server is not running');
      return server;
    },
    async restart(extra = {}) {
      await server?.stop();
      server = null;
      server = await startServerProcess({ ...base, ...extra });
      return server;
    },
    async stop() {
      await server?.stop();
      server = null;
    },
    cli(args, extra = {}) {
      const child = spawn(...spawnArgs(regularsCommand([...args])), {
        cwd: ROOT,
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LOG_LEVEL: 'warn', ...base, ...extra },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout.on('data', (chunk) => (output += chunk));
      child.stderr.on('data', (chunk) => (output += chunk));
      return new Promise((resolve) => child.once('exit', (code) => resolve({ code, output })));
    },
    async close() {
      await server?.stop();
      await database?.close();
    },
  };
  await installation.restart();
  return installation;
}
