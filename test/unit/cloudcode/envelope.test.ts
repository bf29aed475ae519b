import assert from 'node:assert/strict';
import {
  type CloudCodeEnvelope,
  serialiseEnvelope,
  serialiseEnvelopeInSlices,
  shareSerialised,
  wrapInEnvelope,
} from '../../../src/core/upstream/cloudcode/envelope';
import type { GenerateContentRequest } from '../../../src/core/upstream/cloudcode/wire';

const envelopeOf = (request: unknown): CloudCodeEnvelope => wrapInEnvelope('project-1', 'claude-sonnet-4-6', 'agent', request as GenerateContentRequest);

const asText = (pieces: Buffer[]): string => Buffer.concat(pieces).toString('utf8');

describe('cloudcode envelope serialisation', () => {
  const sharedTools = shareSerialised([{ functionDeclarations: [{ name: 'Read', parameters: { type: 'object' } }] }]);
  const sharedText = shareSerialised({ text: `kept — é 😀 "quoted" \\ ${'x'.repeat(3_000)}` });
  const sharedOutput = shareSerialised({ output: `file\n${'line\n'.repeat(1_000)}` });
  const samples: Record<string, unknown> = {
    'nothing shared': { contents: [{ role: 'user', parts: [{ text: 'Hello' }] }] },
    'shared tools, odd members and elements': {
      contents: [
        { role: 'user', parts: [{ text: 'text with "quotes", \\ and \n\t, non-ASCII — é 😀' }, null] },
        { role: 'model', parts: [{ functionCall: { name: 'Read', args: { a: undefined, b: [1, undefined, 'x'] } } }], extra: undefined },
        null,
      ],
      tools: sharedTools,
      generationConfig: { maxOutputTokens: 256, stopSequences: undefined },
      toolConfig: undefined,
    },
    'shared turns and tool results among 300 turns': {
      systemInstruction: { role: 'user', parts: [sharedText, { text: 'short' }] },
      contents: Array.from({ length: 300 }, (_, i) =>
        i % 3 === 0
          ? { role: 'user', parts: [sharedText, { text: `turn ${i}` }] }
          : i % 3 === 1
            ? { role: 'model', parts: [{ functionCall: { name: 'Read', args: { n: i }, id: `call_${i}` }, thoughtSignature: 's' }] }
            : { role: 'user', parts: [{ functionResponse: { name: 'Read', id: `call_${i - 1}`, response: sharedOutput } }] },
      ),
      tools: sharedTools,
    },
  };

  for (const [name, request] of Object.entries(samples)) {
    it(`writes what JSON.stringify writes, at once and in slices: ${name}`, async () => {
      const envelope = envelopeOf(request);
      const expected = JSON.stringify(envelope);
      assert.equal(asText(serialiseEnvelope(envelope)), expected);
      assert.equal(asText(await serialiseEnvelopeInSlices(envelope)), expected);
      // Again, with the kept texts now written once.
      assert.equal(asText(serialiseEnvelope(envelope)), expected);
    });
  }

  it('writes a large body in pieces, never as one string, and each shared value as its kept bytes', async () => {
    const request = samples['shared turns and tool results among 300 turns'];
    const pieces = await serialiseEnvelopeInSlices(envelopeOf(request));
    const kept = pieces.filter((piece) => piece.toString('utf8') === JSON.stringify(sharedOutput));
    assert.equal(kept.length, 100, 'the tool output, once per turn that holds it');
    assert.equal(new Set(kept).size, 1, 'the same bytes each time');
    const unshared = envelopeOf({ contents: Array.from({ length: 200 }, (_, i) => ({ role: 'user', parts: [{ text: `${i} ${'y'.repeat(1_000)}` }] })) });
    const written = await serialiseEnvelopeInSlices(unshared);
    assert.ok(written.length > 1, 'a body with nothing shared is encoded in pieces too');
    assert.equal(asText(written), JSON.stringify(unshared));
  });
});
