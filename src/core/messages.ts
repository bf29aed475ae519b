/**
 * Words the core hands to users, as data: a code and its parameters. The English template of each code is
 * defined here, once (logs and API readers get the English); each host (CLI, VS Code extension, dashboard)
 * words a message through its own catalogue, keyed by code, so the user reads it in the host's language.
 * Placeholders are named (`{minutes}`); a parameter may itself be a message, or a list of messages (joined
 * with `list.separator`). Pure and free of Node imports: the webview bundles it.
 */

export const CORE_MESSAGES = {
  'list.separator': '; ',
  'time.inMinutes': 'in {minutes} min',
  'time.inHours': 'in {hours} h',
  /** Free text from elsewhere (an upstream's reason, an account's recorded status): shown as it is. */
  text: '{text}',

  // The overview's health verdict (src/core/admin/overview.ts).
  'overview.down.noAccount': 'Down: no account yet; add a Google account to serve requests.',
  'overview.down.comesBack': 'Down: no account can serve now; the first comes back {when}.',
  'overview.down.allNeedAttention': 'Down: no account can serve; every account needs attention (see below).',
  'overview.healthy': 'Healthy: {usable}.',
  'overview.degraded': 'Degraded: {problems} ({usable}).',
  'overview.usable.one': '{usable} of {total} account usable',
  'overview.usable.many': '{usable} of {total} accounts usable',
  'overview.problem.unavailable': '{family} unavailable for now',
  'overview.problem.unavailableBoth': '{first} and {second} unavailable for now',
  'overview.problem.attention.one': '{count} account needs attention',
  'overview.problem.attention.many': '{count} accounts need attention',
  'overview.problem.failedShare': "{percent} % of today's requests failed",
  'overview.problem.teamRedis': "the team's Redis is unreachable: this instance serves from its last known state",
  'overview.reason.rateLimited': 'rate-limited',
  'overview.reason.quotaSpent': 'quota spent',
  'overview.reason.refreshTokenFailed': 'the refresh token no longer works',
  'overview.reason.blockedByGoogle': 'blocked by Google',
  'overview.none.allLimited': 'every account is limited',
  'overview.none.noAccount': 'no account can serve it',
  'overview.none.waiting': 'waiting for an account',

  // The step after a failed attempt (src/core/monitor/attempt-words.ts).
  'attempt.retry': 'retry same account',
  'attempt.fallBack': 'fall back to the next host',
  'attempt.switch': 'switch account',
  'attempt.wait': 'wait',
  'attempt.giveUp': 'give up',
  'attempt.withWait': '{step} in {seconds} s',
  'attempt.waitFor': 'wait in {seconds} s',
  'attempt.withNote': '{step} ({note})',
  'attempt.giveUpWhy': 'give up: {note}',
  /** Why (src/core/scheduler/open-generation.ts). */
  'attempt.note.both': '{first}; {second}',
  'attempt.note.waits': 'waits {why}',
  'attempt.note.conversationAccount': "for the conversation's account",
  'attempt.note.newRound': 'every account failed; then a new round over them',
  'attempt.note.rateLimitReset': "for {model}'s rate limit to reset",
  'attempt.note.transientBudget': 'stopped retrying after {seconds} s of upstream errors',
  'attempt.note.overBudget': 'the next try would exceed the retry budget',
  'attempt.note.allRateLimited': 'every account is rate-limited for {model}; the first is free in {seconds} s',
  'attempt.note.attempts': 'gave up after {tries} attempts',
  'attempt.note.attemptsAndCalls': 'gave up after {tries} attempts, {calls} upstream calls',
  'attempt.note.retrySeconds': 'gave up after {seconds} s of retries',
  'attempt.note.noOtherAccount': 'no other account left to try',
  'attempt.note.noUsableAccount': 'no usable account left: {accounts}',
  'attempt.note.clientLeft': 'the client went away',
  'attempt.note.nextHost': 'next Cloud Code host',
  'attempt.note.freshToken': 'with a fresh access token',
  'attempt.note.afterRateLimit': 'after the rate limit',
  'attempt.note.sitsOut': 'this account sits out the rest of the request',
  'attempt.note.quotaSpentFor': 'quota spent for {seconds} s',
  'attempt.note.coolingDownFor': 'cooling down for {seconds} s',
  'attempt.note.needsSignIn': 'account needs to sign in again',
  'attempt.note.blocked': 'account blocked by Google',
  'attempt.note.refused': 'the upstream refused the request itself; another account would not help',
  'attempt.note.unknownModel': 'the upstream does not know this model or method',
  // Why the routing moved on (src/core/providers/provider-pool.ts, routing-dispatcher.ts).
  'attempt.note.providerRateLimited': '{provider}: rate limited, cooling down {seconds} s',
  'attempt.note.providerKeyRejected': '{provider}: key rejected ({detail})',
  'attempt.note.providerSaid': '{provider}: {message}',
  'attempt.note.nextMember': 'no account can serve this member: the next member of the group',
  'attempt.note.spillOver': 'no account can serve: spilling over to the providers',

  // The IDE switch's score (src/core/ide/score.ts).
  'ide.score.explanation':
    'Score = the quota left (0–100) on the chosen model family that would run out first; ties go to the higher average over the chosen families, then to the quota that resets sooner. A family whose reset time has passed counts as full; a model that is rate-limited counts as empty until its limit ends. Accounts that are disabled, need sign-in again, have no quota data, or lack a chosen family are not candidates.',
  'ide.reason.disabled': 'disabled',
  'ide.reason.state': 'state: {state}',
  'ide.reason.noQuotaData': 'no quota data yet',
  'ide.reason.missingFamilies': 'no {families} models',
  'ide.reason.familyEmpty': 'a chosen family has no quota left',
  'ide.family.quota': '{family} {percent}%',
  'ide.family.unknown': '{family} –',
  'ide.family.refilled': '{quota} (refilled)',
  // The IDE's installations and switches (src/core/ide/switcher.ts).
  'ide.install.missing': 'no state database at {path}: start the IDE and sign in once',
  'ide.install.unsupported':
    'its state database holds no Antigravity sign-in: either it was never signed in (sign in once in the IDE, then quit it), or it keeps its credentials elsewhere (the standalone Antigravity app uses the OS keyring), which Agate does not write',
  'ide.switch.unsupported': 'Cannot switch: {why}.',
  'ide.switch.wrongClient':
    "The pool's refresh tokens come from the OAuth client {clientId} (setting oauth.clientId), not the Antigravity client the IDE refreshes with; the IDE would be signed out within the hour.",
  'ide.switch.noRefreshToken': 'No refresh token is stored for {email}.',
  'ide.switch.tokenExpiring': 'The access token of {email} is about to expire; refresh it first.',
  'ide.switch.hostsUs': 'Agate runs inside {product} ({dir}) and cannot close it; the switch must wait until the IDE has quit.',
  'ide.switch.declined': '{product} is running (PIDs {pids}); nothing was changed. Quit it, or allow Agate to close it.',
  'ide.switch.noBackup': 'No switch by Agate to undo for {product} ({dir}).',

  // Where the providers' default prices come from (src/core/providers/prices.ts).
  'providers.pricesSource': 'vendor price pages ({pages}), as published on {date}',
  // A provider's cap that stops it (src/core/providers/provider-pool.ts).
  'providers.cap.requestsPerMinute': '{provider}: requests/min cap of {cap} reached (frees in {seconds} s)',
  'providers.cap.tokensPerDay': '{provider}: tokens/day cap of {cap} reached ({used} used today, UTC)',
  'providers.cap.dailySpend': '{provider}: daily spend cap of ${cap} reached (${spent} spent today, UTC)',
  'providers.cap.noPrice': '{provider}: daily spend cap set but {model} has no price; set one with "agate providers set {provider} --price {model}=IN/OUT"',

  // Configuration errors (src/core/config/load.ts).
  'config.expected.number': '{origin}: expected a number, got {value}',
  'config.expected.boolean': '{origin}: expected true or false, got {value}',
  'config.invalidJson': '{origin}: invalid JSON ({detail})',
  'config.file.missing': 'config file {file} does not exist',
  'config.file.denied': 'config file {file} cannot be read (permission denied)',
  'config.file.folder': 'config file {file} is a folder, not a file',
  'config.file.unreadable': 'config file {file} cannot be read ({detail})',
  'config.file.notObject': 'config file {file}: the top level must be a JSON object',
  'config.origin.default': 'default',
  'config.origin.file': 'config file {file}',
  'config.origin.env': 'environment variable {name}',
  'config.origin.option': 'option --{key}',
  'config.origin.key': '"{key}"',
  'config.setting.unknown': '{origin} is not a configuration key',
  'config.flag.unknown': '{origin}: "{key}" is not a configuration key (see "agate config")',
  'config.key.unknown': 'unknown configuration key "{key}" (see "agate config")',
  'config.invalid.unknownSetting': 'invalid configuration: "{key}" is not a known setting',
  'config.invalid.oneOf': 'invalid configuration: "{key}" must be one of {allowed} (got {value})',
  'config.invalid.other': 'invalid configuration: "{key}" {detail}',
  'config.fromOrigin': '{error} (from {origin})',
  // The rule a value breaks (Ajv's keywords; its own English for the rarer ones).
  'config.rule.limit': 'must be {comparison} {limit}',
  'config.rule.type': 'must be {type}',
  'config.rule.minLength': 'must NOT have fewer than {limit} characters',
  'config.rule.maxLength': 'must NOT have more than {limit} characters',

  // Listening beyond loopback without the safeguards (src/core/security/lan-policy.ts).
  'listen.refused.lan':
    'Refusing to listen on {host}: that is reachable from other machines and allowLanAccess is false. Listen on 127.0.0.1, or set allowLanAccess to true (clients will then need an Agate key).',
  'listen.refused.authOff':
    'Refusing to listen on {host} with authMode "off": anyone on the network could use your accounts. Set authMode to "auto", "strict" or "all_except_health", and give clients a key ("agate keys create").',

  // A running gateway's admin API refusing a call (src/core/admin/admin-api.ts): the dashboard and the CLI show them.
  'admin.setting.unknown': 'Setting "{key}" is not a known setting',
  'admin.setting.oneOf': 'Setting "{key}" must be one of {allowed} (got {value})',
  'admin.setting.other': 'Setting "{key}" {detail}',
  'admin.setting.notInPanel': '"{key}" is not a setting the dashboard can change (it can change {keys})',
  'admin.setting.dataDir': '"dataDir" cannot be changed on a running gateway: it is where the gateway keeps its data',
  'admin.setting.notConfigKey': '"{key}" is not a configuration key (see "agate config")',
  'admin.changes.notObject': '"changes" must be an object of settings',
  'admin.changes.empty': '"changes" names no setting',
  'admin.unavailable.settings': 'This host does not let the dashboard change its settings',
  'admin.unavailable.running': 'This host starts and stops the gateway itself, not from the dashboard',
  'admin.unavailable.config': 'This host does not let other processes change its configuration',
  'admin.unavailable.monitor': 'The request monitor and token stats are turned off on this gateway',
  'admin.account.notFound': 'No account has the id "{id}"',

  // Who owns a data dir, and refusals because of it (src/core/stores/data-dir-lock.ts, the CLI's data-dir access).
  'owner.role.serve': '"agate serve"',
  'owner.role.demo': '"agate demo"',
  'owner.role.vscode': 'the Agate extension of a VS Code window',
  'owner.role.cli': 'an "agate" command',
  'owner.describe': '{role} (PID {pid}{port}{host})',
  'owner.port': ', port {port}',
  'owner.host': ' on {host}',
  'dataDir.owned': '{owner} owns the data dir {dataDir}',
  'dataDir.ownerSilent': '{owner} holds the data dir {dataDir} and does not answer; try again, or stop it',
  'dataDir.busy': 'the data dir {dataDir} stayed busy for {seconds} s; try again',
  'dataDir.lockPending': 'the lock {file} is being created by another process; try again',
  'dataDir.alreadyServed':
    'another Agate already serves the data dir {dataDir}: {owner}. Use that one (the agate commands reach it), stop it first, or give this one another --data-dir.',
  'dataDir.alreadyServedAt':
    'another Agate already serves the data dir {dataDir}: {owner} at {url}. Use that one (the agate commands reach it), stop it first, or give this one another --data-dir.',
} as const satisfies Record<string, string>;

