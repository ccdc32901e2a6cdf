// The project as code: apply a file (validated whole, written in one transaction, idempotent),
// export it back, initialise a database with a preset, and manage the integration points' secret keys.
import type { Db } from '../db/database.ts';
import { inTransaction } from '../db/database.ts';
import { iikoPreset, type IikoPresetOptions } from './presets/iiko.ts';
import * as repository from './project.repository.ts';
import { ENTITY_KINDS, ENTITY_KIND_NAMES, projectSchema, type EntityKind, type ProjectDefinition } from './schemas.ts';
import { generateSecret, hashSecret, secretMatchesHash } from './secrets.ts';
import { ProjectSnapshot } from './snapshot.ts';
import { validateProject, type ProjectProblem } from './validate.ts';

const SETTINGS_KIND = 'settings';
const SETTINGS_KEY = 'project';

export interface ApplyReport {
  created: string[];
  changed: string[];
  unchanged: string[];
  version: number;
}

export class ProjectValidationError extends Error {
  constructor(readonly problems: ProjectProblem[]) {
    super(`the project file has ${problems.length} problem(s):\n${problems.map((p) => `  ${p.path}: ${p.message}`).join('\n')}`);
    this.name = 'ProjectValidationError';
  }
}

/** Reads the stored project into a validated snapshot. */
export async function loadProject(db: Db): Promise<ProjectSnapshot> {
  const [entities, state] = await Promise.all([repository.listEntities(db), repository.readProjectState(db)]);
  const raw: Record<string, unknown> = {};
  for (const kind of ENTITY_KIND_NAMES) raw[kind] = [];
  for (const entity of entities) {
    if (entity.kind === SETTINGS_KIND) raw.settings = entity.definition;
    else if (entity.kind in ENTITY_KINDS) (raw[entity.kind] as unknown[]).push(entity.definition);
  }
  const definition = projectSchema.parse(raw);
  return new ProjectSnapshot(definition, state?.version ?? 0);
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

/** What writing a validated project over the stored entities would do, entity by entity (the one comparison apply and plan share). */
function compareWithStored(stored: Map<string, Record<string, unknown>>, project: ProjectDefinition): PlannedChange[] {
  const changes: PlannedChange[] = [];
  const compare = (kind: string, key: string, definition: Record<string, unknown>) => {
    const id = `${kind}/${key}`;
    const before = stored.get(id);
    const status = before === undefined ? 'created' : stable(before) !== stable(definition) ? 'changed' : 'unchanged';
    changes.push({ id, kind, key, status, before: before ?? null, after: definition });
  };
  compare(SETTINGS_KIND, SETTINGS_KEY, project.settings);
  for (const kind of ENTITY_KIND_NAMES) {
    const keyOf = ENTITY_KINDS[kind] as (entity: unknown) => string;
    for (const entity of project[kind] as Record<string, unknown>[]) compare(kind, keyOf(entity), entity);
  }
  return changes;
}

async function storedEntities(db: Db): Promise<Map<string, Record<string, unknown>>> {
  return new Map((await repository.listEntities(db)).map((e) => [`${e.kind}/${e.system_name}`, e.definition]));
}

export type ProjectPlan =
  | { ok: true; created: string[]; changed: string[]; unchanged: string[]; changes: PlannedChange[] }
  | { ok: false; problems: ProjectProblem[] };

/** A dry run of `applyProject`: validates the file and tells what apply would create and change, writing nothing. */
export async function planProject(db: Db, input: unknown): Promise<ProjectPlan> {
  const validation = validateProject(input);
  if (!validation.ok) return { ok: false, problems: validation.problems };
  const changes = compareWithStored(await storedEntities(db), validation.project);
  const ids = (status: PlannedChange['status']) => changes.filter((c) => c.status === status).map((c) => c.id);
  return { ok: true, created: ids('created'), changed: ids('changed'), unchanged: ids('unchanged'), changes };
}

/**
 * Applies a project file. Everything is validated first; then all entities are written in one
 * transaction. Entities the file does not mention are left alone. Applying the same file twice changes nothing.
 */
export async function applyProject(db: Db, input: unknown, options: { preset?: string } = {}): Promise<ApplyReport> {
  const validation = validateProject(input);
  if (!validation.ok) throw new ProjectValidationError(validation.problems);
  const project = validation.project;
  return inTransaction(db, async (trx) => {
    const report: ApplyReport = { created: [], changed: [], unchanged: [], version: 0 };
    for (const change of compareWithStored(await storedEntities(trx), project)) {
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

/** The stored project in the project file format; applying it to an empty database reproduces it. */
export async function exportProject(db: Db): Promise<ProjectDefinition> {
  return (await loadProject(db)).definition;
}

export interface InitResult {
  applied: ApplyReport | null;
  /** keys and tokens created now, in clear text: shown once, never stored */
  secretKey: string | null;
  adminToken: string | null;
}

/**
 * Prepares a database on first start: applies the preset, creates the integration point's secret key and
 * the admin token (taken from configuration when given, generated otherwise). A second call changes nothing.
 */
export async function initProject(
  db: Db,
  options: { preset: 'iiko'; presetOptions: IikoPresetOptions; secretKey: string | null; adminToken: string | null },
): Promise<InitResult> {
  return inTransaction(db, async (trx) => {
    const result: InitResult = { applied: null, secretKey: null, adminToken: null };
    if (!(await isProjectInitialized(trx))) {
      result.applied = await applyProject(trx, iikoPreset(options.presetOptions), { preset: options.preset });
    }
    const project = await loadProject(trx);
    for (const point of project.definition.integrationPoints) {
      if ((await repository.liveKeyHashes(trx, point.systemName)).length > 0) {
        // a key set in the configuration later is added as one more live key (rotation), never silently ignored
        if (options.secretKey && !(await verifySecretKey(trx, point.systemName, options.secretKey)))
          await repository.insertSecretKey(trx, point.systemName, hashSecret(options.secretKey), 'from REGULARS_SECRET_KEY');
        continue;
      }
      const key = options.secretKey ?? generateSecret();
      await repository.insertSecretKey(trx, point.systemName, hashSecret(key), options.secretKey ? 'from REGULARS_SECRET_KEY' : 'generated on first start');
      result.secretKey = options.secretKey ? null : key;
    }
    if ((await repository.liveAdminTokenHashes(trx)).length === 0) {
      const token = options.adminToken ?? generateSecret();
      await repository.insertAdminToken(trx, hashSecret(token), options.adminToken ? 'from REGULARS_ADMIN_TOKEN' : 'generated on first start');
      result.adminToken = options.adminToken ? null : token;
    } else if (options.adminToken && !(await verifyAdminToken(trx, options.adminToken))) {
      await repository.insertAdminToken(trx, hashSecret(options.adminToken), 'from REGULARS_ADMIN_TOKEN');
    }
    return result;
  });
}

export async function verifySecretKey(db: Db, integrationPoint: string, key: string): Promise<boolean> {
  const hashes = await repository.liveKeyHashes(db, integrationPoint);
  let matched = false;
  for (const hash of hashes) matched = secretMatchesHash(key, hash) || matched;
  return matched;
}

export async function verifyAdminToken(db: Db, token: string): Promise<boolean> {
  const hashes = await repository.liveAdminTokenHashes(db);
  let matched = false;
  for (const hash of hashes) matched = secretMatchesHash(token, hash) || matched;
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
export const revokeSecretKey = repository.revokeSecretKey;

export type { EntityKind };
