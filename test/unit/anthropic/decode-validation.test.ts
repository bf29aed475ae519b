import assert from 'node:assert/strict';
import { GatewayError } from '../../../src/core/errors';
import { anthropicCodec, createAnthropicCodec } from '../../../src/core/protocols/anthropic';
import type { InboundContext } from '../../../src/core/protocols/codec';

const ctx: InboundContext = { headers: {}, query: {}, params: {} };
const valid = () => ({ model: 'claude-sonnet-4-6', max_tokens: 1024, messages: [{ role: 'user', content: 'hi' }] as unknown[] });
const userSays = (...content: unknown[]) => ({ ...valid(), messages: [{ role: 'user', content }] });
const afterCall = (...content: unknown[]) => ({
  ...valid(),
  messages: [
    { role: 'user', content: 'go' },
    { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'Bash', input: {} }] },
    { role: 'user', content },
  ],
});
const png = (data: string, media_type = 'image/png') => ({ type: 'image', source: { type: 'base64', media_type, data } });

function rejects(body: unknown, param: string | undefined, message: RegExp, codec = anthropicCodec) {
  assert.throws(
    () => codec.decodeRequest(body, ctx),
    (err: unknown) => {
      assert.ok(err instanceof GatewayError, `expected a GatewayError, got ${String(err)}`);
      assert.equal(err.kind, 'invalid_request');
      assert.equal(err.param, param);
      assert.match(err.message, message);
      if (param) assert.ok(err.message.startsWith(`${param}: `), `message names the field: ${err.message}`);
      return true;
    },
  );
}

