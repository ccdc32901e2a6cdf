// Phone numbers as the POS sends them (numbers or strings, any punctuation) to the one stored form:
// digits only, international, Russian trunk prefix 8 turned into country code 7.
export function normalizePhone(value: unknown): string | null {
  if (typeof value !== 'string' && typeof value !== 'number') return null;
  const text = String(value).trim();
  if (!/^[\d\s()+\-.]+$/.test(text)) return null;
  let digits = text.replace(/\D/g, '');
  if (digits.length === 11 && digits.startsWith('8')) digits = `7${digits.slice(1)}`;
  else if (digits.length === 10 && digits.startsWith('9')) digits = `7${digits}`;
  if (digits.length < 11 || digits.length > 15 || digits.startsWith('0')) return null;
  if (digits.startsWith('7') && digits.length !== 11) return null;
  return digits;
}
