import { unwrapResponse } from './decode-response';
import type { GeminiContent, GeminiPart, GenerateContentRequest } from './wire';

/**
 * The countTokens body (upstream-protocol §2): `{request:{model:"models/<m>", contents}}`.
 * The method counts contents only, so the system prompt and the tool
 * declarations, which generation bills too, are folded in as leading user
 * text; a count without them would be off by Claude Code's whole prompt.
 */
export function countTokensBody(model: string, request: GenerateContentRequest): { request: { model: string; contents: GeminiContent[] } } {
  const preface: GeminiPart[] = [...(request.systemInstruction?.parts ?? [])];
  for (const tool of request.tools ?? []) {
    if ('functionDeclarations' in tool) preface.push({ text: JSON.stringify(tool.functionDeclarations) });
  }
  const contents = request.contents.map((c) => ({ role: c.role, parts: [...c.parts] }));
  if (preface.length > 0) {
    if (contents[0]?.role === 'user') contents[0].parts.unshift(...preface);
    else contents.unshift({ role: 'user', parts: preface });
  }
  return { request: { model: `models/${model}`, contents } };
}

export function totalTokensOf(body: unknown): number | undefined {
  const total = (unwrapResponse(body) as { totalTokens?: unknown }).totalTokens;
  return typeof total === 'number' ? total : undefined;
}
