// Where the installation's files are (package.json, ui/dist, examples/): found from this module's place, which is
// src/shared/ when the server runs its TypeScript and dist/ when it runs the compiled bundle (decision 0025).
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

function packageRootFrom(start: string): string {
  for (let directory = start; ; directory = dirname(directory)) {
    if (existsSync(join(directory, 'package.json'))) return directory;
    if (dirname(directory) === directory) throw new Error(`no package.json above ${start}`);
  }
}

export const PACKAGE_ROOT = packageRootFrom(import.meta.dirname);
