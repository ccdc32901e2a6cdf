// The rules an order's values follow, whoever sends them: custom field values by their field's type, and times in
// the forms POS plugins send.
import type { CustomFieldDefinition } from '../project/schemas.ts';
import type { ValidationMessage } from '../shared/errors.ts';

/** Custom field values checked against their definitions; unknown fields and wrong types are problems at `<location>/<name>`. */
export function checkCustomFields(
  definitions: CustomFieldDefinition[],
  given: Record<string, unknown>,
  location: string,
  problems: ValidationMessage[],
): Record<string, unknown> {
  // a request may name a field in any case (answers name it in camel case, as Mindbox does: decision 0016)
  const byName = new Map(definitions.filter((field) => field.type !== 'ExternalIdentifier').map((field) => [field.systemName.toLowerCase(), field]));
  const values: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(given)) {
    const field = byName.get(name.toLowerCase());
    const at = `${location}/${name}`;
    if (!field) {
      problems.push({ location: at, message: `"${name}" is not a custom field here (known: ${[...byName.values()].map((known) => known.systemName).join(', ') || 'none'})` });
      continue;
    }
    if (Object.hasOwn(values, field.systemName)) {
      problems.push({ location: at, message: `"${field.systemName}" is given twice, in different case` });
      continue;
    }
    if (value === null || value === '') {
      values[field.systemName] = null;
      continue;
    }
    const checked = checkFieldValue(field, value);
    if (checked.ok) values[field.systemName] = checked.value;
    else problems.push({ location: at, message: checked.message });
  }
  return values;
}

function checkFieldValue(field: CustomFieldDefinition, value: unknown): { ok: true; value: unknown } | { ok: false; message: string } {
  const text = typeof value === 'string' ? value.trim() : typeof value === 'number' || typeof value === 'boolean' ? String(value) : null;
  if (text === null) return { ok: false, message: `${field.type} field expects a single value` };
  switch (field.type) {
    case 'String':
      return text.length <= 1000 ? { ok: true, value: text } : { ok: false, message: 'a text of at most 1000 characters' };
    case 'Integer':
      return /^-?\d{1,15}$/.test(text) ? { ok: true, value: Number(text) } : { ok: false, message: 'a whole number' };
    case 'Decimal':
      return /^-?\d{1,15}([.,]\d{1,6})?$/.test(text) ? { ok: true, value: Number(text.replace(',', '.')) } : { ok: false, message: 'a number' };
    case 'Boolean':
      return text === 'true' || text === 'false' ? { ok: true, value: text === 'true' } : { ok: false, message: 'true or false' };
    case 'Date':
      return /^\d{4}-\d{2}-\d{2}$/.test(text) && !Number.isNaN(Date.parse(text)) ? { ok: true, value: text } : { ok: false, message: 'a date YYYY-MM-DD' };
    case 'DateTime': {
      const moment = parseDateTime(text);
      return moment ? { ok: true, value: moment.toISOString() } : { ok: false, message: 'a date and time, e.g. 2026-01-31T12:00:00Z' };
    }
    case 'Enum':
      return field.enumValues!.includes(text) ? { ok: true, value: text } : { ok: false, message: `one of: ${field.enumValues!.join(', ')}` };
    case 'ExternalIdentifier':
      return { ok: true, value: text };
  }
}

/** `2026-01-31T12:00:00Z`, `2026-01-31T12:00:00.000`, `2026-01-31 12:00:00.095`: a zone-less time is UTC. */
export function parseDateTime(text: string): Date | null {
  const trimmed = text.trim();
  if (!/^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?)?(Z|[+-]\d{2}:?\d{2})?$/i.test(trimmed)) return null;
  let iso = trimmed.replace(' ', 'T');
  if (/^\d{4}-\d{2}-\d{2}$/.test(iso)) iso += 'T00:00:00';
  if (!/(Z|[+-]\d{2}:?\d{2})$/i.test(iso)) iso += 'Z';
  iso = iso.replace(/\.(\d{3})\d+/, '.$1');
  const moment = new Date(iso);
  return Number.isNaN(moment.getTime()) ? null : moment;
}
