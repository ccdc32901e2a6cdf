// Runs every *.test.ts under src/ and test/ with node's test runner (Node 20 has no glob for --test).
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { buildServerBundle } from './build-server.mjs';

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
// The end-to-end files (server processes, restarts, backups) take a minute or more each: they start first, so the
// run does not end with one of them alone on a core while the other has nothing left to do.
const isEndToEnd = (file) => file.includes('.e2e.');
files.sort((a, b) => Number(isEndToEnd(b)) - Number(isEndToEnd(a)) || a.localeCompare(b));

// REGULARS_TESTS=database (CI's second pass, on PostgreSQL) runs only the tests whose outcome can depend on the
// database: the first pass ran every test on PGlite, and a test that opens no database, starts no server and drives
// no browser runs the same on both. The console's browser tests run in the first pass only: they drive the same
// admin API that the API tests run against both databases. The rest of the suite runs on both.
const USES_A_DATABASE = /support\/(app|db|process|pos\/|sms-inbox|tcp-proxy|wallet|metrics)|installation\.ts|TEST_DATABASE_URL|testDatabaseUrl|openDatabase|createTestApp|createTestDatabase|createEmptyTestDatabase|\/db\/database|ServerProcess|startServer|spawn/;
const DRIVES_A_BROWSER = /support\/browser/;
if (process.env.REGULARS_TESTS === 'database') {
  const all = files.length;
  const chosen = files.filter((file) => {
    const text = readFileSync(file, 'utf8');
    return USES_A_DATABASE.test(text) && !DRIVES_A_BROWSER.test(text);
  });
  files.splice(0, files.length, ...chosen);
  console.log(`REGULARS_TESTS=database: ${files.length} of ${all} test files (those that use a database, browser tests aside)`);
} else if (process.env.REGULARS_TESTS) {
  console.error(`REGULARS_TESTS is "database" or unset, not "${process.env.REGULARS_TESTS}"`);
  process.exit(2);
}
// node --test without files would look for tests by its own rules, not run nothing
if (files.length === 0) {
  console.error(`no test files under ${roots.join(', ')}`);
  process.exit(1);
}
// the end-to-end tests start the compiled server (test/support/process.ts): build it once, before the files run
buildServerBundle();

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
