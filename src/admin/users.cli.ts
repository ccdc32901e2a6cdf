// `regulars users add | list | password | role | disable | enable` — people who sign in to the admin console.
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import type { AppContext } from '../app-context.ts';
import type { AdminRole } from '../db/schema.ts';
import { AppError, isAppError } from '../shared/errors.ts';
import { addUser, ADMIN_ROLES, listUsers, setDisabled, setPassword, setRole } from './users.service.ts';

type WithApp = <T>(work: (opened: { app: AppContext }) => Promise<T>) => Promise<T>;

/** Reads a password: typed without echo on a terminal (twice), or the first line of piped input. */
async function readPassword(prompt: string): Promise<string> {
  if (!process.stdin.isTTY) {
    const lines = createInterface({ input: process.stdin });
    for await (const line of lines) {
      lines.close();
      return line;
    }
    return '';
  }
  const ask = (question: string) =>
    new Promise<string>((resolve) => {
      const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: true });
      const output = rl as unknown as { _writeToOutput: (text: string) => void };
      let muted = false;
      output._writeToOutput = (text: string) => {
        if (!muted) process.stdout.write(text);
      };
      rl.question(question, (answer) => {
        rl.close();
        process.stdout.write('\n');
        resolve(answer);
      });
      muted = true;
    });
  const first = await ask(prompt);
  const second = await ask('Repeat it: ');
  if (first !== second) throw new AppError('bad_request', 'the two passwords differ');
  return first;
}

function role(value: string): AdminRole {
  if (!(ADMIN_ROLES as readonly string[]).includes(value)) throw new AppError('bad_request', `--role is one of ${ADMIN_ROLES.join(', ')}`);
  return value as AdminRole;
}

/** Prints a refusal (a bad name, an unknown user, a taken name) as one line; anything else is a failure and throws. */
async function reportRefusals(work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (error) {
    if (!isAppError(error)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exitCode = 1;
  }
}

export function registerUsersCommand(program: Command, withApp: WithApp): void {
  const users = program.command('users').description('people who sign in to the admin console (owner, marketer, viewer)');
  users
    .command('add <name>')
    .description('add a user; the password is asked for unless --password is given')
    .requiredOption('--role <role>', `one of ${ADMIN_ROLES.join(', ')}`)
    .option('--password <password>', 'the password (at least 8 characters); prefer typing it at the prompt')
    .action(async (name: string, options: { role: string; password?: string }) =>
      reportRefusals(async () => {
        const password = options.password ?? (await readPassword(`Password for ${name}: `));
        await withApp(async ({ app }) => {
          const user = await addUser(app.db, { name, role: role(options.role), password });
          process.stdout.write(`Added ${user.role} "${user.name}". Sign in at the server's address, e.g. http://127.0.0.1:${app.config.port}/\n`);
        });
      }),
    );
  users.command('list').action(async () =>
    withApp(async ({ app }) => {
      for (const user of await listUsers(app.db))
        process.stdout.write(`${user.name.padEnd(24)} ${user.role.padEnd(9)} ${user.disabled ? 'disabled' : 'active  '} added ${user.createdAt.toISOString()}\n`);
    }),
  );
  users
    .command('password <name>')
    .description('set a new password (signs the user out everywhere)')
    .option('--password <password>')
    .action(async (name: string, options: { password?: string }) =>
      reportRefusals(async () => {
        const password = options.password ?? (await readPassword(`New password for ${name}: `));
        await withApp(async ({ app }) => {
          await setPassword(app.db, name, password, app.now());
          process.stdout.write('Password changed.\n');
        });
      }),
    );
  users
    .command('role <name> <role>')
    .description('change a user\'s role')
    .action(async (name: string, value: string) =>
      reportRefusals(() => withApp(async ({ app }) => setRole(app.db, name, role(value), app.now()))),
    );
  for (const [command, disabled] of [['disable', true], ['enable', false]] as const) {
    users
      .command(`${command} <name>`)
      .description(disabled ? 'stop a user from signing in (ends their sessions)' : 'let a disabled user sign in again')
      .action(async (name: string) => reportRefusals(() => withApp(async ({ app }) => setDisabled(app.db, name, disabled, app.now()))));
  }
}
