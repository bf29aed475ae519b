import assert from 'node:assert/strict';
import { jsonTextOf } from '../../src/core/json-text';

/** What a plain decode gives: the parsed value, or the fact that it does not parse. */
function parsedPlainly(bytes: Buffer): { value?: unknown; fails?: true } {
  try {
    return { value: JSON.parse(bytes.toString('utf8')) as unknown };
  } catch {
    return { fails: true };
  }
}

function parsedFast(bytes: Buffer): { value?: unknown; fails?: true } {
  try {
    return { value: JSON.parse(jsonTextOf(bytes)) as unknown };
  } catch {
    return { fails: true };
  }
}

/**
 * Compared as sent and with trailing whitespace: a short body's non-ASCII share is over the budget and takes the
 * plain decode, while the padded one takes the escapes.
 */
const sameAsPlainDecode = (bytes: Buffer) => {
  for (const body of [bytes, Buffer.concat([bytes, Buffer.alloc(64 * bytes.length, ' ')])]) {
    assert.deepEqual(parsedFast(body), parsedPlainly(body), bytes.toString('hex'));
  }
};

/** A small deterministic generator, so a failure names its seed. */
function random(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 0x1_0000_0000;
  };
}

describe('jsonTextOf: the one-byte text of a UTF-8 JSON body', () => {
  it('parses to what the plain UTF-8 decode parses to, for text in every script', () => {
    for (const text of ['é', 'naïve café', '你好，世界', '😀 and 👍🏽', 'Ω≈ç√∫', '\u0080\u07ff\u0800\uffff', 'mixed ascii é 你 😀 end']) {
      sameAsPlainDecode(Buffer.from(JSON.stringify({ [text]: text, list: [text, 1, { deeper: `x${text}y` }] })));
    }
  });

  it('escapes the non-ASCII characters of a mostly ASCII body', () => {
    const body = Buffer.from(`{"a":"café 😀"}${' '.repeat(1000)}`);
    assert.equal(jsonTextOf(body), `{"a":"caf\\u00e9 \\ud83d\\ude00"}${' '.repeat(1000)}`);
  });

  it('keeps ASCII bodies as they are', () => {
    const body = JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'plain "quoted" \\ text' }] });
    assert.equal(jsonTextOf(Buffer.from(body)), body);
  });

  it('refuses what the plain decode refuses: raw characters outside strings, after a backslash, and broken escapes', () => {
    for (const text of ['{"a":1é}', '{"a":"\\é"}', 'é', '{é:1}', '["\\u00"]']) {
      assert.deepEqual(parsedFast(Buffer.from(text + ' '.repeat(1000))), { fails: true }, text);
    }
  });

  it('reads text after an escaped backslash, and escapes beside raw characters, the same way', () => {
    for (const text of ['{"a":"\\\\é"}', '["\\u00e9é"]', '["é\\u00e9"]', '["\\"é\\""]', '["\\/é"]', '["é\\\\"]']) {
      sameAsPlainDecode(Buffer.from(text));
    }
  });

  it('turns invalid UTF-8 into U+FFFD exactly as the plain decode does', () => {
    const cases = [
      [0xe9], // a lone lead byte
      [0xe9, 0x41], // a lead byte cut short by ASCII
      [0xf0, 0x9f, 0x98], // an emoji missing its last byte
      [0x80, 0x80], // continuation bytes alone
      [0xed, 0xa0, 0x80], // an encoded surrogate
      [0xc0, 0xaf], // an overlong slash
      [0xff, 0xfe],
    ];
    for (const inner of cases) {
      sameAsPlainDecode(Buffer.concat([Buffer.from('{"a":"x'), Buffer.from(inner), Buffer.from('y","b":"'), Buffer.from(inner), Buffer.from('"}')]));
    }
  });

  it('matches the plain decode on random bodies mixing ASCII, raw characters, escapes and invalid bytes', () => {
    const atoms = ['a', ' ', '"', '\\', '\\\\', '\\"', '\\u00e9', '\\ud83d\\ude00', 'é', '你', '😀', '{', '}', '[', ']', ':', ','];
    for (let seed = 1; seed <= 3000; seed++) {
      const next = random(seed);
      const pieces: Buffer[] = [Buffer.from('{"k":"')];
      const count = 1 + Math.floor(next() * 12);
      for (let i = 0; i < count; i++) {
        const roll = next();
        if (roll < 0.1) pieces.push(Buffer.from([0x80 + Math.floor(next() * 0x80)]));
        else pieces.push(Buffer.from(atoms[Math.floor(next() * atoms.length)]));
      }
      pieces.push(Buffer.from('"}'));
      sameAsPlainDecode(Buffer.concat(pieces));
    }
  });

  it('matches across the 1 KB blocks it checks natively, and on a long body of mostly ASCII', () => {
    for (const at of [1020, 1022, 1023, 1024, 1025, 2047]) {
      const body = Buffer.from(JSON.stringify({ text: 'x'.repeat(at - 9) + 'é😀你' + 'y'.repeat(50) }));
      sameAsPlainDecode(body);
    }
    const long = Buffer.from(
      JSON.stringify({
        messages: Array.from({ length: 2000 }, (_, i) => ({ role: 'user', content: `turn ${i} ${'lorem ipsum '.repeat(8)}${i % 37 === 0 ? 'café 😀' : ''}` })),
      }),
    );
    sameAsPlainDecode(long);
  });

  it('takes the plain decode for text that is mostly not ASCII', () => {
    const body = Buffer.from(JSON.stringify({ content: '你好，世界！'.repeat(500) }));
    assert.equal(jsonTextOf(body), body.toString('utf8'));
  });
});
