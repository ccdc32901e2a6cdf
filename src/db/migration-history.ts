// What an installation recorded of the migrations it ran (Kysely's `kysely_migration`), read the way Kysely
// reads it, and the one repair that record may need (decision 0007).
//
// The first migrations were named by module number and ran unordered: each ran when the code that added it
// first started, so an installation made before `0002_operation_log_json` existed ran it after
// `0505_admin_message_indexes`. Every later migration is named by time and runs in name order only.
import { DEFAULT_MIGRATION_TABLE, sql, type QueryExecutorProvider } from 'kysely';

/** Any connection: the record is Kysely's own table, read with plain SQL, so the schema's types do not matter. */
type Connection = QueryExecutorProvider;

/** The migrations named by module number, in name order. The list is closed: new migrations are named by time. */
export const moduleNumberedMigrationNames: readonly string[] = [
  '0001_foundation',
  '0002_operation_log_json',
  '0101_guests',
  '0201_ledger',
  '0202_orders',
  '0301_catalog',
  '0401_scenario_runs',
  '0402_segments',
  '0501_admin_users',
  '0502_admin_list_indexes',
  '0503_admin_order_indexes',
  '0504_admin_pending_phone_index',
  '0505_admin_message_indexes',
];

/** A new migration's name: the UTC date and minute it was written, then what it does, in lower case. */
export const timeNamedMigration = /^20\d\d(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])_([01]\d|2[0-3])[0-5]\d_[a-z0-9]+(_[a-z0-9]+)*$/;

interface MigrationRecord {
  name: string;
  timestamp: string;
}

async function migrationRecords(db: Connection, schema: string): Promise<MigrationRecord[]> {
  const { rows: tables } = await sql<{ present: boolean }>`
    select exists (select 1 from information_schema.tables where table_schema = ${schema} and table_name = ${DEFAULT_MIGRATION_TABLE}) as present
  `.execute(db);
  if (!tables[0].present) return [];
  const { rows } = await sql<MigrationRecord>`
    select name, ${sql.ref('timestamp')} from ${sql.table(`${schema}.${DEFAULT_MIGRATION_TABLE}`)}
  `.execute(db);
  return rows;
}

/** Kysely's order of the executed migrations: by the time recorded, equal times by name. */
function inKyselyOrder(records: MigrationRecord[]): MigrationRecord[] {
  return [...records].sort((a, b) => new Date(a.timestamp).getTime() - new Date(b.timestamp).getTime() || a.name.localeCompare(b.name));
}

/** The names of the migrations the installation ran, in the order Kysely checks against the names' order. */
export async function recordedMigrationNames(db: Connection, schema: string): Promise<string[]> {
  return inKyselyOrder(await migrationRecords(db, schema)).map((record) => record.name);
}

/** Whether the installation ran a module-numbered migration while one named before it has not run yet. */
export function lacksAnEarlierModuleNumberedMigration(recorded: readonly string[]): boolean {
  const firstMissing = moduleNumberedMigrationNames.findIndex((name) => !recorded.includes(name));
  return firstMissing !== -1 && moduleNumberedMigrationNames.slice(firstMissing + 1).some((name) => recorded.includes(name));
}

export function recordsModuleNumberedOutOfOrder(recorded: readonly string[]): boolean {
  return recorded
    .filter((name) => moduleNumberedMigrationNames.includes(name))
    .some((name, index) => name !== moduleNumberedMigrationNames[index]);
}

/**
 * Records every module-numbered migration at the time of the earliest of them: Kysely orders equal times by
 * name, so it reads them in name order, and before every time-named one (those ran after all of them, since
 * the code that brought the first time-named migration ran every module-numbered one before it).
 */
export async function recordModuleNumberedInNameOrder(db: Connection, schema: string): Promise<void> {
  const [earliest] = inKyselyOrder((await migrationRecords(db, schema)).filter((record) => moduleNumberedMigrationNames.includes(record.name)));
  if (!earliest) return;
  await sql`
    update ${sql.table(`${schema}.${DEFAULT_MIGRATION_TABLE}`)} set ${sql.ref('timestamp')} = ${earliest.timestamp}
    where name in (${sql.join(moduleNumberedMigrationNames)})
  `.execute(db);
}
