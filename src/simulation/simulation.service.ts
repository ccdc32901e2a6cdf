// What a proposed program would do before it is live (issue 15; decision 0019): the guests it would move between
// segments and levels, a sample bill priced by both programs, and the paid orders of the last days replayed under
// both. Nothing is written: the proposal is validated as a plan is, and held in memory only.
import type { Db } from '../db/database.ts';
import { proposeProject } from '../project/project.service.ts';
import type { SecretValues } from '../project/secret-values.ts';
import { ProjectSnapshot } from '../project/snapshot.ts';
import type { ProjectProblem } from '../project/validate.ts';
import { guestShifts, type GuestShifts } from './guests.ts';
import { comparePrograms } from './programs.ts';
import { replayPaidOrders, type Replay } from './replay.ts';
import { priceSampleBill, type SampleBill, type SampleBillResult } from './sample-bill.ts';

const DAY_MS = 86_400_000;
/** orders read per page of a replay */
const REPLAY_PAGE = 2_000;
/** the most orders one replay prices (twice each) */
export const REPLAY_LIMIT = 200_000;

export interface SimulationRequest {
  /** a project file, as a plan takes it: what it does not mention stays as it is */
  file: unknown;
  /** the replay's period: the last `days` days up to now */
  days: number;
  bill?: Omit<SampleBill, 'at'> & { at?: Date };
  /** guests named per group of moved guests */
  sampleSize: number;
}

export interface Simulation {
  ok: true;
  /** the entities the proposal changes, by id (kind/key); nothing changed: the simulation shows no difference */
  changed: string[];
  guests: GuestShifts;
  replay: Replay;
  bill: SampleBillResult | null;
  durationMs: number;
}

export async function simulateProgram(
  db: Db,
  current: ProjectSnapshot,
  request: SimulationRequest,
  options: { secrets?: SecretValues; now: Date },
): Promise<Simulation | { ok: false; problems: ProjectProblem[] }> {
  const started = performance.now();
  const proposal = await proposeProject(db, request.file, { secrets: options.secrets });
  if (!proposal.ok) return proposal;
  const programs = comparePrograms(current, new ProjectSnapshot(proposal.proposed, current.version));
  const bill = request.bill ? await priceSampleBill(db, programs, { ...request.bill, at: request.bill.at ?? options.now }) : null;
  const guests = await guestShifts(db, programs, options.now, request.sampleSize);
  const replay = await replayPaidOrders(db, programs, {
    from: new Date(options.now.getTime() - request.days * DAY_MS),
    to: options.now,
    now: options.now,
    pageSize: REPLAY_PAGE,
    limit: REPLAY_LIMIT,
  });
  return {
    ok: true,
    changed: [...proposal.plan.created, ...proposal.plan.changed],
    guests,
    replay,
    bill,
    durationMs: Math.round(performance.now() - started),
  };
}
