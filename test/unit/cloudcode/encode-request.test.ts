import assert from 'node:assert/strict';
import claudeCodeRequest from '../../fixtures/claude-code-request.json';
import type { ChatRequest, Message, ToolCallPart } from '../../../src/core/ir';
import type { ModelInfo } from '../../../src/core/upstream/upstream';
import { encodeRequest, type EncodeCall } from '../../../src/core/upstream/cloudcode/encode-request';
import { serialiseEnvelope, wrapInEnvelope } from '../../../src/core/upstream/cloudcode/envelope';
import { encodeFunctionTools } from '../../../src/core/upstream/cloudcode/encode-tools';
import { cleanSchemaWithPaths, type GeminiSchema, newSchemaBudget, SCHEMA_NODE_BUDGET } from '../../../src/core/upstream/cloudcode/schema';
import { SignatureCache, SKIP_SIGNATURE_SENTINEL } from '../../../src/core/upstream/cloudcode/signatures';
import { violations } from './schema-rules';

const SIG_GEMINI = 'g'.repeat(60);
const SIG_CLAUDE = 'c'.repeat(60);

function chat(overrides: Partial<ChatRequest> = {}): ChatRequest {
  return {
    protocol: 'anthropic',
    model: 'client-model',
    system: [],
    messages: [{ role: 'user', parts: [{ type: 'text', text: 'Hello' }] }],
    tools: [],
    stream: true,
    ...overrides,
  };
}

function encode(request: ChatRequest, call: Partial<EncodeCall> = {}, signatures = new SignatureCache(), systemPreamble = '') {
  return encodeRequest(request, { model: 'gemini-3-flash', conversation: 'session:encode-test', ...call }, { signatures, systemPreamble });
}

const bashCall: ToolCallPart = { type: 'tool_call', id: 'call_1', name: 'Bash', args: { command: 'ls' } };
const toolRound: Message[] = [
  { role: 'user', parts: [{ type: 'text', text: 'List files' }] },
  { role: 'assistant', parts: [bashCall] },
  { role: 'user', parts: [{ type: 'tool_result', callId: 'call_1', name: 'Bash', content: [{ type: 'text', text: 'a.txt' }] }] },
];

