import assert from 'node:assert/strict';
import { GeminiCodec } from '../../../src/core/protocols/gemini';

const codec = new GeminiCodec();

describe('gemini encode: models and token counts', () => {
  it('lists models the way models.list does, with limits and thinking when known', () => {
    const listed = codec.encodeModelList([
      { id: 'gemini-3-flash', displayName: 'Gemini 3 Flash', kind: 'model', inputTokenLimit: 1048576, outputTokenLimit: 65536, supportsThinking: true },
      { id: 'claude-sonnet-4-5', displayName: 'claude-sonnet-4-5', kind: 'alias', target: ['claude-sonnet-4-6'] },
      { id: 'fast', displayName: 'Fast group', kind: 'group', target: ['gemini-3-flash', 'gemini-3.1-flash-lite'] },
    ]);
    const methods = ['generateContent', 'streamGenerateContent', 'countTokens'];
    assert.deepEqual(listed, {
      models: [
        {
          name: 'models/gemini-3-flash',
          baseModelId: 'gemini-3-flash',
          version: 'gemini-3-flash',
          displayName: 'Gemini 3 Flash',
          description: 'Gemini 3 Flash',
          inputTokenLimit: 1048576,
          outputTokenLimit: 65536,
          supportedGenerationMethods: methods,
          thinking: true,
        },
        {
          name: 'models/claude-sonnet-4-5',
          baseModelId: 'claude-sonnet-4-5',
          version: 'claude-sonnet-4-5',
          displayName: 'claude-sonnet-4-5',
          description: 'Alias of claude-sonnet-4-6',
          supportedGenerationMethods: methods,
        },
        {
          name: 'models/fast',
          baseModelId: 'fast',
          version: 'fast',
          displayName: 'Fast group',
          description: 'Model group: gemini-3-flash, gemini-3.1-flash-lite',
          supportedGenerationMethods: methods,
        },
      ],
    });
  });

  it('answers models.get with the one model', () => {
    const model = codec.encodeModel({ id: 'gemini-2.5-pro', displayName: 'Gemini 2.5 Pro', kind: 'model' });
    assert.equal(model.name, 'models/gemini-2.5-pro');
  });

  it('answers countTokens with totalTokens', () => {
    assert.deepEqual(codec.encodeCountTokens({ inputTokens: 1234, estimated: false }), { totalTokens: 1234 });
  });
});
