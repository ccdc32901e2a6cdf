// When the daily recalculation is due, and whether the stored membership was computed from the current
// segment definitions. Pure: the caller passes `now`.
import { createHash } from 'node:crypto';
import type { ProjectSettings, SegmentDefinition } from '../project/schemas.ts';
import { localDate, localTime } from '../shared/time-zone.ts';

/** The local day whose daily recalculation may run at `now`: today once the configured time has come, else none. */
export function dailyRecalculationDay(now: Date, settings: Pick<ProjectSettings, 'timeZone' | 'segmentRecalculationTime'>): string | null {
  return localTime(now, settings.timeZone) >= settings.segmentRecalculationTime ? localDate(now, settings.timeZone) : null;
}

const stable = (value: unknown): string =>
  JSON.stringify(value, (_, v) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b))) : v,
  );

/** A fingerprint of what membership depends on (names, match, conditions; not labels): another one means it is stale. */
export function definitionsHash(segments: SegmentDefinition[]): string {
  const sorted = [...segments].sort((a, b) => a.systemName.localeCompare(b.systemName)).map((segment) => [segment.systemName, segment.match, segment.conditions]);
  return createHash('sha256').update(stable(sorted)).digest('hex').slice(0, 16);
}
