// Runs every *.test.ts under src/ and test/ with node's test runner (Node 20 has no glob for --test).
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const roots = process.argv.slice(2).length ? process.argv.slice(2) : ['src', 'test'];
const files = [];
const walk = (path) => {
  if (statSync(path).isFile()) {
    if (path.endsWith('.test.ts')) files.push(path);
    return;
  }
  for (const entry of readdirSync(path)) {
    if (entry === 'node_modules') continue;
    walk(join(path, entry));
  }
};
for (const root of roots) walk(root);
files.sort();
// No --test-force-exit: with concurrency it can drop the last verdicts of a file and still pass
// (nodejs/node#64833). A test file that leaves a handle open would keep the run waiting instead, so the
// whole run has a deadline; one test has five minutes.
const RUN_DEADLINE_MS = 30 * 60_000;
const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-timeout=300000', ...files], {
  stdio: 'inherit',
  timeout: RUN_DEADLINE_MS,
  killSignal: 'SIGKILL',
});
if (result.error?.code === 'ETIMEDOUT') {
  console.error(`the tests did not end within ${RUN_DEADLINE_MS / 60_000} minutes: a test file probably left a server, a timer or a connection open`);
  process.exit(1);
}
process.exit(result.status ?? 1);
