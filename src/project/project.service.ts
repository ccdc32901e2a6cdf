// The project as code: apply a file (validated whole, written in one transaction, idempotent),
// export it back, initialise a database with a preset, and manage the integration points' secret keys.
import { hostname, userInfo } from 'node:os';
import { ConfigError } from '../config.ts';
import type { Db } from '../db/database.ts';
import { inTransaction } from '../db/database.ts';
import type { ProjectVersionVia } from '../db/schema.ts';
import { AppError } from '../shared/errors.ts';
import { startAdminToken } from './admin-tokens.ts';
import { mayChange, scopeOf, type ChangeRight, type ChangeScope } from './change-scope.ts';
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
  /** entities a restored version did not have (an applied file never removes) */
  removed: string[];
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

export type ChangeStatus = 'created' | 'changed' | 'unchanged' | 'removed';

export interface PlannedChange {
  /** `kind/key`, e.g. `operations/Offline.CheckCustomer` */
  id: string;
  kind: EntityKind | 'settings';
  key: string;
  status: ChangeStatus;
  /** whether a marketer may make it (change-scope.ts) */
  scope: ChangeScope;
  before: Record<string, unknown> | null;
  /** null: the entity is removed (a restore of a version that did not have it) */
  after: Record<string, unknown> | null;
}

/** Who applied a version (decision 0019). */
export interface VersionAuthor {
  via: ProjectVersionVia;
  /** the console user, `user@host` on the command line; null when nobody is named */
  by: string | null;
}

/** The user and host of this process: who applies from the command line (and from code that names nobody). */
export function commandLineAuthor(): VersionAuthor {
  return { via: 'cli', by: `${userInfo().username}@${hostname()}` };
}

type StoredMap = Map<string, { kind: EntityKind | 'settings'; key: string; definition: Record<string, unknown> }>;

/**
 * Kind and key of the entities of a project, settings first, in file order. `withSettings` false: the file said
 * nothing of the settings (its project holds their defaults), so they are not among its entities.
 */
function entitiesOf(
  project: ProjectDefinition,
  withSettings = true,
): { kind: EntityKind | 'settings'; key: string; index: number | null; definition: Record<string, unknown> }[] {
  const entities: { kind: EntityKind | 'settings'; key: string; index: number | null; definition: Record<string, unknown> }[] = withSettings
    ? [{ kind: SETTINGS_KIND, key: SETTINGS_KEY, index: null, definition: project.settings }]
    : [];
  for (const kind of ENTITY_KIND_NAMES) {
    const keyOf = ENTITY_KINDS[kind] as (entity: unknown) => string;
    (project[kind] as Record<string, unknown>[]).forEach((entity, index) => entities.push({ kind, key: keyOf(entity), index, definition: entity }));
  }
  return entities;
}

/** Stored entities as a project file's object (unparsed), each kind in key order. */
function projectObjectOf(entities: StoredMap): Record<string, unknown> {
  const project: Record<string, unknown> = { version: 1 };
  for (const kind of ENTITY_KIND_NAMES) project[kind] = [];
  for (const entity of [...entities.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))) {
    if (entity.kind === SETTINGS_KIND) project.settings = entity.definition;
    else if (entity.kind in ENTITY_KINDS) (project[entity.kind] as unknown[]).push(entity.definition);
  }
  return project;
}

/** Whether a project file names its settings: one that does not leaves the stored settings as they are. */
const namesSettings = (input: unknown): boolean => typeof input === 'object' && input !== null && 'settings' in input;

/** How a secret field of the proposed project becomes its stored form: sealed from a file, or as a version kept it. */
type Sealing = 'file' | 'version';

/**
 * What writing a validated project over the stored entities would do, entity by entity (the one comparison apply,
 * plan, simulate and restore share). Secret fields are sealed first, as they would be stored (decision 0008). A
 * file adds to what is stored; a restored version replaces it, so what it lacks is removed. A file without settings
 * leaves the stored ones alone (its project holds the defaults, which a first apply stores).
 */
