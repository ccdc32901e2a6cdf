// What a step's re-evaluation of dependent segments adds to its run log line.
import type { DependentEvaluation } from '../../segments/segments.service.ts';

export function cascadeNote(evaluation: DependentEvaluation): string {
  if (evaluation.status === 'none') return '';
  if (evaluation.status === 'tooDeep') return `; segments ${evaluation.segments.join(', ')} not re-evaluated: too many scenarios in a chain`;
  const { entered, left } = evaluation.change;
  return entered + left === 0 ? '' : `; segments re-evaluated: entered ${entered}, left ${left}`;
}
