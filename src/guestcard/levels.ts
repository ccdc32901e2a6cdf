// A guest's level and the way to the next one, in money. The project says what a level is: a scenario writes the
// level field (`Rank`) with a value when the guest enters a segment, and that segment's `paidTotal` condition says
// how much the guest has to pay within its window. The ladder is read from there, so the page never disagrees
// with the programme.
import type { ProjectDefinition } from '../project/schemas.ts';

export interface Level {
  value: string;
  /** kopecks paid within the window that reach this level (0: the first level) */
  thresholdMinor: number;
  windowDays: number;
}

/** The levels the project's scenarios write into `field`, lowest first; levels whose segment pays no threshold are left out. */
export function levelLadder(project: Pick<ProjectDefinition, 'scenarios' | 'segments'>, field: string): Level[] {
  const levels = new Map<string, Level>();
  for (const scenario of project.scenarios) {
    for (const branch of scenario.branches) {
      const step = branch.steps.find((s) => s.type === 'setCustomField' && s.field === field);
      if (!step || step.type !== 'setCustomField' || typeof step.value !== 'string') continue;
      for (const condition of branch.conditions) {
        if (condition.type !== 'inSegment') continue;
        const paid = project.segments.find((segment) => segment.systemName === condition.segment)?.conditions.find((c) => c.type === 'paidTotal');
        if (paid?.type !== 'paidTotal') continue;
        levels.set(step.value, { value: step.value, thresholdMinor: Math.round((paid.atLeast ?? 0) * 100), windowDays: paid.windowDays });
      }
    }
  }
  return [...levels.values()].sort((a, b) => a.thresholdMinor - b.thresholdMinor);
}

export interface LevelProgress {
  current: string | null;
  next: { value: string; missingMinor: number; windowDays: number } | null;
  /** 0..1 of the way from the current level's threshold to the next one's */
  share: number;
}

/**
 * Where a guest stands: `current` is the level field's value (none yet: the level the payments reach), `paidMinor`
 * what they paid within the window.
 */
export function levelProgress(ladder: Level[], current: string | null, paidMinor: number): LevelProgress {
  let at = ladder.findIndex((level) => level.value === current);
  if (at < 0) at = ladder.filter((level) => level.thresholdMinor <= paidMinor).length - 1;
  const reached = at >= 0 ? ladder[at] : null;
  const next = ladder[at + 1];
  const shown = current ?? reached?.value ?? null;
  if (!next) return { current: shown, next: null, share: 1 };
  const from = reached?.thresholdMinor ?? 0;
  const share = Math.min(1, Math.max(0, (paidMinor - from) / Math.max(1, next.thresholdMinor - from)));
  return { current: shown, next: { value: next.value, missingMinor: Math.max(0, next.thresholdMinor - paidMinor), windowDays: next.windowDays }, share };
}
