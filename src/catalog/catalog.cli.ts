// `regulars import iiko-nomenclature FILE.json [--ids guid|article] [--partial]` — load a menu exported
// from iikoCloud (`POST /api/1/nomenclature`) into the catalogue.
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { AppContext } from '../app-context.ts';
import { isAppError } from '../shared/errors.ts';
import { progressBar } from '../shared/progress-bar.ts';
import { describeImport, importIikoNomenclature } from './catalog.service.ts';

type WithApp = <T>(work: (opened: { app: AppContext }) => Promise<T>) => Promise<T>;

/** Problems printed one per line; the summary line counts them all. */
const PROBLEMS_SHOWN = 50;

function readJsonFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(`cannot read ${path}: ${(error as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(`${path} is not valid JSON: ${(error as Error).message}`);
  }
}

export function registerImportCommand(program: Command, withApp: WithApp): void {
  const importCommand = program.command('import').description('load data from files into the database');
  importCommand
    .command('iiko-nomenclature <file>')
    .description('load categories and products from an iikoCloud /api/1/nomenclature answer (JSON)')
    .option('--ids <kind>', 'product ids: guid (iiko product ids) or article (product codes), as the plugin\'s send_product_id', 'guid')
    .option('--external-system <name>', 'the external system the ids belong to', 'iiko')
    .option('--partial', 'the file holds only changes (a later revision): products not in it stay as they are')
    .action(async (file: string, options: { ids: string; externalSystem: string; partial?: boolean }) => {
      if (options.ids !== 'guid' && options.ids !== 'article') throw new Error('--ids is guid or article');
      const ids = options.ids;
      const nomenclature = readJsonFile(file);
      await withApp(async ({ app }) => {
        const bar = progressBar('Saving products');
        try {
          const result = await importIikoNomenclature(app.db, nomenclature, {
            ids,
            externalSystem: options.externalSystem,
            full: !options.partial,
            project: app.project.current,
            now: app.now(),
            onProgress: (saved, total) => bar.update(saved, total),
          });
          bar.finish();
          for (const problem of result.messages.slice(0, PROBLEMS_SHOWN)) {
            process.stderr.write(`${problem.location ?? '-'}: ${problem.message}\n`);
          }
          if (result.messages.length > PROBLEMS_SHOWN) {
            process.stderr.write(`… and ${result.messages.length - PROBLEMS_SHOWN} more problems\n`);
          }
          process.stdout.write(`Imported ${file} into catalogue ${describeImport(result)}\n`);
        } catch (error) {
          bar.finish();
          if (!isAppError(error)) throw error;
          process.stderr.write(`${file} is not a nomenclature that can be imported: ${error.message}\nNothing was imported.\n`);
          process.exitCode = 1;
        }
      });
    });
}
