import { ConfigError } from '../core/config/load';
import { AccountSetupError } from '../core/accounts';
import { UnsafeListenError } from '../core/security';
import { ListenError, PortInUseError } from '../core/server/listener';
import { AdminCallError, OwnerUnreachableError } from '../core/admin/admin-client';
import { GatewayError } from '../core/errors';
import { DataDirBusyError } from '../core/stores/data-dir-lock';
import { UsageError } from './args';
import { accountsCommand } from './commands/accounts';
import { configCommand } from './commands/config';
import { connectCommand } from './commands/connect';
import { keysCommand } from './commands/keys';
import { demoCommand, serveCommand, simulateCommand } from './commands/run';
import { AGATE_VERSION } from './host';
import { installBenchProbe } from './bench-probe';

const USAGE = `agate ${AGATE_VERSION} — one local base URL for Anthropic, OpenAI and Gemini clients

Usage: agate <command> [options]

Commands:
  serve                     Run the gateway (Ctrl-C stops it gracefully)
  demo                      Run the gateway against the built-in upstream simulator, with a demo account
  simulate                  Run only the upstream simulator
  accounts list             Accounts, their state and quota
  accounts add --sign-in [--email E]
                            Add a Google account in the browser (loopback redirect; E preselects it)
  accounts add --refresh-token TOKEN [--email E]
                            Add an account by refresh token (refused if the token is not E's)
  accounts import FILE      Bulk import: a JSON array of {email?, refresh_token}
  accounts remove|enable|disable|reauth ACCOUNT   (email or id)
  accounts refresh [ACCOUNT]  Fetch quota now
  keys list                 Client keys, their models, limits and usage today
  keys create NAME [--models a,b*] [--rpm N] [--rpd N] [--tpm N] [--tpd N] [--concurrency N]
                            A key for one client or person (shown once)
  keys rotate|revoke KEY    (name or id)
  keys primary [--rotate]   Print (or replace) your own key, which also opens the admin API
  config                    Print the effective configuration and where each layer comes from
  config set KEY=VALUE …    Save settings; a running gateway on the data dir applies them at once (listen and
                            build-time keys when it starts again)
  connect CLIENT [--yes] [--undo] [--model M]
                            Point a client at Agate in its own settings (claude-code, codex, gemini-cli, opencode,
                            cline; openai-compatible prints them): shows the diff, keeps a backup, --undo restores
  version                   Print the version

Options for every command:
  --data-dir DIR            Where accounts, secrets, logs and stats live (default ~/.agate)
  --config FILE             JSON config file (layers: defaults < file < AGATE_* env < flags)
  --set key=value           Any config key, e.g. --set scheduling.mode=balance (repeatable)
  --port N, --host ADDR     Shorthands for --set port=N, --set host=ADDR
  -h, --help
`;

type Command = (argv: string[]) => Promise<number | void>;

const commands: Record<string, Command> = {
  serve: serveCommand,
  demo: demoCommand,
  simulate: simulateCommand,
  accounts: accountsCommand,
  keys: keysCommand,
  config: configCommand,
  connect: connectCommand,
  version: async () => void console.log(AGATE_VERSION),
};

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '-h' || name === '--help' || name === 'help') {
    process.stdout.write(USAGE);
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-v') return (console.log(AGATE_VERSION), 0);
  const command = commands[name];
  if (!command) throw new UsageError(`unknown command "${name}"`);
  if (rest.includes('--help') || rest.includes('-h')) return (process.stdout.write(USAGE), 0);
  return (await command(rest)) ?? 0;
}

installBenchProbe();
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof UsageError) {
      process.stderr.write(`agate: ${err.message}\nRun "agate --help" for usage.\n`);
      process.exitCode = 2;
    } else if (
      err instanceof ConfigError || err instanceof PortInUseError || err instanceof ListenError || err instanceof AccountSetupError || err instanceof UnsafeListenError ||
      // The data dir's owner refused or could not be reached; or the in-process admin API refused.
      err instanceof DataDirBusyError || err instanceof AdminCallError || err instanceof OwnerUnreachableError || err instanceof GatewayError
    ) {
      process.stderr.write(`agate: ${err.message}\n`);
      process.exitCode = 1;
    } else {
      process.stderr.write(`agate: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exitCode = 1;
    }
  },
);