describe('anthropic decode validation', () => {
  const cases: Array<[string, unknown, string | undefined, RegExp]> = [
    ['body is not an object', [1, 2], undefined, /JSON object/],
    ['model missing', { ...valid(), model: undefined }, 'model', /Field required/],
    ['model not a string', { ...valid(), model: 7 }, 'model', /valid string/],
    ['model empty', { ...valid(), model: '' }, 'model', /at least 1 character/],
    ['messages missing', { ...valid(), messages: undefined }, 'messages', /Field required/],
    ['messages not a list', { ...valid(), messages: 'hi' }, 'messages', /valid list/],
    ['messages empty', { ...valid(), messages: [] }, 'messages', /at least one message/],
    ['message not an object', { ...valid(), messages: ['hi'] }, 'messages.0', /valid dictionary/],
    ['wrong role', { ...valid(), messages: [{ role: 'tool', content: 'x' }] }, 'messages.0.role', /'user', 'assistant' or 'system'/],
    ['content missing', { ...valid(), messages: [{ role: 'user' }] }, 'messages.0.content', /Field required/],
    ['content of a wrong type', { ...valid(), messages: [{ role: 'user', content: 5 }] }, 'messages.0.content', /valid string or list/],
    ['content empty', { ...valid(), messages: [{ role: 'user', content: [] }] }, 'messages.0.content', /non-empty content/],
    [
      'empty message in the middle',
      {
        ...valid(),
        messages: [
          { role: 'user', content: 'a' },
          { role: 'assistant', content: '' },
          { role: 'user', content: 'b' },
        ],
      },
      'messages.1.content',
      /non-empty content/,
    ],
    ['block not an object', userSays('text'), 'messages.0.content.0', /valid dictionary/],
    ['unknown block type', userSays({ type: 'video', url: 'x' }), 'messages.0.content.0.type', /Input should be 'text', 'image', 'document'/],
    ['block type missing', userSays({ text: 'x' }), 'messages.0.content.0.type', /Field required/],
    ['text not a string', userSays({ type: 'text', text: 3 }), 'messages.0.content.0.text', /valid string/],
    ['image source missing', userSays({ type: 'image' }), 'messages.0.content.0.source', /Field required/],
    [
      'image media_type unsupported',
      userSays(png('AAAA', 'image/bmp')),
      'messages.0.content.0.source.media_type',
      /'image\/jpeg', 'image\/png', 'image\/gif' or 'image\/webp'/,
    ],
    ['image data not base64', userSays(png('data:image/png;base64,AAAA')), 'messages.0.content.0.source.data', /not valid base64/],
    ['image url not http', userSays({ type: 'image', source: { type: 'url', url: 'file:///etc/passwd' } }), 'messages.0.content.0.source.url', /http or https/],
    ['image from the Files API', userSays({ type: 'image', source: { type: 'file', file_id: 'file_1' } }), 'messages.0.content.0.source.type', /not supported/],
    [
      'document not a PDF',
      userSays({ type: 'document', source: { type: 'base64', media_type: 'application/zip', data: 'AAAA' } }),
      'messages.0.content.0.source.media_type',
      /'application\/pdf'/,
    ],
    [
      'tool_use in a user message',
      userSays({ type: 'tool_use', id: 'toolu_1', name: 'x', input: {} }),
      'messages.0.content.0.type',
      /only appear in assistant messages/,
    ],
    [
      'tool_result in an assistant message',
      {
        ...valid(),
        messages: [
          { role: 'user', content: 'a' },
          { role: 'assistant', content: [{ type: 'tool_result', tool_use_id: 'toolu_1' }] },
        ],
      },
      'messages.1.content.0.type',
      /only appear in user messages/,
    ],
    [
      'tool_use id with bad characters',
      {
        ...valid(),
        messages: [
          { role: 'user', content: 'a' },
          { role: 'assistant', content: [{ type: 'tool_use', id: 'call.1', name: 'x', input: {} }] },
        ],
      },
      'messages.1.content.0.id',
      /pattern/,
    ],
    [
      'tool_use input not an object',
      {
        ...valid(),
        messages: [
          { role: 'user', content: 'a' },
          { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'x', input: '{}' }] },
        ],
      },
      'messages.1.content.0.input',
      /valid dictionary/,
    ],
    [
      'tool_result for an unknown call',
      afterCall({ type: 'tool_result', tool_use_id: 'toolu_9', content: 'x' }),
      'messages.2.content.0.tool_use_id',
      /no earlier tool_use block has the id 'toolu_9'/,
    ],
    [
      'tool_result content block unsupported',
      afterCall({ type: 'tool_result', tool_use_id: 'toolu_1', content: [{ type: 'tool_reference', tool_name: 'x' }] }),
      'messages.2.content.0.content.0.type',
      /'text', 'image' or 'document'/,
    ],
    ['is_error not a boolean', afterCall({ type: 'tool_result', tool_use_id: 'toolu_1', is_error: 'yes' }), 'messages.2.content.0.is_error', /valid boolean/],
    [
      'redacted_thinking without data',
      {
        ...valid(),
        messages: [
          { role: 'user', content: 'a' },
          { role: 'assistant', content: [{ type: 'redacted_thinking' }] },
        ],
      },
      'messages.1.content.0.data',
      /Field required/,
    ],
    [
      'thinking in a user message',
      userSays({ type: 'thinking', thinking: 'x', signature: 's' }),
      'messages.0.content.0.type',
      /only appear in assistant messages/,
    ],
    ['max_tokens missing', { ...valid(), max_tokens: undefined }, 'max_tokens', /Field required/],
    ['max_tokens zero', { ...valid(), max_tokens: 0 }, 'max_tokens', /greater than or equal to 1/],
    ['max_tokens fractional', { ...valid(), max_tokens: 10.5 }, 'max_tokens', /valid integer/],
    ['max_tokens a string', { ...valid(), max_tokens: '1024' }, 'max_tokens', /valid integer/],
    ['temperature not a number', { ...valid(), temperature: 'hot' }, 'temperature', /valid number/],
    ['temperature above 1', { ...valid(), temperature: 1.5 }, 'temperature', /less than or equal to 1/],
    ['top_p negative', { ...valid(), top_p: -0.1 }, 'top_p', /greater than or equal to 0/],
    ['top_k fractional', { ...valid(), top_k: 2.5 }, 'top_k', /valid integer/],
    ['stop_sequences not a list', { ...valid(), stop_sequences: 'END' }, 'stop_sequences', /valid list/],
    ['stop sequence not a string', { ...valid(), stop_sequences: ['a', 2] }, 'stop_sequences.1', /valid string/],
    ['stream not a boolean', { ...valid(), stream: 'yes' }, 'stream', /valid boolean/],
    ['system of a wrong type', { ...valid(), system: 5 }, 'system', /valid string or list/],
    ['system block not text', { ...valid(), system: [{ type: 'image' }] }, 'system.0.type', /'text'/],
    ['metadata.user_id not a string', { ...valid(), metadata: { user_id: 5 } }, 'metadata.user_id', /valid string/],
    ['tools not a list', { ...valid(), tools: {} }, 'tools', /valid list/],
    ['tool without input_schema', { ...valid(), tools: [{ name: 'x' }] }, 'tools.0.input_schema', /Field required/],
    ['tool without a name', { ...valid(), tools: [{ input_schema: {} }] }, 'tools.0.name', /Field required/],
    ['tool_choice type unknown', { ...valid(), tool_choice: { type: 'required' } }, 'tool_choice.type', /'auto', 'any', 'tool' or 'none'/],
    ['tool_choice names no tool', { ...valid(), tool_choice: { type: 'tool', name: 'ghost' } }, 'tool_choice.name', /no tool named 'ghost'/],
    ['thinking type unknown', { ...valid(), thinking: { type: 'deep' } }, 'thinking.type', /'enabled', 'disabled', 'adaptive'/],
    ['thinking budget missing', { ...valid(), thinking: { type: 'enabled' } }, 'thinking.budget_tokens', /Field required/],
    ['output_config.effort not a string', { ...valid(), output_config: { effort: 3 } }, 'output_config.effort', /valid string/],
    ['output format without schema', { ...valid(), output_config: { format: { type: 'json_schema' } } }, 'output_config.format.schema', /Field required/],
  ];

  for (const [what, body, param, message] of cases) {
    it(`rejects: ${what}`, () => rejects(body, param, message));
  }

  it('rejects an inline image larger than the configured limit, naming its size', () => {
    const codec = createAnthropicCodec({ maxInlineMediaBytes: 1000 });
    const big = Buffer.alloc(1500).toString('base64');
    rejects(userSays(png(big)), 'messages.0.content.0.source.data', /limit of 1000 bytes \(1500 bytes decoded\)/, codec);
    assert.doesNotThrow(() => codec.decodeRequest(userSays(png(Buffer.alloc(900).toString('base64'))), ctx));
  });

  it('applies the same limit to inline PDFs inside tool results', () => {
    const codec = createAnthropicCodec({ maxInlineMediaBytes: 1000 });
    const pdf = { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: Buffer.alloc(2000).toString('base64') } };
    rejects(afterCall({ type: 'tool_result', tool_use_id: 'toolu_1', content: [pdf] }), 'messages.2.content.0.content.0.source.data', /exceeds/, codec);
  });
});
