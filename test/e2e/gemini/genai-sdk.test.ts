/**
 * The native Gemini endpoints driven by the real @google/genai SDK through the
 * whole gateway to the upstream simulator: the near pass-through path, where
 * what the client sends must reach the upstream intact.
 */
import assert from 'node:assert/strict';
import type { Content, GoogleGenAI, Model, Part } from '@google/genai' with { 'resolution-mode': 'import' };
import { startStack, type Stack } from '../../helpers/stack';
import { lastUpstreamGeneration, signaturesIn, upstreamGenerations } from './upstream';

type GenAI = typeof import('@google/genai', { with: { 'resolution-mode': 'import' } });

const MODEL = 'gemini-3-flash';
const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

describe('gemini e2e: @google/genai through the gateway', () => {
  let stack: Stack;
  let genai: GenAI;
  let ai: GoogleGenAI;

  before(async () => {
    genai = await import('@google/genai');
    stack = await startStack();
    ai = new genai.GoogleGenAI({ apiKey: 'any-key', httpOptions: { baseUrl: stack.url } });
  });
  after(() => stack.close());
  beforeEach(() => stack.sim.reset());

  const weatherTool = () => ({
    functionDeclarations: [
      {
        name: 'get_weather',
        description: 'Current weather in a city',
        parameters: {
          type: genai.Type.OBJECT,
          properties: { city: { type: genai.Type.STRING, description: 'City name' } },
          required: ['city'],
        },
      },
    ],
  });

  it('generateContent answers with the upstream text, usage and finish reason', async () => {
    const response = await ai.models.generateContent({ model: MODEL, contents: 'Hello gateway' });
    assert.equal(response.text, `Hello from ${MODEL}. You said: Hello gateway`);
    assert.equal(response.candidates?.[0].finishReason, 'STOP');
    assert.equal(response.modelVersion, MODEL);
    const usage = response.usageMetadata;
    assert.ok(usage?.promptTokenCount && usage.candidatesTokenCount, JSON.stringify(usage));
    assert.equal(usage.totalTokenCount, usage.promptTokenCount + usage.candidatesTokenCount + (usage.thoughtsTokenCount ?? 0));
    const upstream = lastUpstreamGeneration(stack.sim);
    assert.equal(upstream.model, MODEL);
    assert.equal(upstream.requestType, 'agent');
    assert.deepEqual(upstream.request.contents, [{ role: 'user', parts: [{ text: 'Hello gateway' }] }]);
  });

  it('generateContentStream yields thoughts, then the text over several SSE chunks, then finish and usage', async () => {
    const chunks = [];
    for await (const chunk of await ai.models.generateContentStream({
      model: MODEL,
      contents: 'Stream it',
      config: { systemInstruction: 'Be brief.', thinkingConfig: { includeThoughts: true } },
    })) {
      chunks.push(chunk);
    }
    const parts = chunks.flatMap((chunk) => chunk.candidates?.[0].content?.parts ?? []);
    const answer = parts
      .filter((part) => !part.thought)
      .map((part) => part.text ?? '')
      .join('');
    assert.equal(answer, `Hello from ${MODEL}. You said: Stream it`);
    assert.ok(
      parts.some((part) => part.thought === true && part.text),
      'a thought part',
    );
    assert.ok(
      parts.some((part) => part.thoughtSignature),
      'the thought signature',
    );
    assert.ok(chunks.filter((chunk) => chunk.text).length > 1, `the text came in ${chunks.length} chunks`);
    const last = chunks[chunks.length - 1];
    assert.equal(last.candidates?.[0].finishReason, 'STOP');
    assert.ok(last.usageMetadata?.thoughtsTokenCount, JSON.stringify(last.usageMetadata));

    const upstream = lastUpstreamGeneration(stack.sim);
    assert.equal(upstream.method, 'streamGenerateContent');
    assert.deepEqual(upstream.request.systemInstruction?.parts, [{ text: 'Be brief.' }]);
    assert.equal((upstream.request.generationConfig?.thinkingConfig as { includeThoughts?: boolean }).includeThoughts, true);
  });

  it('a function call round trip: the client owns the signatures and the upstream sees them untouched', async () => {
    const question: Content = { role: 'user', parts: [{ text: 'Weather in Paris? [[sim:call get_weather {"city":"Paris"}]]' }] };
    const config = { tools: [weatherTool()], thinkingConfig: { includeThoughts: true } };
    const first = await ai.models.generateContent({ model: MODEL, contents: [question], config });
    const [call] = first.functionCalls ?? [];
    assert.equal(call?.name, 'get_weather');
    assert.deepEqual(call.args, { city: 'Paris' });
    assert.ok(call.id, 'the call has an id');
    const modelTurn = first.candidates?.[0].content as Content;
    const callPart = modelTurn.parts?.find((part) => part.functionCall) as Part;
    assert.ok(callPart.thoughtSignature, 'gemini-3 signs its call');
    const sent = signaturesIn({ contents: [modelTurn] });

    const result: Content = {
      role: 'user',
      parts: [{ functionResponse: { id: call.id, name: call.name, response: { temperature: 21, unit: 'C', sky: ['clear'] } } }],
    };
    const second = await ai.models.generateContent({ model: MODEL, contents: [question, modelTurn, result], config });
    assert.equal(second.text, 'Tool get_weather returned: {"temperature":21,"unit":"C","sky":["clear"]}');

    const upstream = lastUpstreamGeneration(stack.sim);
    assert.equal(upstream.status, 200);
    assert.deepEqual(signaturesIn(upstream.request), sent);
    const upstreamCall = upstream.request.contents[1].parts.find((part) => part.functionCall);
    assert.deepEqual(upstreamCall, {
      functionCall: { id: call.id, name: 'get_weather', args: { city: 'Paris' } },
      thoughtSignature: callPart.thoughtSignature,
    });
    assert.deepEqual(upstream.request.contents[2].parts, [
      { functionResponse: { id: call.id, name: 'get_weather', response: { temperature: 21, unit: 'C', sky: ['clear'] } } },
    ]);
  });

  it('a streamed chat calls a function and reads its result back, replaying its history', async () => {
    const chat = ai.chats.create({ model: MODEL, config: { tools: [weatherTool()], thinkingConfig: { includeThoughts: true } } });
    const calls = [];
    for await (const chunk of await chat.sendMessageStream({ message: 'Rome? [[sim:call get_weather {"city":"Rome"}]]' })) {
      calls.push(...(chunk.functionCalls ?? []));
    }
    assert.deepEqual(
      calls.map((c) => [c.name, c.args]),
      [['get_weather', { city: 'Rome' }]],
    );
    let answer = '';
    for await (const chunk of await chat.sendMessageStream({
      message: [{ functionResponse: { id: calls[0].id, name: 'get_weather', response: { output: 'sunny' } } }],
    })) {
      answer += chunk.text ?? '';
    }
    assert.equal(answer, 'Tool get_weather returned: {"output":"sunny"}');
    const [firstTurn, secondTurn] = upstreamGenerations(stack.sim);
    assert.equal(secondTurn.status, 200);
    assert.ok(signaturesIn(secondTurn.request).length > 0, 'the replayed call carries its signature');
    assert.deepEqual(secondTurn.request.contents[0], firstTurn.request.contents[0]);
  });

  it('countTokens counts what generateContent reports as the prompt', async () => {
    const contents = 'Count these few words, please, exactly as the upstream would.';
    const counted = await ai.models.countTokens({ model: MODEL, contents });
    const generated = await ai.models.generateContent({ model: MODEL, contents });
    assert.ok(counted.totalTokens && counted.totalTokens > 0);
    assert.equal(counted.totalTokens, generated.usageMetadata?.promptTokenCount);
    assert.ok(
      stack.sim.log.some((entry) => entry.method === 'countTokens' && entry.status === 200),
      'the upstream counted',
    );
  });

  it('models.list pages through the catalog with generation methods and token limits', async () => {
    const models: Model[] = [];
    for await (const model of await ai.models.list({ config: { pageSize: 5 } })) models.push(model);
    const flash = models.find((model) => model.name === `models/${MODEL}`);
    assert.ok(flash, models.map((m) => m.name).join(', '));
    assert.deepEqual(flash.supportedActions, ['generateContent', 'streamGenerateContent', 'countTokens']);
    assert.equal(flash.inputTokenLimit, 1_048_576);
    assert.equal(flash.outputTokenLimit, 65_536);
    const image = models.find((model) => model.name === 'models/gemini-3.1-flash-image');
    assert.equal(image?.inputTokenLimit, 131_072);
    assert.equal(new Set(models.map((m) => m.name)).size, models.length, 'no model twice across pages');
  });

  it('models.get describes one model', async () => {
    const model = await ai.models.get({ model: MODEL });
    assert.equal(model.name, `models/${MODEL}`);
    assert.equal(model.displayName, 'Gemini 3 Flash');
    assert.equal(model.inputTokenLimit, 1_048_576);
    assert.equal(model.outputTokenLimit, 65_536);
    assert.deepEqual(model.supportedActions, ['generateContent', 'streamGenerateContent', 'countTokens']);
    // The SDK renames the wire field; on the wire it is Google's.
    const raw = (await (await fetch(`${stack.url}/v1beta/models/${MODEL}`)).json()) as Record<string, unknown>;
    assert.deepEqual(raw.supportedGenerationMethods, ['generateContent', 'streamGenerateContent', 'countTokens']);
    assert.equal(raw.name, `models/${MODEL}`);
  });

  it('an image model returns the image bytes as inlineData, with imageConfig passed through', async () => {
    const response = await ai.models.generateContent({
      model: 'gemini-3.1-flash-image',
      contents: 'Draw a lighthouse',
      config: { responseModalities: ['TEXT', 'IMAGE'], imageConfig: { aspectRatio: '16:9' } },
    });
    const image = response.candidates?.[0].content?.parts?.find((part) => part.inlineData)?.inlineData;
    assert.equal(image?.mimeType, 'image/png');
    const bytes = Buffer.from(image?.data ?? '', 'base64');
    assert.deepEqual(bytes.subarray(0, 8), PNG_MAGIC);

    const upstream = lastUpstreamGeneration(stack.sim);
    assert.equal(upstream.requestType, 'image_gen');
    assert.deepEqual(upstream.request.generationConfig?.imageConfig, { aspectRatio: '16:9' });
    assert.deepEqual(upstream.request.generationConfig?.responseModalities, ['TEXT', 'IMAGE']);
  });

  it('googleSearch grounds the answer: web_search upstream, grounding metadata back', async () => {
    const response = await ai.models.generateContent({ model: MODEL, contents: 'latest lighthouse news', config: { tools: [{ googleSearch: {} }] } });
    const grounding = response.candidates?.[0].groundingMetadata;
    assert.deepEqual(grounding?.webSearchQueries, ['latest lighthouse news']);
    assert.ok(grounding?.groundingChunks?.[0].web?.uri, JSON.stringify(grounding));
    assert.ok(grounding?.searchEntryPoint?.renderedContent);
    const upstream = lastUpstreamGeneration(stack.sim);
    assert.equal(upstream.requestType, 'web_search');
    assert.deepEqual(upstream.request.tools, [{ googleSearch: {} }]);
  });

  it('JSON mode, responseSchema, safetySettings and toolConfig reach the upstream as sent', async () => {
    const responseSchema = {
      type: genai.Type.OBJECT,
      properties: { city: { type: genai.Type.STRING }, days: { type: genai.Type.ARRAY, items: { type: genai.Type.INTEGER } } },
      required: ['city'],
      propertyOrdering: ['city', 'days'],
    };
    const safetySettings = [{ category: genai.HarmCategory.HARM_CATEGORY_HARASSMENT, threshold: genai.HarmBlockThreshold.BLOCK_ONLY_HIGH }];
    const toolConfig = { functionCallingConfig: { mode: genai.FunctionCallingConfigMode.ANY, allowedFunctionNames: ['get_weather'] } };
    await ai.models.generateContent({
      model: MODEL,
      contents: 'As JSON please',
      config: { responseMimeType: 'application/json', responseSchema, safetySettings, tools: [weatherTool()], toolConfig, temperature: 0.2, topK: 7 },
    });
    const { request } = lastUpstreamGeneration(stack.sim);
    assert.equal(request.generationConfig?.responseMimeType, 'application/json');
    assert.deepEqual(request.generationConfig?.responseSchema, responseSchema);
    assert.equal(request.generationConfig?.temperature, 0.2);
    assert.equal(request.generationConfig?.topK, 7);
    assert.deepEqual(request.safetySettings, safetySettings);
    assert.deepEqual(request.toolConfig, toolConfig);
    // Function schemas pass the upstream's cleaner (upstream-protocol §9), which spells types in lower case; Google reads either.
    const [sentDeclaration] = weatherTool().functionDeclarations;
    const parameters = { type: 'object', properties: { city: { type: 'string', description: 'City name' } }, required: ['city'] };
    assert.deepEqual(request.tools, [{ functionDeclarations: [{ ...sentDeclaration, parameters }] }]);
  });

  it('the same routes answer under /v1 (apiVersion v1)', async () => {
    const v1 = new genai.GoogleGenAI({ apiKey: 'any-key', apiVersion: 'v1', httpOptions: { baseUrl: stack.url } });
    const response = await v1.models.generateContent({ model: MODEL, contents: 'over v1' });
    assert.equal(response.text, `Hello from ${MODEL}. You said: over v1`);
    let streamed = '';
    for await (const chunk of await v1.models.generateContentStream({ model: MODEL, contents: 'streamed over v1' })) streamed += chunk.text ?? '';
    assert.equal(streamed, `Hello from ${MODEL}. You said: streamed over v1`);
    assert.ok((await v1.models.countTokens({ model: MODEL, contents: 'count over v1' })).totalTokens);
    assert.equal((await v1.models.get({ model: MODEL })).inputTokenLimit, 1_048_576);
    const listed: Model[] = [];
    for await (const model of await v1.models.list()) listed.push(model);
    assert.ok(listed.some((model) => model.name === `models/${MODEL}` && model.supportedActions?.includes('generateContent')));
  });

  it(':streamGenerateContent without alt=sse streams one JSON array of responses', async () => {
    const res = await fetch(`${stack.url}/v1beta/models/${MODEL}:streamGenerateContent`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-goog-api-key': 'any-key' },
      body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: '[[sim:words 12]]' }] }] }),
    });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
    const raw = await res.text();
    assert.ok(raw.startsWith('[') && raw.endsWith(']'), raw.slice(0, 80));
    const elements = JSON.parse(raw) as Array<{
      candidates?: Array<{ content?: { parts?: Array<{ text?: string; thought?: boolean }> }; finishReason?: string }>;
    }>;
    assert.ok(elements.length > 1, `${elements.length} elements`);
    const text = elements
      .flatMap((element) => element.candidates?.[0].content?.parts ?? [])
      .filter((part) => !part.thought)
      .map((part) => part.text ?? '')
      .join('');
    assert.equal(text, Array.from({ length: 12 }, (_, i) => `word${i + 1}`).join(' '));
    assert.equal(elements[elements.length - 1].candidates?.[0].finishReason, 'STOP');
  });
});
