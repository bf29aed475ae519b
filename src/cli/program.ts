import { ConfigError } from '../core/config/load';
import { AccountSetupError } from '../core/accounts';
import { UnsafeListenError } from '../core/security';
import { ListenError, PortInUseError } from '../core/server/listener';
import { AdminCallError, OwnerUnreachableError } from '../core/admin/admin-client';
import { GatewayError } from '../core/errors';
import { isCoreMessage } from '../core/messages';
import { DataDirBusyError } from '../core/stores/data-dir-lock';
import { commandFirst, UsageError } from './args';
import { help } from './help';
import { l10n, languageFromEnv, parseLanguage, setLanguage, takeLanguageFlag } from './l10n';
import { AGATE_VERSION } from './host';

export type Command = (argv: string[]) => Promise<number | void>;
export type Commands = Record<string, Command>;

/** `agate version`, in every part of the CLI. */
export const versionCommand: Command = async () => void console.log(AGATE_VERSION);

/** The command being run, for messages. */
let current: string | undefined;

async function main(args: string[], commands: Commands): Promise<number> {
  const { argv, tag } = takeLanguageFlag(args);
  setLanguage(languageFromEnv(process.env));
  if (tag !== undefined) {
    const language = parseLanguage(tag);
    if (!language) throw new UsageError(l10n.t('--lang expects en or zh-CN, got "{0}"', tag));
    setLanguage(language);
  }
  const { usage, common, commands: commandHelp } = help();
  const [name, ...rest] = commandFirst(argv);
  if (name === undefined || name === '-h' || name === '--help' || name === 'help') {
    // `agate help serve` is `agate serve --help`.
    const topic = name === 'help' ? rest[0] : undefined;
    process.stdout.write(topic && commandHelp[topic] ? `${commandHelp[topic]}\n${common}` : usage);
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-v') return (console.log(AGATE_VERSION), 0);
  const command = commands[name];
  if (!command) {
    if (name.startsWith('-')) throw new UsageError(l10n.t('unknown option {0}', name.split('=')[0]));
    throw new UsageError(l10n.t('unknown command "{0}"', name));
  }
  current = name;
  if (rest.includes('--help') || rest.includes('-h')) return (process.stdout.write(`${commandHelp[name] ?? usage}\n${common}`), 0);
  return (await command(rest)) ?? 0;
}

/** An error's words in the user's language: the core's errors carry a message (`detail`) the CLI words by its code. */
function wordsOf(err: Error): string {
  const detail = (err as Error & { detail?: unknown }).detail;
  return isCoreMessage(detail) ? l10n.message(detail) : err.message;
}

/** An expected failure's words, with what caused it (`fetch failed: getaddrinfo ENOTFOUND oauth2.googleapis.com`). */
function explain(err: Error): string {
  const words = wordsOf(err);
  const cause = err.cause as (Error & { code?: string; hostname?: string }) | undefined;
  if (!cause || typeof cause !== 'object') return words;
  const detail = cause.code === 'ENOTFOUND' && cause.hostname ? l10n.t('cannot resolve {0}', cause.hostname) : (cause.message ?? String(cause));
  return detail && !err.message.includes(detail) ? `${words}: ${detail}` : words;
}

/** Runs `agate ARGS` with these commands (main.ts and tools.ts say which), and sets the exit code. */
export function runCli(args: string[], commands: Commands): Promise<void> {
  // A command whose work was left waiting on nothing (a connection that vanished with the data dir's owner)
  // would otherwise end with exit 0 and no output, as if it had done its work.
  let settled = false;
  const unfinished = () => {
    if (settled) return;
    settled = true;
    process.stderr.write(
      `agate: ${l10n.t('the command stopped before it finished (its connection to the data dir owner was lost?); nothing was confirmed, run it again')}\n`,
    );
    process.exitCode = 1;
  };
  process.once('beforeExit', unfinished);
  return main(args, commands).then(
    (code) => {
      settled = true;
      process.off('beforeExit', unfinished);
      process.exitCode = code;
    },
    (err: unknown) => {
      settled = true;
      process.off('beforeExit', unfinished);
      if (err instanceof UsageError) {
        const helpCommand = current ? `agate ${current} --help` : 'agate --help';
        process.stderr.write(`agate${current ? ` ${current}` : ''}: ${l10n.t('{0} (see "{1}")', err.message, helpCommand)}\n`);
        process.exitCode = 2;
      } else if (
        err instanceof ConfigError ||
        err instanceof PortInUseError ||
        err instanceof ListenError ||
        err instanceof AccountSetupError ||
        err instanceof UnsafeListenError ||
        // The data dir's owner refused or could not be reached; or the in-process admin API refused.
        err instanceof DataDirBusyError ||
        err instanceof AdminCallError ||
        err instanceof OwnerUnreachableError ||
        err instanceof GatewayError
      ) {
        process.stderr.write(`agate: ${wordsOf(err)}\n`);
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
}
