// The guests a proposed program would move: into or out of each segment whose definition it changes, and from one
// level to another. Both sides are evaluated now from the orders and points (the current definitions as the
// proposed ones), not read from the stored membership: the difference is the program's alone. Read only.
import { getCustomersByIds } from '../customers/customers.service.ts';
import type { Db } from '../db/database.ts';
import type { SegmentDefinition } from '../project/schemas.ts';
import { membershipDifferences, type MembershipDifference } from '../segments/segments.service.ts';
import type { Programs } from './programs.ts';

export interface SampleGuest {
  id: number;
  /** first and last name, when the guest gave them */
  name: string | null;
}

export interface SegmentShift {
  segment: string;
  /** guests the proposed definition takes in that the current one does not hold */
  entering: number;
  leaving: number;
  /** the first few of each, by id */
  enteringSample: SampleGuest[];
  leavingSample: SampleGuest[];
}

export interface LevelShift {
  /** the level the current program gives (null: none) */
  from: string | null;
  to: string | null;
  guests: number;
  sample: SampleGuest[];
}

export interface GuestShifts {
  segments: SegmentShift[];
  levels: LevelShift[];
}

export async function guestShifts(db: Db, programs: Programs, now: Date, sampleSize: number): Promise<GuestShifts> {
  const currentOf = (names: ReadonlySet<string>): SegmentDefinition[] => programs.current.definition.segments.filter((segment) => names.has(segment.systemName));
  const segmentGroups = programs.replaced.size
    ? await membershipDifferences(db, currentOf(programs.replaced), programs.reevaluated, now, sampleSize)
    : [];
  const levelGroups = programs.levelsChanged
    ? await membershipDifferences(db, programs.currentLevels.segments, programs.proposedLevels.segments, now, sampleSize)
    : [];

  const segments = new Map<string, { segment: string; entering: number; leaving: number; enteringSample: number[]; leavingSample: number[] }>();
  const shift = (segment: string) => segments.get(segment) ?? segments.set(segment, { segment, entering: 0, leaving: 0, enteringSample: [], leavingSample: [] }).get(segment)!;
  for (const name of programs.replaced) shift(name);
  for (const group of segmentGroups) {
    for (const name of group.proposed.filter((segment) => !group.current.includes(segment))) {
      const entry = shift(name);
      entry.entering += group.guests;
      entry.enteringSample = firstIds(entry.enteringSample, group.sample, sampleSize);
    }
    for (const name of group.current.filter((segment) => !group.proposed.includes(segment))) {
      const entry = shift(name);
      entry.leaving += group.guests;
      entry.leavingSample = firstIds(entry.leavingSample, group.sample, sampleSize);
    }
  }

  const levels = new Map<string, { from: string | null; to: string | null; guests: number; sample: number[] }>();
  for (const group of levelGroups) {
    const { from, to } = levelMove(programs, group);
    if (from === to) continue;
    const key = JSON.stringify([from, to]);
    const entry = levels.get(key) ?? levels.set(key, { from, to, guests: 0, sample: [] }).get(key)!;
    entry.guests += group.guests;
    entry.sample = firstIds(entry.sample, group.sample, sampleSize);
  }

  const ids = [...segments.values()].flatMap((entry) => [...entry.enteringSample, ...entry.leavingSample]).concat([...levels.values()].flatMap((entry) => entry.sample));
  const names = new Map((await getCustomersByIds(db, [...new Set(ids)])).map((customer) => [customer.id, [customer.first_name, customer.last_name].filter(Boolean).join(' ') || null]));
  const guests = (sample: number[]): SampleGuest[] => sample.map((id) => ({ id, name: names.get(id) ?? null }));
  return {
    segments: [...segments.values()]
      .sort((a, b) => (a.segment < b.segment ? -1 : 1))
      .map((entry) => ({ ...entry, enteringSample: guests(entry.enteringSample), leavingSample: guests(entry.leavingSample) })),
    levels: [...levels.values()].sort((a, b) => b.guests - a.guests).map((entry) => ({ ...entry, sample: guests(entry.sample) })),
  };
}

function levelMove(programs: Programs, group: MembershipDifference): { from: string | null; to: string | null } {
  return { from: programs.currentLevels.levelOf(new Set(group.current)), to: programs.proposedLevels.levelOf(new Set(group.proposed)) };
}

/** The smallest ids of both, at most `size`. */
function firstIds(kept: number[], more: number[], size: number): number[] {
  return [...new Set([...kept, ...more])].sort((a, b) => a - b).slice(0, size);
}
