import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { PassThrough } from 'node:stream';
import Koa from 'koa';
import { listen, type ConnectionRefusal, type Listening, type ListenOptions } from '../../../src/core/server/listener';

/** A plain app: `/healthz` answers at once, `/stream` sends `first`, then `last` once the test calls `finishStream`. */
function testApp() {
  let finishStream = () => {};
  const app = new Koa();
  app.use(async (ctx) => {
    if (ctx.path === '/stream') {
      const body = new PassThrough();
      ctx.type = 'text/event-stream';
      ctx.body = body;
      body.write('first\n');
      finishStream = () => body.end('last\n');
      return;
    }
    ctx.body = { ok: true };
  });
  return { app, finishStream: () => finishStream() };
}

const options = (overrides: Partial<ListenOptions> = {}): ListenOptions => ({
  maxHeaderBytes: 32 * 1024,
  requestTimeoutMs: 120_000,
  maxConnections: 100,
  maxConnectionsPerAddress: 100,
  renderError: (err) => ({ status: err.status, body: { error: { message: err.message } } }),
  ...overrides,
});

/** Waits for a condition the server reaches on its own; the mocha timeout bounds it. */
async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((resolve) => setTimeout(resolve, 10));
}

function connect(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Everything the server sends until it closes the connection. */
function readToClose(socket: net.Socket): Promise<string> {
  let text = '';
  socket.setEncoding('latin1').on('data', (chunk: string) => (text += chunk));
  socket.on('error', () => undefined); // a refused connection may end in a reset
  return new Promise((resolve) => socket.once('close', () => resolve(text)));
}

function get(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path, agent: false }, (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on('error', reject);
  });
}

describe('listener: sockets and connections', () => {
  let server: Listening | undefined;
  afterEach(async () => {
    await server?.close(0);
    server = undefined;
  });

  describe('the request timeout', () => {
    it('answers a slow-header client 408 and closes the socket, though the client never reads', async () => {
      const { app } = testApp();
      server = await listen(app.callback(), '127.0.0.1', 0, options({ requestTimeoutMs: 1000 }));
      const slow = await connect(server.port);
      slow.write('POST /v1/messages HTTP/1.1\r\nHost: 127.0.0.1\r\nx-partial: ');
      slow.pause();
      await until(() => server?.openConnections() === 0);
      // The answer waited in the client's buffer: read it now.
      const answer = await readToClose(slow.resume());
      assert.match(answer, /^HTTP\/1\.1 408 /);
      assert.match(answer, /"message":"The request was not received completely in time\."/);
    });

    it('closes a connection that never sends a request', async () => {
      const { app } = testApp();
      server = await listen(app.callback(), '127.0.0.1', 0, options({ requestTimeoutMs: 1000 }));
      const idle = await connect(server.port);
      idle.pause();
      await until(() => server?.openConnections() === 0);
      idle.destroy();
    });

    it('does not cut a streamed answer that lasts longer than the timeout', async () => {
      const { app, finishStream } = testApp();
      server = await listen(app.callback(), '127.0.0.1', 0, options({ requestTimeoutMs: 1000 }));
      const port = server.port;
      const streamed = new Promise<{ status: number; body: string }>((resolve, reject) => {
        http
          .get({ host: '127.0.0.1', port, path: '/stream', agent: false }, (res) => {
            let body = '';
            res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
            res.on('error', reject);
          })
          .on('error', reject);
      });
      await until(() => server?.openConnections() === 1);
      // A client that connected after the stream started times out first: the stream's request is then past its time too.
      const slow = await connect(port);
      slow.write('GET /healthz HTTP/1.1\r\n');
      assert.match(await readToClose(slow), /^HTTP\/1\.1 408 /);
      finishStream();
      assert.deepEqual(await streamed, { status: 200, body: 'first\nlast\n' });
    });
  });

  describe('connection caps', () => {
    it('closes the connection one address opens beyond its cap, and serves the others', async () => {
      const { app } = testApp();
      const refusals: ConnectionRefusal[] = [];
      server = await listen(app.callback(), '127.0.0.1', 0, options({ maxConnectionsPerAddress: 2, onConnectionsRefused: (r) => refusals.push(r) }));
      const held = [await connect(server.port), await connect(server.port)];
      await until(() => server?.openConnections() === 2);
      const refused = await connect(server.port).catch(() => undefined);
      if (refused) assert.equal(await readToClose(refused), '', 'closed without an answer');
      assert.equal(server.openConnections(), 2);
      await until(() => refusals.length > 0);
      assert.deepEqual(refusals, [{ cap: 'maxConnectionsPerAddress', limit: 2, refused: 1, address: '127.0.0.1' }]);

      held[0].write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n');
      assert.match(await readToClose(held[0]), /^HTTP\/1\.1 200 /);
      await until(() => server?.openConnections() === 1);
      assert.deepEqual(await get(server.port, '/healthz'), { status: 200, body: '{"ok":true}' }, 'a freed place is usable again');
      held[1].destroy();
    });

    it('closes connections beyond the total cap', async () => {
      const { app } = testApp();
      const refusals: ConnectionRefusal[] = [];
      server = await listen(app.callback(), '127.0.0.1', 0, options({ maxConnections: 2, onConnectionsRefused: (r) => refusals.push(r) }));
      const held = [await connect(server.port), await connect(server.port)];
      await until(() => server?.openConnections() === 2);
      const refused = await connect(server.port).catch(() => undefined);
      if (refused) assert.equal(await readToClose(refused), '', 'closed without an answer');
      await until(() => refusals.length > 0);
      assert.deepEqual(
        refusals.map(({ cap, limit, refused: count }) => [cap, limit, count]),
        [['maxConnections', 2, 1]],
      );
      held.forEach((socket) => socket.destroy());
      await until(() => server?.openConnections() === 0);
      assert.equal((await get(server.port, '/healthz')).status, 200);
    });
  });
});
