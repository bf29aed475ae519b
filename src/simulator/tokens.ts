/**
 * Deterministic token counts: about four characters per token, images at
 * Gemini's flat rates. Close enough to real counts for quota and usage
 * tests, and exactly reproducible.
 */
import type { GenerateRequest, WireContent, WirePart } from './wire';

/** Gemini bills an input image at 258 tokens and a generated image at 1290. */
const INPUT_IMAGE_TOKENS = 258;
export const OUTPUT_IMAGE_TOKENS = 1290;
const CHARS_PER_TOKEN = 4;

export function tokensForChars(chars: number): number {
  return Math.ceil(chars / CHARS_PER_TOKEN);
}

function partChars(part: WirePart): number {
  if (part.text !== undefined) return part.text.length;
  if (part.functionCall) return part.functionCall.name.length + JSON.stringify(part.functionCall.args ?? {}).length;
  if (part.functionResponse) return part.functionResponse.name.length + JSON.stringify(part.functionResponse.response).length;
  if (part.inlineData || part.fileData) return INPUT_IMAGE_TOKENS * CHARS_PER_TOKEN;
  return JSON.stringify(part).length;
}

function partsChars(parts: readonly WirePart[]): number {
  let chars = 0;
  for (const part of parts) chars += partChars(part);
  return chars;
}

function contentsTokens(contents: readonly WireContent[], systemParts?: readonly WirePart[]): number {
  let chars = systemParts ? partsChars(systemParts) : 0;
  for (const content of contents) chars += partsChars(content.parts);
  return Math.max(1, tokensForChars(chars));
}

/** promptTokenCount: system instruction, contents and tool declarations. */
export function promptTokens(request: GenerateRequest): number {
  const toolChars = request.tools ? JSON.stringify(request.tools).length : 0;
  return contentsTokens(request.contents, request.systemInstruction?.parts) + tokensForChars(toolChars);
}
