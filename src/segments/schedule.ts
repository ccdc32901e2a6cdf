// When the daily recalculation is due, and whether the stored membership was computed from the current
// segment definitions. Pure: the caller passes `now`.
import { createHash } from 'node:crypto';
import type { ProjectSettings, SegmentDefinition } from '../project/schemas.ts';

const clockFormats = new Map<string, Intl.DateTimeFormat>();

/** The wall clock of a time zone at a moment: local day 'YYYY-MM-DD' and time 'HH:MM'. */
export function wallClock(moment: Date, timeZone: string): { day: string; time: string } {
  let format = clockFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
    });
    clockFormats.set(timeZone, format);
  }
  const parts = Object.fromEntries(format.formatToParts(moment).map((part) => [part.type, part.value]));
  return { day: `${parts.year}-${parts.month}-${parts.day}`, time: `${parts.hour}:${parts.minute}` };
}

/** The local day whose daily recalculation may run at `now`: today once the configured time has come, else none. */
export function dailyRecalculationDay(now: Date, settings: Pick<ProjectSettings, 'timeZone' | 'segmentRecalculationTime'>): string | null {
  const { day, time } = wallClock(now, settings.timeZone);
  return time >= settings.segmentRecalculationTime ? day : null;
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
