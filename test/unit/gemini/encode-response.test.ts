import assert from 'node:assert/strict';
import type { ChatRequest, ChatResponse } from '../../../src/core/ir';
import { GeminiCodec } from '../../../src/core/protocols/gemini';
import { routeContext } from './helpers';

const codec = new GeminiCodec();
const requestWith = (generationConfig: unknown = {}): ChatRequest =>
  codec.decodeRequest({ contents: [{ parts: [{ text: 'hi' }] }], generationConfig }, routeContext('gemini-3-flash'));

const usage = { inputTokens: 120, cachedInputTokens: 100, outputTokens: 30, thinkingTokens: 12 };
const answer: ChatResponse = {
  id: 'resp-1',
  model: 'gemini-3-flash',
  parts: [
    { type: 'thinking', text: 'Considering the weather.', signature: 'THOUGHT_SIG' },
    { type: 'text', text: 'Let me check.' },
    { type: 'tool_call', id: 'call_1', name: 'get_weather', args: { city: 'Paris' }, signature: 'CALL_SIG' },
    { type: 'media', mimeType: 'image/png', source: { kind: 'base64', data: 'iVBOR' } },
  ],
  finishReason: 'tool_calls',
  usage,
  grounding: { webSearchQueries: ['paris weather'] },
};

describe('gemini encode: a whole answer', () => {
  it('is a GenerateContentResponse with thoughts, calls and signatures as the client asked', () => {
    const request = requestWith({ thinkingConfig: { includeThoughts: true } });
    assert.deepEqual(codec.encodeResponse(answer, request), {
      candidates: [
        {
          content: {
            role: 'model',
            parts: [
              { text: 'Considering the weather.', thought: true, thoughtSignature: 'THOUGHT_SIG' },
              { text: 'Let me check.' },
              { functionCall: { id: 'call_1', name: 'get_weather', args: { city: 'Paris' } }, thoughtSignature: 'CALL_SIG' },
              { inlineData: { mimeType: 'image/png', data: 'iVBOR' } },
            ],
          },
          finishReason: 'STOP',
          index: 0,
          groundingMetadata: { webSearchQueries: ['paris weather'] },
        },
      ],
      usageMetadata: {
        promptTokenCount: 120,
        candidatesTokenCount: 30,
        totalTokenCount: 162,
        cachedContentTokenCount: 100,
        thoughtsTokenCount: 12,
      },
      modelVersion: 'gemini-3-flash',
      responseId: 'resp-1',
    });
  });

  it('withholds thought text from clients that did not ask for it, but still returns its signature', () => {
    const { candidates } = codec.encodeResponse(answer, requestWith());
    assert.deepEqual(candidates[0].content.parts.slice(0, 2), [{ text: '', thoughtSignature: 'THOUGHT_SIG' }, { text: 'Let me check.' }]);
  });

  it('maps finish reasons and leaves zero cache and thought counts out', () => {
    const finish = (finishReason: ChatResponse['finishReason']) =>
      codec.encodeResponse({ ...answer, finishReason, grounding: undefined, usage: { ...usage, cachedInputTokens: 0, thinkingTokens: 0 } }, requestWith());
    assert.equal(finish('stop').candidates[0].finishReason, 'STOP');
    assert.equal(finish('stop_sequence').candidates[0].finishReason, 'STOP');
    assert.equal(finish('length').candidates[0].finishReason, 'MAX_TOKENS');
    assert.equal(finish('content_filter').candidates[0].finishReason, 'SAFETY');
    const response = finish('stop');
    assert.deepEqual(response.usageMetadata, { promptTokenCount: 120, candidatesTokenCount: 30, totalTokenCount: 150 });
    assert.equal('groundingMetadata' in response.candidates[0], false);
  });
});
