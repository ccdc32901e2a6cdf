// `regulars jobs list | retry ID | retry --all` — the parked work (jobs and async calls that used up their
// attempts), and putting it back in its queue once the cause is fixed.
import type { Command } from 'commander';
import type { AppContext } from '../app-context.ts';
import { AppError } from '../shared/errors.ts';
import type { JobCatalogue } from './catalogue.ts';
import { pageOfParkedWork, parkedWorkIdOf, parkedWorkIdText, retryAllParkedWork, retryParkedWork } from './parked-work.ts';

type WithApp = <T>(work: (opened: { app: AppContext }) => Promise<T>) => Promise<T>;

const print = (line = ''): void => {
  process.stdout.write(`${line}\n`);
};

export function registerJobsCommand(program: Command, withApp: WithApp, catalogue: JobCatalogue): void {
  const jobs = program.command('jobs').description('parked work: jobs and async calls that used up their attempts');

  jobs
    .command('list')
    .description('parked work, newest parked first: id, when parked, attempts, what, and why (phones and codes masked)')
    .option('--limit <n>', 'how many', '50')
    .action(async (options: { limit: string }) =>
      withApp(async ({ app }) => {
        const { items, next } = await pageOfParkedWork(app.db, { limit: Math.min(500, Number(options.limit) || 50) }, catalogue);
        if (items.length === 0) print('nothing is parked');
        for (const item of items)
          print(`${parkedWorkIdText(item.id)}  ${item.parkedAt.toISOString()}  ${String(item.attempts).padStart(2)} attempts  ${item.what}${item.lastError ? `  (${item.lastError})` : ''}`);
        if (next) print(`… more: --limit ${items.length * 2}`);
      }),
    );

  jobs
    .command('retry [id]')
    .description('put parked work back in its queue, due at once with its attempts anew: one (job-<id> or call-<uuid>), or --all')
    .option('--all', 'every parked job and call')
    .action(async (idText: string | undefined, options: { all?: boolean }) => {
      if (Boolean(options.all) === Boolean(idText)) throw new AppError('bad_request', 'name one parked job or call (regulars jobs list shows them), or --all');
      await withApp(async ({ app }) => {
        if (options.all) {
          print(`${await retryAllParkedWork(app.db)} put back in the queue`);
          return;
        }
        const id = parkedWorkIdOf(idText!);
        if (!id) throw new AppError('bad_request', `${idText} is not an id of parked work (job-<number> or call-<uuid>)`);
        if (!(await retryParkedWork(app.db, id))) throw new AppError('not_found', `${idText} is not parked`);
        print(`${idText} put back in the queue`);
      });
    });
}
