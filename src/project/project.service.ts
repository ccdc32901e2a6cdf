// The project as code: apply a file (validated whole, written in one transaction, idempotent),
// export it back, initialise a database with a preset, and manage the integration points' secret keys.
import { ConfigError } from '../config.ts';
import type { Db } from '../db/database.ts';
import { inTransaction } from '../db/database.ts';
import { AppError } from '../shared/errors.ts';
import { startAdminToken } from './admin-tokens.ts';
import { iikoPreset, PRESET_INTEGRATION_POINT, type IikoPresetOptions } from './presets/iiko.ts';
import * as repository from './project.repository.ts';
import { ENTITY_KINDS, ENTITY_KIND_NAMES, projectSchema, type CustomFieldDefinition, type EntityKind, type ProjectDefinition } from './schemas.ts';
import { generateSecret, hashSecret, secretMatchesHash } from './secrets.ts';
import { secretPathsOf, type SecretValues } from './secret-values.ts';
import { ProjectSnapshot } from './snapshot.ts';
import { caseClash, caseInsensitiveFieldKey, validateProject, type ProjectProblem } from './validate.ts';

const SETTINGS_KIND = 'settings';
const SETTINGS_KEY = 'project';

export interface ApplyReport {
  created: string[];
  changed: string[];
  unchanged: string[];
  version: number;
}

/** A project file that cannot be applied: a validation error listing every problem at its path; nothing was written. */
function projectProblems(problems: ProjectProblem[]): AppError {
  return new AppError('validation', `the project file has ${problems.length} problem(s); nothing was applied`, {
    validationMessages: problems.map((problem) => ({ location: problem.path, message: problem.message })),
  });
}

/** Reads the stored project into a validated snapshot; with `secrets`, the snapshot can open its secret fields. */
export async function loadProject(db: Db, secrets?: SecretValues): Promise<ProjectSnapshot> {
  const [entities, state] = await Promise.all([repository.listEntities(db), repository.readProjectState(db)]);
  const raw: Record<string, unknown> = {};
  for (const kind of ENTITY_KIND_NAMES) raw[kind] = [];
  for (const entity of entities) {
    if (entity.kind === SETTINGS_KIND) raw.settings = entity.definition;
    else if (entity.kind in ENTITY_KINDS) (raw[entity.kind] as unknown[]).push(entity.definition);
  }
  const definition = projectSchema.parse(raw);
  return new ProjectSnapshot(definition, state?.version ?? 0, secrets);
}

export async function isProjectInitialized(db: Db): Promise<boolean> {
  return (await repository.readProjectState(db)) !== undefined;
}

const stable = (value: unknown): string =>
  JSON.stringify(value, (_key, v) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b))) : v,
  );

export interface PlannedChange {
  /** `kind/key`, e.g. `operations/Offline.CheckCustomer` */
  id: string;
  kind: string;
  key: string;
  status: 'created' | 'changed' | 'unchanged';
  before: Record<string, unknown> | null;
  after: Record<string, unknown>;
}

/**
 * What writing a validated project over the stored entities would do, entity by entity (the one comparison apply
 * and plan share). Secret fields are sealed first, as they would be stored (decision 0008).
 */
function compareWithStored(
  stored: Map<string, Record<string, unknown>>,
  project: ProjectDefinition,
  secrets: SecretValues | undefined,
): { changes: PlannedChange[]; problems: ProjectProblem[] } {
  const changes: PlannedChange[] = [];
  const problems: ProjectProblem[] = [];
  const compare = (kind: string, key: string, index: number | null, definition: Record<string, unknown>) => {
    const id = `${kind}/${key}`;
    const before = stored.get(id);
    let after = definition;
    if (secretPathsOf(kind, definition).length) {
      if (!secrets) throw new Error(`${id} has secrets, and this caller cannot seal them`);
      const sealed = secrets.seal(kind, definition, before);
      after = sealed.entity;
      for (const problem of sealed.problems) problems.push({ path: `/${kind}/${index}/${problem.path}`, message: problem.message });
    }
    const status = before === undefined ? 'created' : stable(before) !== stable(after) ? 'changed' : 'unchanged';
    changes.push({ id, kind, key, status, before: before ?? null, after });
  };
  compare(SETTINGS_KIND, SETTINGS_KEY, null, project.settings);
  for (const kind of ENTITY_KIND_NAMES) {
    const keyOf = ENTITY_KINDS[kind] as (entity: unknown) => string;
    (project[kind] as Record<string, unknown>[]).forEach((entity, index) => compare(kind, keyOf(entity), index, entity));
  }
  // a file adds to the stored project: its fields must not clash in case with those already there either
  const storedFields = new Map(
    [...stored].filter(([id]) => id.startsWith('customFields/')).map(([, definition]) => [caseInsensitiveFieldKey(definition as CustomFieldDefinition), definition as CustomFieldDefinition]),
  );
  project.customFields.forEach((field, index) => {
    const clash = storedFields.get(caseInsensitiveFieldKey(field));
    if (clash && clash.systemName !== field.systemName) problems.push({ path: `/customFields/${index}/systemName`, message: caseClash(field, clash, 'in the applied project') });
  });
  return { changes, problems };
}

