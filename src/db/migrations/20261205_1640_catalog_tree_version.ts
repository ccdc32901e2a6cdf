import type { Kysely } from 'kysely';
import { sql } from 'kysely';

// The version of the category trees (decision 0204): a random value every statement that writes categories
// changes, in its own transaction, whoever runs it (the import, an operator's SQL, a restore). A product lookup
// reads it with the products and holds the tree in memory under it; before, every lookup computed an md5 of the
// whole tree, a cost that grew with the menu.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create table catalog_tree_version (version text not null)`.execute(db);
  await sql`insert into catalog_tree_version (version) values (gen_random_uuid()::text)`.execute(db);
  await sql`
    create function catalog_tree_changed() returns trigger language plpgsql as $$
    begin
      update catalog_tree_version set version = gen_random_uuid()::text;
      return null;
    end
    $$`.execute(db);
  await sql`
    create trigger catalog_tree_changed after insert or update or delete or truncate on catalog_categories
    for each statement execute function catalog_tree_changed()`.execute(db);
}
