import assert from 'node:assert/strict';
import {
  WEATHER_TOOL,
  callMethod,
  envelope,
  generate,
  modelTurn,
  partsOf,
  sseFrames,
  startHarness,
  stream,
  user,
  visibleText,
  type Harness,
  type Json,
} from './harness';

describe('simulator: scripted answers', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(() => h.sim.close());
  beforeEach(() => {
    h.sim.reset();
    h.sim.configure({ framesPerAnswer: 6, firstByteDelayMs: 0, frameIntervalMs: 0 });
  });

  it('answers a plain prompt with the default text, wrapped in the Cloud Code envelope', async () => {
    const res = await generate(h, envelope(h, { contents: [user('What is the capital of France?')] }, 'claude-sonnet-4-6'));
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('x-agate-simulator'), '1');
    const body = (await res.json()) as Json;
    assert.equal(visibleText(body), 'Hello from claude-sonnet-4-6. You said: What is the capital of France?');
    assert.equal(body.response.candidates[0].finishReason, 'STOP');
    assert.equal(body.response.modelVersion, 'claude-sonnet-4-6');
    assert.match(body.response.responseId, /\S/);
    assert.match(body.traceId, /\S/);
    const usage = body.response.usageMetadata;
    assert.equal(usage.totalTokenCount, usage.promptTokenCount + usage.candidatesTokenCount);
  });

  it('streams a text answer as several SSE frames with usage and finishReason only on the last', async () => {
    const res = await stream(h, envelope(h, { contents: [user('Tell me a long story about a lighthouse keeper and a whale')] }, 'claude-sonnet-4-6'));
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/);
    const frames = await sseFrames(res);
    assert.ok(frames.length >= 4 && frames.length <= 8, `got ${frames.length} frames`);
    assert.equal(visibleText(frames), 'Hello from claude-sonnet-4-6. You said: Tell me a long story about a lighthouse keeper and a whale');
    for (const frame of frames.slice(0, -1)) {
      assert.equal(frame.response.usageMetadata, undefined);
      assert.equal(frame.response.candidates[0].finishReason, undefined);
    }
    const last = frames[frames.length - 1].response;
    assert.equal(last.candidates[0].finishReason, 'STOP');
    assert.ok(last.usageMetadata.promptTokenCount > 0);
    assert.equal(h.sim.log[0].frames, frames.length);
  });

  it('counts tokens deterministically: the same request costs the same', async () => {
    const request = { contents: [user('x'.repeat(400))] };
    const first = ((await (await generate(h, envelope(h, request))).json()) as Json).response.usageMetadata;
    const second = ((await (await generate(h, envelope(h, request))).json()) as Json).response.usageMetadata;
    assert.equal(first.promptTokenCount, 100);
    assert.deepEqual(first, second);
  });

  it('[[sim:words N]] answers exactly N words over several frames', async () => {
    const frames = await sseFrames(await stream(h, envelope(h, { contents: [user('[[sim:words 250]]')] }, 'claude-sonnet-4-6')));
    const words = visibleText(frames).split(' ');
    assert.equal(words.length, 250);
    assert.equal(words[0], 'word1');
    assert.equal(words[249], 'word250');
    assert.equal(frames.length, 6);
  });

  it('cuts an answer at a small maxOutputTokens and reports MAX_TOKENS', async () => {
    const res = await generate(h, envelope(h, { contents: [user('[[sim:words 100]]')], generationConfig: { maxOutputTokens: 10 } }, 'claude-sonnet-4-6'));
    const body = (await res.json()) as Json;
    assert.equal(body.response.candidates[0].finishReason, 'MAX_TOKENS');
    assert.equal(visibleText(body).length, 40);
    assert.equal(body.response.usageMetadata.candidatesTokenCount, 10);
  });

  it('[[sim:call]] makes the model call declared functions, in parallel when repeated, with ids', async () => {
    const tools = [WEATHER_TOOL, { functionDeclarations: [{ name: 'get_time', parameters: { type: 'OBJECT', properties: { zone: { type: 'STRING' } } } }] }];
    const text = 'Weather and time? [[sim:call get_weather {"city":"Paris"}]] [[sim:call get_time {"zone":"CET"}]]';
    const frames = await sseFrames(await stream(h, envelope(h, { contents: [user(text)], tools }, 'claude-sonnet-4-6')));
    const calls = partsOf(frames).filter((part) => part.functionCall);
    assert.deepEqual(
      calls.map((part) => [part.functionCall.name, part.functionCall.args]),
      [
        ['get_weather', { city: 'Paris' }],
        ['get_time', { zone: 'CET' }],
      ],
    );
    assert.equal(new Set(calls.map((part) => part.functionCall.id)).size, 2);
    assert.equal(calls[0].thoughtSignature, undefined, 'a non-thinking Claude model signs nothing');
    assert.equal(frames[frames.length - 1].response.candidates[0].finishReason, 'STOP');
    assert.equal(visibleText(frames), '');
  });

  it('signs function calls on gemini-3 and thinking models', async () => {
    for (const model of ['gemini-3-flash', 'claude-opus-4-6-thinking']) {
      const body = (await (
        await generate(h, envelope(h, { contents: [user('[[sim:call get_weather {"city":"Oslo"}]]')], tools: [WEATHER_TOOL] }, model))
      ).json()) as Json;
      const [call] = partsOf(body).filter((part) => part.functionCall);
      assert.ok(typeof call.thoughtSignature === 'string' && call.thoughtSignature.length >= 50, model);
      assert.match(call.thoughtSignature, /^[A-Za-z0-9_-]+$/);
    }
  });

  it('answers a tool result with what the tool returned', async () => {
    const first = (await (
      await generate(h, envelope(h, { contents: [user('[[sim:call get_weather {"city":"Rome"}]]')], tools: [WEATHER_TOOL] }, 'claude-sonnet-4-6'))
    ).json()) as Json;
    const callPart = partsOf(first)[0];
    const contents = [
      user('[[sim:call get_weather {"city":"Rome"}]]'),
      modelTurn(callPart),
      { role: 'user', parts: [{ functionResponse: { name: 'get_weather', id: callPart.functionCall.id, response: { forecast: 'sunny', high: 31 } } }] },
    ];
    const body = (await (await generate(h, envelope(h, { contents, tools: [WEATHER_TOOL] }, 'claude-sonnet-4-6'))).json()) as Json;
    assert.equal(visibleText(body), 'Tool get_weather returned: {"forecast":"sunny","high":31}');
  });

  it('thinking models with includeThoughts stream thought parts first, the signature on the last thought', async () => {
    const frames = await sseFrames(
      await stream(
        h,
        envelope(
          h,
          {
            contents: [user('Why is the sky blue?')],
            generationConfig: { thinkingConfig: { includeThoughts: true, thinkingBudget: 1024 }, maxOutputTokens: 4096 },
          },
          'claude-opus-4-6-thinking',
        ),
      ),
    );
    const parts = partsOf(frames);
    const firstText = parts.findIndex((part) => !part.thought);
    const thoughts = parts.slice(0, firstText);
    assert.ok(thoughts.length >= 1 && thoughts.every((part) => part.thought === true));
    assert.ok(thoughts[thoughts.length - 1].thoughtSignature.length >= 50);
    assert.ok(thoughts.slice(0, -1).every((part) => part.thoughtSignature === undefined));
    assert.equal(visibleText(frames), 'Hello from claude-opus-4-6-thinking. You said: Why is the sky blue?');
    assert.ok(frames[frames.length - 1].response.usageMetadata.thoughtsTokenCount > 0);
  });

  it('without includeThoughts a thinking model shows no thoughts', async () => {
    const body = (await (await generate(h, envelope(h, { contents: [user('hi')] }, 'gemini-2.5-pro'))).json()) as Json;
    assert.ok(partsOf(body).every((part) => !part.thought));
  });

  it('image models answer with an inline PNG', async () => {
    const body = (await (
      await generate(h, envelope(h, { contents: [user('A red square')] }, 'gemini-3.1-flash-image', { requestType: 'image_gen' }))
    ).json()) as Json;
    const image = partsOf(body).find((part) => part.inlineData);
    assert.equal(image?.inlineData.mimeType, 'image/png');
    assert.equal(Buffer.from(image?.inlineData.data, 'base64').subarray(1, 4).toString(), 'PNG');
  });

  it('a googleSearch tool grounds the answer', async () => {
    const body = (await (
      await generate(h, envelope(h, { contents: [user('latest news')], tools: [{ googleSearch: {} }] }, 'gemini-3-flash', { requestType: 'web_search' }))
    ).json()) as Json;
    const grounding = body.response.candidates[0].groundingMetadata;
    assert.deepEqual(grounding.webSearchQueries, ['latest news']);
    assert.match(grounding.groundingChunks[0].web.uri, /^https:\/\//);
  });

  it('reports cached tokens when a session repeats with a prompt extending the previous one', async () => {
    const sessionId = '-4242';
    const turn1 = { contents: [user('Remember the number 7. '.repeat(20))], sessionId };
    const first = ((await (await generate(h, envelope(h, turn1))).json()) as Json).response.usageMetadata;
    assert.equal(first.cachedContentTokenCount, undefined);
    const turn2 = { contents: [...turn1.contents, modelTurn({ text: 'Noted.' }), user('Which number?')], sessionId };
    const second = ((await (await generate(h, envelope(h, turn2))).json()) as Json).response.usageMetadata;
    assert.equal(second.cachedContentTokenCount, first.promptTokenCount);
    assert.ok(second.promptTokenCount > first.promptTokenCount);

    const otherSession = ((await (await generate(h, envelope(h, { ...turn2, sessionId: '-1' }))).json()) as Json).response.usageMetadata;
    assert.equal(otherSession.cachedContentTokenCount, undefined, 'another session has a cold cache');
    const edited = { contents: [user('Something else entirely'), modelTurn({ text: 'Noted.' }), user('Which number?')], sessionId };
    const afterEdit = ((await (await generate(h, envelope(h, edited))).json()) as Json).response.usageMetadata;
    assert.equal(afterEdit.cachedContentTokenCount, undefined, 'a prompt that does not extend the previous one misses');
  });

  it('streams a JSON array when streamGenerateContent is called without alt=sse', async () => {
    const res = await callMethod(h, 'streamGenerateContent', envelope(h, { contents: [user('hello')] }));
    const frames = JSON.parse(await res.text()) as Json[];
    assert.ok(frames.length > 1);
    assert.equal(visibleText(frames), 'Hello from gemini-3-flash. You said: hello');
  });

  it('honours the latency knobs', async () => {
    h.sim.configure({ firstByteDelayMs: 120, frameIntervalMs: 20, framesPerAnswer: 4 });
    const started = Date.now();
    const frames = await sseFrames(await stream(h, envelope(h, { contents: [user('one two three four five six')] }, 'claude-sonnet-4-6')));
    assert.equal(frames.length, 4);
    assert.ok(Date.now() - started >= 120 + 3 * 20 - 5);
  });

  it('serves any host label and records it', async () => {
    await generate(h, envelope(h, { contents: [user('hi')] }), { label: 'prod' });
    await generate(h, envelope(h, { contents: [user('hi')] }), { label: 'sandbox' });
    assert.deepEqual(
      h.sim.log.map((entry) => entry.label),
      ['prod', 'sandbox'],
    );
    assert.equal(h.sim.log[0].account, h.email);
    assert.equal(h.sim.log[0].model, 'gemini-3-flash');
    assert.equal(h.sim.log[0].status, 200);
  });
});
