// `regulars start | init | apply | export | keys | admin-token | log` — the command line of a Regulars installation.
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import YAML from 'yaml';
import { ConfigError, loadConfig, type Config } from './config.ts';
import { openApp, startServer } from './main.ts';
import { registerUsersCommand } from './admin/users.cli.ts';
import { registerImportCommand } from './catalog/catalog.cli.ts';
import { registerBackupCommands } from './backup/backup.cli.ts';
import { backgroundWork } from './background.ts';
import { registerJobsCommand } from './jobs/jobs.cli.ts';
import { registerAdminTokenCommand } from './project/admin-token.cli.ts';
import { addSecretKey, applyProject, exportProject, listSecretKeys, revokeSecretKey } from './project/project.service.ts';
import { queryOperationLog } from './protocol/mindbox/protocol.service.ts';
import { phoneForLookup } from './customers/phone.ts';
import { listMessages } from './messaging/mailings.service.ts';
import { isAppError } from './shared/errors.ts';

const print = (line = ''): void => {
  process.stdout.write(`${line}\n`);
};

function config(): Config {
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
}

async function withApp<T>(work: (opened: Awaited<ReturnType<typeof openApp>>) => Promise<T>): Promise<T> {
  const opened = await openApp(config(), { logger: (await import('pino')).default({ level: 'warn' }) });
  try {
    printSecrets(opened.init);
    return await work(opened);
  } finally {
    await opened.close();
  }
}

function printSecrets(init: { applied: unknown; secretKey: string | null; adminToken: string | null; revokedAdminTokens: number }) {
  if (init.applied) print('The iiko preset was applied (integration point "iiko").');
  if (init.secretKey) print(`Secret key of integration point "iiko" (shown once, store it now): ${init.secretKey}`);
  if (init.adminToken) print(`Admin token (shown once, store it now): ${init.adminToken}`);
  if (init.revokedAdminTokens) print(`REGULARS_ADMIN_TOKEN is new: ${init.revokedAdminTokens} earlier admin token(s) revoked, and the console sessions they opened ended.`);
}

function readProjectFile(path: string): unknown {
  const text = readFileSync(path, 'utf8');
  return path.endsWith('.json') ? JSON.parse(text) : YAML.parse(text);
}

const program = new Command();
program.name('regulars').description('Regulars: self-hosted loyalty for restaurants, Mindbox v3 compatible').showHelpAfterError();

program
  .command('start', { isDefault: true })
  .description('start the server (API and workers) with the configuration from the environment')
  .option('--role <role>', 'api, worker or all')
  .action(async (options: { role?: string }) => {
    const base = config();
    const role = options.role ?? base.role;
    if (!['api', 'worker', 'all'].includes(role)) throw new Error('--role must be api, worker or all');
    const running = await startServer({ ...base, role: role as Config['role'] });
    printSecrets(running.init);
    print(`Regulars is running (${running.database.kind === 'pglite' ? `embedded database in ${base.dataDir}` : 'PostgreSQL'}, role ${role}).`);
    if (running.url) {
      print(`API: ${running.url}/v3/operations/sync?endpointId=iiko&operation=Offline.CheckCustomer`);
      print('Integration point (endpointId): iiko');
      print(`Health: ${running.url}/health`);
      print(`Admin console: ${running.url}/ (people sign in after npx regulars users add NAME --role owner|marketer|viewer; the admin token works too)`);
    }
    const shutdown = async () => {
      await running.stop();
      process.exit(0);
    };
    process.once('SIGINT', shutdown);
    process.once('SIGTERM', shutdown);
  });

program
  .command('init')
  .description('prepare the database: migrations and the iiko preset (creates nothing twice)')
  .option('--preset <name>', 'the preset to apply', 'iiko')
  .option('--no-phone-confirmation', 'the integration point does not confirm phones')
  .action(async (options: { preset: string; phoneConfirmation: boolean }) => {
    if (options.preset !== 'iiko') throw new Error(`unknown preset "${options.preset}" (known: iiko)`);
    const base = config();
    const opened = await openApp({ ...base, phoneConfirmation: base.phoneConfirmation && options.phoneConfirmation });
    try {
      printSecrets(opened.init);
      print(opened.init.applied ? 'The database is ready.' : 'The database was already initialised; nothing was changed.');
    } finally {
      await opened.close();
    }
  });

program
  .command('apply <file>')
  .description('validate a project file (YAML or JSON) and apply it in one transaction')
  .action(async (file: string) => {
    await withApp(async ({ app }) => {
      try {
        const report = await applyProject(app.db, readProjectFile(file), { secrets: app.project.secrets });
        for (const id of report.created) print(`created   ${id}`);
        for (const id of report.changed) print(`changed   ${id}`);
        print(`unchanged ${report.unchanged.length} entities`);
        print(`project version ${report.version}`);
      } catch (error) {
        if (isAppError(error) && error.code === 'validation') {
          const problems = error.validationMessages.map((problem) => `  ${problem.location}: ${problem.message}\n`).join('');
          process.stderr.write(`${error.message}\n${problems}`);
          process.exitCode = 1;
          return;
        }
        throw error;
      }
    });
  });

