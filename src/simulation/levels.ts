// A program's levels, read from its definitions: the segments whose entry sets the guest's `Rank` (the preset's
// Rank scenario: enteredSegment on RankGold, RankSilver, RankBronze; the first branch whose segment conditions
// hold sets the value), so a simulation can tell what level a guest would have under a proposed program without
// running the scenario. `Rank` is the field the cashier's text and the dashboard show.
import type { ProjectDefinition, ScenarioCondition, ScenarioDefinition, SegmentDefinition } from '../project/schemas.ts';

export const LEVEL_FIELD = 'Rank';

export interface Levels {
  /** the level segments, in the program's order */
  segments: SegmentDefinition[];
  /** the level value a guest in these level segments gets (null: none) */
  levelOf(memberOf: ReadonlySet<string>): string | null;
}

const setsLevel = (scenario: ScenarioDefinition) =>
  scenario.trigger.event === 'enteredSegment' &&
  scenario.branches.some((branch) => branch.steps.some((step) => step.type === 'setCustomField' && step.field === LEVEL_FIELD));

/** A branch condition read on segment membership alone; any other kind of condition does not hold here. */
function holds(condition: ScenarioCondition, memberOf: ReadonlySet<string>): boolean {
  if (condition.type === 'inSegment') return memberOf.has(condition.segment);
  if (condition.type === 'notInSegment') return !memberOf.has(condition.segment);
  return false;
}

export function levelsOf(project: Pick<ProjectDefinition, 'scenarios' | 'segments'>): Levels {
  const scenario = project.scenarios.find(setsLevel);
  if (!scenario) return { segments: [], levelOf: () => null };
  const names = new Set(scenario.trigger.segments ?? []);
  return {
    segments: project.segments.filter((segment) => names.has(segment.systemName)),
    levelOf(memberOf) {
      const branch = scenario.branches.find((candidate) => candidate.conditions.every((condition) => holds(condition, memberOf)));
      const step = branch?.steps.find((candidate) => candidate.type === 'setCustomField' && candidate.field === LEVEL_FIELD);
      return step?.type === 'setCustomField' && step.value !== null ? String(step.value) : null;
    },
  };
}

/** Whether two programs give levels differently: other level segments, other conditions, other values. */
export function levelsDiffer(current: Pick<ProjectDefinition, 'scenarios' | 'segments'>, proposed: Pick<ProjectDefinition, 'scenarios' | 'segments'>): boolean {
  const rules = (project: Pick<ProjectDefinition, 'scenarios' | 'segments'>) =>
    JSON.stringify({ segments: levelsOf(project).segments, scenario: project.scenarios.find(setsLevel) ?? null });
  return rules(current) !== rules(proposed);
}
