import { renderMessage, type CoreMessage, type MessageCode } from '../core/messages';

/**
 * The CLI in the user's language: English by default, Simplified Chinese when `--lang` or the locale says so
 * (LC_ALL, then LC_MESSAGES, then LANG: the first one set decides, as POSIX orders them). A message is its English
 * text with `{0}` placeholders (the format of the extension's l10n bundles), looked up in the language's catalogue
 * (src/cli/l10n/<language>.ts); a unit test checks each catalogue against the calls of `l10n.t` in src/cli.
 * Adding a language is adding a catalogue (and the help in help.<language>.ts).
 */

export const CLI_LANGUAGES = ['en', 'zh-cn'] as const;
export type CliLanguage = (typeof CLI_LANGUAGES)[number];

/** The help of one language: the overview, the options of every command, and each command's own. */
export interface CliHelp {
  usage: string;
  common: string;
  commands: Record<string, string>;
}

function loadedOnce<T>(load: () => T): () => T {
  let value: T | undefined;
  return () => (value ??= load());
}

/**
 * Each language's tables, loaded when the CLI first speaks it: in the bundle an English `agate serve` then builds
 * none of the Chinese objects.
 */
const CATALOGUES: Record<Exclude<CliLanguage, 'en'>, () => Readonly<Record<string, string>>> = {
  'zh-cn': loadedOnce(() => (require('./l10n/zh-cn') as typeof import('./l10n/zh-cn')).ZH_CN),
};

/** The core's messages (src/core/messages.ts) by code, in each language but English (the core's own). */
const CORE_CATALOGUES: Record<Exclude<CliLanguage, 'en'>, () => Readonly<Partial<Record<MessageCode, string>>>> = {
  'zh-cn': loadedOnce(() => (require('../core/messages.zh-cn') as typeof import('../core/messages.zh-cn')).CORE_MESSAGES_ZH_CN),
};

/** `zh_CN.UTF-8`, `zh-Hans`, `en_US`, `C` → the language the CLI speaks; undefined when it has no such language. */
export function parseLanguage(tag: string): CliLanguage | undefined {
  const base = tag.split(/[.@]/)[0].toLowerCase().replace(/_/g, '-');
  if (base === 'c' || base === 'posix' || base === 'en' || base.startsWith('en-')) return 'en';
  if (base === 'zh' || base.startsWith('zh-')) return 'zh-cn';
  return undefined;
}

/** The language of the environment's locale; English when unset or when the CLI does not speak it. */
export function languageFromEnv(env: NodeJS.ProcessEnv): CliLanguage {
  for (const name of ['LC_ALL', 'LC_MESSAGES', 'LANG']) {
    const value = env[name];
    if (value) return parseLanguage(value) ?? 'en';
  }
  return 'en';
}

/** Takes `--lang TAG` / `--lang=TAG` out of the arguments (anywhere, like the other options for every command). */
export function takeLanguageFlag(argv: readonly string[]): { argv: string[]; tag?: string } {
  const rest: string[] = [];
  let tag: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      rest.push(...argv.slice(i));
      break;
    }
    if (arg === '--lang') {
      tag = argv[++i] ?? '';
    } else if (arg.startsWith('--lang=')) {
      tag = arg.slice('--lang='.length);
    } else {
      rest.push(arg);
    }
  }
  return tag === undefined ? { argv: rest } : { argv: rest, tag };
}

let active: CliLanguage = 'en';

export function setLanguage(language: CliLanguage): void {
  active = language;
}

export function currentLanguage(): CliLanguage {
  return active;
}

/** `{0}`, `{1}` … replaced by the arguments. */
function format(template: string, args: ReadonlyArray<string | number>): string {
  return template.replace(/\{(\d+)\}/g, (match, index: string) => (Number(index) < args.length ? String(args[Number(index)]) : match));
}

export const l10n = {
  /** The message in the active language (the English text when the catalogue lacks it). */
  t(message: string, ...args: Array<string | number>): string {
    const template = active === 'en' ? message : (CATALOGUES[active]()[message] ?? message);
    return format(template, args);
  },
  /** A message of the core (a code and its parameters) in the active language. */
  message(message: CoreMessage): string {
    if (active === 'en') return renderMessage(message);
    const texts = CORE_CATALOGUES[active]();
    return renderMessage(message, (code) => texts[code]);
  },
};

/** Columns a terminal gives the text: CJK characters and full-width punctuation take two. */
export function displayWidth(text: string): number {
  let width = 0;
  for (const char of text) width += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/u.test(char) ? 2 : 1;
  return width;
}

/** `text` padded with spaces to `width` terminal columns (a table column that holds translated words). */
export function padDisplay(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - displayWidth(text)));
}

/** The core messages' catalogue of a language, for tests. */
export function coreCatalogue(language: Exclude<CliLanguage, 'en'>): Readonly<Partial<Record<MessageCode, string>>> {
  return CORE_CATALOGUES[language]();
}

/** The catalogue of a language, for tests. */
export function catalogue(language: Exclude<CliLanguage, 'en'>): Readonly<Record<string, string>> {
  return CATALOGUES[language]();
}
