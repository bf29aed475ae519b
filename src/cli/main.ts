import { commandFirst } from './args';
import { takeLanguageFlag } from './l10n';
import { runCli, versionCommand } from './program';
import { demoCommand, serveCommand, simulateCommand } from './commands/run';

/**
 * The commands that manage a data dir or the machine rather than run a gateway. They run from their own bundle,
 * dist/cli-tools.js (src/cli/tools.ts: the same CLI with these commands), so that `agate serve` parses and
 * initialises none of their code, nor the IDE switch's and the Node modules they load: ≈ 2.5 MB of idle RSS.
 */
const TOOL_COMMANDS = new Set(['accounts', 'providers', 'keys', 'config', 'connect', 'ide', 'team']);

/** The command `agate ARGS` names, if any; a malformed line is left for runCli to report. */
function commandOf(args: string[]): string | undefined {
  try {
    return commandFirst(takeLanguageFlag(args).argv)[0];
  } catch {
    return undefined;
  }
}

const args = process.argv.slice(2);
if (TOOL_COMMANDS.has(commandOf(args) ?? '')) void (require('./tools') as typeof import('./tools')).runTools(args);
else void runCli(args, { serve: serveCommand, demo: demoCommand, simulate: simulateCommand, version: versionCommand });
