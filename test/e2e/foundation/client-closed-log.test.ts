/**
 * A client that hangs up before its answer (a benchmark cut at the end of its run, Esc in Claude Code) is a
 * 499 in the access log as in the monitor, never "request failed" with a 500: the gateway did not fail.
 */
import assert from 'node:assert/strict';
import { startStack, type Stack } from '../../helpers/stack';
import { waitUntil } from '../../helpers/wait-until';

describe('access log: a client that went away', function () {
  this.timeout(60_000);
  let stack: Stack;

  before(async () => {
    stack = await startStack();
  });
  after(async () => {
    await stack?.close();
  });

  for (const stream of [false, true]) {
    it(`is logged as 499, not 500 (${stream ? 'streamed' : 'not streamed'})`, async () => {
      const controller = new AbortController();
      const answered = fetch(`${stack.url}/v1/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
        body: JSON.stringify({ model: 'claude-sonnet-4-6', max_tokens: 64, stream, messages: [{ role: 'user', content: `[[sim:fault hang]] ${stream}` }] }),
        signal: controller.signal,
      }).catch((err: unknown) => err);
      const upstream = await stack.sim.waitForLog((entry) => entry.fault === 'hang' && entry.status === 0 && !entry.aborted);
      controller.abort();
      await answered;
      await stack.sim.waitForLog((entry) => entry.id === upstream.id && entry.aborted);
      const lineOf = () => stack.logs.find((line) => /client closed the connection|request failed/.test(line) && line.includes(`"status":`) && !line.includes('"status":200'));
      await waitUntil(() => lineOf() !== undefined, 'the access log line', 10_000);
      const line = lineOf()!;
      assert.match(line, /client closed the connection/);
      assert.match(line, /"status":499/);
      assert.ok(!stack.logs.some((l) => /request failed/.test(l)), stack.logs.filter((l) => /request failed/.test(l)).join('\n'));
      stack.logs.length = 0;
    });
  }
});