program
  .command('export')
  .description('print the current project (YAML, or JSON with --json)')
  .option('--json', 'JSON instead of YAML')
  .action(async (options: { json?: boolean }) => {
    await withApp(async ({ app }) => {
      const project = await exportProject(app.db, app.project.secrets);
      process.stdout.write(options.json ? `${JSON.stringify(project, null, 2)}\n` : YAML.stringify(project));
    });
  });

const keys = program.command('keys').description("manage integration points' secret keys");
keys
  .command('list')
  .action(async () =>
    withApp(async ({ app }) => {
      for (const key of await listSecretKeys(app.db))
        print(`${key.id}  ${key.integration_point}  ${key.revoked_at ? 'revoked' : 'live   '}  ${key.label}`);
    }),
  );
keys
  .command('add <integrationPoint>')
  .option('--label <label>', 'what the key is for', 'added by regulars keys add')
  .action(async (integrationPoint: string, options: { label: string }) =>
    withApp(async ({ app }) => print(`New secret key (shown once): ${await addSecretKey(app.db, integrationPoint, options.label)}`)),
  );
keys
  .command('revoke <id>')
  .action(async (id: string) =>
    withApp(async ({ app }) => print((await revokeSecretKey(app.db, id)) ? 'revoked' : 'no live key with that id')),
  );

program
  .command('log')
  .description('show the newest operation log entries (phones and codes masked)')
  .option('--operation <name>')
  .option('--status <status>')
  .option('--limit <n>', 'how many', '20')
  .option('--json', 'full entries as JSON lines')
  .action(async (options: { operation?: string; status?: string; limit: string; json?: boolean }) =>
    withApp(async ({ app }) => {
      const entries = await queryOperationLog(app, { operation: options.operation, status: options.status, limit: Number(options.limit) || 20 });
      for (const entry of entries) {
        if (options.json) print(JSON.stringify(entry));
        else
          print(
            `${entry.at.toISOString()}  ${entry.mode.padEnd(5)}  ${String(entry.http_status).padEnd(3)}  ${entry.status.padEnd(27)}  ${entry.integration_point ?? '-'}  ${entry.operation ?? '-'}  ${entry.duration_ms} ms`,
          );
      }
    }),
  );

program
  .command('messages')
  .description('show stored SMS, newest first, with their texts (phones masked unless --phone is given)')
  .option('--phone <phone>', 'only messages to this phone')
  .option('--status <status>', 'queued, sending, sent, delivered or failed')
  .option('--limit <n>', 'how many', '20')
  .action(async (options: { phone?: string; status?: string; limit: string }) =>
    withApp(async ({ app }) => {
      const phone = options.phone === undefined ? undefined : phoneForLookup(options.phone, app.project.current.settings.defaultCountry);
      if (phone === null) throw new Error('--phone is not a phone number');
      const statuses = ['queued', 'sending', 'sent', 'delivered', 'failed'] as const;
      const status = statuses.find((known) => known === options.status);
      if (options.status && !status) throw new Error(`--status must be one of ${statuses.join(', ')}`);
      const messages = await listMessages(app.db, app.secrets, { phone, status, limit: Number(options.limit) || 20 });
      if (messages.length === 0) print('no messages');
      for (const message of messages)
        print(`${message.createdAt.toISOString()}  ${message.status.padEnd(9)}  ${message.phone}  ${message.mailing ?? '-'}  ${message.text ?? '(text not kept)'}${message.lastError ? `  (${message.lastError})` : ''}`);
    }),
  );

registerUsersCommand(program, withApp);
registerAdminTokenCommand(program, withApp);
registerImportCommand(program, withApp);
registerBackupCommands(program, config, print);
registerJobsCommand(program, withApp, backgroundWork.catalogue);

program
  .command('pos')
  .description('POS simulator: an interactive iiko cashier; "pos demo" runs the whole cashier flow against a server')
  .argument('[mode]', 'demo: run the flow non-interactively (starts its own server unless --server is given)')
  .option('--config <file>', 'plugin configuration, JSON or XML appSettings (default: src/pos/examples/plugin.config.json)')
  .option('--server <url>', 'Regulars server address (overrides the config)')
  .option('--key <key>', 'secret key of the integration point (overrides the config)')
  .option('--menu <file>', 'iiko nomenclature JSON (default: examples/iiko-nomenclature.json)')
  .option('--sms-port <port>', 'demo with --server: receive the server\'s SMS on this loopback SMPP port')
  .action(async (mode: string | undefined, options: { config?: string; server?: string; key?: string; menu?: string; smsPort?: string }) => {
    const { runPosCommand } = await import('./pos/simulator/command.ts');
    // The demo's own server is this installation's `regulars start`, run as a process of its own.
    // the same program this one is: the compiled bundle, or the TypeScript through the loader it was started with
    const startCommand = [process.execPath, ...process.execArgv, process.argv[1], 'start'];
    process.exit(await runPosCommand(mode, options, startCommand));
  });

program.parseAsync().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
