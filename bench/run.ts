// `npm run bench`: seeds a database, starts the real server process on it and measures the scenarios
// over HTTP on loopback, on PGlite and (when a URL is given) on PostgreSQL; a bare Fastify server gives
// the scale. Add a scenario in bench/<name>.ts and list it in SCENARIOS.
//   npm run bench -- [--postgres postgres://…] [--only pglite|postgres] [--scenarios orders,catalog,segments,backup] [--concurrency 32] [--requests 3000] [--seconds 30] [--backup-guests 10000]
// TEST_DATABASE_URL is used for PostgreSQL when --postgres is not given.
import { parseArgs } from 'node:util';
import { helloWorldBaseline } from './hello.ts';
import { ordersScenario } from './orders.ts';
import { catalogScenario } from './catalog.ts';
import { rankDelayScenario } from './segments.ts';
import { backupScenario } from './backup.ts';
import { printTable, type ReportRow } from './lib/report.ts';
import type { BenchLimits, BenchScenario } from './lib/scenario.ts';
import { prepareTarget, startBenchServer, type TargetKind } from './lib/target.ts';

const SCENARIOS: BenchScenario[] = [ordersScenario, catalogScenario, rankDelayScenario, backupScenario];

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

async function benchmark(kind: TargetKind): Promise<ReportRow[]> {
  const rows: ReportRow[] = [];
  const target = await prepareTarget(kind, postgresUrl);
  try {
    try {
      for (const scenario of scenarios) rows.push(...((await scenario.seed?.(target.db, kind)) ?? []));
    } finally {
      await target.closeDb();
    }
    const server = await startBenchServer(target);
    try {
      for (const scenario of scenarios) rows.push(...(await scenario.run(server, limits)));
    } finally {
      await server.process.stop();
    }
  } finally {
    await target.destroy();
  }
  return rows;
}

console.log(`Regulars benchmark: concurrency ${limits.concurrency}, at most ${limits.maxRequests} requests or ${values.seconds} s per operation, loopback only`);
if (!postgresUrl) console.log('PostgreSQL skipped: give --postgres postgres://… or TEST_DATABASE_URL');
printTable('Baseline', await helloWorldBaseline(limits));
for (const kind of kinds) printTable(kind === 'pglite' ? 'PGlite (embedded)' : 'PostgreSQL', await benchmark(kind));
