// Quiet hours: marketing SMS go out only between the project's `marketingSmsFrom` and `marketingSmsTo`, local to
// its time zone (09:00–21:00 unless set; a window that crosses midnight, 20:00–02:00, works too; equal times mean
// no quiet hours). Pure: the caller passes `now`.
import type { ProjectSettings } from '../project/schemas.ts';
import { localTime } from '../shared/time-zone.ts';

export type MarketingHours = Pick<ProjectSettings, 'timeZone' | 'marketingSmsFrom' | 'marketingSmsTo'>;

export function withinMarketingHours(now: Date, settings: MarketingHours): boolean {
  const { marketingSmsFrom: from, marketingSmsTo: to } = settings;
  if (from === to) return true;
  const time = localTime(now, settings.timeZone);
  return from < to ? time >= from && time < to : time >= from || time < to;
}
