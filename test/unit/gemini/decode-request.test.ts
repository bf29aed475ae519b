import assert from 'node:assert/strict';
import { GeminiCodec, GeminiStreamRequest } from '../../../src/core/protocols/gemini';
import { assertInvalid, routeContext } from './helpers';

const codec = new GeminiCodec();

/** Shaped like what gemini-cli 0.61 sends (captured against a local server), trimmed to two tools. */
const geminiCliFirstTurn = {
  contents: [
    {
      role: 'user',
      parts: [{ text: '<session_context>\nThis is the Gemini CLI.\n</session_context>' }, { text: 'run echo hi' }],
    },
  ],
  systemInstruction: { role: 'user', parts: [{ text: 'You are Gemini CLI, an autonomous CLI agent.' }] },
  tools: [
    {
      functionDeclarations: [
        {
          name: 'run_shell_command',
          description: 'Runs a shell command.',
          parametersJsonSchema: {
            type: 'object',
            properties: { command: { type: 'string', description: 'The command.' } },
            required: ['command'],
          },
        },
        {
          name: 'write_file',
          description: 'Writes a file.',
          parametersJsonSchema: {
            type: 'object',
            properties: { file_path: { type: 'string' }, content: { type: 'string' } },
            required: ['file_path', 'content'],
          },
        },
      ],
    },
  ],
  generationConfig: {
    temperature: 1,
    topP: 0.95,
    topK: 64,
    thinkingConfig: { includeThoughts: true, thinkingLevel: 'HIGH' },
  },
};

