import type { Kysely } from 'kysely';

// The Wallet update task's position serves Apple's and Google's cards alike (decision 0023): named for both.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('apple_pass_sync').renameTo('wallet_sync').execute();
}
