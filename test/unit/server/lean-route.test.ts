import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type Koa from 'koa';
import { leanRequestListener, type LeanContext } from '../../../src/core/server/lean-route';

/** A listener with one exact and one segment route; anything else answers `koa` (the fallback). */
async function serve(before: Koa.Middleware[] = []) {
  const seen: Array<{ path: string; params: Record<string, string>; query: unknown }> = [];
  const handler: Koa.Middleware = (ctx) => {
    const lean = ctx as unknown as LeanContext;
    seen.push({ path: lean.path, params: lean.params, query: { ...lean.query } });
    ctx.set('x-route', 'lean');
    ctx.body = { ok: true, host: ctx.get('HOST') !== '' };
  };
  const listener = leanRequestListener(
    before,
    [
      { path: '/v1/messages', stack: [handler] },
      { path: '/v1beta/models/', segmentParam: 'modelAction', stack: [handler] },
    ],
    (_req, res) => {
      res.writeHead(200, { 'x-route': 'koa' });
      res.end();
    },
    (_err, ctx) => {
      ctx.res.statusCode = 500;
      ctx.res.end('unhandled');
    },
  );
  const server = http.createServer(listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const call = (method: string, path: string) =>
    new Promise<{ status: number; route: string | undefined; type: string | undefined; body: string }>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port, method, path }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, route: res.headers['x-route'] as string, type: res.headers['content-type'], body }));
      });
      req.on('error', reject);
      req.end();
    });
  return { seen, call, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describe('lean hot routes', () => {
  it('serves a POST to a hot path itself, with Koa’s JSON answer, and leaves every other spelling to Koa', async () => {
    const s = await serve();
    try {
      const hot = await s.call('POST', '/v1/messages?beta=true');
      assert.deepEqual([hot.status, hot.route, hot.type, hot.body], [200, 'lean', 'application/json; charset=utf-8', '{"ok":true,"host":true}']);
      assert.deepEqual(s.seen[0].query, { beta: 'true' });
      for (const [method, path] of [
        ['GET', '/v1/messages'],
        ['POST', '/v1/messages/'],
        ['POST', '/V1/messages'],
        ['POST', '/v1//messages'],
        ['POST', '/v1/messages/count_tokens'],
        ['POST', '/v1beta/models/'],
        ['POST', '/v1beta/models/a/b:generateContent'],
      ]) {
        assert.equal((await s.call(method, path)).route, 'koa', `${method} ${path}`);
      }
    } finally {
      await s.close();
    }
  });

  it('captures one segment after a prefix, decoded as @koa/router decodes its parameters', async () => {
    const s = await serve();
    try {
      assert.equal((await s.call('POST', '/v1beta/models/gemini%2D3:generateContent')).route, 'lean');
      assert.equal((await s.call('POST', '/v1beta/models/bad%E0:generateContent')).route, 'lean');
      assert.deepEqual(
        s.seen.map((entry) => entry.params.modelAction),
        ['gemini-3:generateContent', 'bad%E0:generateContent'],
      );
    } finally {
      await s.close();
    }
  });

  it('runs the gateway-wide middleware first, and refuses a second call of next()', async () => {
    const order: string[] = [];
    const s = await serve([
      async (_ctx, next) => {
        order.push('first');
        await next();
        order.push('first after');
      },
      async (_ctx, next) => {
        await next();
        await next();
      },
    ]);
    try {
      const answer = await s.call('POST', '/v1/messages');
      assert.deepEqual(order, ['first']);
      assert.deepEqual([answer.status, answer.body], [500, 'unhandled']);
    } finally {
      await s.close();
    }
  });
});
