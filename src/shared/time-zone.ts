// The wall clock of an IANA time zone (the project's `settings.timeZone`): the one place that reads an
// instant as a local date, time or weekday. Formatters are kept per zone because creating one costs far
// more than using it, and local dates are read for every lot of every balance shown.

const dateFormats = new Map<string, Intl.DateTimeFormat>();
const clockFormats = new Map<string, Intl.DateTimeFormat>();

const ISO_WEEKDAYS: Readonly<Record<string, number>> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };

function formatFor(cache: Map<string, Intl.DateTimeFormat>, zone: string, create: () => Intl.DateTimeFormat): Intl.DateTimeFormat {
  let format = cache.get(zone);
  if (!format) {
    format = create();
    cache.set(zone, format);
  }
  return format;
}

/** Whether the name is an IANA time zone this runtime knows (Europe/Moscow, Asia/Almaty, UTC). */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** The local date of an instant, 'YYYY-MM-DD'. */
export function localDate(instant: Date, zone: string): string {
  return formatFor(dateFormats, zone, () => new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' })).format(instant);
}

/** Every field of the local reading, as the formatter writes it ('2026', '01', '05', '09', 'Mon' …). */
function clockParts(instant: Date, zone: string): Record<string, string> {
  const format = formatFor(
    clockFormats,
    zone,
    () =>
      new Intl.DateTimeFormat('en-US', {
        timeZone: zone,
        hourCycle: 'h23',
        weekday: 'short',
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
        second: '2-digit',
      }),
  );
  return Object.fromEntries(format.formatToParts(instant).map((part) => [part.type, part.value]));
}

/** The local time of an instant, 'HH:MM' on a 24-hour clock. */
export function localTime(instant: Date, zone: string): string {
  const parts = clockParts(instant, zone);
  return `${parts.hour}:${parts.minute}`;
}

/** The local day of the week of an instant, ISO-numbered: 1 is Monday, 7 is Sunday. */
export function localWeekday(instant: Date, zone: string): number {
  return ISO_WEEKDAYS[clockParts(instant, zone).weekday];
}

/**
 * The local date and time of an instant (to the second) as a Date whose UTC fields read them: the
 * wall-clock `date` values of message templates, which, like .NET's DateTime in Quokka, carry no zone.
 */
export function wallClockDate(instant: Date, zone: string): Date {
  const parts = clockParts(instant, zone);
  return new Date(Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second)));
}

/** The instant a local calendar day ('YYYY-MM-DD') starts in a time zone: its local midnight. */
export function startOfLocalDay(day: string, zone: string): Date {
  const utcMidnight = Date.parse(`${day}T00:00:00Z`);
  const offsetAt = (instant: number) => wallClockDate(new Date(instant), zone).getTime() - instant;
  // the offset at UTC midnight may differ from the one at local midnight (a clock change between them): look twice
  const first = utcMidnight - offsetAt(utcMidnight);
  return new Date(utcMidnight - offsetAt(first));
}