/** A planned change as an answer may show it: secrets as `{ secret: stored }`. */
function redactedChange(change: PlannedChange, secrets: SecretValues | undefined): PlannedChange {
  if (!secrets) return change;
  return { ...change, before: change.before && secrets.redact(change.kind, change.before), after: secrets.redact(change.kind, change.after) };
}

async function storedEntities(db: Db): Promise<Map<string, Record<string, unknown>>> {
  return new Map((await repository.listEntities(db)).map((e) => [`${e.kind}/${e.system_name}`, e.definition]));
}

export type ProjectPlan =
  | { ok: true; created: string[]; changed: string[]; unchanged: string[]; changes: PlannedChange[] }
  | { ok: false; problems: ProjectProblem[] };

/** A dry run of `applyProject`: validates the file and tells what apply would create and change, writing nothing. */
export async function planProject(db: Db, input: unknown, options: { secrets?: SecretValues } = {}): Promise<ProjectPlan> {
  const validation = validateProject(input);
  if (!validation.ok) return { ok: false, problems: validation.problems };
  const { changes, problems } = compareWithStored(await storedEntities(db), validation.project, options.secrets);
  if (problems.length) return { ok: false, problems };
  const ids = (status: PlannedChange['status']) => changes.filter((c) => c.status === status).map((c) => c.id);
  return { ok: true, created: ids('created'), changed: ids('changed'), unchanged: ids('unchanged'), changes: changes.map((c) => redactedChange(c, options.secrets)) };
}

/**
 * Applies a project file. Everything is validated first; then all entities are written in one
 * transaction. Entities the file does not mention are left alone. Applying the same file twice changes nothing.
 */
export async function applyProject(db: Db, input: unknown, options: { preset?: string; secrets?: SecretValues } = {}): Promise<ApplyReport> {
  const validation = validateProject(input);
  if (!validation.ok) throw projectProblems(validation.problems);
  const project = validation.project;
  return inTransaction(db, async (trx) => {
    const report: ApplyReport = { created: [], changed: [], unchanged: [], version: 0 };
    const { changes, problems } = compareWithStored(await storedEntities(trx), project, options.secrets);
    if (problems.length) throw projectProblems(problems);
    for (const change of changes) {
      report[change.status].push(change.id);
      if (change.status !== 'unchanged') await repository.upsertEntity(trx, { kind: change.kind, system_name: change.key, definition: change.after });
    }
    const state = await repository.readProjectState(trx);
    report.version =
      report.created.length || report.changed.length || !state
        ? await repository.bumpProjectVersion(trx, options.preset ?? state?.preset ?? null)
        : state.version;
    return report;
  });
}

/**
 * Upgrade to 0.2: secrets stored in clear by older versions (gateway URLs with their credentials, webhook
 * secrets) are sealed, and the unsalted `statusSecretHash` of delivery reports is dropped: such a connection
 * takes no reports until its `statusSecret` is set. Returns the ids of the entities it changed, with why.
 */
export async function sealStoredSecrets(db: Db, secrets: SecretValues): Promise<string[]> {
  return inTransaction(db, async (trx) => {
    const changed: string[] = [];
    for (const entity of await repository.listEntities(trx)) {
      let definition = secrets.sealLiterals(entity.kind, entity.definition);
      const notes: string[] = [];
      if (definition !== entity.definition) notes.push('secrets sealed');
      if (entity.kind === 'smsConnections' && 'statusSecretHash' in definition) {
        const { statusSecretHash: _dropped, ...rest } = definition;
        definition = rest;
        notes.push('statusSecretHash dropped: set statusSecret to take delivery reports again');
      }
      if (!notes.length) continue;
      await repository.upsertEntity(trx, { kind: entity.kind, system_name: entity.system_name, definition });
      changed.push(`${entity.kind}/${entity.system_name}: ${notes.join('; ')}`);
    }
    if (changed.length) await repository.bumpProjectVersion(trx, (await repository.readProjectState(trx))?.preset ?? null);
    return changed;
  });
}

