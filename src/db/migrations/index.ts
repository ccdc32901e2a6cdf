// Every migration of every module, by name. Names sort in the order they must run.
import type { Migration } from 'kysely';
import * as foundation from './0001_foundation.ts';
import * as ledger from './0201_ledger.ts';
import * as catalog from './0301_catalog.ts';

export const migrations: Record<string, Migration> = {
  '0001_foundation': foundation,
  '0201_ledger': ledger,
  '0301_catalog': catalog,
};
