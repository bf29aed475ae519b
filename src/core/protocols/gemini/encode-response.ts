/** A whole IR answer as a Gemini `GenerateContentResponse` (`:generateContent`). */
import type { ChatRequest, ChatResponse } from '../../ir';
import { finishReasonOf, functionCallPart, signaturePart, thoughtPart, usageMetadataOf } from './encode-parts';
import type { GeminiCandidate, GeminiPart, GenerateContentResponse } from './wire';

export function encodeGenerateContentResponse(response: ChatResponse, request: ChatRequest): GenerateContentResponse {
  const parts: GeminiPart[] = [];
  for (const part of response.parts) {
    switch (part.type) {
      case 'text':
        parts.push({ text: part.text });
        break;
      case 'thinking':
        // Thought text only for clients that asked (`includeThoughts`), as Gemini does; the signature always.
        if (request.includeThoughts === true && part.text !== '') parts.push(thoughtPart(part.text, part.signature));
        else if (part.signature !== undefined) parts.push(signaturePart(part.signature));
        break;
      case 'tool_call':
        parts.push(functionCallPart(part));
        break;
      case 'media':
        parts.push(
          part.source.kind === 'base64'
            ? { inlineData: { mimeType: part.mimeType, data: part.source.data } }
            : { fileData: { mimeType: part.mimeType, fileUri: part.source.url } },
        );
        break;
    }
  }
  const candidate: GeminiCandidate = {
    content: { role: 'model', parts },
    finishReason: finishReasonOf(response.finishReason),
    index: 0,
  };
  if (response.grounding !== undefined) candidate.groundingMetadata = response.grounding;
  return {
    candidates: [candidate],
    usageMetadata: usageMetadataOf(response.usage),
    modelVersion: response.model,
    responseId: response.id,
  };
}
