// Prints benchmark results as a table.
import type { LoadResult } from './load.ts';

/** Which baseline an operation is measured against: a read (one SELECT by key) or a write transaction. */
export type BaselineKind = 'read' | 'write';

export interface ReportRow extends Partial<LoadResult> {
  name: string;
  /** a free-form figure (seconds of a batch job, rows) for scenarios that are not request loads */
  note?: string;
  /** the baseline whose share of throughput this row is told as */
  baseline?: BaselineKind;
}

/** `rows`, each request load with its share of its baseline's req/s when `baselines` gives it. */
export function printTable(title: string, rows: ReportRow[], baselines?: Partial<Record<BaselineKind, number>>): void {
  console.log(`\n${title}`);
  console.log('operation'.padEnd(52) + 'requests'.padStart(9) + 'failed'.padStart(8) + 'p50 ms'.padStart(9) + 'p95 ms'.padStart(9) + 'p99 ms'.padStart(9) + 'req/s'.padStart(9) + 'share'.padStart(14));
  for (const row of rows) {
    if (row.requests === undefined) {
      console.log(`${row.name.padEnd(51)} ${row.note ?? ''}`);
      continue;
    }
    const base = row.baseline ? baselines?.[row.baseline] : undefined;
    const share = base ? `${((row.perSecond! / base) * 100).toFixed(1)} % ${row.baseline}` : '';
    console.log(
      `${row.name.padEnd(51)} ` +
        String(row.requests).padStart(9) +
        String(row.failures ?? 0).padStart(8) +
        row.p50Ms!.toFixed(1).padStart(9) +
        (row.p95Ms === undefined ? '' : row.p95Ms.toFixed(1)).padStart(9) +
        row.p99Ms!.toFixed(1).padStart(9) +
        row.perSecond!.toFixed(0).padStart(9) +
        share.padStart(14) +
        (row.note ? `  ${row.note}` : ''),
    );
  }
}
