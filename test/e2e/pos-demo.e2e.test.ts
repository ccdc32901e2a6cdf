// `regulars pos demo` as an operator runs it: the whole cashier flow against the server it starts itself,
// every check passing; and a non-zero exit at the first answer that is not what the cashier should see.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { closedPort } from '../support/pos/scripted-server.ts';
import { regularsCommand, spawnArgs } from '../support/process.ts';

const ROOT = join(import.meta.dirname, '..', '..');

function regulars(args: string[], timeoutMs: number): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(...spawnArgs(regularsCommand([...args])), {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`regulars ${args.join(' ')} did not finish in time:\n${output}`));
    }, timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

test('regulars pos demo runs the whole flow against its own server and every check passes', async () => {
  const { code, output } = await regulars(['pos', 'demo'], 240_000);
  assert.equal(code, 0, output);
  for (const step of [
    /✓ the server took the menu/,
    /the guest's phone got the confirmation SMS: "Код подтверждения: \d+"/,
    /✓ the phone is confirmed with the code from the SMS/,
    /✓ the earned \d+ points are credited after payment/,
    /the guest's phone got the authorization SMS: "Код авторизации: \d+"/,
    /✓ the balance is reduced by the points spent and raised by the points earned/,
    /✓ spent points came back and earned points were taken back/,
    /Offline\.AuthorizedPreorder: unreachable: connection refused/,
    /✓ each queued order was delivered once/,
    /✓ the offline order earned its \d+ points, once/,
    /Demo finished: all \d+ checks passed\./,
  ]) {
    assert.match(output, step);
  }
  assert.match(output, /Guest \+7 999 \*\*\*-\*\*-\d\d, rank Bronze/, 'receipts mask the phone');
});

test('regulars pos demo stops with a non-zero exit code at the first answer the cashier should not see', async () => {
  const port = await closedPort();
  const { code, output } = await regulars(['pos', 'demo', '--server', `http://127.0.0.1:${port}`, '--key', 'no-such-key-0123456789'], 60_000);
  assert.equal(code, 1, output);
  assert.match(output, /✗ the server took the menu — connection refused/);
  assert.doesNotMatch(output, /Demo finished/);
});
