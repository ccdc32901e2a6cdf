// All SQL of the project module: stored entities, the project version and its history, the integration points'
// secret keys (the admin tokens': admin-tokens.repository.ts).
import { randomUUID } from 'node:crypto';
import { sql, type Insertable, type Selectable } from 'kysely';
import type { Db } from '../db/database.ts';
import type { ProjectVersionsTable } from '../db/schema.ts';

export interface StoredEntity {
  kind: string;
  system_name: string;
  definition: Record<string, unknown>;
}

export async function listEntities(db: Db): Promise<StoredEntity[]> {
  return db.selectFrom('project_entities').select(['kind', 'system_name', 'definition']).orderBy('kind').orderBy('system_name').execute();
}

export async function upsertEntity(db: Db, entity: StoredEntity): Promise<void> {
  await db
    .insertInto('project_entities')
    .values({ kind: entity.kind, system_name: entity.system_name, definition: JSON.stringify(entity.definition) })
    .onConflict((oc) =>
      oc.columns(['kind', 'system_name']).doUpdateSet({ definition: JSON.stringify(entity.definition), updated_at: sql`now()` }),
    )
    .execute();
}

export async function deleteEntity(db: Db, entity: { kind: string; system_name: string }): Promise<void> {
  await db.deleteFrom('project_entities').where('kind', '=', entity.kind).where('system_name', '=', entity.system_name).execute();
}

/** Locks the state row till the transaction ends, so applies queue up and each compares with what the one before wrote. */
export async function lockProjectState(db: Db): Promise<void> {
  await db.selectFrom('project_state').select('version').where('id', '=', 1).forUpdate().execute();
}

export async function readProjectState(db: Db): Promise<{ version: number; preset: string | null; updated_at: Date } | undefined> {
  return db.selectFrom('project_state').select(['version', 'preset', 'updated_at']).where('id', '=', 1).executeTakeFirst();
}

/** Bumps the project version (locking the state row so concurrent applies queue up). */
export async function bumpProjectVersion(db: Db, preset: string | null): Promise<number> {
  const current = await db.selectFrom('project_state').select('version').where('id', '=', 1).forUpdate().executeTakeFirst();
  if (!current) {
    await db.insertInto('project_state').values({ id: 1, version: 1, preset }).execute();
    return 1;
  }
  const version = current.version + 1;
  await db.updateTable('project_state').set({ version, updated_at: sql`now()` }).where('id', '=', 1).execute();
  return version;
}

export type ProjectVersionRow = Selectable<ProjectVersionsTable>;

export async function insertVersion(db: Db, row: Insertable<ProjectVersionsTable>): Promise<void> {
  await db
    .insertInto('project_versions')
    .values({ ...row, definition: JSON.stringify(row.definition), changes: row.changes === null || row.changes === undefined ? null : JSON.stringify(row.changes) })
    .execute();
}

export async function hasVersion(db: Db, version: number): Promise<boolean> {
  return (await db.selectFrom('project_versions').select('version').where('version', '=', version).executeTakeFirst()) !== undefined;
}

/** Versions newest first, each with what it changed by id and status only (not the whole project); `before` pages. */
export async function listVersions(db: Db, options: { before?: number; limit: number }) {
  let query = db
    .selectFrom('project_versions')
    .select(['version', 'applied_via', 'applied_by', 'restored_from', 'applied_at'])
    .select(
      sql<{ id: string; status: string }[] | null>`(select jsonb_agg(jsonb_build_object('id', c ->> 'id', 'status', c ->> 'status')) from jsonb_array_elements(changes) c)`.as('changed'),
    )
    .select(sql<boolean>`changes is not null`.as('has_changes'))
    .orderBy('version', 'desc')
    .limit(options.limit);
  if (options.before !== undefined) query = query.where('version', '<', options.before);
  return query.execute();
}

export async function getVersion(db: Db, version: number): Promise<ProjectVersionRow | undefined> {
  return db.selectFrom('project_versions').selectAll().where('version', '=', version).executeTakeFirst();
}

export async function insertSecretKey(db: Db, integrationPoint: string, keyHash: string, label: string): Promise<string> {
  const id = randomUUID();
  await db.insertInto('integration_point_keys').values({ id, integration_point: integrationPoint, key_hash: keyHash, label }).execute();
  return id;
}

export async function liveKeyHashes(db: Db, integrationPoint: string): Promise<string[]> {
  const rows = await db
    .selectFrom('integration_point_keys')
    .select('key_hash')
    .where('integration_point', '=', integrationPoint)
    .where('revoked_at', 'is', null)
    .execute();
  return rows.map((row) => row.key_hash);
}

export async function findSecretKeyByHash(db: Db, keyHash: string): Promise<{ integration_point: string; revoked_at: Date | null } | undefined> {
  return db.selectFrom('integration_point_keys').select(['integration_point', 'revoked_at']).where('key_hash', '=', keyHash).executeTakeFirst();
}

/** How many keys an integration point ever had, revoked ones included. */
export async function countSecretKeys(db: Db, integrationPoint: string): Promise<number> {
  const row = await db
    .selectFrom('integration_point_keys')
    .select((eb) => eb.fn.countAll<string>().as('count'))
    .where('integration_point', '=', integrationPoint)
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

/** Every live key hash by integration point. */
export async function allLiveKeyHashes(db: Db): Promise<{ integration_point: string; key_hash: string }[]> {
  return db.selectFrom('integration_point_keys').select(['integration_point', 'key_hash']).where('revoked_at', 'is', null).execute();
}

export async function listSecretKeys(db: Db) {
  return db
    .selectFrom('integration_point_keys')
    .select(['id', 'integration_point', 'label', 'created_at', 'revoked_at'])
    .orderBy('created_at')
    .execute();
}

export async function revokeSecretKey(db: Db, id: string): Promise<boolean> {
  const result = await db
    .updateTable('integration_point_keys')
    .set({ revoked_at: sql`now()` })
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}
