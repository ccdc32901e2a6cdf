// SQL of the server's own secrets (random keys generated on first use, kept in the database).
import type { Db } from '../db/database.ts';

export async function readServerSecret(db: Db, name: string): Promise<string | undefined> {
  const row = await db.selectFrom('server_secrets').select('value').where('name', '=', name).executeTakeFirst();
  return row?.value;
}

/** Stores the value unless the secret exists already; returns the value that is stored. */
export async function insertServerSecretOnce(db: Db, name: string, value: string): Promise<string> {
  await db.insertInto('server_secrets').values({ name, value }).onConflict((oc) => oc.column('name').doNothing()).execute();
  return (await readServerSecret(db, name))!;
}