describe('gemini decode: a generateContent request', () => {
  it('decodes a gemini-cli request into the IR without extras', () => {
    const request = codec.decodeRequest(geminiCliFirstTurn, routeContext('gemini-3-flash', { stream: true, alt: 'sse' }));
    assert.deepEqual(request, {
      protocol: 'gemini',
      model: 'gemini-3-flash',
      system: [{ type: 'text', text: 'You are Gemini CLI, an autonomous CLI agent.' }],
      messages: [
        {
          role: 'user',
          parts: [
            { type: 'text', text: '<session_context>\nThis is the Gemini CLI.\n</session_context>' },
            { type: 'text', text: 'run echo hi' },
          ],
        },
      ],
      tools: [
        {
          name: 'run_shell_command',
          description: 'Runs a shell command.',
          parameters: geminiCliFirstTurn.tools[0].functionDeclarations[0].parametersJsonSchema,
        },
        {
          name: 'write_file',
          description: 'Writes a file.',
          parameters: geminiCliFirstTurn.tools[0].functionDeclarations[1].parametersJsonSchema,
        },
      ],
      stream: true,
      temperature: 1,
      topP: 0.95,
      topK: 64,
      includeThoughts: true,
      thinking: { type: 'effort', effort: 'high' },
      // How this client connection wants the stream framed: the codec's own, never the upstream's.
      inboundCodecState: new GeminiStreamRequest('sse'),
    });
  });

  it('decodes the follow-up turn: the call keeps its id and signature, the result its JSON', () => {
    const signature = 'CiQBcsjafE'.repeat(8);
    const body = {
      ...geminiCliFirstTurn,
      contents: [
        ...geminiCliFirstTurn.contents,
        {
          role: 'model',
          parts: [{ functionCall: { id: 'call-abc_1', name: 'run_shell_command', args: { command: 'echo hi' } }, thoughtSignature: signature }],
        },
        {
          role: 'user',
          parts: [{ functionResponse: { id: 'call-abc_1', name: 'run_shell_command', response: { output: 'hi\n' } } }],
        },
      ],
    };
    const { messages } = codec.decodeRequest(body, routeContext('gemini-3-flash', { stream: true, alt: 'sse' }));
    assert.deepEqual(messages.slice(1), [
      {
        role: 'assistant',
        parts: [{ type: 'tool_call', id: 'call-abc_1', name: 'run_shell_command', args: { command: 'echo hi' }, signature }],
      },
      {
        role: 'user',
        parts: [
          {
            type: 'tool_result',
            callId: 'call-abc_1',
            name: 'run_shell_command',
            content: [{ type: 'text', text: '{"output":"hi\\n"}' }],
            response: { output: 'hi\n' },
          },
        ],
      },
    ]);
  });

  it('takes the model from the path, without a models/ prefix, and streams only on the streaming route', () => {
    const body = { contents: [{ parts: [{ text: 'hi' }] }], model: 'models/ignored' };
    const plain = codec.decodeRequest(body, routeContext('models/gemini-2.5-pro'));
    assert.equal(plain.model, 'gemini-2.5-pro');
    assert.equal(plain.stream, false);
    assert.equal(plain.geminiExtras, undefined);
    assert.equal(codec.decodeRequest(body, routeContext('gemini-2.5-pro', { stream: true })).stream, true);
  });

  it('keeps every field the IR does not model in geminiExtras, camelCased, for the upstream to merge back', () => {
    const body = {
      contents: [{ role: 'user', parts: [{ text: 'draw a cat' }] }],
      safetySettings: [{ category: 'HARM_CATEGORY_HARASSMENT', threshold: 'BLOCK_NONE' }],
      cachedContent: 'cachedContents/abc',
      labels: { team: 'a' },
      service_tier: 'standard',
      tools: [{ urlContext: {} }, { googleMaps: { enableWidget: true } }],
      toolConfig: {
        functionCallingConfig: { mode: 'VALIDATED' },
        retrievalConfig: { languageCode: 'en' },
      },
      generationConfig: {
        responseModalities: ['TEXT', 'IMAGE'],
        speechConfig: { voiceConfig: { prebuiltVoiceConfig: { voiceName: 'Kore' } } },
        mediaResolution: 'MEDIA_RESOLUTION_LOW',
        presencePenalty: 0.5,
        frequencyPenalty: 0.25,
        candidateCount: 1,
        imageConfig: { aspectRatio: '16:9', imageSize: '2K', personGeneration: 'ALLOW_ADULT' },
      },
    };
    const request = codec.decodeRequest(body, routeContext('gemini-3-pro-image'));
    assert.deepEqual(request.imageConfig, { aspectRatio: '16:9', imageSize: '2K' });
    assert.deepEqual(request.toolChoice, { type: 'auto' });
    assert.deepEqual(request.geminiExtras, {
      safetySettings: body.safetySettings,
      cachedContent: 'cachedContents/abc',
      labels: { team: 'a' },
      serviceTier: 'standard',
      tools: [{ urlContext: {} }, { googleMaps: { enableWidget: true } }],
      toolConfig: { retrievalConfig: { languageCode: 'en' }, functionCallingConfig: { mode: 'VALIDATED' } },
      generationConfig: {
        responseModalities: ['TEXT', 'IMAGE'],
        speechConfig: body.generationConfig.speechConfig,
        mediaResolution: 'MEDIA_RESOLUTION_LOW',
        presencePenalty: 0.5,
        frequencyPenalty: 0.25,
        imageConfig: { personGeneration: 'ALLOW_ADULT' },
      },
    });
  });

  it('reads snake_case bodies (Google curl samples) like camelCase ones, without touching user data', () => {
    const snake = {
      system_instruction: { parts: [{ text: 'Be brief.' }] },
      contents: [
        { role: 'user', parts: [{ inline_data: { mime_type: 'image/png', data: 'iVBORw0KGgo=' } }, { text: 'what is this?' }] },
        { role: 'model', parts: [{ function_call: { name: 'lookup', args: { the_key: 1 } }, thought_signature: 'sig' }] },
      ],
      tools: [{ function_declarations: [{ name: 'lookup', parameters_json_schema: { type: 'object', properties: { the_key: {} } } }] }],
      tool_config: { function_calling_config: { mode: 'ANY', allowed_function_names: ['lookup'] } },
      generation_config: { max_output_tokens: 100, stop_sequences: ['END'], thinking_config: { thinking_budget: 1024 } },
      safety_settings: [],
    };
    const request = codec.decodeRequest(snake, routeContext('gemini-2.5-flash'));
    assert.deepEqual(request.system, [{ type: 'text', text: 'Be brief.' }]);
    assert.deepEqual(request.messages[0].parts[0], { type: 'media', mimeType: 'image/png', source: { kind: 'base64', data: 'iVBORw0KGgo=' } });
    assert.deepEqual(request.messages[1].parts[0], { type: 'tool_call', id: 'lookup_0', name: 'lookup', args: { the_key: 1 }, signature: 'sig' });
    assert.deepEqual(request.tools, [{ name: 'lookup', parameters: { type: 'object', properties: { the_key: {} } } }]);
    assert.deepEqual(request.toolChoice, { type: 'tool', name: 'lookup' });
    assert.equal(request.maxOutputTokens, 100);
    assert.deepEqual(request.stopSequences, ['END']);
    assert.deepEqual(request.thinking, { type: 'budget', budgetTokens: 1024 });
    assert.deepEqual(request.geminiExtras, { safetySettings: [] });
  });

  it('accepts systemInstruction as a string, a part, a part list or a Content', () => {
    const decodeSystem = (systemInstruction: unknown) =>
      codec.decodeRequest({ contents: [{ parts: [{ text: 'hi' }] }], systemInstruction }, routeContext('m')).system;
    const expected = [{ type: 'text', text: 'Be brief.' }];
    assert.deepEqual(decodeSystem('Be brief.'), expected);
    assert.deepEqual(decodeSystem({ text: 'Be brief.' }), expected);
    assert.deepEqual(decodeSystem([{ text: 'Be brief.' }]), expected);
    assert.deepEqual(decodeSystem({ role: 'user', parts: [{ text: 'Be brief.' }] }), expected);
  });

  it("turns the SDK's typed `parameters` (OpenAPI, upper-case types) into JSON Schema", () => {
    const body = {
      contents: [{ parts: [{ text: 'hi' }] }],
      tools: [
        {
          functionDeclarations: [
            {
              name: 'set_light',
              parameters: {
                type: 'OBJECT',
                properties: {
                  level: { type: 'INTEGER', nullable: true },
                  colors: { type: 'ARRAY', items: { type: 'STRING', enum: ['red', 'blue'] } },
                  mode: { anyOf: [{ type: 'STRING' }, { type: 'NUMBER' }] },
                },
                required: ['level'],
              },
            },
          ],
        },
      ],
    };
    const [tool] = codec.decodeRequest(body, routeContext('m')).tools;
    assert.deepEqual(tool.parameters, {
      type: 'object',
      properties: {
        level: { type: 'integer', nullable: true },
        colors: { type: 'array', items: { type: 'string', enum: ['red', 'blue'] } },
        mode: { anyOf: [{ type: 'string' }, { type: 'number' }] },
      },
      required: ['level'],
    });
  });

  it('turns googleSearch (and the legacy googleSearchRetrieval) into web search', () => {
    for (const tool of [{ googleSearch: {} }, { googleSearchRetrieval: { dynamicRetrievalConfig: { mode: 'MODE_DYNAMIC' } } }]) {
      const request = codec.decodeRequest({ contents: [{ parts: [{ text: 'news?' }] }], tools: [tool] }, routeContext('m'));
      assert.equal(request.webSearch, true);
      assert.deepEqual(request.tools, []);
      assert.equal(request.geminiExtras, undefined);
    }
  });

  it('maps functionCallingConfig modes to tool choices', () => {
    const choose = (functionCallingConfig: unknown) => {
      const request = codec.decodeRequest({ contents: [{ parts: [{ text: 'hi' }] }], toolConfig: { functionCallingConfig } }, routeContext('m'));
      return { choice: request.toolChoice, extras: request.geminiExtras };
    };
    assert.deepEqual(choose({ mode: 'AUTO' }), { choice: { type: 'auto' }, extras: undefined });
    assert.deepEqual(choose({ mode: 'NONE' }), { choice: { type: 'none' }, extras: undefined });
    assert.deepEqual(choose({ mode: 'ANY' }), { choice: { type: 'required' }, extras: undefined });
    assert.deepEqual(choose({ mode: 'ANY', allowedFunctionNames: ['a'] }), { choice: { type: 'tool', name: 'a' }, extras: undefined });
    assert.deepEqual(choose({ mode: 'ANY', allowedFunctionNames: ['a', 'b'] }), {
      choice: { type: 'required' },
      extras: { toolConfig: { functionCallingConfig: { allowedFunctionNames: ['a', 'b'] } } },
    });
    assert.deepEqual(choose({ mode: 'VALIDATED' }), {
      choice: { type: 'auto' },
      extras: { toolConfig: { functionCallingConfig: { mode: 'VALIDATED' } } },
    });
    assert.deepEqual(choose({}), { choice: undefined, extras: undefined });
  });

  it('decodes JSON mode, thinking budgets and the other generation knobs', () => {
    const decodeConfig = (generationConfig: unknown) => codec.decodeRequest({ contents: [{ parts: [{ text: 'hi' }] }], generationConfig }, routeContext('m'));
    const schema = { type: 'object', properties: { a: { type: 'string' } } };
    assert.deepEqual(decodeConfig({ responseMimeType: 'application/json', responseJsonSchema: schema }).responseFormat, { type: 'json', schema });
    const nativeSchema = { type: 'OBJECT', properties: { a: { type: 'STRING' } }, propertyOrdering: ['a'] };
    const native = decodeConfig({ responseMimeType: 'application/json', responseSchema: nativeSchema });
    assert.deepEqual(native.responseFormat, { type: 'json' });
    assert.deepEqual(native.geminiExtras, { generationConfig: { responseSchema: nativeSchema } });
    assert.deepEqual(decodeConfig({ responseMimeType: 'text/plain' }).responseFormat, { type: 'text' });
    const enumMode = decodeConfig({ responseMimeType: 'text/x.enum', responseSchema: { type: 'STRING', enum: ['a', 'b'] } });
    assert.equal(enumMode.responseFormat, undefined);
    assert.deepEqual(enumMode.geminiExtras, {
      generationConfig: { responseMimeType: 'text/x.enum', responseSchema: { type: 'STRING', enum: ['a', 'b'] } },
    });
    assert.deepEqual(decodeConfig({ thinkingConfig: { thinkingBudget: 0 } }).thinking, { type: 'disabled' });
    assert.deepEqual(decodeConfig({ thinkingConfig: { thinkingBudget: -1 } }).thinking, { type: 'adaptive' });
    assert.deepEqual(decodeConfig({ thinkingConfig: { thinkingBudget: 2048, includeThoughts: false } }), {
      ...decodeConfig({}),
      thinking: { type: 'budget', budgetTokens: 2048 },
      includeThoughts: false,
    });
    assert.deepEqual(decodeConfig({ thinkingConfig: { thinkingLevel: 'low' } }).thinking, { type: 'effort', effort: 'low' });
    const knobs = decodeConfig({ maxOutputTokens: 512, seed: 7, stopSequences: ['x'], temperature: 0.2 });
    assert.deepEqual([knobs.maxOutputTokens, knobs.seed, knobs.stopSequences, knobs.temperature], [512, 7, ['x'], 0.2]);
  });

  it('refuses what it cannot honour instead of ignoring it', () => {
    const decode = (extra: Record<string, unknown>) => () => codec.decodeRequest({ contents: [{ parts: [{ text: 'hi' }] }], ...extra }, routeContext('m'));
    assertInvalid(decode({ generationConfig: { candidateCount: 2 } }), 'generationConfig.candidateCount', /one candidate/);
    assertInvalid(decode({ generationConfig: { responseLogprobs: true } }), 'generationConfig.responseLogprobs', /not supported/);
    assertInvalid(decode({ generationConfig: { logprobs: 3 } }), 'generationConfig.logprobs', /not supported/);
    assertInvalid(decode({ tools: [{ codeExecution: {} }] }), 'tools[0].codeExecution', /codeExecution tool is not supported/);
  });
});

