// Secrets of the project — SMS gateway credentials (in the connection URL), the delivery-report secret of an
// HTTP gateway, a webhook's URL and signing secret — are write-only (decision 0008):
// - in a project file a secret field holds the value itself, or text that names environment variables
//   (`smpp://regulars:${env:SMPP_PASSWORD}@10.0.0.2:2775`), so a project file can live in git;
// - a value without such a reference is sealed with the server's key before it is stored;
// - answers and exports show `{ secret: stored }` (with the host of a URL as a hint) instead of a stored value;
//   applying that marker keeps what is stored, so an exported file applies unchanged;
// - the clear value exists only in memory, where a gateway or a webhook is called.
import { z } from 'zod';
import type { SecretBox } from '../shared/secret-box.ts';

/** The form a secret field takes in storage, in a file and in an answer. */
export type SecretValue = string | SealedSecret | StoredSecret;
/** how a secret rests in the database */
export interface SealedSecret {
  sealed: string;
}
/** how an answer or an export shows a stored secret; applied, it keeps the stored value */
export interface StoredSecret {
  secret: 'stored';
  hint?: string;
}

const ENV_REFERENCE = /\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}/g;

export const isSealed = (value: unknown): value is SealedSecret =>
  !!value && typeof value === 'object' && typeof (value as SealedSecret).sealed === 'string' && Object.keys(value).length === 1;
export const isStoredMarker = (value: unknown): value is StoredSecret =>
  !!value && typeof value === 'object' && (value as StoredSecret).secret === 'stored';

/** The environment variables a value names. */
export function environmentReferences(value: string): string[] {
  return [...value.matchAll(ENV_REFERENCE)].map((match) => match[1]);
}

/**
 * A secret field: text checked by `text` (the value, or the value with `${env:NAME}` references), the stored
 * (sealed) form, or the `{ secret: stored }` marker of an export.
 */
export function secretField(text: z.ZodType<string>) {
  return z
    .custom<SecretValue>(
      (value) => typeof value === 'string' || isSealed(value) || isStoredMarker(value),
      'a secret: the value itself, text with ${env:NAME} references, or { secret: stored } to keep the stored one',
    )
    .superRefine((value, ctx) => {
      if (typeof value !== 'string') return;
      const example = value.replace(ENV_REFERENCE, 'x');
      const checked = text.safeParse(example);
      if (!checked.success) for (const issue of checked.error.issues) ctx.addIssue({ code: 'custom', message: issue.message });
    });
}

export interface SecretPath {
  /** the entity's place in its kind's list is not part of it: paths are within one entity */
  path: (string | number)[];
  /** a URL shows its scheme and host as a hint */
  url: boolean;
}

/** Where the secrets of an entity are, by entity kind. */
export function secretPathsOf(kind: string, entity: Record<string, unknown>): SecretPath[] {
  if (kind === 'smsConnections') {
    return [
      ...(entity.url !== undefined ? [{ path: ['url'], url: true }] : []),
      ...(entity.statusSecret !== undefined ? [{ path: ['statusSecret'], url: false }] : []),
    ];
  }
  if (kind === 'scenarios') {
    const paths: SecretPath[] = [];
    (entity.branches as { steps: { type: string }[] }[] | undefined)?.forEach((branch, b) =>
      branch.steps.forEach((step, s) => {
        if (step.type !== 'callWebhook') return;
        paths.push({ path: ['branches', b, 'steps', s, 'url'], url: true }, { path: ['branches', b, 'steps', s, 'secret'], url: false });
      }),
    );
    return paths;
  }
  return [];
}

function valueAt(entity: unknown, path: (string | number)[]): unknown {
  let current = entity as Record<string | number, unknown> | undefined;
  for (const segment of path) {
    if (!current || typeof current !== 'object') return undefined;
    current = current[segment] as Record<string | number, unknown> | undefined;
  }
  return current;
}

function withValueAt<T>(entity: T, path: (string | number)[], value: unknown): T {
  const [head, ...rest] = path;
  const copy = (Array.isArray(entity) ? [...entity] : { ...entity }) as Record<string | number, unknown>;
  copy[head] = rest.length ? withValueAt(copy[head], rest, value) : value;
  return copy as T;
}

/** `smpp://host:2775`: what a URL may show of itself. */
function urlHint(url: string): string | undefined {
  try {
    const parsed = new URL(url);
    return parsed.hostname ? `${parsed.protocol}//${parsed.hostname}${parsed.port ? `:${parsed.port}` : ''}` : parsed.protocol;
  } catch {
    return undefined;
  }
}

/** Seals, opens and resolves secret values with this server's key and environment. */
export class SecretValues {
  constructor(
    private readonly box: SecretBox,
    private readonly environment: Readonly<Record<string, string | undefined>>,
  ) {}

