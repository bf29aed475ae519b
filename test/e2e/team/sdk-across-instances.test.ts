/**
 * Team mode with the official openai SDK: two gateways share one real redis-server and one simulator, and
 * the client alternates between them on every request (round-robin front). Each test fails without the
 * shared state it names: a Gemini 3 call replayed on the other instance needs the signature the first one
 * cached; `previous_response_id` needs the history the first one stored; a conversation stays on its
 * account because the binding is shared; a client key's `rpm` counts both instances' requests.
 */
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import type { ChatCompletionMessageParam, ChatCompletionTool } from 'openai/resources/chat/completions';
import type { LogEntry } from '../../../src/simulator';
import { waitUntil } from '../../helpers/wait-until';
import { startRoundRobinFront, type RoundRobinFront } from './round-robin';
import { startTeamStack, type TeamStack } from './team-stack';

const GEMINI = 'gemini-3-flash';
const CLAUDE = 'claude-sonnet-4-6';
const SENTINEL = 'skip_thought_signature_validator';
const WEATHER: ChatCompletionTool = {
  type: 'function',
  function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } },
};
const ACCOUNTS = [
  { email: 'ann@example.com', refreshToken: '1//team-ann', tier: 'g1-pro-tier' },
  { email: 'ben@example.com', refreshToken: '1//team-ben', tier: 'g1-pro-tier' },
];

const generations = (team: TeamStack): LogEntry[] =>
  team.sim.log.filter((entry) => entry.method === 'streamGenerateContent' || entry.method === 'generateContent');
const lastContents = (team: TeamStack) =>
  (generations(team).at(-1)!.body as { request: { contents: Array<{ role: string; parts: Array<Record<string, any>> }> } }).request.contents;
/** The instances the POSTs of `model` went to, in order. */
const postsOf = (front: RoundRobinFront, model: string) => front.forwarded.filter((f) => f.method === 'POST' && f.model === model).map((f) => f.instance);

