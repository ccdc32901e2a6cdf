import { test } from 'node:test';
import assert from 'node:assert/strict';
import { localDate, localTime, localWeekday, startOfLocalDay, wallClockDate } from './time-zone.ts';

const reading = (iso: string, zone: string) => {
  const instant = new Date(iso);
  return { date: localDate(instant, zone), time: localTime(instant, zone), weekday: localWeekday(instant, zone) };
};

test('Moscow is three hours ahead all year: the evening in UTC is already tomorrow there', () => {
  assert.deepEqual(reading('2026-01-05T20:59:59Z', 'Europe/Moscow'), { date: '2026-01-05', time: '23:59', weekday: 1 });
  assert.deepEqual(reading('2026-01-05T21:00:00Z', 'Europe/Moscow'), { date: '2026-01-06', time: '00:00', weekday: 2 });
  assert.deepEqual(reading('2026-07-05T21:00:00Z', 'Europe/Moscow'), { date: '2026-07-06', time: '00:00', weekday: 1 }, 'no summer time');
  assert.deepEqual(reading('2026-12-31T21:30:00Z', 'Europe/Moscow'), { date: '2027-01-01', time: '00:30', weekday: 5 }, 'the year turns too');
});

test('Berlin around the spring change: the clock jumps from 02:00 to 03:00 on 29 March 2026', () => {
  assert.deepEqual(reading('2026-03-29T00:59:00Z', 'Europe/Berlin'), { date: '2026-03-29', time: '01:59', weekday: 7 });
  assert.deepEqual(reading('2026-03-29T01:00:00Z', 'Europe/Berlin'), { date: '2026-03-29', time: '03:00', weekday: 7 });
  assert.deepEqual(reading('2026-03-28T23:00:00Z', 'Europe/Berlin'), { date: '2026-03-29', time: '00:00', weekday: 7 }, 'winter time before the change');
  assert.deepEqual(reading('2026-03-29T22:00:00Z', 'Europe/Berlin'), { date: '2026-03-30', time: '00:00', weekday: 1 }, 'summer time after it');
});

test('Berlin around the autumn change: 02:00 to 03:00 happens twice on 25 October 2026', () => {
  assert.equal(localTime(new Date('2026-10-25T00:30:00Z'), 'Europe/Berlin'), '02:30');
  assert.equal(localTime(new Date('2026-10-25T01:30:00Z'), 'Europe/Berlin'), '02:30');
  assert.equal(localTime(new Date('2026-10-25T02:00:00Z'), 'Europe/Berlin'), '03:00');
});

test('New York springs forward over 02:00 on 8 March 2026', () => {
  assert.deepEqual(reading('2026-03-08T06:59:00Z', 'America/New_York'), { date: '2026-03-08', time: '01:59', weekday: 7 });
  assert.deepEqual(reading('2026-03-08T07:00:00Z', 'America/New_York'), { date: '2026-03-08', time: '03:00', weekday: 7 });
});

test('midnight reads as 00, never 24; minutes and hours keep two digits', () => {
  assert.equal(localTime(new Date('2026-02-01T00:00:00Z'), 'UTC'), '00:00');
  assert.equal(localTime(new Date('2026-02-01T09:05:00Z'), 'UTC'), '09:05');
  assert.equal(localTime(new Date('2026-02-01T03:50:00Z'), 'Asia/Kolkata'), '09:20', 'a half-hour offset');
});

test('wallClockDate: a Date whose UTC fields read the local date and time, to the second', () => {
  assert.equal(wallClockDate(new Date('2026-01-05T21:30:15.250Z'), 'Europe/Moscow').toISOString(), '2026-01-06T00:30:15.000Z');
  assert.equal(wallClockDate(new Date('2026-03-29T01:00:00Z'), 'Europe/Berlin').toISOString(), '2026-03-29T03:00:00.000Z');
  assert.equal(wallClockDate(new Date('2026-10-25T01:30:00Z'), 'Europe/Berlin').toISOString(), '2026-10-25T02:30:00.000Z');
});

test('a local day starts at its local midnight, also on the days the clock changes', () => {
  assert.equal(startOfLocalDay('2026-01-06', 'Europe/Moscow').toISOString(), '2026-01-05T21:00:00.000Z');
  assert.equal(startOfLocalDay('2026-03-29', 'Europe/Berlin').toISOString(), '2026-03-28T23:00:00.000Z', 'winter time until 02:00 that night');
  assert.equal(startOfLocalDay('2026-03-30', 'Europe/Berlin').toISOString(), '2026-03-29T22:00:00.000Z');
  assert.equal(startOfLocalDay('2026-10-25', 'Europe/Berlin').toISOString(), '2026-10-24T22:00:00.000Z', 'summer time until 03:00 that night');
  assert.equal(startOfLocalDay('2026-11-01', 'America/New_York').toISOString(), '2026-11-01T04:00:00.000Z');
  assert.equal(startOfLocalDay('2026-02-01', 'Asia/Kolkata').toISOString(), '2026-01-31T18:30:00.000Z');
});