describe('gemini decode: a countTokens request', () => {
  it('counts bare contents', () => {
    const request = codec.decodeCountTokensRequest({ contents: [{ parts: [{ text: 'count me' }] }] }, routeContext('gemini-3-flash'));
    assert.equal(request.model, 'gemini-3-flash');
    assert.equal(request.stream, false);
    assert.deepEqual(request.messages, [{ role: 'user', parts: [{ type: 'text', text: 'count me' }] }]);
  });

  it('counts a whole generateContentRequest, system instruction and tools included', () => {
    const request = codec.decodeCountTokensRequest(
      { generateContentRequest: { model: 'models/gemini-3-flash', ...geminiCliFirstTurn } },
      routeContext('gemini-3-flash'),
    );
    assert.equal(request.system.length, 1);
    assert.equal(request.tools.length, 2);
    assert.equal(request.messages.length, 1);
  });

  it('names the field inside generateContentRequest that is wrong', () => {
    assertInvalid(
      () => codec.decodeCountTokensRequest({ generateContentRequest: { contents: [{ role: 'bot', parts: [{ text: 'x' }] }] } }, routeContext('m')),
      'generateContentRequest.contents[0].role',
      /valid role/,
    );
  });

  it('refuses contents and generateContentRequest together', () => {
    assertInvalid(
      () =>
        codec.decodeCountTokensRequest(
          { contents: [{ parts: [{ text: 'a' }] }], generateContentRequest: { contents: [{ parts: [{ text: 'b' }] }] } },
          routeContext('m'),
        ),
      'generateContentRequest',
      /mutually exclusive/,
    );
  });
});