function compareWithStored(
  stored: StoredMap,
  project: ProjectDefinition,
  options: { secrets: SecretValues | undefined; sealing: Sealing; replace: boolean; namesSettings?: boolean },
): { changes: PlannedChange[]; problems: ProjectProblem[]; proposed: StoredMap } {
  const changes: Omit<PlannedChange, 'scope'>[] = [];
  const problems: ProjectProblem[] = [];
  const proposed: StoredMap = options.replace ? new Map() : new Map(stored);
  const withSettings = options.replace || options.namesSettings !== false || !stored.has(`${SETTINGS_KIND}/${SETTINGS_KEY}`);
  for (const { kind, key, index, definition } of entitiesOf(project, withSettings)) {
    const id = `${kind}/${key}`;
    const before = stored.get(id)?.definition;
    let after = definition;
    if (secretPathsOf(kind, definition).length) {
      if (!options.secrets) throw new Error(`${id} has secrets, and this caller cannot seal them`);
      const sealed = options.sealing === 'file' ? options.secrets.seal(kind, definition, before) : options.secrets.sealRestored(kind, definition, before);
      after = sealed.entity;
      for (const problem of sealed.problems) problems.push({ path: `/${kind}/${index}/${problem.path}`, message: problem.message });
    }
    const status = before === undefined ? 'created' : stable(before) !== stable(after) ? 'changed' : 'unchanged';
    changes.push({ id, kind, key, status, before: before ?? null, after });
    proposed.set(id, { kind, key, definition: after });
  }
  if (options.replace) {
    for (const [id, entity] of stored) if (!proposed.has(id)) changes.push({ id, kind: entity.kind, key: entity.key, status: 'removed', before: entity.definition, after: null });
  }
  // a file adds to the stored project: its fields must not clash in case with those already there either
  const storedFields = new Map(
    [...stored].filter(([id]) => id.startsWith('customFields/')).map(([, entity]) => [caseInsensitiveFieldKey(entity.definition as CustomFieldDefinition), entity.definition as CustomFieldDefinition]),
  );
  project.customFields.forEach((field, index) => {
    const clash = storedFields.get(caseInsensitiveFieldKey(field));
    if (clash && clash.systemName !== field.systemName && !options.replace) problems.push({ path: `/customFields/${index}/systemName`, message: caseClash(field, clash, 'in the applied project') });
  });
  const context = { current: projectObjectOf(stored) as ProjectDefinition, proposed: projectObjectOf(proposed) as ProjectDefinition };
  return { changes: changes.map((change) => ({ ...change, scope: scopeOf(change, context) })), problems, proposed };
}

/** A planned change as an answer may show it: secrets as `{ secret: stored }`. */
function redactedChange(change: PlannedChange, secrets: SecretValues | undefined): PlannedChange {
  if (!secrets) return change;
  return { ...change, before: change.before && secrets.redact(change.kind, change.before), after: change.after && secrets.redact(change.kind, change.after) };
}

async function storedEntities(db: Db): Promise<StoredMap> {
  return new Map((await repository.listEntities(db)).map((e) => [`${e.kind}/${e.system_name}`, { kind: e.kind as EntityKind | 'settings', key: e.system_name, definition: e.definition }]));
}

/** A change the caller may not make, refused before anything is written: every such entity at its path. */
function refuseOutOfScope(changes: PlannedChange[], right: ChangeRight): void {
  const refused = changes.filter((change) => change.status !== 'unchanged' && !mayChange(right, change.scope));
  if (!refused.length) return;
  throw new AppError('forbidden', `a marketer changes the loyalty program; ${refused.length} change(s) of the installation need an owner`, {
    validationMessages: refused.map((change) => ({ location: `/${change.id}`, message: `${change.status}: ${change.kind === SETTINGS_KIND ? 'the settings are' : `${change.kind} are`} the installation's, an owner changes them` })),
  });
}

export type ProjectPlan =
  | { ok: true; created: string[]; changed: string[]; unchanged: string[]; removed: string[]; changes: PlannedChange[] }
  | { ok: false; problems: ProjectProblem[] };

function planOf(changes: PlannedChange[], secrets: SecretValues | undefined): Extract<ProjectPlan, { ok: true }> {
  const ids = (status: ChangeStatus) => changes.filter((c) => c.status === status).map((c) => c.id);
  return { ok: true, created: ids('created'), changed: ids('changed'), unchanged: ids('unchanged'), removed: ids('removed'), changes: changes.map((c) => redactedChange(c, secrets)) };
}

export interface ChangeOptions {
  secrets?: SecretValues;
  /** what the caller may change; everything when not given (the command line, start-up) */
  right?: ChangeRight;
}

/**
 * A dry run of `applyProject`: validates the file and tells what apply would create and change, writing nothing.
 * A change the caller may not make is refused as apply refuses it.
 */
export async function planProject(db: Db, input: unknown, options: ChangeOptions = {}): Promise<ProjectPlan> {
  const validation = validateProject(input);
  if (!validation.ok) return { ok: false, problems: validation.problems };
  const { changes, problems } = compareWithStored(await storedEntities(db), validation.project, { secrets: options.secrets, sealing: 'file', replace: false, namesSettings: namesSettings(input) });
  if (problems.length) return { ok: false, problems };
  refuseOutOfScope(changes, options.right ?? 'everything');
  return planOf(changes, options.secrets);
}

