// Which POS configuration the simulator runs with: a plugin config file (the bundled example by default),
// `REGULARS_POS_<KEY>` environment overrides, then `--server` and `--key`.

import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { loadPosConfig, POS_CONFIG_KEYS, PosConfigError, type PosConfig } from '../config.ts';

/** The checkout's root, above this file's place: src/pos/simulator/ run as TypeScript, dist/ in the server's bundle. */
function checkoutRoot(): string {
  let directory = import.meta.dirname;
  while (!existsSync(join(directory, 'package.json')) && dirname(directory) !== directory) directory = dirname(directory);
  return directory;
}

export const EXAMPLE_CONFIG = join(checkoutRoot(), 'src', 'pos', 'examples', 'plugin.config.json');
export const SAMPLE_MENU = join(checkoutRoot(), 'examples', 'iiko-nomenclature.json');
/** where the queue and journal live when the bundled example config is used, relative to the working directory */
export const EXAMPLE_QUEUE_PATH = 'pos-data';

export interface PosCommandOptions {
  config?: string;
  server?: string;
  key?: string;
  menu?: string;
}

/** `REGULARS_POS_SECRET_KEY` → `secret_key`, `REGULARS_POS_TIME_SENDPRODUCTS` → `time_sendProducts`. */
export function overridesFromEnvironment(variables: Record<string, string>, cwd = process.cwd()): Record<string, string> {
  const overrides: Record<string, string> = {};
  const problems: string[] = [];
  for (const [suffix, value] of Object.entries(variables)) {
    const key = POS_CONFIG_KEYS.find((candidate) => candidate.toLowerCase() === suffix.toLowerCase());
    if (!key) {
      problems.push(`REGULARS_POS_${suffix} is not a plugin key (known: ${POS_CONFIG_KEYS.map((k) => `REGULARS_POS_${k.toUpperCase()}`).join(', ')})`);
      continue;
    }
    overrides[key] = key === 'queue_path' ? resolve(cwd, value) : value;
  }
  if (problems.length > 0) throw new PosConfigError(problems, 'the environment');
  return overrides;
}

export function resolvePosConfig(options: PosCommandOptions, environment: Record<string, string>, cwd = process.cwd()): PosConfig {
  const path = options.config ? resolve(cwd, options.config) : EXAMPLE_CONFIG;
  const overrides = overridesFromEnvironment(environment, cwd);
  if (!options.config && overrides.queue_path === undefined) overrides.queue_path = resolve(cwd, EXAMPLE_QUEUE_PATH);
  if (options.server !== undefined) overrides.server = options.server;
  if (options.key !== undefined) overrides.secret_key = options.key;
  return loadPosConfig(path, overrides);
}
