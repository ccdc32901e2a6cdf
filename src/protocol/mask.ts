// What the operation log keeps of a request or answer: phones and one-time codes masked, secrets dropped,
// and very large bodies cut down to a summary.
const PHONE_KEY = /phone/i;
const CODE_KEY = /^(code|authentificationCode|authenticationCode|password|secretKey|secret|token)$/i;
const MAX_LOGGED_CHARS = 64 * 1024;

export function maskPhone(value: unknown): string {
  const digits = String(value ?? '').replace(/\D/g, '');
  if (digits.length <= 4) return '***';
  return `${digits.slice(0, 1)}******${digits.slice(-2)}`;
}

export function maskSensitive(value: unknown, key = ''): unknown {
  if (Array.isArray(value)) return value.map((item) => maskSensitive(item, key));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([name, item]) => [name, maskSensitive(item, name)]));
  }
  if (typeof value !== 'string' && typeof value !== 'number') return value;
  if (CODE_KEY.test(key)) return '***';
  if (PHONE_KEY.test(key)) return maskPhone(value);
  return value;
}

export function forLog(value: unknown): unknown {
  const masked = maskSensitive(value);
  const text = JSON.stringify(masked) ?? 'null';
  if (text.length <= MAX_LOGGED_CHARS) return masked;
  return { truncated: true, size: text.length, excerpt: text.slice(0, 2048) };
}
