import type { MessageCode } from '../../core/messages';
import { CORE_ZH_CN } from './core.zh-cn';

/**
 * The extension's catalogues of the core's messages (src/core/messages.ts), by code, in each language but
 * English (the core's own). Free of `vscode` so tests can read it; src/vscode/core-messages.ts picks by the
 * editor's display language.
 */
export const CORE_CATALOGUES: Readonly<Record<string, Readonly<Partial<Record<MessageCode, string>>>>> = { 'zh-cn': CORE_ZH_CN };

/** The families of core messages the extension shows (by code prefix): each catalogue has them all. */
export const SHOWN_CORE_MESSAGES = ['list.', 'ide.', 'config.', 'owner.', 'dataDir.', 'listen.'] as const;

/** `zh-cn`, `zh-CN`, `zh-hans` → the catalogue's language; undefined for English and languages without one. */
export function catalogueLanguageOf(displayLanguage: string): string | undefined {
  const tag = displayLanguage.toLowerCase();
  return tag === 'zh-cn' || tag === 'zh-hans' || tag === 'zh' || tag.startsWith('zh-hans-') ? 'zh-cn' : undefined;
}
