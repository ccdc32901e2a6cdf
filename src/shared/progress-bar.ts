// A one-line progress bar for long command-line work. It draws only on a terminal (redrawing the same
// line), so piped or logged output stays clean; callers print their own summary line either way.
import type { WriteStream } from 'node:tty';

const WIDTH = 30;
const REDRAW_MS = 100;

export interface ProgressBar {
  update(done: number, total: number): void;
  /** clears the bar's line */
  finish(): void;
}

export function progressBar(label: string, stream: NodeJS.WriteStream | WriteStream = process.stderr): ProgressBar {
  if (!stream.isTTY) return { update: () => {}, finish: () => {} };
  let drawnAt = 0;
  let drawn = false;
  return {
    update(done, total) {
      const now = Date.now();
      if (done < total && now - drawnAt < REDRAW_MS) return;
      drawnAt = now;
      const share = total === 0 ? 1 : Math.min(1, done / total);
      const filled = Math.round(share * WIDTH);
      stream.write(`\r${label} [${'#'.repeat(filled)}${'-'.repeat(WIDTH - filled)}] ${done}/${total} (${Math.round(share * 100)} %)`);
      drawn = true;
    },
    finish() {
      if (drawn) stream.write('\r\x1b[2K');
    },
  };
}