/** The project a file proposes, as applying it would leave it (nothing is written), with the plan of it. */
export async function proposeProject(
  db: Db,
  input: unknown,
  options: { secrets?: SecretValues },
): Promise<{ ok: true; plan: Extract<ProjectPlan, { ok: true }>; proposed: ProjectDefinition } | { ok: false; problems: ProjectProblem[] }> {
  const validation = validateProject(input);
  if (!validation.ok) return { ok: false, problems: validation.problems };
  const { changes, problems, proposed } = compareWithStored(await storedEntities(db), validation.project, { secrets: options.secrets, sealing: 'file', replace: false, namesSettings: namesSettings(input) });
  if (problems.length) return { ok: false, problems };
  return { ok: true, plan: planOf(changes, options.secrets), proposed: projectSchema.parse(projectObjectOf(proposed)) };
}

/** Writes the changes, moves the version on when anything changed, and records the version with its author. */
async function writeChanges(
  trx: Db,
  changes: PlannedChange[],
  proposed: StoredMap,
  options: { preset?: string; author: VersionAuthor; restoredFrom?: number },
): Promise<ApplyReport> {
  const report: ApplyReport = { created: [], changed: [], unchanged: [], removed: [], version: 0 };
  for (const change of changes) {
    report[change.status].push(change.id);
    if (change.status === 'removed') await repository.deleteEntity(trx, { kind: change.kind, system_name: change.key });
    else if (change.status !== 'unchanged') await repository.upsertEntity(trx, { kind: change.kind, system_name: change.key, definition: change.after! });
  }
  const state = await repository.readProjectState(trx);
  const changed = report.created.length + report.changed.length + report.removed.length > 0;
  if (state && !changed) return { ...report, version: state.version };
  report.version = await repository.bumpProjectVersion(trx, options.preset ?? state?.preset ?? null);
  await repository.insertVersion(trx, {
    version: report.version,
    definition: projectObjectOf(proposed),
    changes: changes.filter((change) => change.status !== 'unchanged'),
    applied_via: options.author.via,
    applied_by: options.author.by,
    restored_from: options.restoredFrom ?? null,
  });
  return report;
}

/**
 * Applies a project file. Everything is validated first; then all entities are written in one
 * transaction. Entities the file does not mention are left alone. Applying the same file twice changes nothing.
 * A change the caller may not make (a marketer's of the installation) refuses the whole file.
 */
export async function applyProject(db: Db, input: unknown, options: ChangeOptions & { preset?: string; author?: VersionAuthor } = {}): Promise<ApplyReport> {
  const validation = validateProject(input);
  if (!validation.ok) throw projectProblems(validation.problems);
  const project = validation.project;
  return inTransaction(db, async (trx) => {
    await repository.lockProjectState(trx);
    const { changes, problems, proposed } = compareWithStored(await storedEntities(trx), project, { secrets: options.secrets, sealing: 'file', replace: false, namesSettings: namesSettings(input) });
    if (problems.length) throw projectProblems(problems);
    refuseOutOfScope(changes, options.right ?? 'everything');
    return writeChanges(trx, changes, proposed, { preset: options.preset, author: options.author ?? commandLineAuthor() });
  });
}

export interface VersionSummary {
  version: number;
  appliedAt: Date;
  appliedVia: ProjectVersionVia;
  appliedBy: string | null;
  restoredFrom: number | null;
  /** what the version changed, by id; null for the first version of an upgraded installation (not known) */
  changes: { id: string; status: ChangeStatus }[] | null;
}

/** The project's versions, newest first; `before` (a version) pages. */
export async function listProjectVersions(db: Db, options: { before?: number; limit: number }): Promise<VersionSummary[]> {
  const rows = await repository.listVersions(db, options);
  return rows.map((row) => ({
    version: row.version,
    appliedAt: row.applied_at,
    appliedVia: row.applied_via,
    appliedBy: row.applied_by,
    restoredFrom: row.restored_from,
    changes: row.changed === null ? (row.has_changes ? [] : null) : (row.changed as VersionSummary['changes']),
  }));
}

export interface VersionDetails extends Omit<VersionSummary, 'changes'> {
  /** the whole project as it was, secrets as `{ secret: stored }` */
  project: Record<string, unknown>;
  /** what it changed against the version before, secrets as `{ secret: stored }`; null when not known */
  changes: PlannedChange[] | null;
}

