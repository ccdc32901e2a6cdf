// Builds the admin console (ui/ → ui/dist) when its sources are newer than the build, so `npm start` and
// the browser tests always serve the current pages; `--force` builds anyway.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const ui = join(root, 'ui');
const built = join(ui, 'dist', 'index.html');

function newestSource(): number {
  let newest = 0;
  const walk = (path: string): void => {
    const stat = statSync(path);
    if (stat.isDirectory()) {
      for (const entry of readdirSync(path)) if (entry !== 'dist' && entry !== 'node_modules') walk(join(path, entry));
    } else newest = Math.max(newest, stat.mtimeMs);
  };
  walk(ui);
  newest = Math.max(newest, statSync(join(root, 'package-lock.json')).mtimeMs);
  return newest;
}

export function uiIsStale(): boolean {
  return !existsSync(built) || statSync(built).mtimeMs < newestSource();
}

export async function buildUi({ force = false, quiet = false }: { force?: boolean; quiet?: boolean } = {}): Promise<boolean> {
  if (!force && !uiIsStale()) return false;
  const { build } = await import('vite');
  await build({ configFile: join(ui, 'vite.config.ts'), logLevel: quiet ? 'warn' : 'info' });
  return true;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const force = process.argv.includes('--force');
  buildUi({ force }).then(
    (didBuild) => {
      if (!didBuild) process.stdout.write('The admin console is up to date (ui/dist).\n');
    },
    (error: Error) => {
      process.stderr.write(`Could not build the admin console: ${error.message}\n`);
      process.exit(1);
    },
  );
}
