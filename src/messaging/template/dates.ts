// Dates in templates are wall-clock values, as .NET's DateTime is in Quokka: a `date` parameter holds a
// JS Date whose UTC fields are the local date and time (`wallClockDate` in src/shared/time-zone.ts makes
// one from an instant and a time zone), or a `YYYY-MM-DD[THH:mm[:ss]]` text. A template never applies a
// time zone itself. Formats are .NET-style format strings in the Russian culture.

const LOCAL_DATE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?)?$/;

/** A Date, or a `YYYY-MM-DD[THH:mm[:ss]]` text read as one; null for anything else, 2026-02-30 included. */
export function toDate(value: unknown): Date | null {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value;
  const match = typeof value === 'string' ? LOCAL_DATE.exec(value.trim()) : null;
  if (!match) return null;
  const [, year, month, day, hour = '0', minute = '0', second = '0'] = match;
  const date = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day), Number(hour), Number(minute), Number(second)));
  // 2026-02-30 is no date
  return date.getUTCMonth() === Number(month) - 1 && date.getUTCDate() === Number(day) ? date : null;
}

const MONTHS = ['январь', 'февраль', 'март', 'апрель', 'май', 'июнь', 'июль', 'август', 'сентябрь', 'октябрь', 'ноябрь', 'декабрь'];
const MONTHS_OF = ['января', 'февраля', 'марта', 'апреля', 'мая', 'июня', 'июля', 'августа', 'сентября', 'октября', 'ноября', 'декабря'];
const MONTHS_SHORT = ['янв', 'фев', 'мар', 'апр', 'май', 'июн', 'июл', 'авг', 'сен', 'окт', 'ноя', 'дек'];
const WEEKDAYS = ['воскресенье', 'понедельник', 'вторник', 'среда', 'четверг', 'пятница', 'суббота'];
const WEEKDAYS_SHORT = ['Вс', 'Пн', 'Вт', 'Ср', 'Чт', 'Пт', 'Сб'];

/** .NET's one-letter standard formats, as the Russian culture spells them out. */
const STANDARD_DATE_FORMATS: Record<string, string> = {
  d: 'dd.MM.yyyy',
  D: "d MMMM yyyy 'г.'",
  t: 'H:mm',
  T: 'H:mm:ss',
  g: 'dd.MM.yyyy H:mm',
  G: 'dd.MM.yyyy H:mm:ss',
  M: 'd MMMM',
  m: 'd MMMM',
  Y: 'MMMM yyyy',
  y: 'MMMM yyyy',
};

/** The longest run each part letter may have. */
const DATE_PARTS: Record<string, number> = { d: 4, M: 4, y: 4, H: 2, h: 2, m: 2, s: 2 };

type DateFormatToken = { readonly part: string; readonly count: number } | { readonly text: string };

/** Splits a custom format into parts (`dd`, `MMMM`) and literal text (quoted, escaped with \, or not a letter). */
function tokenizeDateFormat(format: string): { tokens: DateFormatToken[] } | { problem: string } {
  const pattern = STANDARD_DATE_FORMATS[format] ?? format;
  const tokens: DateFormatToken[] = [];
  for (let at = 0; at < pattern.length; ) {
    const char = pattern[at];
    if (char === "'" || char === '"') {
      const close = pattern.indexOf(char, at + 1);
      if (close < 0) return { problem: `the quote at position ${at + 1} is not closed` };
      tokens.push({ text: pattern.slice(at + 1, close) });
      at = close + 1;
    } else if (char === '\\') {
      if (at + 1 >= pattern.length) return { problem: 'it ends with a lone \\' };
      tokens.push({ text: pattern[at + 1] });
      at += 2;
    } else if (Object.hasOwn(DATE_PARTS, char)) {
      let end = at;
      while (pattern[end] === char) end += 1;
      const count = end - at;
      if (count > DATE_PARTS[char] || (char === 'y' && count === 3)) return { problem: `"${char.repeat(count)}" is not a date or time part` };
      tokens.push({ part: char, count });
      at = end;
    } else if (/[A-Za-z]/.test(char)) {
      return { problem: `"${char}" is not a date or time part: use d, dd, ddd, dddd, M, MM, MMM, MMMM, yy, yyyy, H, HH, h, hh, mm, ss, or put text in quotes` };
    } else {
      tokens.push({ text: char });
      at += 1;
    }
  }
  return { tokens };
}

/** Why a FormatDateTime format cannot work, or null when it can. */
export function dateFormatProblem(format: string): string | null {
  if (format === '') return 'a format must not be empty';
  const result = tokenizeDateFormat(format);
  return 'problem' in result ? result.problem : null;
}

/** Months are written in the genitive after a day number ("5 января"), as the Russian culture of .NET does. */
export function formatDateTime(value: unknown, format: unknown): string {
  const date = toDate(value);
  const result = typeof format === 'string' && format !== '' ? tokenizeDateFormat(format) : null;
  if (date === null || result === null || 'problem' in result) return '';
  const genitive = result.tokens.some((token) => 'part' in token && token.part === 'd' && token.count <= 2);
  const pad = (number: number, count: number) => String(number).padStart(count, '0');
  return result.tokens
    .map((token) => {
      if ('text' in token) return token.text;
      const { part, count } = token;
      switch (part) {
        case 'd':
          return count === 4 ? WEEKDAYS[date.getUTCDay()] : count === 3 ? WEEKDAYS_SHORT[date.getUTCDay()] : pad(date.getUTCDate(), count);
        case 'M': {
          const month = date.getUTCMonth();
          return count === 4 ? (genitive ? MONTHS_OF : MONTHS)[month] : count === 3 ? MONTHS_SHORT[month] : pad(month + 1, count);
        }
        case 'y':
          return count === 4 ? pad(date.getUTCFullYear(), 4) : pad(date.getUTCFullYear() % 100, count);
        case 'H':
          return pad(date.getUTCHours(), count);
        case 'h':
          return pad(date.getUTCHours() % 12 || 12, count);
        case 'm':
          return pad(date.getUTCMinutes(), count);
        default:
          return pad(date.getUTCSeconds(), count);
      }
    })
    .join('');
}