/** A project file's object with every secret shown as `{ secret: stored }`. */
function redactedProject(project: Record<string, unknown>, secrets: SecretValues): Record<string, unknown> {
  const redacted = { ...project };
  for (const kind of ENTITY_KIND_NAMES) redacted[kind] = ((project[kind] ?? []) as Record<string, unknown>[]).map((entity) => secrets.redact(kind, entity));
  return redacted;
}

export async function projectVersion(db: Db, version: number, secrets: SecretValues): Promise<VersionDetails | null> {
  const row = await repository.getVersion(db, version);
  if (!row) return null;
  return {
    version: row.version,
    appliedAt: row.applied_at,
    appliedVia: row.applied_via,
    appliedBy: row.applied_by,
    restoredFrom: row.restored_from,
    project: redactedProject(row.definition, secrets),
    changes: row.changes === null ? null : (row.changes as PlannedChange[]).map((change) => redactedChange(change, secrets)),
  };
}

export type RestoreResult = { dryRun: true; plan: Extract<ProjectPlan, { ok: true }> } | { dryRun: false; report: ApplyReport };

/**
 * Applies an earlier version as a new one: the project becomes exactly what it was (entities the version did not
 * have are removed), validated and written in one transaction like any apply; secrets come back as the version
 * kept them. `dryRun` answers what it would change and writes nothing.
 */
export async function restoreProjectVersion(
  db: Db,
  version: number,
  options: { secrets: SecretValues; author: VersionAuthor; dryRun: boolean },
): Promise<RestoreResult> {
  return inTransaction(db, async (trx) => {
    await repository.lockProjectState(trx);
    const row = await repository.getVersion(trx, version);
    if (!row) throw new AppError('not_found', `the project has no version ${version}`);
    const validation = validateProject(row.definition);
    if (!validation.ok) throw projectProblems(validation.problems);
    const { changes, problems, proposed } = compareWithStored(await storedEntities(trx), validation.project, { secrets: options.secrets, sealing: 'version', replace: true });
    if (problems.length) throw projectProblems(problems);
    if (options.dryRun) return { dryRun: true, plan: planOf(changes, options.secrets) };
    return { dryRun: false, report: await writeChanges(trx, changes, proposed, { author: options.author, restoredFrom: version }) };
  });
}

/**
 * Upgrade to 0.2: secrets stored in clear by older versions (gateway URLs with their credentials, webhook
 * secrets) are sealed, and the unsalted `statusSecretHash` of delivery reports is dropped: such a connection
 * takes no reports until its `statusSecret` is set. Returns the ids of the entities it changed, with why.
 */
export async function sealStoredSecrets(db: Db, secrets: SecretValues): Promise<string[]> {
  return inTransaction(db, async (trx) => {
    await repository.lockProjectState(trx);
    const stored = await storedEntities(trx);
    const changes: PlannedChange[] = [];
    const notes: string[] = [];
    for (const [id, entity] of stored) {
      const sealed = secrets.sealLiterals(entity.kind, entity.definition);
      let definition = sealed;
      const why: string[] = [];
      if (definition !== entity.definition) why.push('secrets sealed');
      if (entity.kind === 'smsConnections' && 'statusSecretHash' in definition) {
        const { statusSecretHash: _dropped, ...rest } = definition;
        definition = rest;
        why.push('statusSecretHash dropped: set statusSecret to take delivery reports again');
      }
      if (!why.length) continue;
      // the history keeps the version before sealed too: no secret stays in clear anywhere
      changes.push({ id, kind: entity.kind, key: entity.key, status: 'changed', scope: 'installation', before: sealed, after: definition });
      stored.set(id, { ...entity, definition });
      notes.push(`${id}: ${why.join('; ')}`);
    }
    if (changes.length) await writeChanges(trx, changes, stored, { author: { via: 'upgrade', by: null } });
    return notes;
  });
}

/**
 * An installation upgraded from a version without history: the version it runs is recorded as it is (who made it
 * and what it changed are not known). Returns whether it had to be recorded.
 */
export async function recordUnrecordedVersion(db: Db): Promise<boolean> {
  return inTransaction(db, async (trx) => {
    await repository.lockProjectState(trx);
    const state = await repository.readProjectState(trx);
    if (!state || (await repository.hasVersion(trx, state.version))) return false;
    await repository.insertVersion(trx, {
      version: state.version,
      definition: projectObjectOf(await storedEntities(trx)),
      changes: null,
      applied_via: 'unrecorded',
      applied_by: null,
      restored_from: null,
      applied_at: state.updated_at,
    });
    return true;
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
    const applied = (await isProjectInitialized(trx)) ? null : await applyProject(trx, iikoPreset(options.presetOptions), { preset: options.preset, author: { via: 'preset', by: options.preset } });
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
