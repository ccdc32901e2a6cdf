// `npm run bench`: seeds a database, starts the real server process on it and measures the scenarios
// over HTTP on loopback, on PGlite and (when a URL is given) on PostgreSQL. Bare Fastify servers give the
// scale (bench/baseline.ts): an operation's req/s is printed as a share of its baseline's, measured on the
// same database before and after the scenarios. Add a scenario in bench/<name>.ts and list it in SCENARIOS.
//   npm run bench -- [--postgres postgres://…] [--only pglite|postgres] [--scenarios orders,catalog,segments,backup,simulation,campaigns] [--concurrency 32] [--requests 3000] [--seconds 30] [--backup-guests 10000]
// TEST_DATABASE_URL is used for PostgreSQL when --postgres is not given.
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { databaseBaselines, helloWorldBaseline, type Baselines } from './baseline.ts';
import { ordersScenario } from './orders.ts';
import { catalogScenario } from './catalog.ts';
import { rankDelayScenario } from './segments.ts';
import { backupScenario } from './backup.ts';
import { simulationScenario } from './simulation.ts';
import { campaignsScenario } from './campaigns.ts';
import { mb, processMemory } from './lib/memory.ts';
import { printTable, type ReportRow } from './lib/report.ts';
import type { BenchLimits, BenchScenario } from './lib/scenario.ts';
import { prepareTarget, startBenchServer, type TargetKind } from './lib/target.ts';

const SCENARIOS: BenchScenario[] = [ordersScenario, catalogScenario, rankDelayScenario, backupScenario, simulationScenario, campaignsScenario];

const { values } = parseArgs({
  options: {
    postgres: { type: 'string' },
    only: { type: 'string' },
    scenarios: { type: 'string' },
    concurrency: { type: 'string', default: '32' },
    requests: { type: 'string', default: '3000' },
    seconds: { type: 'string', default: '30' },
    'backup-guests': { type: 'string' },
  },
});

const limits: BenchLimits = {
  concurrency: Number(values.concurrency),
  maxRequests: Number(values.requests),
  maxMs: Number(values.seconds) * 1000,
};
const chosen = values.scenarios ? new Set(values.scenarios.split(',')) : null;
const scenarios = SCENARIOS.filter((scenario) => !chosen || chosen.has(scenario.name));
const postgresUrl = values.postgres ?? process.env.TEST_DATABASE_URL ?? null;
const kinds: TargetKind[] = (['pglite', 'postgres'] as const).filter(
  (kind) => (!values.only || values.only === kind) && (kind === 'pglite' || postgresUrl !== null),
);

/** How long the server idles after its start before its resident memory is read. */
const IDLE_AFTER_START_MS = 5000;

/** The server's start on the seeded database: its time to serving and its resident memory. */
async function startRow(startMs: number, pid: number | undefined): Promise<ReportRow> {
  const atStart = processMemory(pid);
  await sleep(IDLE_AFTER_START_MS);
  const idle = processMemory(pid);
  const memory = atStart && idle ? `; resident memory ${mb(atStart.peak)} at most while starting, ${mb(idle.now)} idle ${IDLE_AFTER_START_MS / 1000} s later` : '';
  return { name: 'server start', note: `${(startMs / 1000).toFixed(2)} s to serving on the seeded database${memory}` };
}

/**
 * The scenarios on one database, between two measurements of its baselines (their mean is the scale: the
 * machine's load drifts over the minutes a run takes).
 */
async function benchmark(kind: TargetKind): Promise<{ rows: ReportRow[]; baselines: Baselines }> {
  const rows: ReportRow[] = [];
  const label = kind === 'pglite' ? 'PGlite' : 'PostgreSQL';
  const target = await prepareTarget(kind, postgresUrl);
  try {
    try {
      for (const scenario of scenarios) rows.push(...((await scenario.seed?.(target.db, kind)) ?? []));
    } finally {
      await target.closeDb();
    }
    const starting = performance.now();
    const server = await startBenchServer(target);
    try {
      rows.push(await startRow(performance.now() - starting, server.process.child.pid));
      const before = await databaseBaselines(kind, postgresUrl, limits, `${label}, before`);
      rows.push(...before.rows);
      for (const scenario of scenarios) rows.push(...(await scenario.run(server, limits)));
      const after = await databaseBaselines(kind, postgresUrl, limits, `${label}, after`);
      rows.push(...after.rows);
      const mean = (a: number, b: number) => (a + b) / 2;
      return { rows, baselines: { read: mean(before.baselines.read, after.baselines.read), write: mean(before.baselines.write, after.baselines.write) } };
    } finally {
      await server.process.stop();
    }
  } finally {
    await target.destroy();
  }
}

console.log(`Regulars benchmark: concurrency ${limits.concurrency}, at most ${limits.maxRequests} requests or ${values.seconds} s per operation, loopback only`);
if (!postgresUrl) console.log('PostgreSQL skipped: give --postgres postgres://… or TEST_DATABASE_URL');
printTable('Baseline', await helloWorldBaseline(limits));
for (const kind of kinds) {
  const { rows, baselines } = await benchmark(kind);
  // shares of the mean of the baselines measured before and after the scenarios
  printTable(kind === 'pglite' ? 'PGlite (embedded)' : 'PostgreSQL', rows, baselines);
}
