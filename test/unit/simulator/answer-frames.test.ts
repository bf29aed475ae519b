import assert from 'node:assert/strict';
import { splitText } from '../../../src/simulator/answer';

describe('simulator answer frames', () => {
  it('splits text at word boundaries into at most the requested frames, losing nothing', () => {
    const text = 'The quick brown fox jumps over the lazy dog again and again';
    for (const count of [1, 2, 4, 6, 8, 50]) {
      const chunks = splitText(text, count);
      assert.equal(chunks.join(''), text);
      assert.ok(chunks.length <= count && chunks.length >= Math.min(count, 2));
      for (const chunk of chunks.slice(1)) assert.match(chunk, /^\s/, 'cuts fall on spaces');
    }
  });

  it('keeps a single long word whole and yields nothing for no text', () => {
    assert.deepEqual(splitText('supercalifragilistic', 4), ['supercalifragilistic']);
    assert.deepEqual(splitText('', 4), []);
  });
});
