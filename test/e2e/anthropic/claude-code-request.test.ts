/**
 * What Claude Code really sends: its recorded 24-tool request, with its
 * headers and fields (adaptive thinking, context_management, output_config,
 * metadata, cache_control), is accepted by the simulator's strict validation
 * and answered; dated Claude names resolve through the alias table; the model
 * list answers in Anthropic's shape.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import type { LogEntry } from '../../../src/simulator';
import { startStack, type Stack } from '../../helpers/stack';

const FIXTURE = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../fixtures/claude-code-request.json'), 'utf8'));

const CLAUDE_CODE_HEADERS = {
  'content-type': 'application/json',
  'anthropic-version': '2023-06-01',
  'anthropic-beta':
    'claude-code-20250219,context-1m-2025-08-07,interleaved-thinking-2025-05-14,context-management-2025-06-27,effort-2025-11-24,prompt-caching-scope-2026-01-05',
  'x-api-key': 'sk-ant-anything',
  'x-claude-code-session-id': '0b6f3c1e-2d4a-4c55-9a8e-7f1d2c3b4a59',
  'x-app': 'cli',
  'user-agent': 'claude-cli/2.1.197 (external, cli)',
};

const isGeneration = (entry: LogEntry) => entry.method === 'streamGenerateContent' || entry.method === 'generateContent';

function sseEvents(text: string): Array<{ event: string; data: any }> {
  return text
    .split('\n\n')
    .filter((chunk) => chunk.startsWith('event: '))
    .map((chunk) => {
      const [eventLine, dataLine] = chunk.split('\n');
      return { event: eventLine.slice('event: '.length), data: JSON.parse(dataLine.slice('data: '.length)) };
    });
}

describe("Claude Code's real request", () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack();
  });
  after(() => stack.close());

  it('has the shape Claude Code sends (guards the fixture itself)', () => {
    assert.equal(FIXTURE.tools.length, 24);
    for (const name of ['Agent', 'Bash', 'Edit', 'Read', 'Write', 'WebFetch', 'WebSearch']) {
      assert.ok(
        FIXTURE.tools.some((tool: { name: string }) => tool.name === name),
        name,
      );
    }
    assert.deepEqual(FIXTURE.thinking, { type: 'adaptive' });
    assert.equal(FIXTURE.stream, true);
    for (const key of ['context_management', 'output_config', 'metadata']) assert.ok(key in FIXTURE, key);
  });

  for (const model of ['claude-sonnet-4-6', 'claude-opus-4-6-thinking', 'gemini-3.1-pro-high']) {
    it(`${model}: accepted by the strict upstream with all 24 tools, streamed back to the end`, async () => {
      const res = await fetch(`${stack.url}/v1/messages?beta=true`, {
        method: 'POST',
        headers: CLAUDE_CODE_HEADERS,
        body: JSON.stringify({ ...FIXTURE, model }),
      });
      const text = await res.text();
      assert.equal(res.status, 200, text.slice(0, 500));
      assert.match(res.headers.get('content-type') ?? '', /text\/event-stream/);
      const events = sseEvents(text);
      assert.equal(events[0].event, 'message_start');
      assert.equal(events[0].data.message.model, model);
      assert.deepEqual(
        events.slice(-2).map((event) => event.event),
        ['message_delta', 'message_stop'],
      );
      assert.equal(events.at(-2)!.data.delta.stop_reason, 'end_turn');
      const answer = events
        .filter((event) => event.event === 'content_block_delta' && event.data.delta.type === 'text_delta')
        .map((event) => event.data.delta.text)
        .join('');
      // The fixture's last turn is Claude Code's Write tool result: the simulator answers that.
      assert.match(answer, /^Tool Write returned: .*File created successfully/);

      const upstream = stack.sim.log.filter(isGeneration).at(-1)!;
      assert.equal(upstream.status, 200);
      assert.equal(upstream.model, model);
      const request = (upstream.body as any).request;
      const declared = request.tools.flatMap((tool: { functionDeclarations?: Array<{ name: string }> }) => tool.functionDeclarations ?? []);
      assert.equal(declared.length, 24);
      assert.ok(request.systemInstruction, 'the system blocks went upstream');
      assert.doesNotMatch(JSON.stringify(request), /cache_control|context_management|output_config/);
    });
  }

  it('a dated Claude name resolves through the alias table; the answer names the model the client asked for', async () => {
    const client = new Anthropic({ baseURL: stack.url, apiKey: 'test', maxRetries: 0 });
    const message = await client.messages.create({ model: 'claude-sonnet-4-20250514', max_tokens: 64, messages: [{ role: 'user', content: 'dated' }] });
    assert.equal(message.model, 'claude-sonnet-4-20250514');
    assert.equal(stack.sim.log.filter(isGeneration).at(-1)!.model, 'claude-sonnet-4-6');
    const haiku = await client.messages.create({ model: 'claude-haiku-4-5-20251001', max_tokens: 64, messages: [{ role: 'user', content: 'small' }] });
    assert.equal(haiku.model, 'claude-haiku-4-5-20251001');
    assert.equal(stack.sim.log.filter(isGeneration).at(-1)!.model, 'gemini-3-flash');
  });

  it('models.list through the SDK: Anthropic ModelInfo entries from the live quota list', async () => {
    const client = new Anthropic({ baseURL: stack.url, apiKey: 'test', maxRetries: 0 });
    const models: Anthropic.ModelInfo[] = [];
    for await (const model of client.models.list()) models.push(model);
    const ids = models.map((model) => model.id);
    for (const id of ['claude-sonnet-4-6', 'claude-opus-4-6-thinking', 'gemini-3-flash']) assert.ok(ids.includes(id), `${id} in ${ids.join(', ')}`);
    for (const model of models) {
      assert.equal(model.type, 'model');
      assert.equal(typeof model.display_name, 'string');
      assert.equal(typeof model.created_at, 'string');
    }
    const one = await client.models.retrieve('claude-sonnet-4-6');
    assert.equal(one.id, 'claude-sonnet-4-6');
    assert.equal(one.type, 'model');
  });
});