export type MessageCode = keyof typeof CORE_MESSAGES;

export type MessageParam = string | number | CoreMessage | readonly CoreMessage[];

export interface CoreMessage {
  readonly code: MessageCode;
  readonly params?: Readonly<Record<string, MessageParam>>;
}

export const coreMessage = (code: MessageCode, params?: Record<string, MessageParam>): CoreMessage => (params ? { code, params } : { code });

/** Free text as a message (shown as it is, in every language). */
export const textMessage = (text: string): CoreMessage => ({ code: 'text', params: { text } });

export function isCoreMessage(value: unknown): value is CoreMessage {
  return typeof value === 'object' && value !== null && typeof (value as CoreMessage).code === 'string' && (value as CoreMessage).code in CORE_MESSAGES;
}

/** A host's templates by code; undefined: the host has no translation, the English is used. */
export type MessageTemplates = (code: MessageCode) => string | undefined;

const english: MessageTemplates = () => undefined;

/** The message in the words of `templates` (English where they lack the code), parameters filled in. */
export function renderMessage(message: CoreMessage, templates: MessageTemplates = english): string {
  const template = templates(message.code) ?? CORE_MESSAGES[message.code] ?? message.code;
  return template.replace(/\{(\w+)\}/g, (match, name: string) => {
    const value = message.params?.[name];
    if (value === undefined) return match;
    if (typeof value === 'string' || typeof value === 'number') return String(value);
    if (Array.isArray(value)) {
      const separator = templates('list.separator') ?? CORE_MESSAGES['list.separator'];
      return (value as readonly CoreMessage[]).map((item) => renderMessage(item, templates)).join(separator);
    }
    return renderMessage(value as CoreMessage, templates);
  });
}

/** The English words (logs, error messages, API readers). */
export const englishOf = (message: CoreMessage): string => renderMessage(message);

/** The named placeholders of a template, sorted: a translation must keep the same ones. */
export const placeholdersOf = (template: string): string[] => [...new Set(template.match(/\{\w+\}/g) ?? [])].sort();
