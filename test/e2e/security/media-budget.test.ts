import assert from 'node:assert/strict';
import { startStack, type Stack } from '../../helpers/stack';
import { assertProtocolError } from './protocol-calls';

/** The per-request media budget, as each client protocol sees it: its own error shape, naming the setting. */
describe('security: the media budget of one request, in each protocol', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack({ flags: { 'media.maxUrls': '2' } });
  });
  after(() => stack.close());

  // Never fetched: the count is checked before any download.
  const urls = ['https://img.example/1.png', 'https://img.example/2.png', 'https://img.example/3.png'];
  const post = (path: string, body: unknown) =>
    fetch(`${stack.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
      body: JSON.stringify(body),
    });

  it('Anthropic: more image URLs than media.maxUrls is a 400 naming the limit, nothing sent upstream', async () => {
    const before = stack.sim.log.length;
    const res = await post('/v1/messages', {
      model: 'claude-sonnet-4-6',
      max_tokens: 32,
      messages: [{ role: 'user', content: [...urls.map((url) => ({ type: 'image', source: { type: 'url', url } })), { type: 'text', text: 'compare' }] }],
    });
    assert.equal(res.status, 400);
    assert.match(assertProtocolError('anthropic', 400, await res.json()), /names 3 media URLs; the gateway fetches at most 2 per request \(media\.maxUrls\)/);
    assert.equal(stack.sim.log.length, before);
  });

  it('OpenAI and Gemini: the same refusal in their shapes', async () => {
    const openai = await post('/v1/chat/completions', {
      model: 'gemini-3-flash',
      messages: [{ role: 'user', content: urls.map((url) => ({ type: 'image_url', image_url: { url } })) }],
    });
    assert.equal(openai.status, 400);
    assert.match(assertProtocolError('openai', 400, await openai.json()), /media\.maxUrls/);
    const gemini = await post('/v1beta/models/gemini-3-flash:generateContent', {
      contents: [{ role: 'user', parts: urls.map((fileUri) => ({ fileData: { mimeType: 'image/png', fileUri } })) }],
    });
    assert.equal(gemini.status, 400);
    assert.match(assertProtocolError('gemini', 400, await gemini.json()), /media\.maxUrls/);
  });
});
