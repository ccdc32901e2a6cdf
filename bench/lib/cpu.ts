// CPU time spent by the server process and by PostgreSQL while a load ran: a figure that stays meaningful
// when the machine is shared, unlike throughput. Linux only (/proc); elsewhere the note is left out.
import { readdirSync, readFileSync } from 'node:fs';

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

/** CPU ms of every process named postgres (the server and all its sessions, whoever they serve). */
function postgresCpuMs(): number | null {
  let total = 0;
  try {
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
        if (!stat.includes('(postgres)')) continue;
        const fields = stat.replace(/^.*\) /, '').split(' ');
        total += ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
      } catch {
        // the process ended meanwhile
      }
    }
  } catch {
    return null;
  }
  return total;
}

/** Runs `work` and describes the CPU per request it cost the server process (and PostgreSQL, when local). */
export async function withCpu<T extends { requests: number }>(serverPid: number | undefined, work: () => Promise<T>): Promise<T & { cpuNote?: string }> {
  const serverBefore = serverPid === undefined ? null : processCpuMs(serverPid);
  const postgresBefore = postgresCpuMs();
  const result = await work();
  const serverAfter = serverPid === undefined ? null : processCpuMs(serverPid);
  const postgresAfter = postgresCpuMs();
  if (serverBefore === null || serverAfter === null || result.requests === 0) return result;
  const perRequest = (before: number, after: number) => ((after - before) / result.requests).toFixed(2);
  const postgres = postgresBefore !== null && postgresAfter !== null && postgresAfter > postgresBefore ? `, PostgreSQL ${perRequest(postgresBefore, postgresAfter)}` : '';
  return { ...result, cpuNote: `CPU ms/req: server ${perRequest(serverBefore, serverAfter)}${postgres}` };
}
