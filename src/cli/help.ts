/**
 * The CLI's help: the overview (`agate --help`), the options of every command, and `agate <command> --help`, in
 * English here and in each language's help.<language>.ts, chosen by the CLI's language (l10n.ts).
 */
import { AGATE_VERSION } from './host';
import { currentLanguage, type CliHelp, type CliLanguage } from './l10n';
import { HELP_ZH_CN } from './help.zh-cn';

export const COMMON_OPTIONS = `Options for every command (before or after the command's name):
  --data-dir DIR            Where accounts, secrets, logs and stats live (default ~/.agate)
  --config FILE             JSON config file (layers: defaults < file < AGATE_* env < flags)
  --set key=value           Any config key, e.g. --set scheduling.mode=balance or --set models.aliases.gpt-4o=gemini-3-flash
                            (repeatable)
  --lang en|zh-CN           Language of messages and help (default: from LC_ALL, LC_MESSAGES or LANG, else English)
  -h, --help                This help
`;

const SERVER_OPTIONS = `  --port N, --host ADDR     Where to listen (shorthands for --set port=N, --set host=ADDR)
  --quiet                   No line per request on stdout
  --log-format text|json    The per-request line as text (default) or one JSON object
  --redis URL               Team mode: share the pool with other instances through this Redis
                            (shorthand for --set store.redis.url=URL; the team secret: AGATE_REDIS_SECRET_KEY)
`;

