import type { MediaPart, Message, Part, TextPart, ToolResultPart } from '../../ir';
import { shareSerialised } from './envelope';
import type { SignatureReplay } from './signature-replay';
import type { GeminiContent, GeminiPart } from './wire';

/**
 * IR messages → Gemini `contents`, and the system prompt → `systemInstruction`
 * (upstream-protocol §2, §9).
 */

/**
 * The optional Antigravity preamble goes in front of the client's system text
 * as a part of its own; the client's prompt is never rewritten (upstream-protocol §2).
 */
export function encodeSystemInstruction(system: TextPart[], preamble: string): { role: 'user'; parts: GeminiPart[] } | undefined {
  const parts: GeminiPart[] = [];
  if (preamble) parts.push(systemPart(preamble));
  for (const part of system) if (part.text) parts.push(systemPart(part.text));
  return parts.length > 0 ? { role: 'user', parts } : undefined;
}

/**
 * Long system texts (Claude Code's prompt is 26 KB, the same on every turn) get the same part each time,
 * shared, so that its JSON text is written once (envelope.ts). Bounded by their length; the oldest used go first.
 */
const SHARED_TEXT_MIN_CHARS = 2_048;
const SHARED_TEXTS_CHARS_LIMIT = 2_000_000;
const sharedParts = new Map<string, GeminiPart>();
let sharedChars = 0;

function systemPart(text: string): GeminiPart {
  if (text.length < SHARED_TEXT_MIN_CHARS || text.length > SHARED_TEXTS_CHARS_LIMIT / 4) return { text };
  let part = sharedParts.get(text);
  if (part) {
    sharedParts.delete(text);
  } else {
    part = shareSerialised({ text });
    sharedChars += text.length;
  }
  sharedParts.set(text, part); // most recently used last
  for (const [oldText] of sharedParts) {
    if (sharedChars <= SHARED_TEXTS_CHARS_LIMIT) break;
    sharedParts.delete(oldText);
    sharedChars -= oldText.length;
  }
  return part;
}

function inlineData(part: MediaPart, where: string): GeminiPart {
  if (part.source.kind !== 'base64') {
    // The pipeline fetches url sources (SSRF-guarded) before dispatch; one
    // arriving here is a bug upstream of this encoder, not a client error.
    throw new Error(`Cloud Code encoder: ${where} still has a url source; media must be resolved to base64 before dispatch`);
  }
  return { inlineData: { mimeType: part.mimeType, data: part.source.data } };
}

/**
 * A tool result: the client's own response object when it sent one (Gemini
 * clients), else its text as `{output}` or `{error}`; its images as inline
 * parts right after it.
 */
function functionResponse(part: ToolResultPart, where: string): GeminiPart[] {
  const texts: string[] = [];
  const media: GeminiPart[] = [];
  part.content.forEach((item, i) => {
    if (item.type === 'text') texts.push(item.text);
    else media.push(inlineData(item, `${where}.content[${i}]`));
  });
  const text = texts.join('\n');
  const response = part.response ?? (part.isError ? { error: text } : { output: text });
  return [{ functionResponse: { name: part.name, id: part.callId, response } }, ...media];
}

function encodePart(part: Part, replay: SignatureReplay, where: string): GeminiPart[] {
  switch (part.type) {
    case 'text':
      // Gemini refuses empty text parts.
      return part.text ? [{ text: part.text }] : [];
    case 'media':
      return [inlineData(part, where)];
    case 'thinking': {
      const thought = replay.forThinking(part);
      return thought ? [thought] : [];
    }
    case 'tool_call': {
      const encoded: GeminiPart = { functionCall: { name: part.name, args: part.args, id: part.id } };
      const signature = replay.forToolCall(part);
      if (signature) encoded.thoughtSignature = signature;
      return [encoded];
    }
    case 'tool_result':
      return functionResponse(part, where);
  }
}

/**
 * Contents must alternate user / model: consecutive turns of one role are
 * merged, and turns left empty (e.g. only unsigned thoughts) disappear before
 * merging so that their neighbours join up.
 */
export function encodeContents(messages: Message[], replay: SignatureReplay): GeminiContent[] {
  const contents: GeminiContent[] = [];
  messages.forEach((message, m) => {
    const parts = message.parts.flatMap((part, p) => encodePart(part, replay, `messages[${m}].parts[${p}]`));
    if (parts.length === 0) return;
    const role = message.role === 'assistant' ? 'model' : 'user';
    const previous = contents[contents.length - 1];
    if (previous?.role === role) previous.parts.push(...parts);
    else contents.push({ role, parts });
  });
  return contents;
}
