/**
 * The request side while the team's Redis is gone and after it returns: every request through the
 * round-robin front is still answered (no 500, no crash) from each instance's local state, a client key is
 * still limited (per instance), and once a fresh, empty Redis is back the instances share again: a Gemini 3
 * call replayed on the other instance carries its real signature.
 */
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import OpenAI from 'openai';
import type { ChatCompletionMessageParam, ChatCompletionTool } from 'openai/resources/chat/completions';
import { waitUntil } from '../../helpers/wait-until';
import { startRoundRobinFront, type RoundRobinFront } from './round-robin';
import { startTeamStack, type TeamStack } from './team-stack';

const GEMINI = 'gemini-3-flash';
const CLAUDE = 'claude-sonnet-4-6';
const SENTINEL = 'skip_thought_signature_validator';
const LOOKUP: ChatCompletionTool = {
  type: 'function',
  function: { name: 'lookup', parameters: { type: 'object', properties: { word: { type: 'string' } }, required: ['word'] } },
};

describe('team: the request side while Redis is away', function () {
  this.timeout(60_000);
  let team: TeamStack;
  let front: RoundRobinFront;
  let client: OpenAI;

  before(async () => {
    team = await startTeamStack();
    front = await startRoundRobinFront(team.urls);
    client = new OpenAI({ baseURL: `${front.url}/v1`, apiKey: 'sk-unused', maxRetries: 0 });
  });
  after(async () => {
    await front?.close();
    await team?.close();
  });

  const connected = () => team.members.map((member) => member.agate.team?.health().connected);

  /** A Gemini 3 tool round trip whose second turn lands on the other instance; the signature the upstream got back. */
  async function roundTrip(word: string): Promise<string | undefined> {
    front.forwarded.length = 0;
    const messages: ChatCompletionMessageParam[] = [{ role: 'user', content: `[[sim:call lookup {"word":"${word}"}]]` }];
    const first = await client.chat.completions.create({ model: GEMINI, messages, tools: [LOOKUP] });
    const call = first.choices[0].message.tool_calls![0] as { id: string; function: { name: string; arguments: string } };
    messages.push(
      { role: 'assistant', content: null, tool_calls: [{ id: call.id, type: 'function', function: call.function }] },
      { role: 'tool', tool_call_id: call.id, content: 'found' },
    );
    const second = await client.chat.completions.create({ model: GEMINI, messages, tools: [LOOKUP] });
    assert.equal(second.choices[0].finish_reason, 'stop');
    const instances = front.forwarded.filter((f) => f.model === GEMINI).map((f) => f.instance);
    assert.notEqual(instances[0], instances[1], 'the two turns went to different instances');
    const entry = team.sim.log.filter((e) => e.method === 'streamGenerateContent' || e.method === 'generateContent').at(-1)!;
    const contents = (entry.body as { request: { contents: Array<{ parts: Array<Record<string, any>> }> } }).request.contents;
    return contents.flatMap((content) => content.parts).find((part) => part.functionCall)?.thoughtSignature;
  }

  it('serves every request while Redis is down, and shares again once it is back', async () => {
    const key = await team.members[0].agate.security.keys.create({ name: 'away', limits: { requestsPerMinute: 3 } });
    assert.notEqual(await roundTrip('before'), SENTINEL);

    const killer = new Redis(team.redis.url, { lazyConnect: true, retryStrategy: () => null });
    killer.on('error', () => undefined);
    await killer.connect();
    await killer.call('SHUTDOWN', 'NOSAVE').catch(() => undefined);
    killer.disconnect();
    await waitUntil(() => connected().every((up) => up === false), 'both instances to notice Redis is gone');

    // Every protocol path that reads shared state answers from local state: no 500, no crash.
    for (let turn = 0; turn < 4; turn++) {
      const stream = await client.chat.completions.create({ model: CLAUDE, messages: [{ role: 'user', content: `away ${turn}` }], stream: true });
      let text = '';
      for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
      assert.equal(text, `Hello from ${CLAUDE}. You said: away ${turn}`);
    }
    const stored = await client.responses.create({ model: CLAUDE, input: 'while away' });
    const unknown = await client.responses.create({ model: CLAUDE, previous_response_id: stored.id, input: 'next' }).catch((err: { status?: number }) => err);
    // Stored on one instance only: the other answers 404 (documented), never 500.
    assert.ok(!('status' in unknown) || unknown.status === 404, JSON.stringify(unknown));
    const signature = await roundTrip('away');
    assert.ok(signature, 'the replayed call went with a signature (the sentinel, without the shared cache)');
    // A client key is still limited, by each instance alone: 3 per minute each.
    const keyed = new OpenAI({ baseURL: `${front.url}/v1`, apiKey: key.key, maxRetries: 0 });
    const statuses = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        keyed.chat.completions
          .create({ model: CLAUDE, messages: [{ role: 'user', content: `keyed ${i}` }] })
          .then(() => 200)
          .catch((err: { status?: number }) => err.status ?? 0),
      ),
    );
    assert.ok(
      statuses.every((status) => status === 200 || status === 429),
      JSON.stringify(statuses),
    );
    assert.ok(statuses.filter((status) => status === 200).length <= 6, JSON.stringify(statuses));

    await team.redis.restart();
    await waitUntil(() => connected().every((up) => up === true), 'both instances to reconnect');
    const after = await roundTrip('after');
    assert.ok(after && after !== SENTINEL, 'signatures are shared again');
  });
});
