import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { loadMenu, MenuUploadScheduler, nextDailyRun, type SchedulerClock, type UploadResult } from './menu.ts';

const SAMPLE = fileURLToPath(new URL('../../examples/iiko-nomenclature.json', import.meta.url));

test('the sample nomenclature gives the dishes a cashier can sell, with ids by guid or by article', () => {
  const byGuid = loadMenu(SAMPLE, true);
  const byArticle = loadMenu(SAMPLE, false);
  assert.ok(byGuid.items.length > 150);
  assert.ok(byGuid.items.every((item) => item.priceMinor > 0));
  const latte = byGuid.items.find((item) => item.name.startsWith('Латте'))!;
  assert.match(latte.productId, /^[0-9a-f-]{36}(:[0-9a-f-]{36})?$/);
  assert.equal(latte.category, 'Кофе');
  const latteByArticle = byArticle.items.find((item) => item.name === latte.name)!;
  assert.doesNotMatch(latteByArticle.productId, /^[0-9a-f-]{36}/);
  assert.equal(byGuid.items.some((item) => item.name === 'Окрошка на квасе'), false, 'an unavailable dish is not offered');
});

test('the next daily run is today at the time if it is still ahead, otherwise tomorrow (POS local time)', () => {
  const at = (day: number, hours: number, minutes = 0, seconds = 0) => new Date(2026, 2, day, hours, minutes, seconds);
  assert.deepEqual(nextDailyRun(at(10, 2, 59, 59), { hours: 3, minutes: 0, seconds: 0 }), at(10, 3));
  assert.deepEqual(nextDailyRun(at(10, 3), { hours: 3, minutes: 0, seconds: 0 }), at(11, 3));
  assert.deepEqual(nextDailyRun(at(31, 23, 30), { hours: 3, minutes: 15, seconds: 30 }), new Date(2026, 3, 1, 3, 15, 30));
});

class FakeClock implements SchedulerClock {
  private timers: Array<{ at: number; callback: () => void; id: number }> = [];
  private nextId = 1;
  constructor(public current: Date) {}
  now = () => new Date(this.current);
  setTimer = (callback: () => void, ms: number) => {
    const id = this.nextId++;
    this.timers.push({ at: this.current.getTime() + ms, callback, id });
    return id;
  };
  clearTimer = (handle: unknown) => {
    this.timers = this.timers.filter((timer) => timer.id !== handle);
  };
  /** Moves time forward, firing due timers in order, and lets the uploads they start finish. */
  async advanceTo(target: Date): Promise<void> {
    for (;;) {
      const due = this.timers.filter((timer) => timer.at <= target.getTime()).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.timers = this.timers.filter((timer) => timer !== due);
      this.current = new Date(due.at);
      due.callback();
      for (let i = 0; i < 10; i++) await Promise.resolve();
    }
    this.current = target;
  }
}

test('the daily upload runs at time_sendProducts every day, retries a failed upload, and runs on demand', async () => {
  const clock = new FakeClock(new Date(2026, 2, 10, 12, 0, 0));
  const uploads: Date[] = [];
  const results: UploadResult[] = [{ ok: true }, { ok: false, reason: 'connection refused' }, { ok: true }, { ok: true }, { ok: true }];
  const scheduler = new MenuUploadScheduler({
    time: { hours: 3, minutes: 0, seconds: 0 },
    clock,
    retryMs: 30 * 60_000,
    upload: async () => {
      uploads.push(clock.now());
      return results[uploads.length - 1];
    },
  });
  scheduler.start();
  assert.deepEqual(scheduler.next, new Date(2026, 2, 11, 3, 0, 0));
  await clock.advanceTo(new Date(2026, 2, 11, 2, 59, 59));
  assert.equal(uploads.length, 0);

  await clock.advanceTo(new Date(2026, 2, 11, 3, 0, 0));
  assert.deepEqual(uploads, [new Date(2026, 2, 11, 3, 0, 0)]);
  assert.deepEqual(scheduler.next, new Date(2026, 2, 12, 3, 0, 0));

  await clock.advanceTo(new Date(2026, 2, 12, 4, 0, 0));
  assert.deepEqual(uploads.slice(1), [new Date(2026, 2, 12, 3, 0, 0), new Date(2026, 2, 12, 3, 30, 0)], 'the failed upload was retried 30 minutes later');
  assert.deepEqual(scheduler.next, new Date(2026, 2, 13, 3, 0, 0));

  assert.deepEqual(await scheduler.runNow(), { ok: true });
  assert.equal(uploads.length, 4);
  assert.deepEqual(scheduler.next, new Date(2026, 2, 13, 3, 0, 0), 'an upload on demand does not move the daily one');

  scheduler.stop();
  await clock.advanceTo(new Date(2026, 2, 20, 0, 0, 0));
  assert.equal(uploads.length, 4);
  assert.equal(scheduler.next, null);
});
