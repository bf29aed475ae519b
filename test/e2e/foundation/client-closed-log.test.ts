/**
 * A client that hangs up before its answer (a benchmark cut at the end of its run, Esc in Claude Code) is a
 * 499 in the access log as in the monitor, never "request failed" with a 500: the gateway did not fail. One
 * that leaves in the middle of its body is a 499 too, not the 400 its cut JSON would have earned.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
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
      const lineOf = () =>
        stack.logs.find((line) => /client closed the connection|request failed/.test(line) && line.includes(`"status":`) && !line.includes('"status":200'));
      await waitUntil(() => lineOf() !== undefined, 'the access log line', 10_000);
      const line = lineOf()!;
      assert.match(line, /client closed the connection/);
      assert.match(line, /"status":499/);
      assert.ok(!stack.logs.some((l) => /request failed/.test(l)), stack.logs.filter((l) => /request failed/.test(l)).join('\n'));
      stack.logs.length = 0;
    });
  }

  it('a body cut by the client leaving is a 499 in the log and the monitor, not a 400', async () => {
    const monitor = stack.agate.observability!.monitor;
    const before = monitor.list().length;
    const { port } = new URL(stack.url);
    const socket = net.connect(Number(port), '127.0.0.1');
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    const half = '{"model":"claude-sonnet-4-6","max_tokens":64,"messages":[{"role":"user","con';
    // Expect: 100-continue makes Node answer "100 Continue" once the head is parsed and the request handed to the
    // gateway: only then half the body goes, and the client leaves.
    const continued = new Promise<void>((resolve) => socket.once('data', () => resolve()));
    socket.write(
      `POST /v1/messages HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\nanthropic-version: 2023-06-01\r\nexpect: 100-continue\r\ncontent-length: ${half.length * 2}\r\n\r\n`,
    );
    await continued;
    await new Promise<void>((resolve) => socket.write(half, () => resolve()));
    socket.destroy();
    await waitUntil(() => stack.logs.some((line) => line.includes('client closed the connection')), 'the access log line', 10_000);
    const line = stack.logs.find((l) => l.includes('client closed the connection'))!;
    assert.match(line, /"status":499/);
    assert.ok(!stack.logs.some((l) => /request rejected|request failed/.test(l)), stack.logs.join('\n'));
    await waitUntil(
      () => monitor.list().length > before || monitor.list().some((r) => /before its request was read/.test(r.error ?? '')),
      'the monitor record',
      10_000,
    );
    const record = monitor.list().find((r) => /before its request was read/.test(r.error ?? '') || r.status === 400);
    assert.equal(record?.status, 499, JSON.stringify(record));
  });
});
