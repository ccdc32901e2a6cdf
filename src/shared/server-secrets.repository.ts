// SQL of the server's own small records (the encryption key's fingerprint; the key itself before 0.2).
import type { Db } from '../db/database.ts';

export async function readServerSecret(db: Db, name: string, options: { forUpdate?: boolean } = {}): Promise<string | undefined> {
  let query = db.selectFrom('server_secrets').select('value').where('name', '=', name);
  if (options.forUpdate) query = query.forUpdate();
  return (await query.executeTakeFirst())?.value;
}

/** Stores the value unless the secret exists already; returns the value that is stored. */
export async function insertServerSecretOnce(db: Db, name: string, value: string): Promise<string> {
  await db.insertInto('server_secrets').values({ name, value }).onConflict((oc) => oc.column('name').doNothing()).execute();
  return (await readServerSecret(db, name))!;
}

export async function deleteServerSecret(db: Db, name: string): Promise<void> {
  await db.deleteFrom('server_secrets').where('name', '=', name).execute();
}
