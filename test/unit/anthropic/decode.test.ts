import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { anthropicCodec, decodeCountTokensRequest } from '../../../src/core/protocols/anthropic';
import type { InboundContext } from '../../../src/core/protocols/codec';

const ctx = (headers: InboundContext['headers'] = {}): InboundContext => ({ headers, query: {}, params: {} });
const decode = (body: Record<string, unknown>, headers?: InboundContext['headers']) =>
  anthropicCodec.decodeRequest({ model: 'claude-sonnet-4-6', max_tokens: 1024, ...body }, ctx(headers));
const PNG = Buffer.from('89504e470d0a1a0a', 'hex').toString('base64');

describe('anthropic decode', () => {
  it('reads a plain text conversation with the client model id and parameters', () => {
    const req = decode({
      messages: [{ role: 'user', content: 'Hello' }],
      temperature: 0.2,
      top_p: 0.9,
      top_k: 40,
      stop_sequences: ['END'],
      stream: true,
    });
    assert.deepEqual(req, {
      protocol: 'anthropic',
      model: 'claude-sonnet-4-6',
      system: [],
      messages: [{ role: 'user', parts: [{ type: 'text', text: 'Hello' }] }],
      tools: [],
      maxOutputTokens: 1024,
      temperature: 0.2,
      topP: 0.9,
      topK: 40,
      stopSequences: ['END'],
      includeThoughts: false,
      stream: true,
    });
  });

  it('turns a system string or system text blocks into system parts, dropping cache_control', () => {
    assert.deepEqual(decode({ system: 'Be brief.', messages: [{ role: 'user', content: 'x' }] }).system, [{ type: 'text', text: 'Be brief.' }]);
    const req = decode({
      system: [
        { type: 'text', text: 'One.' },
        { type: 'text', text: 'Two.', cache_control: { type: 'ephemeral' } },
      ],
      messages: [{ role: 'user', content: 'x' }],
    });
    assert.deepEqual(req.system, [
      { type: 'text', text: 'One.' },
      { type: 'text', text: 'Two.' },
    ]);
  });

  it('folds a system-role message into the system prompt', () => {
    const req = decode({
      system: 'First.',
      messages: [
        { role: 'user', content: 'a' },
        { role: 'system', content: 'Second.' },
        { role: 'user', content: 'b' },
      ],
    });
    assert.deepEqual(
      req.system.map((p) => p.text),
      ['First.', 'Second.'],
    );
    assert.deepEqual(req.messages, [
      {
        role: 'user',
        parts: [
          { type: 'text', text: 'a' },
          { type: 'text', text: 'b' },
        ],
      },
    ]);
  });

  it('decodes base64 and URL images, PDFs and text documents', () => {
    const req = decode({
      messages: [
        {
          role: 'user',
          content: [
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG }, cache_control: { type: 'ephemeral' } },
            { type: 'image', source: { type: 'url', url: 'https://example.com/cat.jpg' } },
            { type: 'image', source: { type: 'url', url: 'https://example.com/render?id=3' } },
            { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: 'JVBERi0x' } },
            { type: 'document', source: { type: 'url', url: 'https://example.com/paper.pdf' } },
            { type: 'document', title: 'Notes', source: { type: 'text', media_type: 'text/plain', data: 'plain words' } },
            { type: 'document', source: { type: 'content', content: [{ type: 'text', text: 'inner' }] } },
          ],
        },
      ],
    });
    assert.deepEqual(req.messages[0].parts, [
      { type: 'media', mimeType: 'image/png', source: { kind: 'base64', data: PNG } },
      { type: 'media', mimeType: 'image/jpeg', source: { kind: 'url', url: 'https://example.com/cat.jpg' } },
      { type: 'media', mimeType: 'application/octet-stream', source: { kind: 'url', url: 'https://example.com/render?id=3' } },
      { type: 'media', mimeType: 'application/pdf', source: { kind: 'base64', data: 'JVBERi0x' } },
      { type: 'media', mimeType: 'application/pdf', source: { kind: 'url', url: 'https://example.com/paper.pdf' } },
      { type: 'text', text: 'Notes\n\nplain words' },
      { type: 'text', text: 'inner' },
    ]);
  });

  it('keeps tool_use ids and names tool results after their call, with error flag and images', () => {
    const req = decode({
      messages: [
        { role: 'user', content: 'List files' },
        {
          role: 'assistant',
          content: [
            { type: 'thinking', thinking: 'I should run ls.', signature: 'sig-abc' },
            { type: 'redacted_thinking', data: 'opaque-redacted' },
            { type: 'text', text: 'Running it.' },
            { type: 'tool_use', id: 'toolu_01', name: 'Bash', input: { command: 'ls' } },
            { type: 'tool_use', id: 'toolu_02', name: 'Read', input: { file_path: '/a.png' } },
          ],
        },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'toolu_01', content: 'a.png\nb.txt', is_error: true },
            {
              type: 'tool_result',
              tool_use_id: 'toolu_02',
              content: [
                { type: 'text', text: 'the image:' },
                { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG } },
              ],
            },
            { type: 'text', text: 'Continue.' },
          ],
        },
      ],
    });
    assert.deepEqual(req.messages[1].parts, [
      { type: 'thinking', text: 'I should run ls.', signature: 'sig-abc' },
      { type: 'thinking', text: '', signature: 'opaque-redacted', redacted: true },
      { type: 'text', text: 'Running it.' },
      { type: 'tool_call', id: 'toolu_01', name: 'Bash', args: { command: 'ls' } },
      { type: 'tool_call', id: 'toolu_02', name: 'Read', args: { file_path: '/a.png' } },
    ]);
    assert.deepEqual(req.messages[2].parts, [
      { type: 'tool_result', callId: 'toolu_01', name: 'Bash', content: [{ type: 'text', text: 'a.png\nb.txt' }], isError: true },
      {
        type: 'tool_result',
        callId: 'toolu_02',
        name: 'Read',
        content: [
          { type: 'text', text: 'the image:' },
          { type: 'media', mimeType: 'image/png', source: { kind: 'base64', data: PNG } },
        ],
      },
      { type: 'text', text: 'Continue.' },
    ]);
  });

  it('merges consecutive same-role messages into one turn', () => {
    const req = decode({
      messages: [
        { role: 'user', content: 'one' },
        { role: 'user', content: [{ type: 'text', text: 'two' }] },
        { role: 'assistant', content: 'three' },
      ],
    });
    assert.deepEqual(req.messages, [
      {
        role: 'user',
        parts: [
          { type: 'text', text: 'one' },
          { type: 'text', text: 'two' },
        ],
      },
      { role: 'assistant', parts: [{ type: 'text', text: 'three' }] },
    ]);
  });

  it('drops an empty final assistant prefill and replayed server-side tool records', () => {
    const req = decode({
      messages: [
        { role: 'user', content: 'search it' },
        {
          role: 'assistant',
          content: [
            { type: 'server_tool_use', id: 'srvtoolu_1', name: 'web_search', input: { query: 'q' } },
            { type: 'web_search_tool_result', tool_use_id: 'srvtoolu_1', content: [] },
            { type: 'text', text: 'Found it.' },
          ],
        },
        { role: 'user', content: 'thanks' },
        { role: 'assistant', content: '' },
      ],
    });
    assert.deepEqual(
      req.messages.map((m) => m.parts),
      [[{ type: 'text', text: 'search it' }], [{ type: 'text', text: 'Found it.' }], [{ type: 'text', text: 'thanks' }]],
    );
  });

  describe('thinking', () => {
    const withThinking = (extra: Record<string, unknown>) => decode({ messages: [{ role: 'user', content: 'x' }], ...extra });

    it('adaptive thinking includes thoughts', () => {
      const req = withThinking({ thinking: { type: 'adaptive' } });
      assert.deepEqual([req.thinking, req.includeThoughts], [{ type: 'adaptive' }, true]);
    });
    it('adaptive thinking with output_config.effort asks for that effort', () => {
      const req = withThinking({ thinking: { type: 'adaptive' }, output_config: { effort: 'medium' } });
      assert.deepEqual([req.thinking, req.includeThoughts], [{ type: 'effort', effort: 'medium' }, true]);
    });
    it('Anthropic-only effort levels above high become high; unknown levels are ignored', () => {
      assert.deepEqual(withThinking({ thinking: { type: 'adaptive' }, output_config: { effort: 'max' } }).thinking, { type: 'effort', effort: 'high' });
      assert.deepEqual(withThinking({ thinking: { type: 'adaptive' }, output_config: { effort: 'ludicrous' } }).thinking, { type: 'adaptive' });
    });
    it('enabled thinking carries its budget', () => {
      const req = withThinking({ thinking: { type: 'enabled', budget_tokens: 8000 } });
      assert.deepEqual([req.thinking, req.includeThoughts], [{ type: 'budget', budgetTokens: 8000 }, true]);
    });
    it('disabled thinking excludes thoughts', () => {
      const req = withThinking({ thinking: { type: 'disabled' } });
      assert.deepEqual([req.thinking, req.includeThoughts], [{ type: 'disabled' }, false]);
    });
    it('display "omitted" keeps thinking but hides the thought text', () => {
      const req = withThinking({ thinking: { type: 'adaptive', display: 'omitted' } });
      assert.deepEqual([req.thinking, req.includeThoughts], [{ type: 'adaptive' }, false]);
    });
    it('no thinking field: no thoughts, but an effort is still passed on', () => {
      assert.equal(withThinking({}).thinking, undefined);
      const req = withThinking({ output_config: { effort: 'low' } });
      assert.deepEqual([req.thinking, req.includeThoughts], [{ type: 'effort', effort: 'low' }, false]);
    });
  });

  describe('tools', () => {
    const bash = { name: 'Bash', description: 'Run a command', input_schema: { type: 'object', properties: { command: { type: 'string' } } } };

    it('keeps function tools with their schema and maps every tool_choice', () => {
      const base = { messages: [{ role: 'user', content: 'x' }], tools: [bash] };
      const req = decode({ ...base, tool_choice: { type: 'auto', disable_parallel_tool_use: true } });
      assert.deepEqual(req.tools, [{ name: 'Bash', description: 'Run a command', parameters: bash.input_schema }]);
      assert.deepEqual([req.toolChoice, req.parallelToolCalls], [{ type: 'auto' }, false]);
      assert.deepEqual(decode({ ...base, tool_choice: { type: 'any' } }).toolChoice, { type: 'required' });
      assert.deepEqual(decode({ ...base, tool_choice: { type: 'none' } }).toolChoice, { type: 'none' });
      assert.deepEqual(decode({ ...base, tool_choice: { type: 'tool', name: 'Bash' } }).toolChoice, { type: 'tool', name: 'Bash' });
    });

    it('keeps the function tools beside a web_search server tool (Cline), and notes every server tool it drops', () => {
      const req = decode({
        messages: [{ role: 'user', content: 'x' }],
        tools: [
          { type: 'web_search_20250305', name: 'web_search', max_uses: 8 },
          { type: 'code_execution_20250825', name: 'code_execution' },
          { type: 'bash_20250124', name: 'bash' },
          { ...bash, type: 'custom' },
        ],
      });
      assert.equal(req.webSearch, undefined);
      assert.deepEqual(
        req.tools.map((t) => t.name),
        ['Bash'],
      );
      assert.equal(req.notes?.length, 3);
      assert.match(req.notes![0], /^dropped tools\.1 \(code_execution_20250825\): /);
      assert.match(req.notes![1], /^dropped tools\.2 \(bash_20250124\): /);
      assert.match(req.notes![2], /^dropped tools\.0 \(web_search_20250305\): .*cannot be combined with function tools, and 1 function tool is declared/);
    });

    it('turns a web_search server tool alone into built-in search, with no note', () => {
      const req = decode({ messages: [{ role: 'user', content: 'x' }], tools: [{ type: 'web_search_20250305', name: 'web_search', max_uses: 8 }] });
      assert.equal(req.webSearch, true);
      assert.equal(req.notes, undefined);
    });

    it('forcing the web_search tool (as Claude Code WebSearch does) just searches', () => {
      const req = decode({
        messages: [{ role: 'user', content: 'Perform a web search for the query: agate' }],
        tools: [{ type: 'web_search_20250305', name: 'web_search' }],
        tool_choice: { type: 'tool', name: 'web_search' },
        thinking: { type: 'disabled' },
      });
      assert.equal(req.webSearch, true);
      assert.equal(req.toolChoice, undefined);
      assert.deepEqual(req.tools, []);
    });
  });

  it('takes the session key from x-claude-code-session-id, else metadata.user_id', () => {
    const body = { messages: [{ role: 'user', content: 'x' }], metadata: { user_id: 'user-42' } };
    const fromHeader = decode(body, { 'x-claude-code-session-id': 'session-7' });
    assert.deepEqual([fromHeader.sessionKey, fromHeader.user], ['session-7', 'user-42']);
    const fromMetadata = decode(body);
    assert.deepEqual([fromMetadata.sessionKey, fromMetadata.user], ['user-42', 'user-42']);
  });

  it('reads structured output from output_config.format', () => {
    const schema = { type: 'object', properties: { title: { type: 'string' } }, required: ['title'] };
    const req = decode({ messages: [{ role: 'user', content: 'x' }], output_config: { format: { type: 'json_schema', schema } } });
    assert.deepEqual(req.responseFormat, { type: 'json', schema });
  });

  it('tolerates fields it does not know', () => {
    const req = decode({
      messages: [{ role: 'user', content: [{ type: 'text', text: 'x', citations: null, some_future_flag: 1 }] }],
      context_management: { edits: [{ type: 'clear_thinking_20251015', keep: 'all' }] },
      service_tier: 'auto',
      container: 'c-1',
      mcp_servers: [],
      brand_new_option: { anything: true },
    });
    assert.deepEqual(req.messages[0].parts, [{ type: 'text', text: 'x' }]);
  });

  it('decodes a real Claude Code 2.1 request (24 tools, adaptive thinking, tool round trip)', () => {
    const fixture = JSON.parse(readFileSync(path.join(__dirname, '../../fixtures/claude-code-request.json'), 'utf8'));
    const req = anthropicCodec.decodeRequest(fixture, ctx({ 'x-claude-code-session-id': '4bb565d3-cc0b-444e-a83c-83fbc25279a6' }));
    assert.equal(req.model, 'claude-sonnet-4-6');
    assert.equal(req.stream, true);
    assert.equal(req.maxOutputTokens, 32000);
    assert.equal(req.tools.length, 24);
    assert.ok(req.tools.every((t) => t.parameters && t.description));
    assert.deepEqual([req.thinking, req.includeThoughts], [{ type: 'effort', effort: 'high' }, true]);
    assert.equal(req.sessionKey, '4bb565d3-cc0b-444e-a83c-83fbc25279a6');
    assert.match(req.user ?? '', /device_id/);
    assert.equal(req.system.length, fixture.system.length);
    assert.deepEqual(
      req.messages.map((m) => m.role),
      ['user', 'assistant', 'user'],
    );
    const [thinking, call] = req.messages[1].parts;
    assert.equal(thinking.type === 'thinking' && thinking.signature !== undefined, true);
    assert.equal(call.type === 'tool_call' && call.name, 'Write');
    const result = req.messages[2].parts[0];
    assert.equal(result.type === 'tool_result' && result.name, 'Write');
  });

  it('count_tokens takes the same body without max_tokens and never streams', () => {
    const req = decodeCountTokensRequest({
      model: 'claude-sonnet-4-6',
      messages: [{ role: 'user', content: 'count me' }],
      tools: [{ name: 'T', input_schema: { type: 'object' } }],
      stream: true,
    });
    assert.equal(req.maxOutputTokens, undefined);
    assert.equal(req.stream, false);
    assert.equal(req.tools.length, 1);
  });
});