export const COMMAND_HELP: Record<string, string> = {
  serve: `Usage: agate serve [options]

Runs the gateway in the foreground with the accounts in the data dir; Ctrl-C stops it gracefully. Prints the
base URL, ready-to-paste client settings, the dashboard URL, then one line per request.

${SERVER_OPTIONS}`,
  demo: `Usage: agate demo [options]

Runs the real gateway against the built-in upstream simulator with a demo account, in a temporary data dir
(unless --data-dir): try clients and the dashboard without a Google account. Answers are the simulator's;
directives in the prompt trigger tool calls ([[sim:call NAME {json}]]) and faults ([[sim:fault KIND]]).

${SERVER_OPTIONS}  --simulator URL           Use a simulator already running ("agate simulate") instead of starting one
  --sim-port N              Port of the simulator this command starts (default: any free port)
  --no-observability        No request monitor or token stats (benchmarks)
`,
  simulate: `Usage: agate simulate [--port N] [--host ADDR] [--latency-ms N] [--frame-interval-ms N] [--quota-cost F] [--log-entries N]

Runs only the upstream simulator (Google OAuth and Cloud Code stand-in), for tests and benchmarks; point a
gateway at it with "agate demo --simulator URL".

  --latency-ms N            Delay before the first byte of each answer
  --frame-interval-ms N     Delay between streamed frames
  --quota-cost F            Fraction of an account's quota one answer uses (default 0.01)
  --log-entries N           Requests kept in the log (/__sim/log), bodies included (default 10000)
`,
  accounts: `Usage: agate accounts <action> [options]

Manages the Google accounts in the data dir: through the gateway that serves it when one runs (changes apply at
once), else directly.

  list                              Accounts, their state and quota (the default)
  add --sign-in [--email E]         Add an account in the browser (loopback redirect; E preselects it)
  add --refresh-token TOKEN [--email E]
                                    Add an account by refresh token (refused if the token is not E's)
  import FILE                       Bulk import: a JSON array of {email?, refresh_token}
  remove|enable|disable ACCOUNT     By email or id
  reauth ACCOUNT [--refresh-token TOKEN]
                                    Sign the account in again
  refresh [ACCOUNT]                 Fetch quota now (every active account without ACCOUNT)
`,
  providers: `Usage: agate providers <action> [options]

Paid API-key providers beside the accounts: through the gateway that serves the data dir when one runs (changes
apply at once), else directly. The key is read from AGATE_PROVIDER_KEY (or --key-env VAR, or --key-stdin), never
from the command line, checked against the provider, and kept in the encrypted secret store.

  list                              Providers, their models, limits and state (the default)
  add NAME --kind KIND [--base-url URL] [--models a,b] [--priority N] [--rpm N] [--tokens-per-day N]
      [--daily-cap USD] [--price MODEL=IN/OUT[/CACHED]]… [--disabled]
                                    KIND: anthropic, gemini-api or openai-compatible (which needs --base-url,
                                    e.g. https://api.openai.com/v1 or http://127.0.0.1:11434/v1); models come from
                                    the provider's models endpoint unless listed; prices in US dollars per million tokens
  set NAME [same options as add]    Change limits, prices, models, base URL or (with --key-env/--key-stdin) the key
  remove|enable|disable NAME        By name or id; remove deletes the key
  refresh NAME                      Ask the provider for its models again
`,
  keys: `Usage: agate keys <action> [options]

Client keys (one per client or person; used when auth is on) and your own primary key.

  list                              Keys, their models, limits and usage today (the default)
  create NAME [--models a,b*] [--rpm N] [--rpd N] [--tpm N] [--tpd N] [--concurrency N]
                                    A key for one client or person (shown once)
  rotate|revoke KEY                 By name or id
  primary [--rotate]                Print (or replace) your own key, which also opens the admin API and dashboard
`,
  config: `Usage: agate config [--json]
       agate config set KEY=VALUE …

Without an action: every setting's effective value and where it comes from (default, the config file, an
AGATE_* variable or a flag); --json prints the configuration as JSON instead.
set: saves settings to the config file; a gateway running on the data dir applies them at once (listen and
build-time keys when it starts again). Map entries work too: models.aliases.gpt-4o=gemini-3-flash.
`,
  ide: `Usage: agate ide status|switch [ACCOUNT|--best]|undo [options]

Signs the Antigravity IDE (its own agent) into an account of the pool. Finds the IDE's state database (the
"Antigravity IDE" folder, then the legacy "Antigravity" one; --user-data-dir of a running instance; portable
installs), reads which account it uses and in which format, and writes the new account's tokens in one
transaction, after a backup (state.vscdb.agate-backup). The IDE must be closed for that: Agate asks, closes it
like Quit, checks that every process of it is gone, and starts it again. Run from the IDE's own terminal, a
helper waits until you quit the IDE instead.

  status                    The installations, their sign-in, and the pool's accounts by score
  switch ACCOUNT            Sign the IDE into ACCOUNT (email or id)
  switch --best             Into the account with the best score (not the one it uses now)
  undo                      Put the database back as it was before the last switch
  --families a,b            Model families the score counts: claude, gemini-pro, gemini-flash (default all)
  --user-data-dir DIR       The IDE's data folder, when it is not found by itself
  --yes, -y                 Close a running IDE without asking
  --no-relaunch             Do not start the IDE again

Score: the quota left on the chosen family that runs out first (0-100); ties go to the higher average, then to
the quota that resets sooner. A quota whose reset time has passed counts as full.
`,
  connect: `Usage: agate connect CLIENT [--yes] [--undo] [--model M] [--key K] [--url URL] [--trust DIR]

Points a client at Agate in its own settings (claude-code, codex, gemini-cli, opencode, cline; openai-compatible
prints them): shows the diff, asks (unless --yes), keeps a backup; --undo restores it. --trust DIR (gemini-cli,
repeatable) also adds DIR to gemini-cli's trusted folders, where it reads the .env connect writes.
`,
  team: `Usage: agate team status [--redis URL] [--json]

The instances sharing the team's Redis (store.redis.url, AGATE_REDIS_URL or --redis): id, host, version,
where each listens and its last heartbeat. Needs no gateway running here.
`,
  version: `Usage: agate version

Prints the version.
`,
};

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
  team status               The instances sharing the team's Redis (team mode)
  version                   Print the version

"agate COMMAND --help" tells more about one command.

${COMMON_OPTIONS}`;

export const HELP_EN: CliHelp = { usage: USAGE, common: COMMON_OPTIONS, commands: COMMAND_HELP };

const HELP: Record<CliLanguage, CliHelp> = { en: HELP_EN, 'zh-cn': HELP_ZH_CN };

/** The help in the CLI's language. */
export function help(language: CliLanguage = currentLanguage()): CliHelp {
  return HELP[language];
}
