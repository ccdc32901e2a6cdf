// The browser the console's tests drive: Debian's Chromium, never a downloaded one. Outside CI a machine
// without it skips those tests and says why; under CI (`.ci/run` sets CI) a missing browser fails them.
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type BrowserContextOptions } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

/** The reason to skip the browser tests here, or false to run them (always false under CI). */
export function browserSkipReason(): string | false {
  if (existsSync(CHROMIUM) || process.env.CI) return false;
  return `${CHROMIUM} is not installed (apt-get install -y chromium)`;
}

/**
 * A fresh headless Chromium the way every console test drives it: its own profile, Russian locale and Moscow time,
 * and a minute per step, as CI runs two test files at once on two cores. `options` gives the window or a device.
 */
export async function openBrowser(options: BrowserContextOptions): Promise<BrowserContext> {
  const context = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'regulars-chromium-')), {
    ...options,
    executablePath: CHROMIUM,
    headless: true,
    locale: 'ru-RU',
    timezoneId: 'Europe/Moscow',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  context.setDefaultTimeout(60_000);
  return context;
}
