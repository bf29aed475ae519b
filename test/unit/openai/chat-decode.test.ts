import assert from 'node:assert/strict';
import { ChatCompletionsCodec } from '../../../src/core/protocols/openai';
import { throwsGateway } from './helpers';

const codec = new ChatCompletionsCodec();
const ctx = { headers: {}, query: {}, params: {} };
const decode = (body: Record<string, unknown>) => codec.decodeRequest({ model: 'gemini-3-flash', messages: [{ role: 'user', content: 'hi' }], ...body }, ctx);
const PNG = 'iVBORw0KGgo=';

describe('openai chat: decoding requests', () => {
  it('puts system and developer messages into the system prompt and keeps the turns', () => {
    const request = decode({
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'developer', content: [{ type: 'text', text: 'Use metric units.' }] },
        { role: 'user', content: 'How far is the moon?' },
        { role: 'assistant', content: 'About 384,400 km.' },
        { role: 'user', content: 'In miles?' },
      ],
    });
    assert.deepEqual(request.system, [
      { type: 'text', text: 'Be brief.' },
      { type: 'text', text: 'Use metric units.' },
    ]);
    assert.deepEqual(request.messages, [
      { role: 'user', parts: [{ type: 'text', text: 'How far is the moon?' }] },
      { role: 'assistant', parts: [{ type: 'text', text: 'About 384,400 km.' }] },
      { role: 'user', parts: [{ type: 'text', text: 'In miles?' }] },
    ]);
    assert.equal(request.protocol, 'openai-chat');
    assert.equal(request.stream, false);
    assert.equal(request.includeThoughts, true);
  });

  it('decodes data: images inline and keeps http(s) images as URLs for the fetcher', () => {
    const request = decode({
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Compare' },
            { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG}`, detail: 'high' } },
            { type: 'image_url', image_url: { url: 'https://example.com/cat.jpg' } },
          ],
        },
      ],
    });
    assert.deepEqual(request.messages[0].parts, [
      { type: 'text', text: 'Compare' },
      { type: 'media', mimeType: 'image/png', source: { kind: 'base64', data: PNG } },
      { type: 'media', mimeType: 'image/*', source: { kind: 'url', url: 'https://example.com/cat.jpg' } },
    ]);
  });

  it('accepts inline PDF files', () => {
    const request = decode({
      messages: [{ role: 'user', content: [{ type: 'file', file: { file_data: 'data:application/pdf;base64,JVBERg==', filename: 'a.pdf' } }] }],
    });
    assert.deepEqual(request.messages[0].parts, [{ type: 'media', mimeType: 'application/pdf', source: { kind: 'base64', data: 'JVBERg==' } }]);
  });

  it('pairs tool results with the calls they answer and carries reasoning back as thinking', () => {
    const request = decode({
      messages: [
        { role: 'user', content: 'Weather in Paris and Rome?' },
        {
          role: 'assistant',
          content: null,
          reasoning_content: 'Two cities, two calls.',
          tool_calls: [
            { id: 'call_1', type: 'function', function: { name: 'weather', arguments: '{"city":"Paris"}' } },
            { id: 'call_2', type: 'function', function: { name: 'weather', arguments: '{"city":"Rome"}' } },
          ],
        },
        { role: 'tool', tool_call_id: 'call_2', content: '18C' },
        { role: 'tool', tool_call_id: 'call_1', content: [{ type: 'text', text: '21C' }] },
      ],
      tools: [{ type: 'function', function: { name: 'weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }],
    });
    assert.deepEqual(request.messages[1], {
      role: 'assistant',
      parts: [
        { type: 'thinking', text: 'Two cities, two calls.' },
        { type: 'tool_call', id: 'call_1', name: 'weather', args: { city: 'Paris' } },
        { type: 'tool_call', id: 'call_2', name: 'weather', args: { city: 'Rome' } },
      ],
    });
    assert.deepEqual(request.messages[2], {
      role: 'user',
      parts: [
        { type: 'tool_result', callId: 'call_2', name: 'weather', content: [{ type: 'text', text: '18C' }] },
        { type: 'tool_result', callId: 'call_1', name: 'weather', content: [{ type: 'text', text: '21C' }] },
      ],
    });
    assert.deepEqual(request.tools, [{ name: 'weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } }]);
  });

  it('maps legacy functions, function_call and function messages', () => {
    const request = decode({
      functions: [{ name: 'lookup', description: 'Look up', parameters: { type: 'object' } }],
      function_call: { name: 'lookup' },
      messages: [
        { role: 'user', content: 'Find x' },
        { role: 'assistant', content: null, function_call: { name: 'lookup', arguments: '{"q":"x"}' } },
        { role: 'function', name: 'lookup', content: 'found' },
      ],
    });
    assert.deepEqual(request.tools, [{ name: 'lookup', description: 'Look up', parameters: { type: 'object' } }]);
    assert.deepEqual(request.toolChoice, { type: 'tool', name: 'lookup' });
    const call = request.messages[1].parts[0];
    assert.equal(call.type, 'tool_call');
    assert.deepEqual(request.messages[2].parts, [
      { type: 'tool_result', callId: call.type === 'tool_call' ? call.id : '', name: 'lookup', content: [{ type: 'text', text: 'found' }] },
    ]);
  });

  it('maps tool_choice, sampling, limits, stop, seed, format and effort', () => {
    const tools = [{ type: 'function', function: { name: 'f' } }];
    assert.deepEqual(decode({ tools, tool_choice: 'required' }).toolChoice, { type: 'required' });
    assert.deepEqual(decode({ tools, tool_choice: 'none' }).toolChoice, { type: 'none' });
    assert.deepEqual(decode({ tools, tool_choice: { type: 'function', function: { name: 'f' } } }).toolChoice, { type: 'tool', name: 'f' });
    const request = decode({
      temperature: 0.2,
      top_p: 0.9,
      max_tokens: 100,
      max_completion_tokens: 200,
      stop: 'END',
      seed: 7,
      parallel_tool_calls: false,
      reasoning_effort: 'low',
      response_format: { type: 'json_schema', json_schema: { name: 'answer', schema: { type: 'object' }, strict: true } },
      stream: true,
      stream_options: { include_usage: true },
      user: 'u-1',
    });
    assert.equal(request.temperature, 0.2);
    assert.equal(request.topP, 0.9);
    assert.equal(request.maxOutputTokens, 200, 'max_completion_tokens wins over max_tokens');
    assert.deepEqual(request.stopSequences, ['END']);
    assert.equal(request.seed, 7);
    assert.equal(request.parallelToolCalls, false);
    assert.deepEqual(request.thinking, { type: 'effort', effort: 'low' });
    assert.deepEqual(request.responseFormat, { type: 'json', name: 'answer', schema: { type: 'object' } });
    assert.equal(request.stream, true);
    assert.equal(request.user, 'u-1');
    assert.equal(request.sessionKey, 'u-1');
    assert.deepEqual(decode({ response_format: { type: 'json_object' } }).responseFormat, { type: 'json' });
    assert.deepEqual(decode({ stop: ['a', 'b'] }).stopSequences, ['a', 'b']);
    assert.deepEqual(decode({ reasoning: { effort: 'high' } }).thinking, { type: 'effort', effort: 'high' });
    assert.deepEqual(decode({ reasoning_effort: 'none' }).thinking, { type: 'disabled' });
    assert.deepEqual(decode({ reasoning_effort: 'xhigh' }).thinking, { type: 'effort', effort: 'high' });
  });

  it('prefers prompt_cache_key as the session key and treats null as absent', () => {
    const request = decode({ prompt_cache_key: 'conv-9', user: 'u-1', stop: null, max_tokens: null, tools: null });
    assert.equal(request.sessionKey, 'conv-9');
    assert.equal(request.stopSequences, undefined);
    assert.equal(request.maxOutputTokens, undefined);
    assert.deepEqual(request.tools, []);
  });

  it('turns web_search_options into web search only without function tools', () => {
    assert.equal(decode({ web_search_options: {} }).webSearch, true);
    assert.equal(decode({ web_search_options: {}, tools: [{ type: 'function', function: { name: 'f' } }] }).webSearch, undefined);
  });

  it('hides reasoning when the codec is configured so', () => {
    const quiet = new ChatCompletionsCodec({ exposeReasoning: false });
    const request = quiet.decodeRequest({ model: 'm', messages: [{ role: 'user', content: 'x' }] }, ctx);
    assert.equal(request.includeThoughts, false);
  });

  describe('refuses with a 400 naming the parameter', () => {
    const cases: Array<[string, Record<string, unknown>, string]> = [
      [
        'an unknown tool_call_id',
        {
          messages: [
            { role: 'user', content: 'x' },
            { role: 'assistant', tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'f', arguments: '{}' } }] },
            { role: 'tool', tool_call_id: 'call_1', content: 'ok' },
            { role: 'tool', tool_call_id: 'call_404', content: 'lost' },
          ],
        },
        'messages[3].tool_call_id',
      ],
      ['n > 1', { n: 2 }, 'n'],
      ['logprobs', { logprobs: true }, 'logprobs'],
      ['top_logprobs', { top_logprobs: 3 }, 'top_logprobs'],
      ['audio output', { modalities: ['text', 'audio'] }, 'modalities'],
      ['a missing model', { model: undefined }, 'model'],
      ['an empty message list', { messages: [] }, 'messages'],
      ['an unknown role', { messages: [{ role: 'robot', content: 'x' }] }, 'messages[0].role'],
      [
        'a non-JSON tool argument',
        {
          messages: [
            { role: 'user', content: 'x' },
            { role: 'assistant', tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '{oops' } }] },
          ],
        },
        'messages[1].tool_calls[0].function.arguments',
      ],
      [
        'a tool call without an id',
        {
          messages: [
            { role: 'user', content: 'x' },
            { role: 'assistant', tool_calls: [{ type: 'function', function: { name: 'f', arguments: '{}' } }] },
          ],
        },
        'messages[1].tool_calls[0].id',
      ],
      [
        'a file: image URL',
        { messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'file:///etc/passwd' } }] }] },
        'messages[0].content[0].image_url.url',
      ],
      [
        'a broken data URL',
        { messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'data:image/png;base64,@@@' } }] }] },
        'messages[0].content[0].image_url.url',
      ],
      [
        'a non-image data URL as image',
        { messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'data:text/plain;base64,aGk=' } }] }] },
        'messages[0].content[0].image_url.url',
      ],
      ['audio input', { messages: [{ role: 'user', content: [{ type: 'input_audio', input_audio: {} }] }] }, 'messages[0].content[0].type'],
      ['uploaded file ids', { messages: [{ role: 'user', content: [{ type: 'file', file: { file_id: 'file-1' } }] }] }, 'messages[0].content[0].file.file_id'],
      ['a non-function tool', { tools: [{ type: 'custom', custom: { name: 'x' } }] }, 'tools[0].type'],
      [
        'duplicate tool names',
        {
          tools: [
            { type: 'function', function: { name: 'f' } },
            { type: 'function', function: { name: 'f' } },
          ],
        },
        'tools[1]',
      ],
      [
        'a named tool_choice for an undeclared tool',
        { tools: [{ type: 'function', function: { name: 'f' } }], tool_choice: { type: 'function', function: { name: 'g' } } },
        'tool_choice.function.name',
      ],
      ['required without tools', { tool_choice: 'required' }, 'tool_choice'],
      ['an unknown tool_choice mode', { tools: [{ type: 'function', function: { name: 'f' } }], tool_choice: 'always' }, 'tool_choice'],
      ['a temperature out of range', { temperature: 3 }, 'temperature'],
      ['a fractional max_tokens', { max_tokens: 1.5 }, 'max_tokens'],
      ['an unknown reasoning effort', { reasoning_effort: 'extreme' }, 'reasoning_effort'],
      ['an unknown response_format', { response_format: { type: 'yaml' } }, 'response_format.type'],
      ['json_schema without its schema object', { response_format: { type: 'json_schema' } }, 'response_format.json_schema'],
      [
        'a function message answering nothing',
        {
          messages: [
            { role: 'user', content: 'x' },
            { role: 'function', name: 'f', content: 'r' },
          ],
        },
        'messages[1].name',
      ],
      ['a stop list of non-strings', { stop: ['a', 1] }, 'stop[1]'],
    ];
    for (const [what, body, param] of cases) {
      it(what, () => throwsGateway(() => decode(body), 'invalid_request', param));
    }
    it('a body that is not an object', () => throwsGateway(() => codec.decodeRequest('hi', ctx), 'invalid_request', undefined));
  });
});
