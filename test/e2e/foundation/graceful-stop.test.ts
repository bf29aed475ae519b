/**
 * Stopping the gateway: an in-flight stream either finishes or is cut at the
 * grace bound (and then cancelled upstream), and the port is free afterwards.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import Anthropic from '@anthropic-ai/sdk';
import { startStack, type Stack } from '../../helpers/stack';

const GRACE_MS = 400;

async function portIsFree(port: number): Promise<boolean> {
  const probe = net.createServer();
  return new Promise((resolve) => {
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

describe('foundation: graceful stop', () => {
  let stack: Stack;
  beforeEach(async () => {
    stack = await startStack({ flags: { 'server.shutdownGraceMs': String(GRACE_MS) }, simulator: { frameIntervalMs: 40, framesPerAnswer: 6 } });
  });
  afterEach(() => stack.close());

  it('a stream in flight when the stop begins finishes within the grace time; new connections are refused', async () => {
    const port = stack.agate.server!.port;
    const client = new Anthropic({ baseURL: stack.url, apiKey: 'test', maxRetries: 0 });
    const stream = client.messages.stream({ model: 'claude-sonnet-4-6', max_tokens: 512, messages: [{ role: 'user', content: 'finish me' }] });
    const events: string[] = [];
    let stopping: Promise<void> | undefined;
    for await (const event of stream) {
      events.push(event.type);
      if (event.type === 'content_block_delta' && !stopping) stopping = stack.agate.stop();
    }
    assert.equal(events.at(-1), 'message_stop', 'the stream ended normally');
    assert.match((await stream.finalMessage()).content.map((b) => (b as Anthropic.TextBlock).text).join(''), /You said: finish me/);
    await stopping;
    assert.equal(stack.agate.server, undefined);
    assert.ok(await portIsFree(port), 'the port is released');
    await assert.rejects(fetch(`http://127.0.0.1:${port}/healthz`));
  });

  it('a stream that would outlive the grace time is cut at the bound and cancelled upstream', async () => {
    const port = stack.agate.server!.port;
    const client = new Anthropic({ baseURL: stack.url, apiKey: 'test', maxRetries: 0 });
    const stream = client.messages.stream({
      model: 'claude-sonnet-4-6',
      max_tokens: 512,
      messages: [{ role: 'user', content: '[[sim:fault hang {"afterFrames":1}]]' }],
    });
    const consumed = (async () => {
      for await (const _event of stream);
    })();
    const outcome = consumed.then(
      () => 'ended',
      () => 'cut',
    );
    await stack.sim.waitForLog((entry) => entry.fault === 'hang' && entry.frames >= 1);
    const started = performance.now();
    await stack.agate.stop();
    const stopMs = performance.now() - started;
    // The bound plus generous slack for a loaded CI machine; without the cut, the hang would last forever.
    assert.ok(stopMs >= GRACE_MS - 50 && stopMs < GRACE_MS + 3_000, `stop took ${Math.round(stopMs)} ms`);
    assert.equal(await outcome, 'cut');
    const upstream = await stack.sim.waitForLog((entry) => entry.fault === 'hang' && entry.aborted);
    assert.ok(upstream.aborted, 'the upstream call was cancelled');
    assert.ok(await portIsFree(port), 'the port is released');
  });

  it('an idle gateway stops at once, even with a kept-alive connection open', async () => {
    const port = stack.agate.server!.port;
    assert.equal((await fetch(`${stack.url}/healthz`)).status, 200); // leaves a keep-alive socket in fetch's pool
    stack.config.server.shutdownGraceMs = 20_000; // read at stop time: only an idle socket held open would reach it
    const started = performance.now();
    await stack.agate.stop();
    assert.ok(performance.now() - started < 10_000, 'idle sockets do not hold the stop');
    assert.ok(await portIsFree(port));
  });
});
