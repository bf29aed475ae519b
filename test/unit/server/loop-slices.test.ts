import assert from 'node:assert/strict';
import { serialiseInSlices } from '../../../src/core/loop-slices';

describe('serialiseInSlices', () => {
  it('writes what JSON.stringify writes, for envelopes, arrays, escapes and dropped values', async () => {
    const samples: unknown[] = [
      null,
      42,
      'text with "quotes", \\ and \n\t, non-ASCII — é 😀',
      [],
      {},
      [1, undefined, () => 1, 'x', null],
      { a: undefined, b: () => 1, c: Symbol('s'), d: 1, 'é"': { nested: [{ deep: { deeper: [1, 2] } }] } },
      {
        project: 'p',
        request: {
          contents: Array.from({ length: 300 }, (_, i) => ({ role: i % 2 ? 'model' : 'user', parts: [{ text: `turn ${i}\n${'x'.repeat(500)}` }] })),
          tools: [{ functionDeclarations: [{ name: 'Read', parameters: { type: 'object', properties: { file_path: { type: 'string' } } } }] }],
          generationConfig: { maxOutputTokens: 256, stopSequences: undefined },
        },
        model: 'claude-sonnet-4-6',
      },
    ];
    for (const sample of samples) assert.equal(Buffer.concat(await serialiseInSlices(sample)).toString('utf8'), JSON.stringify(sample));
  });
});
