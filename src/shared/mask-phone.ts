// A phone as logs, lists and error texts show it: enough to tell two apart, not to call anyone.

/** `79001234567` → `7******67`; four digits or fewer → `***`. */
export function maskPhone(value: unknown): string {
  const digits = String(value ?? '').replace(/\D/g, '');
  if (digits.length <= 4) return '***';
  return `${digits.slice(0, 1)}******${digits.slice(-2)}`;
}
