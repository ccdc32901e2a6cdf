import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SendRate } from './send-rate.ts';

test('marketing messages go at the rate: never faster, and keeping up with it', async () => {
  const rate = new SendRate(200);
  const started = performance.now();
  for (let sent = 0; sent < 401; sent += 1) await rate.takeMarketing();
  const seconds = (performance.now() - started) / 1000;
  // the first goes at once, the 400 after it take two seconds: never faster (the gateway's limit); slower only by
  // what a machine that starves the timers for longer than the bucket's slack (a fiftieth of a second) costs
  assert.ok(seconds > 1.95, `401 messages at 200/s took ${seconds.toFixed(3)} s: faster than the rate`);
  assert.ok(seconds < 2.5, `401 messages at 200/s took ${seconds.toFixed(3)} s`);
});

test('codes go at once, even while campaigns wait, and the campaign makes room for them', async () => {
  const rate = new SendRate(20);
  await rate.takeMarketing();
  const waiting = rate.takeMarketing();
  const started = performance.now();
  for (let code = 0; code < 5; code += 1) rate.takeTransactional();
  assert.ok(performance.now() - started < 5, 'codes never wait');
  await waiting;
  const seconds = (performance.now() - started) / 1000;
  // the marketing message waits for its own token and the five the codes took: 6 at 20/s
  assert.ok(seconds > 0.28 && seconds < 0.36, `the campaign waited ${seconds.toFixed(3)} s`);
});

test('a waiting campaign message stops waiting when its sender stops', async () => {
  const rate = new SendRate(1);
  await rate.takeMarketing();
  const stopping = new AbortController();
  const waiting = rate.takeMarketing(stopping.signal);
  stopping.abort(new Error('stopping'));
  await assert.rejects(waiting, /stopping/);
});

test('a new rate applies to the next wait', async () => {
  const rate = new SendRate(1);
  await rate.takeMarketing();
  rate.setRate(100);
  const started = performance.now();
  await rate.takeMarketing();
  assert.ok(performance.now() - started < 500, 'a second at the old rate would have been the wait');
});
