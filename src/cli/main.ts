import { ConfigError } from '../core/config/load';
import { AccountSetupError } from '../core/accounts';
import { UnsafeListenError } from '../core/security';
import { ListenError, PortInUseError } from '../core/server/listener';
import { AdminCallError, OwnerUnreachableError } from '../core/admin/admin-client';
import { GatewayError } from '../core/errors';
import { DataDirBusyError } from '../core/stores/data-dir-lock';
import { commandFirst, UsageError } from './args';
import { COMMAND_HELP, COMMON_OPTIONS } from './help';
import { accountsCommand } from './commands/accounts';
import { configCommand } from './commands/config';
import { connectCommand } from './commands/connect';
import { ideCommand } from './commands/ide';
import { keysCommand } from './commands/keys';
import { providersCommand } from './commands/providers';
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
  providers list|add|set|remove|enable|disable|refresh
                            API-key providers (Anthropic, Gemini API, OpenAI-compatible) beside the accounts
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
  ide status|switch [ACCOUNT|--best]|undo
                            Sign the Antigravity IDE into a pool account (the best one by quota left): closes it on
                            your word, keeps a backup, starts it again; undo restores the backup
  version                   Print the version

"agate COMMAND --help" tells more about one command.

${COMMON_OPTIONS}`;

type Command = (argv: string[]) => Promise<number | void>;

const commands: Record<string, Command> = {
  serve: serveCommand,
  demo: demoCommand,
  simulate: simulateCommand,
  accounts: accountsCommand,
  providers: providersCommand,
  keys: keysCommand,
  config: configCommand,
  connect: connectCommand,
  ide: ideCommand,
  version: async () => void console.log(AGATE_VERSION),
};

/** The command being run, for messages. */
let current: string | undefined;

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = commandFirst(argv);
  if (name === undefined || name === '-h' || name === '--help' || name === 'help') {
    // `agate help serve` is `agate serve --help`.
    const topic = name === 'help' ? rest[0] : undefined;
    process.stdout.write(topic && COMMAND_HELP[topic] ? `${COMMAND_HELP[topic]}\n${COMMON_OPTIONS}` : USAGE);
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-v') return (console.log(AGATE_VERSION), 0);
  const command = commands[name];
  if (!command) {
    if (name.startsWith('-')) throw new UsageError(`unknown option ${name.split('=')[0]}`);
    throw new UsageError(`unknown command "${name}"`);
  }
  current = name;
  if (rest.includes('--help') || rest.includes('-h')) return (process.stdout.write(`${COMMAND_HELP[name] ?? USAGE}\n${COMMON_OPTIONS}`), 0);
  return (await command(rest)) ?? 0;
}

/** An expected failure's words, with what caused it (`fetch failed: getaddrinfo ENOTFOUND oauth2.googleapis.com`). */
function explain(err: Error): string {
  const cause = err.cause as (Error & { code?: string; hostname?: string }) | undefined;
  if (!cause || typeof cause !== 'object') return err.message;
  const detail = cause.code === 'ENOTFOUND' && cause.hostname ? `cannot resolve ${cause.hostname}` : (cause.message ?? String(cause));
  return detail && !err.message.includes(detail) ? `${err.message}: ${detail}` : err.message;
}

installBenchProbe();
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof UsageError) {
      const help = current ? `agate ${current} --help` : 'agate --help';
      process.stderr.write(`agate${current ? ` ${current}` : ''}: ${err.message} (see "${help}")\n`);
      process.exitCode = 2;
    } else if (
      err instanceof ConfigError || err instanceof PortInUseError || err instanceof ListenError || err instanceof AccountSetupError || err instanceof UnsafeListenError ||
      // The data dir's owner refused or could not be reached; or the in-process admin API refused.
      err instanceof DataDirBusyError || err instanceof AdminCallError || err instanceof OwnerUnreachableError || err instanceof GatewayError
    ) {
      process.stderr.write(`agate: ${err.message}\n`);
      process.exitCode = 1;
    } else {
      // No stack trace for the user (a network error, a refused sign-in); AGATE_DEBUG=1 shows it.
      const debug = process.env.AGATE_DEBUG === '1';
      const text = err instanceof Error ? (debug ? (err.stack ?? err.message) : explain(err)) : String(err);
      process.stderr.write(`agate: ${text}\n`);
      process.exitCode = 1;
    }
  },
);
