// Custom field system names as keys of the Mindbox protocol (decision 0016). Mindbox answers "keys in camel
// case, even when a custom field's system name is in upper case" (reference §1). Its servers are .NET, and the
// camel case of .NET (JsonNamingPolicy.CamelCase and Json.NET's CamelCaseNamingStrategy, one algorithm) is
// what `answerKey` does: `Rank` → `rank`, `VIPLevel` → `vipLevel`, `ID` → `id`, `iikoOrderId` unchanged.
// Requests may name a field in any case, so a reader of answers matches names regardless of case too.

const isUpper = (char: string) => char !== char.toLowerCase();
const isSeparator = (char: string) => /\p{Z}/u.test(char);

/**
 * The key an answer shows a custom field under: a name that starts with a capital loses the capitals of its
 * leading run, except the last one when a lower-case letter follows it (it starts the next word).
 */
export function answerKey(systemName: string): string {
  const chars = [...systemName];
  if (chars.length === 0 || !isUpper(chars[0])) return systemName;
  for (let i = 0; i < chars.length; i++) {
    if (i === 1 && !isUpper(chars[i])) break;
    const next = chars[i + 1];
    if (i > 0 && next !== undefined && !isUpper(next)) {
      // "FOO bar" → "foo bar": a word that ends at a space is lower-cased whole
      if (isSeparator(next)) chars[i] = chars[i].toLowerCase();
      break;
    }
    chars[i] = chars[i].toLowerCase();
  }
  return chars.join('');
}

/** Values keyed by system name, keyed as an answer shows them. */
export function withAnswerKeys<T>(values: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(values).map(([name, value]) => [answerKey(name), value]));
}

/** Whether two names name the same field: system names are compared regardless of case. */
export function sameFieldName(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

/** A field's value in an answer's `customFields` (or `ids`), whatever the case of its key. */
export function fieldValue(values: Record<string, unknown>, systemName: string): unknown {
  if (Object.hasOwn(values, systemName)) return values[systemName];
  const key = Object.keys(values).find((name) => sameFieldName(name, systemName));
  return key === undefined ? undefined : values[key];
}