/**
 * The stored project in the project file format, secrets shown as `{ secret: stored }`; applying it to the same
 * database changes nothing, and to an empty one reproduces everything but the stored secrets.
 */
export async function exportProject(db: Db, secrets: SecretValues): Promise<ProjectDefinition> {
  const { definition } = await loadProject(db);
  const redacted = { ...definition } as Record<string, unknown>;
  for (const kind of ENTITY_KIND_NAMES) redacted[kind] = (definition[kind] as Record<string, unknown>[]).map((entity) => secrets.redact(kind, entity));
  return redacted as ProjectDefinition;
}

export interface InitResult {
  applied: ApplyReport | null;
  /** keys and tokens created now, in clear text: shown once, never stored */
  secretKey: string | null;
  adminToken: string | null;
  /** admin tokens a new REGULARS_ADMIN_TOKEN replaced */
  revokedAdminTokens: number;
}

/**
 * REGULARS_SECRET_KEY is a key of the preset's integration point: added beside its live keys when new (so the
 * terminals can move over before the old key is revoked), refused when it was revoked or is another point's.
 * Without it, the point's first key is generated once; a point added later gets its keys from `regulars keys add`.
 */
async function startPresetKey(db: Db, configured: string | null): Promise<string | null> {
  if (configured) {
    const stored = await repository.findSecretKeyByHash(db, hashSecret(configured));
    if (stored?.revoked_at) throw new ConfigError(`REGULARS_SECRET_KEY holds a revoked key of integration point "${stored.integration_point}": set a new key`);
    if (stored && stored.integration_point !== PRESET_INTEGRATION_POINT) {
      throw new ConfigError(`REGULARS_SECRET_KEY is the key of integration point "${stored.integration_point}", but it sets the key of "${PRESET_INTEGRATION_POINT}": give each point a key of its own`);
    }
    if (!stored) await repository.insertSecretKey(db, PRESET_INTEGRATION_POINT, hashSecret(configured), 'from REGULARS_SECRET_KEY');
    return null;
  }
  if ((await repository.countSecretKeys(db, PRESET_INTEGRATION_POINT)) > 0) return null;
  const key = generateSecret();
  await repository.insertSecretKey(db, PRESET_INTEGRATION_POINT, hashSecret(key), 'generated on first start');
  return key;
}

/**
 * Prepares a database on first start: applies the preset, creates the preset's integration point's secret key and
 * the admin token (taken from configuration when given, generated otherwise). A second call changes nothing.
 */
export async function initProject(
  db: Db,
  options: { preset: 'iiko'; presetOptions: IikoPresetOptions; secretKey: string | null; adminToken: string | null },
): Promise<InitResult> {
  return inTransaction(db, async (trx) => {
    const applied = (await isProjectInitialized(trx)) ? null : await applyProject(trx, iikoPreset(options.presetOptions), { preset: options.preset });
    const secretKey = await startPresetKey(trx, options.secretKey);
    const adminToken = await startAdminToken(trx, options.adminToken);
    return { applied, secretKey, adminToken: adminToken.generated, revokedAdminTokens: adminToken.revoked };
  });
}

export async function verifySecretKey(db: Db, integrationPoint: string, key: string): Promise<boolean> {
  const hashes = await repository.liveKeyHashes(db, integrationPoint);
  let matched = false;
  for (const hash of hashes) matched = secretMatchesHash(key, hash) || matched;
  return matched;
}

/** Adds a live key to an integration point (for rotation); returns it in clear text, once. */
export async function addSecretKey(db: Db, integrationPoint: string, label: string): Promise<string> {
  const project = await loadProject(db);
  if (!project.integrationPoint(integrationPoint)) throw new Error(`integration point "${integrationPoint}" is not defined`);
  const key = generateSecret();
  await repository.insertSecretKey(db, integrationPoint, hashSecret(key), label);
  return key;
}

export const listSecretKeys = repository.listSecretKeys;
const KEY_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Revokes a live key by its id (as `regulars keys list` shows it); false when there is no live key with that id. */
export async function revokeSecretKey(db: Db, id: string): Promise<boolean> {
  return KEY_ID.test(id) && repository.revokeSecretKey(db, id);
}

export type { EntityKind };