describe('team: the openai SDK across two instances', function () {
  this.timeout(60_000);
  let team: TeamStack;
  let front: RoundRobinFront;
  let client: OpenAI;

  before(async () => {
    team = await startTeamStack({ accounts: ACCOUNTS, flags: { 'scheduling.mode': 'cache-first' } });
    front = await startRoundRobinFront(team.urls);
    client = new OpenAI({ baseURL: `${front.url}/v1`, apiKey: 'sk-unused', maxRetries: 0 });
  });
  after(async () => {
    await front?.close();
    await team?.close();
  });
  beforeEach(() => {
    team.sim.reset();
    front.forwarded.length = 0;
  });

  it('chat stream: every request on the other instance, each answered in full', async () => {
    for (let turn = 0; turn < 4; turn++) {
      const stream = await client.chat.completions.create({ model: CLAUDE, messages: [{ role: 'user', content: `stream ${turn}` }], stream: true });
      let text = '';
      for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
      assert.equal(text, `Hello from ${CLAUDE}. You said: stream ${turn}`);
    }
    assert.deepEqual(postsOf(front, CLAUDE), [0, 1, 0, 1]);
    // Each instance's monitor follows the other's requests through the team's stream (admin call teamRequests).
    const [a, b] = team.members.map((member) => member.agate);
    await waitUntil(async () => (await a.admin.call('teamRequests', {})).filter((r) => r.clientModel === CLAUDE).length >= 2, 'A to follow B');
    const followed = (await a.admin.call('teamRequests', {})).filter((r) => r.clientModel === CLAUDE);
    assert.ok(followed.every((r) => r.instance === b.team?.instanceId && r.status === 200));
    assert.ok(
      (await a.admin.call('requests', {})).records.every((r) => r.instance === undefined),
      "A's own list holds only its own requests",
    );
  });

  it('Gemini 3 tool round trip: the call is replayed on the other instance with the signature the first one cached', async () => {
    const messages: ChatCompletionMessageParam[] = [{ role: 'user', content: 'Weather in Oslo? [[sim:call get_weather {"city":"Oslo"}]]' }];
    const first = await client.chat.completions.create({ model: GEMINI, messages, tools: [WEATHER], stream: true });
    let id = '';
    let args = '';
    for await (const chunk of first) {
      for (const call of chunk.choices[0]?.delta?.tool_calls ?? []) {
        id ||= call.id ?? '';
        args += call.function?.arguments ?? '';
      }
    }
    const issued = lastContents(team);
    assert.ok(issued.length >= 1);
    // The OpenAI client sends the call back with its id only: no field for a signature.
    messages.push(
      { role: 'assistant', content: null, tool_calls: [{ id, type: 'function', function: { name: 'get_weather', arguments: args } }] },
      { role: 'tool', tool_call_id: id, content: '{"temp_c":4}' },
    );
    const second = await client.chat.completions.create({ model: GEMINI, messages, tools: [WEATHER] });
    assert.equal(second.choices[0].message.content, 'Tool get_weather returned: {"output":"{\\"temp_c\\":4}"}');
    assert.deepEqual(postsOf(front, GEMINI), [0, 1]);
    const callPart = lastContents(team)[1].parts.find((part) => part.functionCall);
    assert.match(callPart?.thoughtSignature ?? '', /\S{16,}/);
    assert.notEqual(callPart?.thoughtSignature, SENTINEL, 'the real signature came from the shared cache, not the sentinel');
  });

  it('Responses: previous_response_id from one instance continues on the other, three turns', async () => {
    const first = await client.responses.create({ model: CLAUDE, input: 'first turn' });
    const second = await client.responses.create({ model: CLAUDE, previous_response_id: first.id, input: 'second turn' });
    const third = await client.responses.create({ model: CLAUDE, previous_response_id: second.id, input: 'third turn' });
    assert.equal(third.output_text, `Hello from ${CLAUDE}. You said: third turn`);
    assert.deepEqual(postsOf(front, CLAUDE), [0, 1, 0]);
    const texts = lastContents(team).map((content) => content.parts.map((part) => part.text ?? '').join(''));
    assert.deepEqual(
      texts.filter((_, index) => index % 2 === 0),
      ['first turn', 'second turn', 'third turn'],
    );
  });

  it('a conversation stays on its account whichever instance serves the turn (cache-first)', async () => {
    const accountsBy = new Map<string, string[]>();
    // Five conversations interleaved (an odd number, so each one's second turn lands on the other instance),
    // so that each instance's own round-robin over the accounts would scatter them.
    for (let turn = 0; turn < 2; turn++) {
      for (let conversation = 0; conversation < 5; conversation++) {
        const history: ChatCompletionMessageParam[] = [];
        for (let earlier = 0; earlier < turn; earlier++)
          history.push({ role: 'user', content: `c${conversation} t${earlier}` }, { role: 'assistant', content: 'ok' });
        await client.chat.completions.create({
          model: CLAUDE,
          messages: [...history, { role: 'user', content: `c${conversation} t${turn}` }],
          prompt_cache_key: `conversation-${conversation}`,
        } as OpenAI.ChatCompletionCreateParamsNonStreaming);
        const account = generations(team).at(-1)!.account ?? '';
        accountsBy.set(`c${conversation}`, [...(accountsBy.get(`c${conversation}`) ?? []), account]);
      }
    }
    const instances = postsOf(front, CLAUDE);
    for (let conversation = 0; conversation < 5; conversation++) assert.notEqual(instances[conversation], instances[conversation + 5]);
    for (const [conversation, accounts] of accountsBy) assert.equal(new Set(accounts).size, 1, `${conversation} moved: ${accounts.join(' → ')}`);
    // Both accounts were used: the binding, not a single favourite account, kept the turns together.
    assert.equal(new Set([...accountsBy.values()].flat()).size, 2);
  });

  it('a client key with rpm 10 gets exactly 10 requests accepted across both instances in its minute', async () => {
    const issued = await team.members[0].agate.security.keys.create({ name: 'team-rpm', limits: { requestsPerMinute: 10 } });
    // Five seconds into a fresh minute on the shared clock: the run ends long before the window does.
    const now = team.clock.now();
    team.clock.advance(60_000 - (now % 60_000) + 5_000);
    const keyed = new OpenAI({ baseURL: `${front.url}/v1`, apiKey: issued.key, maxRetries: 0 });
    const statuses = await Promise.all(
      Array.from({ length: 16 }, (_, index) =>
        keyed.chat.completions
          .create({ model: CLAUDE, messages: [{ role: 'user', content: `limited ${index}` }] })
          .then(() => 200)
          .catch((err: { status?: number }) => err.status ?? 0),
      ),
    );
    assert.equal(statuses.filter((status) => status === 200).length, 10, JSON.stringify(statuses));
    assert.equal(statuses.filter((status) => status === 429).length, 6, JSON.stringify(statuses));
    const served = postsOf(front, CLAUDE);
    assert.equal(served.filter((instance) => instance === 0).length, 8);
    assert.equal(served.filter((instance) => instance === 1).length, 8);
  });
});
