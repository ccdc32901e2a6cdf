// `regulars admin-token list | rotate | revoke [id]` — the admin token of scripts and of an installation's first
// sign-in. Revoking a token ends the console sessions it opened at once, in every running process.
import type { Command } from 'commander';
import type { AppContext } from '../app-context.ts';
import { adminTokenIdOf, listAdminTokens, revokeAdminTokens, rotateAdminToken } from './admin-tokens.ts';

type WithApp = <T>(work: (opened: { app: AppContext }) => Promise<T>) => Promise<T>;

const print = (line: string) => process.stdout.write(`${line}\n`);

export function registerAdminTokenCommand(program: Command, withApp: WithApp): void {
  const tokens = program.command('admin-token').description('the admin token: scripts send it as Authorization: Bearer, and it signs in to the console as an owner');
  tokens
    .command('list')
    .description('every admin token, live or revoked (never the token itself: only its hash is kept)')
    .action(async () =>
      withApp(async ({ app }) => {
        for (const token of await listAdminTokens(app.db)) print(`${token.id}  ${token.revoked_at ? 'revoked' : 'live   '}  ${token.created_at.toISOString()}  ${token.label}`);
      }),
    );
  tokens
    .command('rotate')
    .description('create a new admin token (shown once) and revoke every other one, ending the console sessions they opened')
    .option('--label <label>', 'what the token is for', 'rotated by regulars admin-token rotate')
    .action(async (options: { label: string }) =>
      withApp(async ({ app }) => {
        if (app.config.adminToken) {
          process.stderr.write('REGULARS_ADMIN_TOKEN sets the admin token: put a new value there and restart; the start revokes the old token\n');
          process.exitCode = 1;
          return;
        }
        print(`New admin token (shown once, store it now): ${await rotateAdminToken(app.db, options.label)}`);
        print('Every other admin token is revoked; the console sessions they opened are over.');
      }),
    );
  tokens
    .command('revoke [id]')
    .description('revoke one admin token (an id from the list) or, without an id, every one; the console sessions they opened end at once')
    .action(async (id: string | undefined) =>
      withApp(async ({ app }) => {
        const revoked = await revokeAdminTokens(app.db, id);
        print(revoked ? `Revoked ${revoked} admin token(s); the console sessions they opened are over.` : 'No live admin token with that id.');
        if (app.config.adminToken && !(await adminTokenIdOf(app.db, app.config.adminToken))) {
          print('REGULARS_ADMIN_TOKEN holds a revoked token now: set a new one or remove the setting, or the next start refuses it.');
        }
      }),
    );
}