  /** The clear value, for the moment a gateway or a webhook is called. */
  resolve(value: SecretValue, where: string): string {
    if (isStoredMarker(value)) throw new Error(`${where}: a { secret: stored } marker was never resolved against the stored value`);
    if (isSealed(value)) return this.box.open(value.sealed);
    return value.replace(ENV_REFERENCE, (_match, name: string) => {
      const found = this.environment[name];
      if (found === undefined || found === '') throw new Error(`${where}: the environment variable ${name} is not set`);
      return found;
    });
  }

  /** Environment variables a value names that this process does not have. */
  missingReferences(value: string): string[] {
    return environmentReferences(value).filter((name) => !this.environment[name]);
  }

  /**
   * The entity as it is stored: literal secrets sealed (a literal equal to the stored secret keeps its sealed
   * form, so an unchanged file changes nothing), markers replaced by the stored value. Problems name the path.
   */
  seal(kind: string, entity: Record<string, unknown>, stored: Record<string, unknown> | undefined): { entity: Record<string, unknown>; problems: { path: string; message: string }[] } {
    const problems: { path: string; message: string }[] = [];
    let result = entity;
    for (const { path } of secretPathsOf(kind, entity)) {
      const value = valueAt(entity, path) as SecretValue;
      const before = stored && (valueAt(stored, path) as SecretValue | undefined);
      const at = path.join('/');
      if (isStoredMarker(value)) {
        if (before === undefined || isStoredMarker(before)) problems.push({ path: at, message: 'no secret is stored here yet: give the value itself, or ${env:NAME}' });
        else result = withValueAt(result, path, before);
      } else if (isSealed(value)) {
        problems.push({ path: at, message: 'a sealed value is how the server stores a secret: give the value itself, ${env:NAME}, or { secret: stored }' });
      } else if (environmentReferences(value).length) {
        const missing = this.missingReferences(value);
        if (missing.length) problems.push({ path: at, message: `the environment variable ${missing.join(', ')} is not set on this server` });
      } else if (isSealed(before) && this.opens(before, value)) {
        result = withValueAt(result, path, before);
      } else {
        result = withValueAt(result, path, { sealed: this.box.seal(value) } satisfies SealedSecret);
      }
    }
    return { entity: result, problems };
  }

  /**
   * The entity of a restored version as it is stored again: its sealed secrets as the version kept them (the stored
   * form where that holds the same secret, so nothing shows as changed), references checked against this process.
   */
  sealRestored(kind: string, entity: Record<string, unknown>, stored: Record<string, unknown> | undefined): { entity: Record<string, unknown>; problems: { path: string; message: string }[] } {
    const problems: { path: string; message: string }[] = [];
    let result = entity;
    for (const { path } of secretPathsOf(kind, entity)) {
      const value = valueAt(entity, path) as SecretValue;
      const before = stored && (valueAt(stored, path) as SecretValue | undefined);
      const at = path.join('/');
      if (isSealed(value)) {
        if (isSealed(before) && this.sameSecret(before, value)) result = withValueAt(result, path, before);
      } else if (isStoredMarker(value)) {
        problems.push({ path: at, message: 'the version holds no secret here' });
      } else if (environmentReferences(value).length) {
        const missing = this.missingReferences(value);
        if (missing.length) problems.push({ path: at, message: `the environment variable ${missing.join(', ')} is not set on this server` });
      } else {
        result = withValueAt(result, path, { sealed: this.box.seal(value) } satisfies SealedSecret);
      }
    }
    return { entity: result, problems };
  }

  /** The entity with every literal secret sealed (the upgrade of entities stored before secrets were sealed). */
  sealLiterals(kind: string, entity: Record<string, unknown>): Record<string, unknown> {
    let result = entity;
    for (const { path } of secretPathsOf(kind, entity)) {
      const value = valueAt(entity, path);
      if (typeof value === 'string' && environmentReferences(value).length === 0)
        result = withValueAt(result, path, { sealed: this.box.seal(value) } satisfies SealedSecret);
    }
    return result;
  }

  /** The entity as an answer or an export shows it: every sealed secret as `{ secret: stored }`. */
  redact(kind: string, entity: Record<string, unknown>): Record<string, unknown> {
    let result = entity;
    for (const { path, url } of secretPathsOf(kind, entity)) {
      const value = valueAt(entity, path);
      if (!isSealed(value)) continue;
      const hint = url ? urlHint(this.box.open(value.sealed)) : undefined;
      result = withValueAt(result, path, { secret: 'stored', ...(hint ? { hint } : {}) } satisfies StoredSecret);
    }
    return result;
  }

  private sameSecret(a: SealedSecret, b: SealedSecret): boolean {
    try {
      return this.box.open(a.sealed) === this.box.open(b.sealed);
    } catch {
      return false;
    }
  }

  private opens(sealed: SealedSecret, value: string): boolean {
    try {
      return this.box.open(sealed.sealed) === value;
    } catch {
      return false;
    }
  }
}
