// A backup of a PostgreSQL database is `pg_dump --format=custom` of the schema Regulars works in (its snapshot
// is consistent while the server serves), and a restore is `pg_restore` of it into an empty schema (decision 0015).
import { spawn } from 'node:child_process';
import pg from 'pg';

export class MissingToolError extends Error {}

const INSTALL_HINT = 'install the PostgreSQL client tools of the server\'s major version or newer, e.g. postgresql-client-15 (Debian, Ubuntu: apt install postgresql-client)';

/** Runs a PostgreSQL client tool; resolves with what it printed. */
export function runTool(tool: 'pg_dump' | 'pg_restore', args: string[]): Promise<string> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(tool, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    let errors = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (errors += chunk));
    child.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') reject(new MissingToolError(`${tool} is not installed (or not on PATH): ${INSTALL_HINT}`));
      else reject(error);
    });
    child.on('close', (code) => {
      if (code === 0) resolveRun(output);
      else reject(new Error(`${tool} failed (exit code ${code}): ${errors.trim()}`));
    });
  });
}

/** The schema a connection with this URL works in (the URL may name one with `options=-c search_path=…`). */
export async function schemaOf(url: string): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ schema: string | null }>('select current_schema() as schema');
    if (!rows[0].schema) throw new Error('the database URL names no schema that exists (its search_path)');
    return rows[0].schema;
  } finally {
    await client.end();
  }
}

/** How many tables and sequences the schema holds; 0 when it does not exist. */
export async function relationsIn(url: string, schema: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ count: string }>(
      `select count(*) as count from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = $1 and c.relkind in ('r', 'p', 'S', 'v', 'm')`,
      [schema],
    );
    return Number(rows[0].count);
  } finally {
    await client.end();
  }
}

/**
 * Drops the schema the dump will create (pg_restore creates even `public` when it was dumped): an empty one, or
 * with `withEverythingInIt` (restore --force) whatever it holds.
 */
export async function dropSchema(url: string, schema: string, withEverythingInIt: boolean): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`drop schema if exists ${client.escapeIdentifier(schema)} ${withEverythingInIt ? 'cascade' : 'restrict'}`);
  } finally {
    await client.end();
  }
}

/** The URL as libpq reads it: it takes `%20` for a space in a parameter, never `+` (which URLSearchParams writes). */
function forLibpq(url: string): string {
  const parsed = new URL(url);
  const query = [...parsed.searchParams].map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(value)}`).join('&');
  parsed.search = query ? `?${query}` : '';
  return parsed.toString();
}

export function dumpSchema(url: string, schema: string, file: string): Promise<string> {
  return runTool('pg_dump', ['--format=custom', `--schema=${schema}`, '--no-owner', '--no-privileges', `--file=${file}`, `--dbname=${forLibpq(url)}`]);
}

/** The schema a dump holds, read from its table of contents. */
export async function schemaOfDump(file: string): Promise<string> {
  const contents = await runTool('pg_restore', ['--list', file]);
  const schemas = contents.split('\n').flatMap((line) => /^\d+; \d+ \d+ SCHEMA - (\S+) /.exec(line)?.[1] ?? []);
  if (schemas.length !== 1) throw new Error(`${file} is not a backup of one Regulars schema (it holds ${schemas.length} schemas)`);
  return schemas[0];
}

/** The encryption key's fingerprint the dumped database keeps (server_secrets), read from the file without restoring it. */
export async function keyFingerprintOfDump(file: string): Promise<string | null> {
  const data = await runTool('pg_restore', ['--data-only', '--table=server_secrets', '--file=-', file]);
  const row = data.split('\n').find((line) => line.startsWith('secret-box-fingerprint\t'));
  return row ? row.split('\t')[1] : null;
}

/** The newest migration the dumped database ran, read from the file without restoring it. */
export async function lastMigrationOfDump(file: string): Promise<string | null> {
  const data = await runTool('pg_restore', ['--data-only', '--table=kysely_migration', '--file=-', file]);
  const names = data
    .split('\n')
    .filter((line) => /^\d{4}_|^20\d{6}_/.test(line))
    .map((line) => line.split('\t')[0])
    .sort();
  return names.at(-1) ?? null;
}

export function restoreDump(url: string, file: string): Promise<string> {
  return runTool('pg_restore', ['--no-owner', '--no-privileges', '--exit-on-error', '--single-transaction', `--dbname=${forLibpq(url)}`, file]);
}
