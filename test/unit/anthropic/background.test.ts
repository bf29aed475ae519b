import assert from 'node:assert/strict';
import type { ChatRequest, Message } from '../../../src/core/ir';
import { anthropicCodec, isClaudeCodeBackgroundRequest, stripForBackground } from '../../../src/core/protocols/anthropic';
import type { ProtocolCodec } from '../../../src/core/protocols/codec';
import { geminiCodec } from '../../../src/core/protocols/gemini';
import { ChatCompletionsCodec } from '../../../src/core/protocols/openai';

const CLAUDE_CODE_SYSTEM = [
  { type: 'text' as const, text: 'x-anthropic-billing-header: cc_version=2.1.197.1c0; cc_entrypoint=cli;' },
  { type: 'text' as const, text: "You are Claude Code, Anthropic's official CLI for Claude." },
];
const ask = (text: string, history: Message[] = [], system = CLAUDE_CODE_SYSTEM): ChatRequest => ({
  protocol: 'anthropic',
  model: 'claude-opus-4-6-thinking',
  system,
  messages: [...history, { role: 'user', parts: [{ type: 'text', text }] }],
  tools: [{ name: 'Bash', parameters: { type: 'object' } }],
  toolChoice: { type: 'auto' },
  thinking: { type: 'adaptive' },
  includeThoughts: true,
  stream: true,
});

const SUGGESTION = `[SUGGESTION MODE: Suggest what the user might naturally type next into Claude Code.]

FIRST: Look at the user's recent messages and original request.`;

describe('Claude Code background requests', () => {
  it('recognises session-title generation by its system prompt', () => {
    const system = [
      ...CLAUDE_CODE_SYSTEM,
      { type: 'text' as const, text: 'Generate a concise, sentence-case title (3-7 words) that captures the main topic or goal of this coding session.' },
    ];
    assert.equal(isClaudeCodeBackgroundRequest(ask('<session>\nfix the login bug\n</session>', [], system)), true);
  });

  it('recognises the tool-use summary label and 1.x topic detection by their system prompts', () => {
    const label = [
      { type: 'text' as const, text: 'Write a short summary label describing what these tool calls accomplished. It appears as a single-line row' },
    ];
    assert.equal(isClaudeCodeBackgroundRequest(ask('Tools completed:\n\nTool: Read\n\nLabel:', [], label)), true);
    const topic = [{ type: 'text' as const, text: 'Analyze if this message indicates a new conversation topic. If it does, extract a 2-3 word title' }];
    assert.equal(isClaudeCodeBackgroundRequest(ask('fix the tests', [], topic)), true);
  });

  it('recognises forked prompts appended to the conversation (suggestion, recap, session name)', () => {
    const history: Message[] = [
      { role: 'user', parts: [{ type: 'text', text: 'Refactor the parser' }] },
      { role: 'assistant', parts: [{ type: 'text', text: 'Done.' }] },
    ];
    assert.equal(isClaudeCodeBackgroundRequest(ask(SUGGESTION, history)), true);
    assert.equal(isClaudeCodeBackgroundRequest(ask('The user stepped away and is coming back. Recap in under 40 words', history)), true);
    assert.equal(isClaudeCodeBackgroundRequest(ask('Generate a short kebab-case name (2-4 words) that captures the main topic', history)), true);
  });

  it('recognises the 1.x title prompt and the "Warmup" message', () => {
    assert.equal(isClaudeCodeBackgroundRequest(ask('Please write a 5-10 word title for the following conversation:\n\nUser: hi')), true);
    assert.equal(isClaudeCodeBackgroundRequest(ask('Warmup')), true);
  });

  it('leaves real work alone', () => {
    assert.equal(isClaudeCodeBackgroundRequest(ask('Fix the failing test in parser.ts')), false);
    assert.equal(isClaudeCodeBackgroundRequest(ask('Warmup the cache before the benchmark runs')), false);
    assert.equal(isClaudeCodeBackgroundRequest(ask(`Generate a short kebab-case name (2-4 words) for each module:\n${'x'.repeat(5000)}`)), false);
    // Compaction keeps the user's model: its summary is all the agent will remember.
    assert.equal(isClaudeCodeBackgroundRequest(ask('Your task is to create a detailed summary of the conversation so far')), false);
  });

  it('only looks at the last user message, not at older turns', () => {
    const history: Message[] = [
      { role: 'user', parts: [{ type: 'text', text: 'Warmup' }] },
      { role: 'assistant', parts: [{ type: 'text', text: 'ok' }] },
    ];
    assert.equal(isClaudeCodeBackgroundRequest(ask('Now implement the feature', history)), false);
  });

  it('strips tools, thinking and signatures and switches the model, without touching the original', () => {
    const original = ask(SUGGESTION, [
      { role: 'user', parts: [{ type: 'text', text: 'list files' }] },
      {
        role: 'assistant',
        parts: [
          { type: 'thinking', text: 'ls it', signature: 'claude-sig' },
          { type: 'tool_call', id: 'toolu_1', name: 'Bash', args: { command: 'ls' }, signature: 'claude-call-sig' },
        ],
      },
      { role: 'user', parts: [{ type: 'tool_result', callId: 'toolu_1', name: 'Bash', content: [{ type: 'text', text: 'a b' }] }] },
      { role: 'assistant', parts: [{ type: 'thinking', text: 'only thoughts', signature: 'claude-sig-2' }] },
    ]);
    original.webSearch = true;
    const snapshot = structuredClone(original);
    const stripped = stripForBackground(original, 'gemini-3-flash');
    assert.deepEqual(original, snapshot);
    assert.equal(stripped.model, 'gemini-3-flash');
    assert.deepEqual(stripped.tools, []);
    assert.deepEqual([stripped.toolChoice, stripped.parallelToolCalls, stripped.webSearch], [undefined, undefined, undefined]);
    assert.deepEqual([stripped.thinking, stripped.includeThoughts], [{ type: 'disabled' }, false]);
    assert.deepEqual(stripped.messages, [
      { role: 'user', parts: [{ type: 'text', text: 'list files' }] },
      { role: 'assistant', parts: [{ type: 'tool_call', id: 'toolu_1', name: 'Bash', args: { command: 'ls' } }] },
      {
        role: 'user',
        parts: [
          { type: 'tool_result', callId: 'toolu_1', name: 'Bash', content: [{ type: 'text', text: 'a b' }] },
          { type: 'text', text: SUGGESTION },
        ],
      },
    ]);
    assert.deepEqual(stripped.system, original.system);
  });

  it("is the Anthropic codec's background hook: the gateway routes what the codec recognises, and only that", () => {
    const chore = anthropicCodec.backgroundRequest?.(ask('Warmup'), 'gemini-3-flash');
    assert.equal(chore?.model, 'gemini-3-flash');
    assert.deepEqual(chore?.tools, []);
    assert.equal(anthropicCodec.backgroundRequest?.(ask('Fix the failing test in parser.ts'), 'gemini-3-flash'), undefined);
    // Other protocols cannot tell a client's chores from its work: no hook, the request goes as asked.
    for (const codec of [geminiCodec, new ChatCompletionsCodec()] as ProtocolCodec[]) assert.equal(codec.backgroundRequest, undefined, codec.protocol);
  });
});
