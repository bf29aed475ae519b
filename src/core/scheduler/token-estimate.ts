import type { ChatRequest, Part } from '../ir';

/**
 * A local stand-in when the upstream cannot count: about four characters per
 * token for text and JSON, and Gemini's flat 258 tokens per image.
 */
const CHARS_PER_TOKEN = 4;
const TOKENS_PER_MEDIA = 258;

function charsOf(part: Part): { chars: number; media: number } {
  switch (part.type) {
    case 'text':
    case 'thinking':
      return { chars: part.text.length, media: 0 };
    case 'media':
      return { chars: 0, media: 1 };
    case 'tool_call':
      return { chars: part.name.length + JSON.stringify(part.args).length, media: 0 };
    case 'tool_result':
      return part.content.reduce(
        (sum, inner) => {
          const counted = charsOf(inner);
          return { chars: sum.chars + counted.chars, media: sum.media + counted.media };
        },
        { chars: part.name.length, media: 0 },
      );
  }
}

export function estimateInputTokens(request: ChatRequest): number {
  let chars = request.system.reduce((sum, p) => sum + p.text.length, 0);
  let media = 0;
  for (const message of request.messages) {
    for (const part of message.parts) {
      const counted = charsOf(part);
      chars += counted.chars;
      media += counted.media;
    }
  }
  for (const tool of request.tools) {
    chars += tool.name.length + (tool.description?.length ?? 0) + (tool.parameters ? JSON.stringify(tool.parameters).length : 0);
  }
  return Math.ceil(chars / CHARS_PER_TOKEN) + media * TOKENS_PER_MEDIA;
}
