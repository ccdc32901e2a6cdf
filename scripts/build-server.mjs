// Compiles the server (src/ → dist/regulars.mjs, and the two worker threads beside it) when a source is newer
// than the build, so `npm start` runs JavaScript, not the TypeScript loader: a start loads in a fraction of the
// time (decision 0025). Plain JavaScript itself, so checking the build costs no loader either. Run by `npm start`,
// `bin/regulars.js`, the tests (scripts/test.mjs and test/support/process.ts) and the benchmarks.
import { existsSync, mkdirSync, readdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
export const SERVER_BUNDLE = join(dist, 'regulars.mjs');

/** The entries: the command line, and each worker thread's own file (src/shared/worker-thread.ts finds them by name). */
const ENTRIES = ['src/cli.ts', 'src/project/project-file.worker.ts', 'src/backup/file-work.worker.ts'];
const outputName = (entry) => (entry === 'src/cli.ts' ? 'regulars' : basename(entry, '.ts'));

function newestSource() {
  let newest = Math.max(statSync(join(root, 'package-lock.json')).mtimeMs, statSync(fileURLToPath(import.meta.url)).mtimeMs);
  const walk = (path) => {
    for (const entry of readdirSync(path, { withFileTypes: true })) {
      const full = join(path, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (!entry.name.endsWith('.test.ts')) newest = Math.max(newest, statSync(full).mtimeMs);
    }
  };
  walk(join(root, 'src'));
  return newest;
}

const isStale = () => !existsSync(SERVER_BUNDLE) || statSync(SERVER_BUNDLE).mtimeMs < newestSource();

/**
 * Builds dist/ when it is stale (or `force`); true when it built. Each file is written beside its place and
 * renamed into it, the bundle last, so a process starting meanwhile (another test file) reads a whole build.
 */
export function buildServerBundle({ force = false } = {}) {
  if (!force && !isStale()) return false;
  const result = buildSync({
    absWorkingDir: root,
    entryPoints: ENTRIES.map((entry) => ({ in: entry, out: outputName(entry) })),
    outdir: dist,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // the dependencies load from node_modules as they are (PGlite finds its WebAssembly beside itself)
    packages: 'external',
    sourcemap: 'linked',
    write: false,
    logLevel: 'warning',
  });
  mkdirSync(dist, { recursive: true });
  const files = [...result.outputFiles].sort((a, b) => (a.path === SERVER_BUNDLE) - (b.path === SERVER_BUNDLE));
  for (const file of files) {
    const temporary = `${file.path}.${process.pid}.tmp`;
    writeFileSync(temporary, file.contents);
    renameSync(temporary, file.path);
  }
  return true;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    buildServerBundle({ force: process.argv.includes('--force') });
  } catch (error) {
    process.stderr.write(`Could not compile the server: ${error.message}\n`);
    process.exit(1);
  }
}
