import * as vscode from 'vscode';
import { isCoreMessage, renderMessage, type CoreMessage } from '../core/messages';
import { catalogueLanguageOf, CORE_CATALOGUES } from './l10n/core-catalogues';

/**
 * The core's messages (a code and its parameters, src/core/messages.ts) in the editor's display language,
 * from the extension's catalogue by code (src/vscode/l10n/); English where it has none.
 */
export function coreText(message: CoreMessage): string {
  const language = catalogueLanguageOf(vscode.env.language);
  const texts = language ? CORE_CATALOGUES[language] : undefined;
  return renderMessage(message, (code) => texts?.[code]);
}

/** An error's words in the editor's language: the core's errors carry a message (`detail`) worded by its code. */
export function errorText(error: Error): string {
  const detail = (error as Error & { detail?: unknown }).detail;
  return isCoreMessage(detail) ? coreText(detail) : error.message;
}
