import type { Kysely } from 'kysely';
import { sql } from 'kysely';

// Every applied change of the project is a version (decision 0019): the whole project as it was stored after it
// (secrets in their sealed form), what it changed against the version before, who applied it and how. An
// installation upgraded to this gets the row of the version it runs at its next start (`unrecorded`: who made
// the versions before history began is not known).
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('project_versions')
    .addColumn('version', 'integer', (c) => c.primaryKey())
    .addColumn('definition', 'jsonb', (c) => c.notNull())
    .addColumn('changes', 'jsonb')
    .addColumn('applied_via', 'text', (c) => c.notNull())
    .addColumn('applied_by', 'text')
    .addColumn('restored_from', 'integer')
    .addColumn('applied_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
}
