// The iiko nomenclature import: through the service, and through `regulars import iiko-nomenclature`
// run as a child process against its own database.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { importIikoNomenclature, resolveProducts } from '../src/catalog/catalog.service.ts';
import { openDatabase, type Db } from '../src/db/database.ts';
import { ProjectStore } from '../src/project/project-store.ts';
import { initProject } from '../src/project/project.service.ts';
import { SecretValues } from '../src/project/secret-values.ts';
import { SecretBox } from '../src/shared/secret-box.ts';
import { createTestDatabase, testDatabaseUrl, type TestDatabase } from './support/db.ts';
import { freshDataDir, regularsCommand, spawnArgs } from './support/process.ts';

const ROOT = join(import.meta.dirname, '..');
const SAMPLE = join(ROOT, 'examples', 'iiko-nomenclature.json');
const nomenclature = JSON.parse(readFileSync(SAMPLE, 'utf8'));

const WINE_GLASS = '6b9d2879-7e9f-479f-9f4d-a6ca8a68ba89';
const WINE = '0e91312b-ffbc-467e-8dcc-10b6f157f914';
const ALCOHOL = '885c3892-8778-4eee-9503-b504024b0041';
const DRINKS = 'b20d3959-67fa-4bea-a433-4416c4ef959a';
const DELETED_DISH = '7afac7d9-b3c0-4443-9654-205fe0c82496';
const BANQUET_CANAPES = '2641ad80-2928-436c-992a-b565ffa6b6b3';
const SUMMER_OKROSHKA = '73b7838f-54bf-4ba9-987a-5ce40a7f4755';
const MARGHERITA = 'bcd41223-3f13-4fb9-9299-4a3968fa766a';
const SIZE_30 = 'ed5f6463-b493-4e9e-a920-130ca3870aa4';

describe('iiko nomenclature through the service', () => {
  let database: TestDatabase;
  let project: ProjectStore;
  before(async () => {
    database = await createTestDatabase();
    await initProject(database.db, { preset: 'iiko', presetOptions: { phoneConfirmation: true }, secretKey: null, adminToken: null });
    project = await ProjectStore.open(database.db, new SecretValues(SecretBox.random(), {}));
  });
  after(() => database.close());

  test('loads groups as categories and dishes as products; deleted and hidden items are unavailable', async () => {
    const result = await importIikoNomenclature(database.db, nomenclature, { ids: 'guid', project: project.current, now: new Date() });
    assert.deepEqual(result.messages, []);
    assert.equal(result.products.created, result.products.received);
    assert.ok(result.products.received > 200);

    const products = await resolveProducts(database.db, 'iiko', [WINE_GLASS, DELETED_DISH, BANQUET_CANAPES, SUMMER_OKROSHKA, `${MARGHERITA}:${SIZE_30}`]);
    assert.deepEqual(products.get(WINE_GLASS), { name: 'Кьянти, бокал', priceMinor: 55000, isAvailable: true, categoryIds: [WINE, ALCOHOL, DRINKS] });
    assert.equal(products.get(DELETED_DISH)?.isAvailable, false, 'deleted in iiko');
    assert.equal(products.get(BANQUET_CANAPES)?.isAvailable, false, 'in a group hidden from the menu');
    assert.deepEqual(products.get(SUMMER_OKROSHKA)?.isAvailable, false, 'in a deleted group');
    assert.deepEqual(products.get(SUMMER_OKROSHKA)?.categoryIds, [], 'a deleted group is no category');
    assert.deepEqual(
      [products.get(`${MARGHERITA}:${SIZE_30}`)?.name, products.get(`${MARGHERITA}:${SIZE_30}`)?.priceMinor],
      ['Маргарита (30 см)', 69000],
      'one product per size',
    );

    const again = await importIikoNomenclature(database.db, nomenclature, { ids: 'guid', project: project.current, now: new Date() });
    assert.equal(again.products.unchanged, result.products.received);
  });

  test('a partial nomenclature (a later revision) changes only what it holds', async () => {
    const onlyWine = { ...nomenclature, products: nomenclature.products.filter((p: { id: string }) => p.id === WINE_GLASS) };
    const partial = await importIikoNomenclature(database.db, onlyWine, { ids: 'guid', project: project.current, now: new Date(), full: false });
    assert.equal(partial.products.madeUnavailable, 0);
    assert.equal((await resolveProducts(database.db, 'iiko', [`${MARGHERITA}:${SIZE_30}`])).get(`${MARGHERITA}:${SIZE_30}`)?.isAvailable, true);
  });
});

function runCli(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(...spawnArgs(regularsCommand([...args])), {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}

describe('regulars import iiko-nomenclature', () => {
  let env: Record<string, string>;
  let openAfterwards: () => Promise<{ db: Db; close(): Promise<void> }>;
  let serverDatabase: TestDatabase | null = null;
  before(async () => {
    if (testDatabaseUrl) {
      serverDatabase = await createTestDatabase();
      env = serverDatabase.env;
      openAfterwards = async () => ({ db: serverDatabase!.db, close: async () => {} });
    } else {
      const dataDir = freshDataDir();
      env = { REGULARS_DATA_DIR: dataDir };
      openAfterwards = () => openDatabase({ dataDir });
    }
  });
  after(() => serverDatabase?.close());

  test('loads the sample file by article, prints one summary line, and draws no progress bar off a terminal', async () => {
    const run = await runCli(['import', 'iiko-nomenclature', SAMPLE, '--ids', 'article'], env);
    assert.equal(run.code, 0, run.stderr);
    const summary = run.stdout.trim().split('\n').at(-1)!;
    assert.match(summary, /^Imported .*iiko-nomenclature\.json into catalogue iiko: products \d+ received, \d+ created, 0 changed, .*; 2 problems$/);
    assert.doesNotMatch(run.stderr, /\[#|\r/);
    assert.match(run.stderr, /\/products\/55\/code: .*no article \(code\)/);

    const opened = await openAfterwards();
    try {
      const wine = (await resolveProducts(opened.db, 'iiko', ['00163'])).get('00163');
      assert.deepEqual(wine, { name: 'Кьянти, бокал', priceMinor: 55000, isAvailable: true, categoryIds: [WINE, ALCOHOL, DRINKS] });
    } finally {
      await opened.close();
    }
  });

  test('a file that is not a nomenclature imports nothing and exits with 1', async () => {
    const run = await runCli(['import', 'iiko-nomenclature', join(ROOT, 'examples', 'catalog.json')], env);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /is not a nomenclature that can be imported: \/products: products is required\nNothing was imported\./);
  });
});
