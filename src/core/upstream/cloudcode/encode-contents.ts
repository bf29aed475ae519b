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
 * Parts built from long texts, the same object for the same text, shared, so that their JSON text is written
 * once (envelope.ts): Claude Code's 26 KB system prompt comes with every turn, and so does every earlier turn of
 * the conversation, most of it tool results (a file read, a command's output). Bounded by the texts' length; the
 * least recently used go first.
 */
class SharedByText<T extends object> {
  private readonly values = new Map<string, T>();
  private chars = 0;

  constructor(private readonly limitChars: number) {}

  /** The shared value for `text` (`build` makes it the first time); a short or oversized text gets a fresh one. */
  of(text: string, build: (text: string) => T): T {
    if (text.length < SHARED_TEXT_MIN_CHARS || text.length > this.limitChars / 4) return build(text);
    let value = this.values.get(text);
    if (value) {
      this.values.delete(text);
    } else {
      value = shareSerialised(Object.freeze(build(text)));
      this.chars += text.length;
    }
    this.values.set(text, value); // most recently used last
    for (const [oldText] of this.values) {
      if (this.chars <= this.limitChars) break;
      this.values.delete(oldText);
      this.chars -= oldText.length;
    }
    return value;
  }
}

const SHARED_TEXT_MIN_CHARS = 2_048;
const systemParts = new SharedByText<GeminiPart>(2_000_000);
/**
 * A conversation's long texts, most of them tool results: 6 M characters hold a 1M-token context's, or several
 * shorter conversations'. Each is kept with its UTF-8 JSON text: the four lists hold at most 11 M characters,
 * about 22 MB for ASCII text; a conversation in use costs about twice its size.
 */
const conversationTexts = new SharedByText<GeminiPart>(2_000_000);
const toolOutputs = new SharedByText<Record<string, unknown>>(6_000_000);
const toolErrors = new SharedByText<Record<string, unknown>>(1_000_000);

const textPart = (text: string): GeminiPart => ({ text });
const systemPart = (text: string): GeminiPart => systemParts.of(text, textPart);

function inlineData(part: MediaPart, where: () => string): GeminiPart {
  if (part.source.kind !== 'base64') {
    // The pipeline fetches url sources (SSRF-guarded) before dispatch; one
    // arriving here is a bug upstream of this encoder, not a client error.
    throw new Error(`Cloud Code encoder: ${where()} still has a url source; media must be resolved to base64 before dispatch`);
  }
  return { inlineData: { mimeType: part.mimeType, data: part.source.data } };
}

/**
 * A tool result: the client's own response object when it sent one (Gemini
 * clients), else its text as `{output}` or `{error}`; its images as inline
 * parts right after it.
 */
function functionResponse(part: ToolResultPart, where: () => string): GeminiPart[] {
  const texts: string[] = [];
  const media: GeminiPart[] = [];
  part.content.forEach((item, i) => {
    if (item.type === 'text') texts.push(item.text);
    else media.push(inlineData(item, () => `${where()}.content[${i}]`));
  });
  const text = texts.length === 1 ? texts[0] : texts.join('\n');
  const response = part.response ?? (part.isError ? toolErrors.of(text, (error) => ({ error })) : toolOutputs.of(text, (output) => ({ output })));
  return [{ functionResponse: { name: part.name, id: part.callId, response } }, ...media];
}

const partAt = (m: number, p: number) => () => `messages[${m}].parts[${p}]`;

/**
 * `m` and `p` place the part (`messages[m].parts[p]`) for an error's message only: a label built for every part
 * of a long conversation costs more than encoding most parts.
 */
function encodePart(part: Part, replay: SignatureReplay, m: number, p: number): GeminiPart[] {
  switch (part.type) {
    case 'text':
      // Gemini refuses empty text parts.
      return part.text ? [conversationTexts.of(part.text, textPart)] : [];
    case 'media':
      return [inlineData(part, partAt(m, p))];
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
      return functionResponse(part, partAt(m, p));
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
    const parts = message.parts.flatMap((part, p) => encodePart(part, replay, m, p));
    if (parts.length === 0) return;
    const role = message.role === 'assistant' ? 'model' : 'user';
    const previous = contents[contents.length - 1];
    if (previous?.role === role) previous.parts.push(...parts);
    else contents.push({ role, parts });
  });
  return contents;
}
