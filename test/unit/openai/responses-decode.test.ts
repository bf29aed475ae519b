import assert from 'node:assert/strict';
import { ResponsesCodec, ResponsesStore } from '../../../src/core/protocols/openai';
import { throwsGateway } from './helpers';

const ctx = { headers: {}, query: {}, params: {} };
const codec = new ResponsesCodec({ store: new ResponsesStore() });
const decode = (body: Record<string, unknown>) => codec.decodeRequest({ model: 'gemini-3-flash', input: 'hi', ...body }, ctx);
const PNG = 'iVBORw0KGgo=';

describe('openai responses: decoding requests', () => {
  it('takes a string input as one user message and instructions as the system prompt', () => {
    const request = decode({ input: 'Hello', instructions: 'Be brief.' });
    assert.equal(request.protocol, 'openai-responses');
    assert.deepEqual(request.system, [{ type: 'text', text: 'Be brief.' }]);
    assert.deepEqual(request.messages, [{ role: 'user', parts: [{ type: 'text', text: 'Hello' }] }]);
  });

  it('decodes a Codex-style item history: developer prompt, messages, reasoning, calls and outputs', () => {
    const request = decode({
      input: [
        { type: 'message', role: 'developer', content: [{ type: 'input_text', text: 'You are Codex.' }] },
        { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'List files' }] },
        { type: 'reasoning', summary: [{ type: 'summary_text', text: 'Run ls.' }], encrypted_content: 'thought-sig' },
        { type: 'function_call', call_id: 'call_1', name: 'exec_command', arguments: '{"cmd":"ls"}' },
        { type: 'function_call_output', call_id: 'call_1', output: 'a.txt' },
        { role: 'assistant', content: [{ type: 'output_text', text: 'One file.' }] },
        { role: 'user', content: 'Thanks' },
      ],
    });
    assert.deepEqual(request.system, [{ type: 'text', text: 'You are Codex.' }]);
    assert.deepEqual(request.messages, [
      { role: 'user', parts: [{ type: 'text', text: 'List files' }] },
      {
        role: 'assistant',
        parts: [
          { type: 'thinking', text: 'Run ls.', signature: 'thought-sig' },
          { type: 'tool_call', id: 'call_1', name: 'exec_command', args: { cmd: 'ls' } },
        ],
      },
      { role: 'user', parts: [{ type: 'tool_result', callId: 'call_1', name: 'exec_command', content: [{ type: 'text', text: 'a.txt' }] }] },
      { role: 'assistant', parts: [{ type: 'text', text: 'One file.' }] },
      { role: 'user', parts: [{ type: 'text', text: 'Thanks' }] },
    ]);
  });

  it('decodes images (data and http) and structured function outputs', () => {
    const request = decode({
      input: [
        {
          role: 'user',
          content: [
            { type: 'input_image', image_url: `data:image/png;base64,${PNG}` },
            { type: 'input_image', image_url: 'http://example.com/a.png', detail: 'auto' },
          ],
        },
        { type: 'function_call', call_id: 'c', name: 'shot', arguments: '{}' },
        {
          type: 'function_call_output',
          call_id: 'c',
          output: [
            { type: 'input_text', text: 'see' },
            { type: 'input_image', image_url: `data:image/png;base64,${PNG}` },
          ],
        },
      ],
    });
    assert.deepEqual(request.messages[0].parts, [
      { type: 'media', mimeType: 'image/png', source: { kind: 'base64', data: PNG } },
      { type: 'media', mimeType: 'image/*', source: { kind: 'url', url: 'http://example.com/a.png' } },
    ]);
    assert.deepEqual(request.messages[2].parts[0], {
      type: 'tool_result',
      callId: 'c',
      name: 'shot',
      content: [
        { type: 'text', text: 'see' },
        { type: 'media', mimeType: 'image/png', source: { kind: 'base64', data: PNG } },
      ],
    });
  });

  it('maps function tools, tool_choice, reasoning, limits, text.format, store and include', () => {
    const request = decode({
      tools: [
        {
          type: 'function',
          name: 'exec_command',
          description: 'Run',
          parameters: { type: 'object', required: ['cmd'], additionalProperties: false },
          strict: false,
        },
      ],
      tool_choice: { type: 'function', name: 'exec_command' },
      parallel_tool_calls: false,
      reasoning: { effort: 'medium', summary: 'auto' },
      max_output_tokens: 512,
      temperature: 1,
      top_p: 0.5,
      text: { format: { type: 'json_schema', name: 'out', schema: { type: 'object' }, strict: true } },
      stream: true,
      prompt_cache_key: 'thread-1',
      user: 'u',
      metadata: { ticket: '7' },
    });
    assert.deepEqual(request.tools, [
      { name: 'exec_command', description: 'Run', parameters: { type: 'object', required: ['cmd'], additionalProperties: false } },
    ]);
    assert.deepEqual(request.toolChoice, { type: 'tool', name: 'exec_command' });
    assert.equal(request.parallelToolCalls, false);
    assert.deepEqual(request.thinking, { type: 'effort', effort: 'medium' });
    assert.equal(request.includeThoughts, true, 'a summary was asked for');
    assert.equal(request.maxOutputTokens, 512);
    assert.equal(request.temperature, 1);
    assert.equal(request.topP, 0.5);
    assert.deepEqual(request.responseFormat, { type: 'json', name: 'out', schema: { type: 'object' } });
    assert.equal(request.stream, true);
    assert.equal(request.sessionKey, 'thread-1');
    assert.equal(request.user, 'u');
    assert.equal(decode({}).includeThoughts, false, 'no summary requested, no thought text');
  });

  it('flattens namespace tools into ns__fn declarations', () => {
    const request = decode({
      tools: [
        { type: 'function', name: 'exec_command', parameters: { type: 'object' } },
        {
          type: 'namespace',
          name: 'mcp__github',
          description: 'GitHub',
          tools: [
            { type: 'function', name: 'search_issues', description: 'Search', parameters: { type: 'object' } },
            { type: 'custom', name: 'freeform' },
          ],
        },
      ],
      tool_choice: { type: 'function', namespace: 'mcp__github', name: 'search_issues' },
    });
    assert.deepEqual(
      request.tools.map((t) => t.name),
      ['exec_command', 'mcp__github__search_issues', 'mcp__github__freeform'],
    );
    assert.deepEqual(request.toolChoice, { type: 'tool', name: 'mcp__github__search_issues' });
  });

  it('declares a custom (freeform) tool as a function of one string, its grammar in the description', () => {
    const request = decode({
      tools: [
        {
          type: 'custom',
          name: 'apply_patch',
          description: 'Edit files.',
          format: { type: 'grammar', syntax: 'lark', definition: 'start: "*** Begin Patch"' },
        },
      ],
      tool_choice: { type: 'custom', name: 'apply_patch' },
    });
    const [tool] = request.tools;
    assert.equal(tool.name, 'apply_patch');
    assert.equal(tool.description, 'Edit files.');
    assert.deepEqual(tool.parameters?.required, ['input']);
    assert.match(JSON.stringify(tool.parameters), /lark grammar:\\nstart: \\"\*\*\* Begin Patch/);
    assert.deepEqual(request.toolChoice, { type: 'tool', name: 'apply_patch' });
  });

  it('takes the tools of an additional_tools input item (Codex default models) and replays custom tool calls', () => {
    const request = decode({
      input: [
        {
          type: 'additional_tools',
          role: 'developer',
          tools: [
            {
              type: 'namespace',
              name: 'functions',
              tools: [
                { type: 'custom', name: 'exec', format: { type: 'text' } },
                { type: 'function', name: 'wait', parameters: { type: 'object' } },
              ],
            },
          ],
        },
        { role: 'user', content: 'go' },
        { type: 'custom_tool_call', call_id: 'c1', namespace: 'functions', name: 'exec', input: 'text(1)' },
        { type: 'custom_tool_call_output', call_id: 'c1', output: '1' },
      ],
    });
    assert.deepEqual(
      request.tools.map((t) => t.name),
      ['functions__exec', 'functions__wait'],
    );
    assert.deepEqual(request.messages.slice(1), [
      { role: 'assistant', parts: [{ type: 'tool_call', id: 'c1', name: 'functions__exec', args: { input: 'text(1)' } }] },
      { role: 'user', parts: [{ type: 'tool_result', callId: 'c1', name: 'functions__exec', content: [{ type: 'text', text: '1' }] }] },
    ]);
    assert.equal(request.notes, undefined);
  });

  it('lets the model choose when tool_choice names a hosted tool, with a note', () => {
    const request = decode({ tools: [{ type: 'function', name: 'f' }], tool_choice: { type: 'web_search_preview' } });
    assert.equal(request.toolChoice, undefined);
    assert.deepEqual(request.notes, ["ignored tool_choice of type 'web_search_preview': no upstream counterpart, the model chooses"]);
  });

  it('ignores well-formed input items it has no use for, with a note', () => {
    const request = decode({ input: [{ type: 'computer_call', call_id: 'x' }, { role: 'user', content: 'hi' }, { type: 'brand_new_item' }] });
    assert.deepEqual(request.messages, [{ role: 'user', parts: [{ type: 'text', text: 'hi' }] }]);
    assert.deepEqual(request.notes, [
      "ignored input[0] (type 'computer_call'): no upstream counterpart",
      "ignored input[2] (type 'brand_new_item'): no upstream counterpart",
    ]);
  });

  it('replays a namespaced call from history under its flat name', () => {
    const request = decode({
      input: [
        { role: 'user', content: 'find bugs' },
        { type: 'function_call', call_id: 'c1', namespace: 'mcp__github', name: 'search_issues', arguments: '{"q":"bug"}' },
        { type: 'function_call_output', call_id: 'c1', output: '[]' },
      ],
    });
    assert.deepEqual(request.messages[1].parts, [{ type: 'tool_call', id: 'c1', name: 'mcp__github__search_issues', args: { q: 'bug' } }]);
    assert.equal((request.messages[2].parts[0] as { name: string }).name, 'mcp__github__search_issues');
  });

  it('keeps web_search only when no function tool is declared, and drops hosted tools', () => {
    assert.equal(decode({ tools: [{ type: 'web_search' }] }).webSearch, true);
    const codexLike = decode({
      tools: [
        { type: 'web_search', external_web_access: false },
        { type: 'function', name: 'f' },
        { type: 'file_search', vector_store_ids: [] },
      ],
    });
    assert.equal(codexLike.webSearch, undefined);
    assert.deepEqual(
      codexLike.tools.map((t) => t.name),
      ['f'],
    );
    assert.equal(codexLike.notes?.length, 2);
    assert.match(codexLike.notes![0], /^dropped tools\[2\] \(file_search\)/);
    assert.match(codexLike.notes![1], /^dropped tools\[0\] \(web_search\): .*cannot be combined with function tools/);
  });

  describe('refuses with a 400 naming the parameter', () => {
    const cases: Array<[string, Record<string, unknown>, string]> = [
      [
        'an output for an unknown call',
        {
          input: [
            { role: 'user', content: 'x' },
            { type: 'function_call_output', call_id: 'nope', output: 'r' },
          ],
        },
        'input[1].call_id',
      ],
      ['an image by file_id', { input: [{ role: 'user', content: [{ type: 'input_image', file_id: 'file-1' }] }] }, 'input[0].content[0].file_id'],
      ['an ftp image', { input: [{ role: 'user', content: [{ type: 'input_image', image_url: 'ftp://host/a.png' }] }] }, 'input[0].content[0].image_url'],
      ['an item without a type', { input: [{ call_id: 'x' }] }, 'input[0].type'],
      ['item references', { input: [{ type: 'item_reference', id: 'msg_1' }] }, 'input[0].type'],
      ['an unknown role', { input: [{ type: 'message', role: 'tool', content: 'x' }] }, 'input[0].role'],
      [
        'an image in a developer message',
        {
          input: [
            { role: 'developer', content: [{ type: 'input_image', image_url: `data:image/png;base64,${PNG}` }] },
            { role: 'user', content: 'x' },
          ],
        },
        'input[0].content[0]',
      ],
      [
        'bad call arguments',
        {
          input: [
            { role: 'user', content: 'x' },
            { type: 'function_call', call_id: 'c', name: 'f', arguments: '[1]' },
          ],
        },
        'input[1].arguments',
      ],
      ['an empty input', { input: [] }, 'input'],
      ['background mode', { background: true }, 'background'],
      ['conversation objects', { conversation: 'conv_1' }, 'conversation'],
      ['an unknown summary mode', { reasoning: { summary: 'verbose' } }, 'reasoning.summary'],
      [
        'a duplicate tool',
        {
          tools: [
            { type: 'function', name: 'a__b' },
            { type: 'namespace', name: 'a', tools: [{ type: 'function', name: 'b' }] },
          ],
        },
        'tools[1].tools[0]',
      ],
      [
        'a tool_choice for an undeclared function',
        { tools: [{ type: 'function', name: 'f' }], tool_choice: { type: 'function', name: 'g' } },
        'tool_choice.name',
      ],
      ['a max_output_tokens of 0', { max_output_tokens: 0 }, 'max_output_tokens'],
    ];
    for (const [what, body, param] of cases) {
      it(what, () => throwsGateway(() => decode(body), 'invalid_request', param));
    }
  });

  it('answers an unknown previous_response_id with a 404', () => {
    throwsGateway(() => decode({ previous_response_id: 'resp_missing' }), 'not_found', 'previous_response_id');
  });
});
