// Prints benchmark results as a table.
import type { LoadResult } from './load.ts';

export interface ReportRow extends Partial<LoadResult> {
  name: string;
  /** a free-form figure (seconds of a batch job, rows) for scenarios that are not request loads */
  note?: string;
}

export function printTable(title: string, rows: ReportRow[]): void {
  console.log(`\n${title}`);
  console.log('operation'.padEnd(40) + 'requests'.padStart(9) + 'failed'.padStart(8) + 'p50 ms'.padStart(9) + 'p99 ms'.padStart(9) + 'req/s'.padStart(9));
  for (const row of rows) {
    if (row.requests === undefined) {
      console.log(`${row.name.padEnd(39)} ${row.note ?? ''}`);
      continue;
    }
    console.log(
      `${row.name.padEnd(39)} ` +
        String(row.requests).padStart(9) +
        String(row.failures ?? 0).padStart(8) +
        row.p50Ms!.toFixed(1).padStart(9) +
        row.p99Ms!.toFixed(1).padStart(9) +
        row.perSecond!.toFixed(0).padStart(9) +
        (row.note ? `  ${row.note}` : ''),
    );
  }
}
