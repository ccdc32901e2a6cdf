// What the operation log keeps of a request or answer: phones and one-time codes masked, secrets dropped,
// and very large bodies cut down to a summary. Produced as JSON text in one pass (it runs on every call).
const PHONE_KEY = /phone/i;
const CODE_KEY = /^(code|authentificationCode|authenticationCode|password|secretKey|secret|token)$/i;
const MAX_LOGGED_CHARS = 64 * 1024;

export function maskPhone(value: unknown): string {
  const digits = String(value ?? '').replace(/\D/g, '');
  if (digits.length <= 4) return '***';
  return `${digits.slice(0, 1)}******${digits.slice(-2)}`;
}

function maskedValue(key: string, value: unknown): unknown {
  if (Array.isArray(value) && (CODE_KEY.test(key) || PHONE_KEY.test(key))) return value.map((item) => maskedValue(key, item));
  if (typeof value !== 'string' && typeof value !== 'number') return value;
  if (CODE_KEY.test(key)) return '***';
  if (PHONE_KEY.test(key)) return maskPhone(value);
  return value;
}

/** The JSON text the operation log stores for a body. */
export function forLog(value: unknown): string {
  const text = JSON.stringify(value ?? null, (key, item) => (key === '' ? item : maskedValue(key, item)));
  if (text.length <= MAX_LOGGED_CHARS) return text;
  return JSON.stringify({ truncated: true, size: text.length, excerpt: text.slice(0, 2048) });
}