describe('cloudcode request encoding', () => {
  describe('system instruction', () => {
    it('sends the client system text as user-role parts', () => {
      const { request } = encode(
        chat({
          system: [
            { type: 'text', text: 'Be brief.' },
            { type: 'text', text: 'Use tools.' },
          ],
        }),
      );
      assert.deepEqual(request.systemInstruction, { role: 'user', parts: [{ text: 'Be brief.' }, { text: 'Use tools.' }] });
    });

    it('puts the configured preamble before the client text without touching it', () => {
      const { request } = encode(chat({ system: [{ type: 'text', text: 'Be brief.' }] }), {}, new SignatureCache(), 'You are Antigravity.');
      assert.deepEqual(request.systemInstruction?.parts, [{ text: 'You are Antigravity.' }, { text: 'Be brief.' }]);
    });

    it('omits the system instruction when there is nothing to say', () => {
      assert.equal(encode(chat()).request.systemInstruction, undefined);
    });
  });

  describe('contents', () => {
    it('alternates user and model, merging consecutive turns of one role', () => {
      const { request } = encode(
        chat({
          messages: [
            { role: 'user', parts: [{ type: 'text', text: 'one' }] },
            {
              role: 'user',
              parts: [
                { type: 'text', text: 'two' },
                { type: 'text', text: '' },
              ],
            },
            { role: 'assistant', parts: [{ type: 'text', text: 'three' }] },
            { role: 'assistant', parts: [{ type: 'thinking', text: 'unsigned, dropped' }] },
            { role: 'assistant', parts: [{ type: 'text', text: 'four' }] },
          ],
        }),
      );
      assert.deepEqual(request.contents, [
        { role: 'user', parts: [{ text: 'one' }, { text: 'two' }] },
        { role: 'model', parts: [{ text: 'three' }, { text: 'four' }] },
      ]);
    });

    it('sends images inline', () => {
      const { request } = encode(
        chat({ messages: [{ role: 'user', parts: [{ type: 'media', mimeType: 'image/png', source: { kind: 'base64', data: 'iVBOR' } }] }] }),
      );
      assert.deepEqual(request.contents[0].parts, [{ inlineData: { mimeType: 'image/png', data: 'iVBOR' } }]);
    });

    it('refuses media that still points at a url', () => {
      const request = chat({
        messages: [{ role: 'user', parts: [{ type: 'media', mimeType: 'image/png', source: { kind: 'url', url: 'https://x/y.png' } }] }],
      });
      assert.throws(() => encode(request), /messages\[0\]\.parts\[0\] still has a url source/);
    });

    it('turns tool results into function responses, errors as {error}, images beside them', () => {
      const { request } = encode(
        chat({
          messages: [
            ...toolRound.slice(0, 2),
            {
              role: 'user',
              parts: [
                {
                  type: 'tool_result',
                  callId: 'call_1',
                  name: 'Bash',
                  isError: true,
                  content: [
                    { type: 'text', text: 'exit 1' },
                    { type: 'media', mimeType: 'image/png', source: { kind: 'base64', data: 'AAAA' } },
                    { type: 'text', text: 'stderr' },
                  ],
                },
              ],
            },
          ],
        }),
      );
      assert.deepEqual(request.contents[2].parts, [
        { functionResponse: { name: 'Bash', id: 'call_1', response: { error: 'exit 1\nstderr' } } },
        { inlineData: { mimeType: 'image/png', data: 'AAAA' } },
      ]);
      const ok = encode(chat({ messages: toolRound })).request;
      assert.deepEqual(ok.contents[2].parts, [{ functionResponse: { name: 'Bash', id: 'call_1', response: { output: 'a.txt' } } }]);
    });

    it("sends a Gemini client's own response object as is", () => {
      const response = { files: ['a.txt'], count: 1 };
      const { request } = encode(
        chat({
          messages: [
            ...toolRound.slice(0, 2),
            {
              role: 'user',
              parts: [{ type: 'tool_result', callId: 'call_1', name: 'Bash', content: [{ type: 'text', text: JSON.stringify(response) }], response }],
            },
          ],
        }),
      );
      assert.deepEqual(request.contents[2].parts, [{ functionResponse: { name: 'Bash', id: 'call_1', response } }]);
    });
  });

  describe('thought signatures', () => {
    it('replays the signature a call carries', () => {
      const messages: Message[] = structuredClone(toolRound);
      messages[1].parts = [{ ...bashCall, signature: SIG_GEMINI }];
      const { request } = encode(chat({ messages }));
      assert.deepEqual(request.contents[1].parts[0], {
        functionCall: { name: 'Bash', args: { command: 'ls' }, id: 'call_1' },
        thoughtSignature: SIG_GEMINI,
      });
    });

    it('fills a signature the client dropped from the cache of the same family', () => {
      const signatures = new SignatureCache();
      signatures.rememberToolCall('gemini', 'call_1', SIG_GEMINI);
      assert.equal(encode(chat({ messages: toolRound }), {}, signatures).request.contents[1].parts[0].thoughtSignature, SIG_GEMINI);
    });

    it('sends the sentinel for an unsigned call to Gemini 3, and nothing to Claude', () => {
      assert.equal(encode(chat({ messages: toolRound })).request.contents[1].parts[0].thoughtSignature, SKIP_SIGNATURE_SENTINEL);
      const claude = encode(chat({ messages: toolRound }), { model: 'claude-sonnet-4-6' }).request;
      assert.equal(claude.contents[1].parts[0].thoughtSignature, undefined);
    });

    it('never replays a signature across model families', () => {
      const signatures = new SignatureCache();
      signatures.rememberToolCall('claude', 'call_1', SIG_CLAUDE);
      signatures.rememberThinking('claude', 'Let me think.', SIG_CLAUDE);
      const messages: Message[] = structuredClone(toolRound);
      messages[1].parts = [
        { type: 'thinking', text: 'Let me think.', signature: SIG_CLAUDE },
        { ...bashCall, signature: SIG_CLAUDE },
      ];
      const { request } = encode(chat({ messages }), { model: 'gemini-3.1-pro-high' }, signatures);
      assert.deepEqual(request.contents[1].parts, [
        { functionCall: { name: 'Bash', args: { command: 'ls' }, id: 'call_1' }, thoughtSignature: SKIP_SIGNATURE_SENTINEL },
      ]);
    });

    it('replays signed thoughts, restores a dropped signature by thought text, drops unsigned ones', () => {
      const signatures = new SignatureCache();
      signatures.rememberThinking('claude', 'cached thought', SIG_CLAUDE);
      const { request } = encode(
        chat({
          messages: [
            { role: 'user', parts: [{ type: 'text', text: 'hi' }] },
            {
              role: 'assistant',
              parts: [
                { type: 'thinking', text: 'signed thought', signature: SIG_CLAUDE },
                { type: 'thinking', text: 'cached thought' },
                { type: 'thinking', text: 'orphan thought' },
                { type: 'thinking', text: '', redacted: true, signature: SIG_CLAUDE },
                { type: 'text', text: 'answer' },
              ],
            },
          ],
        }),
        { model: 'claude-opus-4-6-thinking' },
        signatures,
      );
      assert.deepEqual(request.contents[1].parts, [
        { thought: true, text: 'signed thought', thoughtSignature: SIG_CLAUDE },
        { thought: true, text: 'cached thought', thoughtSignature: SIG_CLAUDE },
        { thought: true, text: '', thoughtSignature: SIG_CLAUDE },
        { text: 'answer' },
      ]);
    });

    it('strips every signature on the retry after a signature error', () => {
      const messages: Message[] = structuredClone(toolRound);
      messages[1].parts = [
        { type: 'thinking', text: 'hmm', signature: SIG_GEMINI },
        { ...bashCall, signature: SIG_GEMINI },
      ];
      const gemini = encode(chat({ messages }), { dropSignatures: true }).request;
      assert.deepEqual(gemini.contents[1].parts, [
        { functionCall: { name: 'Bash', args: { command: 'ls' }, id: 'call_1' }, thoughtSignature: SKIP_SIGNATURE_SENTINEL },
      ]);
      const claude = encode(chat({ messages, thinking: { type: 'adaptive' } }), { model: 'claude-opus-4-6-thinking', dropSignatures: true }).request;
      assert.equal(claude.contents[1].parts[0].thoughtSignature, undefined);
      // Claude would demand the stripped thinking back, so the retry does not think.
      assert.equal(claude.generationConfig?.thinkingConfig, undefined);
    });
  });

  describe('tools', () => {
    const tools = [
      {
        name: 'Bash',
        description: 'Run a command',
        parameters: { type: 'object', properties: { command: { type: 'string' } }, required: ['command'], additionalProperties: false },
      },
      { name: 'TaskList', description: 'List tasks', parameters: { type: 'object', properties: {}, additionalProperties: false } },
    ];

    it('declares functions with cleaned schemas, and no parameters for a parameterless Gemini tool', () => {
      const { request, requestType } = encode(chat({ tools }));
      assert.equal(requestType, 'agent');
      assert.deepEqual(request.tools, [
        {
          functionDeclarations: [
            { name: 'Bash', description: 'Run a command', parameters: { type: 'object', properties: { command: { type: 'string' } }, required: ['command'] } },
            { name: 'TaskList', description: 'List tasks' },
          ],
        },
      ]);
      assert.equal(request.toolConfig, undefined);
    });

    it('gives a parameterless Claude tool the placeholder property, and names it for the decoder', () => {
      const { request, argumentRepairs } = encode(chat({ tools }), { model: 'claude-sonnet-4-6' });
      const declarations = (request.tools?.[0] as { functionDeclarations: Array<{ name: string; parameters?: unknown }> }).functionDeclarations;
      assert.deepEqual(declarations[1].parameters, {
        type: 'object',
        properties: { reason: { type: 'string', description: 'Brief explanation of why you are calling this tool' } },
        required: ['reason'],
      });
      assert.deepEqual([...argumentRepairs], [['TaskList', { placeholder: 'reason', jsonTextPaths: [] }]]);
    });

    it('maps tool choice, with VALIDATED for Claude where others say AUTO', () => {
      const mode = (model: string, toolChoice?: ChatRequest['toolChoice']) => encode(chat({ tools, toolChoice }), { model }).request.toolConfig;
      assert.deepEqual(mode('claude-sonnet-4-6'), { functionCallingConfig: { mode: 'VALIDATED' } });
      assert.deepEqual(mode('claude-sonnet-4-6', { type: 'auto' }), { functionCallingConfig: { mode: 'VALIDATED' } });
      assert.deepEqual(mode('gemini-3-flash', { type: 'auto' }), { functionCallingConfig: { mode: 'AUTO' } });
      assert.deepEqual(mode('gemini-3-flash', { type: 'none' }), { functionCallingConfig: { mode: 'NONE' } });
      assert.deepEqual(mode('gemini-3-flash', { type: 'required' }), { functionCallingConfig: { mode: 'ANY' } });
      assert.deepEqual(mode('gemini-3-flash', { type: 'tool', name: 'Bash' }), {
        functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['Bash'] },
      });
    });

    it('replaces function tools with Google Search for a web search request', () => {
      const { request, requestType } = encode(chat({ tools, webSearch: true, toolChoice: { type: 'required' } }));
      assert.equal(requestType, 'web_search');
      assert.deepEqual(request.tools, [{ googleSearch: {} }]);
      assert.equal(request.toolConfig, undefined);
    });

    it('asks image models for image generation, without function tools', () => {
      const { request, requestType } = encode(chat({ tools, imageConfig: { aspectRatio: '16:9', imageSize: '2K' } }), {
        model: 'gemini-3-pro-image',
      });
      assert.equal(requestType, 'image_gen');
      assert.equal(request.tools, undefined);
      assert.deepEqual(request.generationConfig?.imageConfig, { aspectRatio: '16:9', imageSize: '2K' });
      assert.equal(encode(chat(), { model: 'gemini-3.1-flash-image' }).requestType, 'image_gen');
    });
  });

  describe("Claude Code's repeated tool list", () => {
    type RecordedTool = { name: string; description?: string; input_schema: Record<string, unknown> };
    // A fresh copy each time, as each request parses its own.
    const recordedTools = (): ChatRequest['tools'] =>
      (structuredClone(claudeCodeRequest.tools) as RecordedTool[]).map((tool) => ({
        name: tool.name,
        description: tool.description,
        parameters: tool.input_schema,
      }));

    it('is declared as the first time, from the declarations kept, and spends the same schema budget', () => {
      const uncachedBudget = newSchemaBudget();
      for (const tool of recordedTools()) if (tool.parameters) cleanSchemaWithPaths(tool.parameters, `tool '${tool.name}'`, uncachedBudget);
      const first = newSchemaBudget();
      const second = newSchemaBudget();
      const once = encodeFunctionTools(recordedTools(), 'claude', first);
      const twice = encodeFunctionTools(recordedTools(), 'claude', second);
      assert.deepEqual(twice, once);
      assert.equal(twice.tools, once.tools, 'the same list gets the same array');
      assert.deepEqual(second, first);
      assert.deepEqual(first, uncachedBudget);
    });

    it('takes a changed description, schema or family as a different declaration', () => {
      const changed = recordedTools();
      changed[0] = { ...changed[0], description: 'Another description' };
      const declarations = (tools: ChatRequest['tools'], family: 'claude' | 'gemini') =>
        (encodeFunctionTools(tools, family, newSchemaBudget()).tools[0] as { functionDeclarations: Array<{ description?: string; parameters?: unknown }> })
          .functionDeclarations;
      assert.equal(declarations(changed, 'claude')[0].description, 'Another description');
      const parameterless = [{ name: 'TaskList', parameters: { type: 'object', properties: {} } }];
      assert.ok(declarations(parameterless, 'claude')[0].parameters, 'the placeholder on Claude');
      assert.equal(declarations(parameterless, 'gemini')[0].parameters, undefined);
      const schema = recordedTools();
      schema[1] = { ...schema[1], parameters: { type: 'object', properties: { only: { type: 'integer' } } } };
      assert.deepEqual(declarations(schema, 'claude')[1].parameters, { type: 'object', properties: { only: { type: 'integer' } } });
      // The same schema with its properties in another order is another declaration: the order is sent.
      const ordered = (properties: Record<string, unknown>) => [{ name: 'Pair', parameters: { type: 'object', properties } }];
      const order = (properties: Record<string, unknown>) =>
        Object.keys((declarations(ordered(properties), 'claude')[0].parameters as { properties: object }).properties);
      assert.deepEqual(order({ a: { type: 'string' }, b: { type: 'string' } }), ['a', 'b']);
      assert.deepEqual(order({ b: { type: 'string' }, a: { type: 'string' } }), ['b', 'a']);
      assert.deepEqual(order({ a: { type: 'string' }, b: { type: 'integer' } }), ['a', 'b']);
      assert.equal(
        (declarations(ordered({ a: { type: 'string' }, b: { type: 'integer' } }), 'claude')[0].parameters as { properties: { b: { type: string } } }).properties
          .b.type,
        'integer',
      );
    });

    it('keeps no tool too big to keep, nor a list holding one', () => {
      const big = [{ name: 'Big', description: 'x'.repeat(300_000), parameters: { type: 'object', properties: { a: { type: 'string' } } } }];
      const once = encodeFunctionTools(structuredClone(big), 'claude', newSchemaBudget());
      const twice = encodeFunctionTools(structuredClone(big), 'claude', newSchemaBudget());
      assert.deepEqual(twice, once);
      assert.notEqual(twice.tools, once.tools);
      const withBig = [...recordedTools(), ...structuredClone(big)];
      assert.notEqual(
        encodeFunctionTools(withBig, 'claude', newSchemaBudget()).tools,
        encodeFunctionTools(structuredClone(withBig), 'claude', newSchemaBudget()).tools,
      );
    });

    it('is refused when its kept declarations no longer fit the budget left, as when cleaned', () => {
      encodeFunctionTools(recordedTools(), 'claude', newSchemaBudget());
      const nearlySpent = { nodes: SCHEMA_NODE_BUDGET - 5, size: 0 };
      assert.throws(() => encodeFunctionTools(recordedTools(), 'claude', nearlySpent), /past 10,000 nodes/);
    });

    it('serialises in its envelope byte for byte as JSON.stringify, the first time and again', () => {
      const request = chat({
        system: [{ type: 'text', text: 'Réponds en français — briefly 🙂' }],
        tools: recordedTools(),
        toolChoice: { type: 'auto' },
        messages: toolRound,
      });
      for (let i = 0; i < 2; i++) {
        const encoded = encode(request, { model: 'claude-sonnet-4-6' });
        const envelope = wrapInEnvelope('project-1', 'claude-sonnet-4-6', encoded.requestType, encoded.request);
        assert.ok(Buffer.concat(serialiseEnvelope(envelope)).equals(Buffer.from(JSON.stringify(envelope), 'utf8')));
      }
      const longSystem = chat({
        system: [
          { type: 'text', text: `Long — ${'prompt '.repeat(1_000)}` },
          { type: 'text', text: 'short' },
        ],
        tools: recordedTools(),
      });
      const once = encode(longSystem, { model: 'claude-sonnet-4-6' }, new SignatureCache(), 'You are Antigravity.');
      const twice = encode(structuredClone(longSystem), { model: 'claude-sonnet-4-6' }, new SignatureCache(), 'You are Antigravity.');
      assert.equal(twice.request.systemInstruction?.parts[1], once.request.systemInstruction?.parts[1], 'a long system text gets the same part');
      for (const encoded of [once, twice]) {
        const envelope = wrapInEnvelope('project-1', 'claude-sonnet-4-6', encoded.requestType, encoded.request);
        assert.ok(Buffer.concat(serialiseEnvelope(envelope)).equals(Buffer.from(JSON.stringify(envelope), 'utf8')));
      }
      const plain = encode(chat());
      const envelope = wrapInEnvelope('project-1', 'gemini-3-flash', plain.requestType, plain.request);
      assert.ok(Buffer.concat(serialiseEnvelope(envelope)).equals(Buffer.from(JSON.stringify(envelope), 'utf8')));
    });

    it("shares a long conversation's texts and tool results between turns, and still serialises byte for byte", () => {
      const file = `// Über "quoted" \\ lines\n${'export const x = 1;\n'.repeat(200)}`;
      const turns = (n: number): Message[] => [
        { role: 'user', parts: [{ type: 'text', text: `Read it — ${'please '.repeat(400)}` }] },
        {
          role: 'assistant',
          parts: [
            { type: 'text', text: 'Reading.' },
            { ...bashCall, id: 'call_long' },
          ],
        },
        { role: 'user', parts: [{ type: 'tool_result', callId: 'call_long', name: 'Bash', content: [{ type: 'text', text: file }] }] },
        { role: 'assistant', parts: [{ ...bashCall, id: 'call_err' }] },
        {
          role: 'user',
          parts: [{ type: 'tool_result', callId: 'call_err', name: 'Bash', isError: true, content: [{ type: 'text', text: `failed ${'x'.repeat(3_000)}` }] }],
        },
        { role: 'user', parts: [{ type: 'text', text: `turn ${n}` }] },
      ];
      const encodings = [1, 2].map((n) => encode(chat({ messages: structuredClone(turns(n)) }), { model: 'claude-sonnet-4-6' }).request);
      const [first, second] = encodings.map((request) => request.contents);
      assert.equal(second[0].parts[0], first[0].parts[0], 'a long text gets the same part');
      assert.notEqual(second[1].parts[0], first[1].parts[0], 'a short one a new part');
      assert.equal(second[2].parts[0].functionResponse?.response, first[2].parts[0].functionResponse?.response, 'a long tool output the same response');
      assert.deepEqual(first[2].parts[0].functionResponse?.response, { output: file });
      assert.deepEqual(second[4].parts[0].functionResponse?.response, { error: `failed ${'x'.repeat(3_000)}` });
      assert.ok(Object.isFrozen(first[0].parts[0]), 'shared parts cannot be changed by one request for the next');
      for (const request of encodings) {
        const envelope = wrapInEnvelope('project-1', 'claude-sonnet-4-6', 'agent', request);
        const pieces = serialiseEnvelope(envelope);
        assert.ok(pieces.length > 1, 'written in pieces around the kept texts');
        assert.ok(Buffer.concat(pieces).equals(Buffer.from(JSON.stringify(envelope), 'utf8')));
      }
    });
  });

  describe('generation config', () => {
    const sonnet: ModelInfo = { id: 'claude-sonnet-4-6', remainingFraction: 1, maxOutputTokens: 64_000 };
    const opus: ModelInfo = { id: 'claude-opus-4-6-thinking', remainingFraction: 1, maxOutputTokens: 64_000, thinkingBudget: 24_576 };

    it('passes sampling settings through', () => {
      const { generationConfig } = encode(chat({ temperature: 0.2, topP: 0.9, topK: 40, seed: 7, stopSequences: ['END'] })).request;
      assert.deepEqual(generationConfig, { temperature: 0.2, topP: 0.9, topK: 40, seed: 7, stopSequences: ['END'] });
    });

    it("clamps maxOutputTokens to the model's maximum", () => {
      const { generationConfig } = encode(chat({ maxOutputTokens: 200_000 }), { model: 'claude-sonnet-4-6', modelInfo: sonnet }).request;
      assert.equal(generationConfig?.maxOutputTokens, 64_000);
    });

    it('adaptive thinking: dynamic budget on Gemini, the listed default on Claude', () => {
      const gemini = encode(chat({ thinking: { type: 'adaptive' }, maxOutputTokens: 4096 })).request.generationConfig;
      assert.deepEqual(gemini, { maxOutputTokens: 4096, thinkingConfig: { includeThoughts: true, thinkingBudget: -1 } });
      const claude = encode(chat({ thinking: { type: 'adaptive' }, maxOutputTokens: 32_000 }), {
        model: 'claude-opus-4-6-thinking',
        modelInfo: opus,
      }).request.generationConfig;
      assert.deepEqual(claude, { maxOutputTokens: 32_000, thinkingConfig: { includeThoughts: true, thinkingBudget: 24_576 } });
    });

    it('raises maxOutputTokens above the budget, within the model maximum', () => {
      const config = (maxOutputTokens: number | undefined, budgetTokens: number) =>
        encode(chat({ thinking: { type: 'budget', budgetTokens }, maxOutputTokens }), { model: 'claude-opus-4-6-thinking', modelInfo: opus }).request
          .generationConfig;
      assert.deepEqual(config(4096, 10_000), { maxOutputTokens: 18_192, thinkingConfig: { includeThoughts: true, thinkingBudget: 10_000 } });
      assert.deepEqual(config(undefined, 10_000), { maxOutputTokens: 18_192, thinkingConfig: { includeThoughts: true, thinkingBudget: 10_000 } });
      assert.deepEqual(config(32_000, 10_000), { maxOutputTokens: 32_000, thinkingConfig: { includeThoughts: true, thinkingBudget: 10_000 } });
      assert.deepEqual(config(60_000, 60_000), { maxOutputTokens: 64_000, thinkingConfig: { includeThoughts: true, thinkingBudget: 60_000 } });
      // Even the maximum is not above the budget: the budget yields.
      assert.deepEqual(config(64_000, 64_000), { maxOutputTokens: 64_000, thinkingConfig: { includeThoughts: true, thinkingBudget: 55_808 } });
    });

    it('maps reasoning effort onto budgets', () => {
      const budget = (effort: 'minimal' | 'low' | 'medium' | 'high') =>
        encode(chat({ thinking: { type: 'effort', effort } }), { model: 'gemini-2.5-pro' }).request.generationConfig?.thinkingConfig?.thinkingBudget;
      assert.deepEqual([budget('minimal'), budget('low'), budget('medium'), budget('high')], [512, 1024, 8192, 24_576]);
    });

    it('disables thinking with a zero budget only where the model allows it', () => {
      const disabled = chat({ thinking: { type: 'disabled' } });
      assert.deepEqual(encode(disabled, { model: 'gemini-2.5-flash' }).request.generationConfig, {
        thinkingConfig: { includeThoughts: false, thinkingBudget: 0 },
      });
      assert.equal(encode(disabled, { model: 'gemini-3-flash' }).request.generationConfig, undefined);
      assert.equal(encode(disabled, { model: 'claude-opus-4-6-thinking' }).request.generationConfig, undefined);
    });

    it('hides thoughts when the client will not show them, and skips models that cannot think', () => {
      const hidden = encode(chat({ thinking: { type: 'budget', budgetTokens: 2048 }, includeThoughts: false, maxOutputTokens: 20_000 }), {
        model: 'gemini-2.5-pro',
      }).request.generationConfig;
      assert.deepEqual(hidden?.thinkingConfig, { includeThoughts: false, thinkingBudget: 2048 });
      assert.equal(encode(chat({ thinking: { type: 'adaptive' } }), { model: 'gpt-oss-120b-medium' }).request.generationConfig, undefined);
    });

    it('asks for JSON with a cleaned response schema', () => {
      const { generationConfig } = encode(
        chat({ responseFormat: { type: 'json', schema: { type: 'object', properties: { ok: { type: 'boolean' } }, additionalProperties: false } } }),
      ).request;
      assert.deepEqual(generationConfig, {
        responseMimeType: 'application/json',
        responseSchema: { type: 'object', properties: { ok: { type: 'boolean' } } },
      });
    });

    it('merges native Gemini extras, keeping the computed fields on conflict', () => {
      const { request } = encode(
        chat({
          maxOutputTokens: 100,
          geminiExtras: {
            safetySettings: [{ category: 'HARM_CATEGORY_HARASSMENT', threshold: 'BLOCK_NONE' }],
            generationConfig: { responseModalities: ['TEXT'], maxOutputTokens: 999_999 },
          },
        }),
      );
      assert.deepEqual(request.safetySettings, [{ category: 'HARM_CATEGORY_HARASSMENT', threshold: 'BLOCK_NONE' }]);
      assert.deepEqual(request.generationConfig, { maxOutputTokens: 100, responseModalities: ['TEXT'] });
    });
  });

  it("carries Cloud Code's session id of the conversation, and the envelope names project, model and request type", () => {
    const { request, requestType } = encode(chat(), { conversation: 'session:one' });
    assert.match(request.sessionId!, /^-\d+$/);
    assert.equal(request.sessionId, encode(chat(), { conversation: 'session:one' }).request.sessionId, 'stable per conversation');
    assert.notEqual(request.sessionId, encode(chat(), { conversation: 'session:two' }).request.sessionId);
    const envelope = wrapInEnvelope('proj-1', 'gemini-3-flash', requestType, request);
    assert.equal(envelope.project, 'proj-1');
    assert.equal(envelope.model, 'gemini-3-flash');
    assert.equal(envelope.userAgent, 'antigravity');
    assert.equal(envelope.requestType, 'agent');
    assert.match(envelope.requestId, /^agent-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    assert.equal(envelope.request, request);
  });

  it("encodes Claude Code's 24-tool request into declarations the upstream accepts", () => {
    const captured = claudeCodeRequest as {
      system: Array<{ text: string }>;
      tools: Array<{ name: string; description: string; input_schema: Record<string, unknown> }>;
    };
    const request = chat({
      system: captured.system.map((s) => ({ type: 'text' as const, text: s.text })),
      tools: captured.tools.map((t) => ({ name: t.name, description: t.description, parameters: t.input_schema })),
      thinking: { type: 'adaptive' },
      maxOutputTokens: 32_000,
    });
    for (const model of ['claude-sonnet-4-6', 'gemini-3.1-pro-high']) {
      const { request: encoded, argumentRepairs } = encode(request, { model });
      const declarations = (encoded.tools?.[0] as { functionDeclarations: Array<{ name: string; parameters?: GeminiSchema }> }).functionDeclarations;
      assert.equal(declarations.length, 24);
      for (const declaration of declarations) {
        if (declaration.parameters) assert.deepEqual(violations(declaration.parameters), [], `${model} ${declaration.name}`);
        else assert.equal(model, 'gemini-3.1-pro-high', `${declaration.name} has parameters on Claude`);
      }
      assert.deepEqual(argumentRepairs.get('TaskCreate'), { jsonTextPaths: [['metadata']] });
    }
  });
});
