// What a benchmark scenario is. Add one in bench/<name>.ts and list it in bench/run.ts.
import type { Db } from '../../src/db/database.ts';
import type { ReportRow } from './report.ts';
import type { BenchServer, TargetKind } from './target.ts';

export interface BenchLimits {
  concurrency: number;
  /** at most this many requests per measured operation … */
  maxRequests: number;
  /** … and at most this long */
  maxMs: number;
}

export interface BenchScenario {
  name: string;
  /** fills the database before the server starts (in this process, straight SQL or services) */
  seed?(db: Db, kind: TargetKind): Promise<ReportRow[] | void>;
  /** drives the running server over HTTP */
  run(server: BenchServer, limits: BenchLimits): Promise<ReportRow[]>;
}
