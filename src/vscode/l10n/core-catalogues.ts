import type { MessageCode } from '../../core/messages';
import { CORE_MESSAGES_ZH_CN } from '../../core/messages.zh-cn';

/**
 * The extension's catalogues of the core's messages (src/core/messages.ts), by code, in each language but
 * English (the core's own): the core's tables (src/core/messages.<language>.ts), shared with the CLI and the
 * dashboard. Free of `vscode` so tests can read it; src/vscode/core-messages.ts picks by the display language.
 */
export const CORE_CATALOGUES: Readonly<Record<string, Readonly<Partial<Record<MessageCode, string>>>>> = { 'zh-cn': CORE_MESSAGES_ZH_CN };

/** `zh-cn`, `zh-CN`, `zh-hans` → the catalogue's language; undefined for English and languages without one. */
export function catalogueLanguageOf(displayLanguage: string): string | undefined {
  const tag = displayLanguage.toLowerCase();
  return tag === 'zh-cn' || tag === 'zh-hans' || tag === 'zh' || tag.startsWith('zh-hans-') ? 'zh-cn' : undefined;
}
