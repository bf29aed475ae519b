import { accountsCommand } from './commands/accounts';
import { configCommand } from './commands/config';
import { connectCommand } from './commands/connect';
import { ideCommand } from './commands/ide';
import { keysCommand } from './commands/keys';
import { providersCommand } from './commands/providers';
import { teamCommand } from './commands/team';
import { runCli, versionCommand } from './program';

/**
 * `agate accounts|providers|keys|config|connect|ide|team …`: main.ts hands the whole command line over (language,
 * help, errors included), so that in the bundles this file's copy of the CLI runs it from dist/cli-tools.js.
 */
export function runTools(args: string[]): Promise<void> {
  return runCli(args, {
    accounts: accountsCommand,
    providers: providersCommand,
    keys: keysCommand,
    config: configCommand,
    connect: connectCommand,
    ide: ideCommand,
    team: teamCommand,
    version: versionCommand,
  });
}
