import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { OfflineQueue } from './offline-queue.ts';

const here = dirname(fileURLToPath(import.meta.url));
const projectRoot = resolve(here, '..', '..');

function order(number: number) {
  return {
    operation: 'Offline.SaveOfflineOrder',
    transactionId: `tx-${number}`,
    body: { executionDateTimeUtc: '2026-01-31T12:00:00.000Z', order: { ids: { iikoOrderId: `order-${number}` }, totalPrice: number * 100 } },
  };
}

async function withDir(run: (dir: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'pos-queue-'));
  try {
    await run(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const lines = (path: string) => readFileSync(path, 'utf8').split('\n').filter((line) => line !== '');

test('queued orders survive a reopen with their ids, transactionIds and bodies; acknowledged ones do not come back', async () => {
  await withDir(async (dir) => {
    const queue = await OfflineQueue.open(dir, { now: () => new Date('2026-01-31T12:00:05Z') });
    const items = [];
    for (const number of [1, 2, 3]) items.push(await queue.append(order(number)));
    assert.deepEqual(
      queue.pending().map((item) => item.transactionId),
      ['tx-1', 'tx-2', 'tx-3'],
    );
    assert.equal(items[0].enqueuedAt, '2026-01-31T12:00:05.000Z');
    await queue.acknowledge(items[0].id);
    await queue.close();

    const reopened = await OfflineQueue.open(dir);
    assert.deepEqual(reopened.pending(), items.slice(1));
    assert.deepEqual(reopened.recovery, { tornBytes: 0, damagedLines: 0 });
    await reopened.close();
  });
});

test('the journal is JSON lines, each with a checksum of its record', async () => {
  await withDir(async (dir) => {
    const queue = await OfflineQueue.open(dir);
    const item = await queue.append(order(1));
    await queue.close();
    const [line] = lines(join(dir, 'journal.jsonl'));
    const parsed = JSON.parse(line);
    assert.deepEqual(parsed.rec, item);
    assert.match(parsed.crc, /^[0-9a-f]{8}$/);
  });
});

test('a torn last line left by a crash is ignored and cut off, and later appends read back fine', async () => {
  await withDir(async (dir) => {
    const queue = await OfflineQueue.open(dir);
    const first = await queue.append(order(1));
    await queue.close();
    const journal = join(dir, 'journal.jsonl');
    const torn = '{"rec":{"id":"half-written","operation":"Offline.Save';
    appendFileSync(journal, torn);

    const reopened = await OfflineQueue.open(dir);
    assert.deepEqual(reopened.pending(), [first]);
    assert.deepEqual(reopened.recovery, { tornBytes: Buffer.byteLength(torn), damagedLines: 0 });
    const second = await reopened.append(order(2));
    await reopened.close();

    const again = await OfflineQueue.open(dir);
    assert.deepEqual(again.pending(), [first, second]);
    assert.deepEqual(again.recovery, { tornBytes: 0, damagedLines: 0 });
    await again.close();
  });
});

test('a complete last line with a wrong checksum counts as torn; a damaged line in the middle is skipped and counted', async () => {
  await withDir(async (dir) => {
    const queue = await OfflineQueue.open(dir);
    const items = [];
    for (const number of [1, 2, 3]) items.push(await queue.append(order(number)));
    await queue.close();
    const journal = join(dir, 'journal.jsonl');
    const [one, two, three] = lines(journal);
    writeFileSync(journal, `${one}\n${two.replace('tx-2', 'tx-X')}\n${three}\n${three.replace('tx-3', 'tx-Y')}\n`);

    const reopened = await OfflineQueue.open(dir);
    assert.deepEqual(reopened.pending(), [items[0], items[2]]);
    assert.deepEqual(reopened.recovery, { tornBytes: Buffer.byteLength(three) + 1, damagedLines: 1 });
    await reopened.close();
  });
});

test('when everything is acknowledged the journal and the acks are compacted to nothing', async () => {
  await withDir(async (dir) => {
    const queue = await OfflineQueue.open(dir);
    const items = [];
    for (const number of [1, 2, 3]) items.push(await queue.append(order(number)));
    await queue.acknowledge(items[0].id);
    await queue.acknowledge(items[1].id);
    assert.equal(lines(join(dir, 'acks.jsonl')).length, 2);
    await queue.acknowledge(items[2].id);
    assert.equal(statSync(join(dir, 'journal.jsonl')).size, 0);
    assert.equal(statSync(join(dir, 'acks.jsonl')).size, 0);

    const fourth = await queue.append(order(4));
    await queue.close();
    const reopened = await OfflineQueue.open(dir);
    assert.deepEqual(reopened.pending(), [fourth]);
    await reopened.close();
  });
});

test('opening drops acknowledged items from the journal; stale acks of a crash mid-compaction are harmless', async () => {
  await withDir(async (dir) => {
    const queue = await OfflineQueue.open(dir);
    const items = [];
    for (const number of [1, 2, 3]) items.push(await queue.append(order(number)));
    await queue.acknowledge(items[0].id);
    await queue.close();
    const staleAcks = readFileSync(join(dir, 'acks.jsonl'), 'utf8');

    const reopened = await OfflineQueue.open(dir);
    assert.deepEqual(
      lines(join(dir, 'journal.jsonl')).map((line) => JSON.parse(line).rec.id),
      [items[1].id, items[2].id],
    );
    assert.equal(statSync(join(dir, 'acks.jsonl')).size, 0);
    await reopened.close();

    // The crash window: the journal was rewritten but the acks were not truncated yet.
    writeFileSync(join(dir, 'acks.jsonl'), staleAcks);
    const afterCrash = await OfflineQueue.open(dir);
    assert.deepEqual(afterCrash.pending(), items.slice(1));
    await afterCrash.close();
  });
});

test('a rejected item is kept in the rejected journal across reopen, even if the crash came before its acknowledgement', async () => {
  await withDir(async (dir) => {
    const queue = await OfflineQueue.open(dir, { now: () => new Date('2026-02-01T09:00:00Z') });
    const [first, second] = [await queue.append(order(1)), await queue.append(order(2))];
    const answer = { httpStatus: 200, body: { status: 'ValidationError', validationMessages: [{ message: 'bad', location: '/order' }] } };
    const rejected = await queue.reject(first.id, { reason: 'ValidationError: /order: bad', answer });
    assert.deepEqual(rejected, { ...first, rejectedAt: '2026-02-01T09:00:00.000Z', reason: 'ValidationError: /order: bad', answer });
    assert.deepEqual(queue.pending(), [second]);
    await queue.close();

    writeFileSync(join(dir, 'acks.jsonl'), '');
    const reopened = await OfflineQueue.open(dir);
    assert.deepEqual(reopened.pending(), [second]);
    assert.deepEqual(reopened.rejected(), [rejected]);
    await reopened.acknowledge(second.id);
    await reopened.close();

    const drained = await OfflineQueue.open(dir);
    assert.deepEqual(drained.pending(), []);
    assert.deepEqual(drained.rejected(), [rejected]);
    await drained.close();
  });
});

test('misuse is refused: a transactionId already queued, an unknown id, a second opener, a closed queue', async () => {
  await withDir(async (dir) => {
    const queue = await OfflineQueue.open(dir);
    await queue.append(order(1));
    await assert.rejects(queue.append(order(1)), /transactionId tx-1 is already queued/);
    await assert.rejects(queue.acknowledge('no-such-id'), /no pending item/);
    await assert.rejects(OfflineQueue.open(dir), new RegExp(`in use by process ${process.pid}`));
    assert.equal(queue.pending().length, 1);
    await queue.close();
    await assert.rejects(queue.append(order(2)), /closed/);

    const reopened = await OfflineQueue.open(dir);
    assert.equal(reopened.pending().length, 1);
    await reopened.close();
  });
});

test('a lock left by a dead process or from before a reboot is taken over; a live holder is respected', async () => {
  await withDir(async (dir) => {
    const lock = join(dir, 'lock');
    const alive = process.ppid;
    writeFileSync(lock, JSON.stringify({ pid: alive, since: Date.now() }));
    await assert.rejects(OfflineQueue.open(dir), new RegExp(`in use by process ${alive}`));

    writeFileSync(lock, JSON.stringify({ pid: alive, since: 0 }));
    await (await OfflineQueue.open(dir)).close();

    const child = spawn(process.execPath, ['-e', '0']);
    await new Promise((resolve) => child.on('exit', resolve));
    writeFileSync(lock, JSON.stringify({ pid: child.pid, since: Date.now() }));
    await (await OfflineQueue.open(dir)).close();

    writeFileSync(lock, '');
    await (await OfflineQueue.open(dir)).close();
  });
});

test('items handed out are frozen copies of what will be sent', async () => {
  await withDir(async (dir) => {
    const queue = await OfflineQueue.open(dir);
    const body = { order: { totalPrice: 100 } };
    const item = await queue.append({ operation: 'Offline.SaveOfflineOrder', transactionId: 'tx-1', body });
    body.order.totalPrice = 999;
    assert.deepEqual(item.body, { order: { totalPrice: 100 } });
    assert.throws(() => {
      (queue.pending()[0].body as { order: { totalPrice: number } }).order.totalPrice = 5;
    }, TypeError);
    await queue.close();
  });
});

interface WriterRun {
  reported: string[];
}

async function runWriterAndKill(dir: string, killAfter: number): Promise<WriterRun> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(projectRoot, 'test', 'support', 'pos', 'queue-writer.ts'), dir], {
    cwd: projectRoot,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const reported: string[] = [];
  let buffered = '';
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_, signal) => resolve(signal)));
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    buffered += chunk;
    const complete = buffered.split('\n');
    buffered = complete.pop() ?? '';
    for (const line of complete) if (line !== 'ready') reported.push(line);
    if (reported.length >= killAfter && child.exitCode === null && !child.killed) child.kill('SIGKILL');
  });
  const signal = await exited;
  assert.equal(signal, 'SIGKILL');
  return { reported };
}

test('a writer killed with SIGKILL mid-way loses no append that had resolved, and the queue stays usable', async () => {
  await withDir(async (dir) => {
    const promised: string[] = [];
    for (const killAfter of [25, 40, 15]) {
      const { reported } = await runWriterAndKill(dir, killAfter);
      assert.ok(reported.length >= killAfter);
      promised.push(...reported);

      const queue = await OfflineQueue.open(dir);
      const pendingIds = queue.pending().map((item) => item.id);
      for (const id of promised) assert.ok(pendingIds.includes(id), `item ${id} was appended but is gone after the crash`);
      // Order on disk is append order: the promised ids appear in the same relative order.
      assert.deepEqual(
        pendingIds.filter((id) => promised.includes(id)),
        promised,
      );
      assert.equal(queue.recovery.damagedLines, 0);
      await queue.close();
    }
  });
});
