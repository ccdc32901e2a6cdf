// CPU time spent by the server process and by PostgreSQL while a load ran: a figure that stays meaningful
// when the machine is shared, unlike throughput. Linux only (/proc); elsewhere the note is left out.
// PostgreSQL's share counts its own background processes (WAL writer, checkpointer, autovacuum: work our
// writes cause) and the sessions of the measured server only, found by the application_name the bench gave
// its connections: the sessions of others sharing the PostgreSQL server (colleagues' tests) are left out.
import { readdirSync, readFileSync } from 'node:fs';
import pg from 'pg';

const TICKS_PER_SECOND = 100;

/** utime + stime of one process in ms, or null when /proc cannot tell. */
function processCpuMs(pid: number): number | null {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
    // after "pid (comm) ", utime and stime are the 12th and 13th fields
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
  } catch {
    return null;
  }
}

/** A client session's title is "postgres: <cluster>: <user> <database> <address>(<port>) <state>"; background processes name their role. */
const CLIENT_SESSION = /^postgres: (?:\S+: )?\S+ \S+ (?:\[local\]|\S+\(\d+\)|\S+)(?: |$)/;
const BACKGROUND = /^postgres: (?:\S+: )?(?:checkpointer|background writer|walwriter|autovacuum|logical replication|archiver|stats collector)/;

/** The pids of PostgreSQL's sessions whose application_name is `name`. */
async function sessionsNamed(url: string, name: string): Promise<Set<number>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ pid: number }>('select pid from pg_stat_activity where application_name = $1', [name]);
    return new Set(rows.map((row) => row.pid));
  } finally {
    await client.end();
  }
}

/** CPU ms per postgres process that counts: background processes, and the sessions in `ours`. */
function postgresCpuByPid(ours: Set<number>): Map<number, number> | null {
  const cpu = new Map<number, number>();
  try {
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      const pid = Number(entry);
      try {
        const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
        if (!stat.includes('(postgres)')) continue;
        const title = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
        const counts = ours.has(pid) || BACKGROUND.test(title) || !CLIENT_SESSION.test(title);
        if (!counts) continue;
        const fields = stat.replace(/^.*\) /, '').split(' ');
        cpu.set(pid, ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND);
      } catch {
        // the process ended meanwhile
      }
    }
  } catch {
    return null;
  }
  return cpu;
}

/** How to tell which PostgreSQL sessions are the measured server's. */
export interface PostgresSessions {
  url: string;
  applicationName: string;
}

export interface CpuPerRequest {
  serverMs: number;
  postgresMs?: number;
}

/** Runs `work` and measures the CPU per request it cost the server process (and PostgreSQL, when local). */
export async function withCpu<T extends { requests: number }>(
  serverPid: number | undefined,
  work: () => Promise<T>,
  postgres?: PostgresSessions,
): Promise<T & { cpu?: CpuPerRequest; cpuNote?: string }> {
  const oursBefore = postgres ? await sessionsNamed(postgres.url, postgres.applicationName) : new Set<number>();
  const serverBefore = serverPid === undefined ? null : processCpuMs(serverPid);
  const postgresBefore = postgres ? postgresCpuByPid(oursBefore) : null;
  const result = await work();
  const serverAfter = serverPid === undefined ? null : processCpuMs(serverPid);
  // sessions opened during the load count from zero
  const oursAfter = postgres ? await sessionsNamed(postgres.url, postgres.applicationName) : new Set<number>();
  const postgresAfter = postgres ? postgresCpuByPid(new Set([...oursBefore, ...oursAfter])) : null;
  if (serverBefore === null || serverAfter === null || result.requests === 0) return result;
  let postgresSpent: number | undefined;
  if (postgresBefore && postgresAfter) {
    postgresSpent = 0;
    for (const [pid, after] of postgresAfter) postgresSpent += after - (postgresBefore.get(pid) ?? 0);
  }
  const cpu: CpuPerRequest = {
    serverMs: (serverAfter - serverBefore) / result.requests,
    ...(postgresSpent === undefined ? {} : { postgresMs: postgresSpent / result.requests }),
  };
  const postgresNote = cpu.postgresMs === undefined ? '' : `, PostgreSQL ${cpu.postgresMs.toFixed(2)}`;
  return { ...result, cpu, cpuNote: `CPU ms/req: server ${cpu.serverMs.toFixed(2)}${postgresNote}` };
}
