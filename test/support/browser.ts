// The browser the console's tests drive: Debian's Chromium, never a downloaded one. Outside CI a machine
// without it skips those tests and says why; under CI (`.ci/run` sets CI) a missing browser fails them.
import { existsSync } from 'node:fs';

export const CHROMIUM = '/usr/bin/chromium';

/** The reason to skip the browser tests here, or false to run them (always false under CI). */
export function browserSkipReason(): string | false {
  if (existsSync(CHROMIUM) || process.env.CI) return false;
  return `${CHROMIUM} is not installed (apt-get install -y chromium)`;
}
