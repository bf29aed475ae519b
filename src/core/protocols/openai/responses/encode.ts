import type { ChatRequest, ChatResponse } from '../../../ir';
import { markdownOfMedia } from '../shared/media';
import { ResponsesOutputBuilder, type ResponseObject } from './output';
import { responsesStateOf } from './state';
import type { ResponsesStore } from './store';

/** A whole answer as one Response object: the finished parts replayed through the stream's builder. */
export function encodeResponsesResponse(
  response: ChatResponse,
  request: ChatRequest,
  options: { exposeReasoning: boolean; store: ResponsesStore },
): ResponseObject {
  const builder = new ResponsesOutputBuilder(request, responsesStateOf(request), options, () => {});
  for (const part of response.parts) {
    switch (part.type) {
      case 'thinking':
        if (!part.redacted) builder.thinking(part.text);
        builder.endThinking(part.signature);
        break;
      case 'text':
        builder.text(part.text);
        break;
      case 'tool_call':
        builder.toolCall(part);
        break;
      case 'media':
        if (part.source.kind === 'base64') builder.media(part.mimeType, part.source.data);
        else builder.text(markdownOfMedia(part));
        break;
    }
  }
  return builder.finish(response.finishReason, response.usage);
}
