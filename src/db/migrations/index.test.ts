import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { moduleNumberedMigrationNames, timeNamedMigration } from '../migration-history.ts';
import { migrations } from './index.ts';

const names = Object.keys(migrations);

test('the migrations are listed in name order, the order Kysely runs them in', () => {
  assert.deepEqual(names, [...names].sort());
  // Kysely orders migrations recorded at the same millisecond by localeCompare: it must agree with the names' order
  assert.deepEqual(names, [...names].sort((a, b) => a.localeCompare(b)));
});

test('the module-numbered migrations come first and every later one is named by the minute it was written', () => {
  assert.deepEqual(names.slice(0, moduleNumberedMigrationNames.length), moduleNumberedMigrationNames);
  for (const name of names.slice(moduleNumberedMigrationNames.length)) {
    assert.match(name, timeNamedMigration, `${name} is not named YYYYMMDD_HHMM_what`);
  }
  assert.doesNotMatch('0506_admin_more_indexes', timeNamedMigration);
  assert.doesNotMatch('20261340_0100_month_thirteen', timeNamedMigration);
  assert.doesNotMatch('20261205_0100_Capitals', timeNamedMigration);
});

test('every migration file is listed under its own name', async () => {
  const files = readdirSync(new URL('.', import.meta.url))
    .filter((file) => file.endsWith('.ts') && file !== 'index.ts' && !file.endsWith('.test.ts'))
    .map((file) => file.slice(0, -'.ts'.length));
  assert.deepEqual(files.sort(), names);
  for (const name of names) assert.equal(migrations[name], await import(`./${name}.ts`), `${name} lists another file`);
});
