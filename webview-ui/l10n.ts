import { renderMessage, type CoreMessage, type MessageCode } from '../src/core/messages';
import { CORE_MESSAGES_ZH_CN } from '../src/core/messages.zh-cn';
import { ZH_CN } from './l10n/zh-cn';

/**
 * The dashboard's language, one catalogue for the webview and the browser. A message is its English text with
 * `{0}` placeholders (as in the extension's bundles), looked up in the language's catalogue (webview-ui/l10n/
 * <language>.ts). The webview speaks the editor's display language, which the host writes into the page
 * (`<html lang>`); the browser follows `navigator.language` unless the user picked a language in the header
 * (remembered in localStorage). Numbers, dates, durations and relative times are formatted with `Intl` for the
 * language. Adding a language is adding a catalogue and a line to LANGUAGES.
 */

export const LANGUAGES = [
  { id: 'en', locale: 'en-US', name: 'English' },
  { id: 'zh-cn', locale: 'zh-CN', name: '简体中文' },
] as const;
export type DashboardLanguage = (typeof LANGUAGES)[number]['id'];

const CATALOGUES: Record<Exclude<DashboardLanguage, 'en'>, Readonly<Record<string, string>>> = { 'zh-cn': ZH_CN };

/** The core's messages (src/core/messages.ts) by code, in each language but English (the core's own). */
const CORE_CATALOGUES: Record<Exclude<DashboardLanguage, 'en'>, Readonly<Partial<Record<MessageCode, string>>>> = { 'zh-cn': CORE_MESSAGES_ZH_CN };

/** Where the browser remembers the language picked in the header. */
export const LANGUAGE_STORAGE_KEY = 'agate.dashboard.language';

/** `zh-CN`, `zh_Hans`, `en-GB` → the dashboard's language; undefined when it has no such language. */
export function parseLanguage(tag: string | null | undefined): DashboardLanguage | undefined {
  const base = (tag ?? '').toLowerCase().replace(/_/g, '-');
  if (base === 'en' || base.startsWith('en-')) return 'en';
  if (base === 'zh' || base.startsWith('zh-')) return 'zh-cn';
  return undefined;
}

/** The first of the browser's languages the dashboard speaks; English otherwise. */
export function languageOfBrowser(preferred: readonly string[]): DashboardLanguage {
  for (const tag of preferred) {
    const language = parseLanguage(tag);
    if (language) return language;
  }
  return 'en';
}

/**
 * The page's language, decided before any view is built (views import this module first): the webview's is
 * the editor's (`<html lang>` from the host), the browser's the one picked in the header, else the browser's own.
 * English outside a page (unit tests).
 */
function languageOfPage(): DashboardLanguage {
  if (typeof document === 'undefined') return 'en';
  if (document.body?.dataset.transport === 'vscode') return parseLanguage(document.documentElement.lang) ?? 'en';
  let picked: string | null = null;
  try {
    picked = localStorage.getItem(LANGUAGE_STORAGE_KEY);
  } catch {
    // Storage refused (privacy settings): the browser's language it is.
  }
  return parseLanguage(picked) ?? languageOfBrowser(navigator.languages?.length ? navigator.languages : [navigator.language]);
}

let active: DashboardLanguage = languageOfPage();
if (typeof document !== 'undefined') document.documentElement.lang = LANGUAGES.find((language) => language.id === active)!.locale;

export function setLanguage(language: DashboardLanguage): void {
  active = language;
}

export function currentLanguage(): DashboardLanguage {
  return active;
}

/** The BCP 47 locale of the active language, for `Intl` and `<html lang>`. */
export function currentLocale(): string {
  return LANGUAGES.find((language) => language.id === active)!.locale;
}

/** The message in the active language, `{0}`… filled (the English text when the catalogue lacks it). */
export function t(message: string, ...args: Array<string | number>): string {
  const template = active === 'en' ? message : (CATALOGUES[active][message] ?? message);
  return template.replace(/\{(\d+)\}/g, (match, index: string) => (Number(index) < args.length ? String(args[Number(index)]) : match));
}

/** The forms of a counted message, each a `t()` call (so the catalogue test sees every form); `other` is required. */
export type PluralForms = { other: () => string } & Partial<Record<Intl.LDMLPluralRule, () => string>>;

/**
 * The form of a counted message that fits `count` in the active locale (Intl.PluralRules):
 * English picks `one` for 1 and `other` else; Chinese has no plural forms, so always `other`.
 */
export function plural(count: number, forms: PluralForms): string {
  return (forms[new Intl.PluralRules(currentLocale()).select(count)] ?? forms.other)();
}

/** A message of the core (a code and its parameters) in the active language. */
export function tm(message: CoreMessage): string {
  const texts = active === 'en' ? undefined : CORE_CATALOGUES[active];
  return renderMessage(message, (code) => texts?.[code]);
}

/** The core messages' catalogue of a language, for tests. */
export function coreCatalogue(language: Exclude<DashboardLanguage, 'en'>): Readonly<Partial<Record<MessageCode, string>>> {
  return CORE_CATALOGUES[language];
}

/** The catalogue of a language, for tests. */
export function catalogue(language: Exclude<DashboardLanguage, 'en'>): Readonly<Record<string, string>> {
  return CATALOGUES[language];
}

type DurationUnit = 'day' | 'hour' | 'minute' | 'second';

/** `5`, `hour` → `5h` (en), `5小时` (zh-CN): the narrow unit of the locale. */
export function formatUnit(value: number, unit: DurationUnit): string {
  return new Intl.NumberFormat(currentLocale(), { style: 'unit', unit, unitDisplay: 'narrow' }).format(value);
}

/** 1234 → `1,234`; fraction digits as given. */
export function formatNumber(value: number, options: Intl.NumberFormatOptions = {}): string {
  return new Intl.NumberFormat(currentLocale(), options).format(value);
}

/** 0.123 → `12.3%`. */
export function formatPercent(fraction: number, maximumFractionDigits = 1): string {
  return new Intl.NumberFormat(currentLocale(), { style: 'percent', maximumFractionDigits }).format(fraction);
}

/** `5 minutes ago`, `in 2 hours` (numeric, the locale's words). */
export function formatRelative(value: number, unit: Intl.RelativeTimeFormatUnit): string {
  return new Intl.RelativeTimeFormat(currentLocale(), { numeric: 'always', style: 'narrow' }).format(value, unit);
}

/** A date and time in the locale, without seconds unless asked. */
export function formatDateTime(time: number, options: Intl.DateTimeFormatOptions = { dateStyle: 'medium', timeStyle: 'short' }): string {
  return new Intl.DateTimeFormat(currentLocale(), options).format(new Date(time));
}
