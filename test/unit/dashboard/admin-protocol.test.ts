// The admin protocol table (src/core/admin/protocol.ts) is the one definition of the admin calls: every entry is
// served by a route the server registers, reached by both dashboard transports with the parameters intact, and its
// parameters are checked from its schema (a bad one is a 400 naming it).
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import type { TSchema } from '@sinclair/typebox';
import type { AdminApi } from '../../../src/core/admin/admin-api';
import { checkAdminParams } from '../../../src/core/admin/params-check';
import { ADMIN_CALLS, ADMIN_METHODS, adminHttpRequest, adminRouteFor, type AdminMethod, type AdminParams } from '../../../src/core/admin/protocol';
import { createAdminRoutes } from '../../../src/core/admin/routes';
import { GatewayError } from '../../../src/core/errors';
import { RouteTable } from '../../../src/core/server/routes';
import { VsCodeTransport } from '../../../webview-ui/vscode-transport';

/** A value the schema accepts, of the schema's own type (so the test follows the table, not a list of its own). */
function sampleOf(schema: TSchema, name: string): unknown {
  if (Array.isArray(schema.enum)) return schema.enum[0];
  if (schema.const !== undefined) return schema.const;
  if (Array.isArray(schema.anyOf)) return sampleOf(schema.anyOf[0] as TSchema, name);
  switch (schema.type) {
    case 'string':
      return `${name}-1`;
    case 'integer':
    case 'number':
      return Math.max(7, Number(schema.minimum ?? 0));
    case 'boolean':
      return true;
    case 'array':
      return [sampleOf(schema.items as TSchema, name)];
    case 'object':
      return {};
    default:
      return { any: 'value' };
  }
}

/** One parameter set per route of the call: every property set, and the route's fixed values. */
function samplesOf(method: AdminMethod): Array<Record<string, unknown>> {
  const spec = ADMIN_CALLS[method];
  const properties = (spec.params.properties ?? {}) as Record<string, TSchema>;
  const base = Object.fromEntries(Object.entries(properties).map(([name, schema]) => [name, sampleOf(schema, name)]));
  return spec.routes.map((route) => ({ ...base, ...route.fixed }));
}

/** A value of the wrong type for the schema. */
const wrongFor = (schema: TSchema): unknown => (schema.type === 'string' || Array.isArray(schema.enum) ? { not: 'a string' } : 'not-this-type');

function refusal(method: AdminMethod, params: unknown): GatewayError {
  try {
    checkAdminParams(method, params);
  } catch (err) {
    assert.ok(err instanceof GatewayError, String(err));
    return err;
  }
  assert.fail(`${method} accepted ${JSON.stringify(params)}`);
}

describe('dashboard: the admin protocol table', () => {
  const calls: Array<{ method: string; params: unknown }> = [];
  const api: AdminApi = {
    async call(method, params) {
      calls.push({ method, params });
      // As the real API does: the parameters are checked before anything runs.
      checkAdminParams(method, params);
      return (method === 'statsCsv' ? 'a,b\n' : { ok: true }) as never;
    },
    subscribe: () => () => {},
    gatewayChanged: () => {},
    close: () => {},
  };
  const table = new RouteTable();
  createAdminRoutes({ api, dashboardDir: () => undefined, bodyLimitBytes: 1 << 20 }).mount(table);
  let server: http.Server;
  let base: string;

  before(async () => {
    const app = new Koa();
    app.use(async (ctx, next) => {
      try {
        await next();
      } catch (err) {
        const known = err instanceof GatewayError;
        ctx.status = known ? err.status : 500;
        ctx.body = { error: { message: err instanceof Error ? err.message : String(err), param: known ? err.param : undefined } };
      }
    });
    for (const middleware of table.middleware()) app.use(middleware);
    server = http.createServer(app.callback());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  /** The HTTP transport's request for a call (webview-ui/http-transport.ts sends exactly this). */
  async function send(method: AdminMethod, params: Record<string, unknown>): Promise<Response> {
    const request = adminHttpRequest(method, params as AdminParams<typeof method>);
    const search = new URLSearchParams();
    for (const [name, value] of Object.entries(request.query)) search.set(name, String(value));
    const query = search.toString();
    return fetch(`${base}${request.path}${query ? `?${query}` : ''}`, {
      method: request.verb,
      headers: request.body === undefined ? {} : { 'content-type': 'application/json' },
      body: request.body === undefined ? undefined : JSON.stringify(request.body),
    });
  }

  it('registers every route of every call, all admin, plus the generic call route and the event stream', () => {
    const registered = table.list().map((route) => `${route.method} ${route.path} ${route.permission}`);
    for (const method of ADMIN_METHODS) {
      for (const route of ADMIN_CALLS[method].routes) {
        assert.equal(route.permission, 'admin', `${method}: ${route.path}`);
        assert.ok(registered.includes(`${route.verb} ${route.path} admin`), `${method}: ${route.verb} ${route.path} is not registered`);
      }
    }
    assert.ok(registered.includes('POST /admin/api/call/:method admin'));
    assert.ok(registered.includes('GET /admin/api/events admin'));
  });

  it('accepts the sample parameters of every call, so the samples below are meaningful', () => {
    for (const method of ADMIN_METHODS) for (const sample of samplesOf(method)) checkAdminParams(method, sample);
  });

  it('reaches every call over its own route with the parameters intact (the browser transport)', async () => {
    for (const method of ADMIN_METHODS) {
      for (const [index, sample] of samplesOf(method).entries()) {
        assert.equal(adminRouteFor(method, sample), ADMIN_CALLS[method].routes[index], `${method}: the route for ${JSON.stringify(sample)}`);
        calls.length = 0;
        const response = await send(method, sample);
        assert.equal(response.status, 200, `${method} over ${ADMIN_CALLS[method].routes[index]!.path}: ${await response.text()}`);
        assert.equal(calls.length, 1);
        assert.equal(calls[0]!.method, method);
        // Query strings carry text: compared after the schema's coercion, as the handler sees them.
        assert.deepEqual(checkAdminParams(method, calls[0]!.params), checkAdminParams(method, sample), method);
      }
    }
  });

  it('reaches every call by name over the generic route (the CLI, other editor windows)', async () => {
    for (const method of ADMIN_METHODS) {
      const [sample] = samplesOf(method);
      calls.length = 0;
      const response = await fetch(`${base}/admin/api/call/${method}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(sample),
      });
      assert.equal(response.status, 200, method);
      assert.deepEqual(calls, [{ method, params: sample }]);
    }
  });

  it('posts every call through the VS Code webview transport as an admin-call message, and resolves with the host result', async () => {
    const posted: unknown[] = [];
    let deliver: ((message: { data: unknown }) => void) | undefined;
    const globals = globalThis as Record<string, unknown>;
    globals.window = { addEventListener: (_type: string, listener: (message: { data: unknown }) => void) => (deliver = listener) };
    globals.acquireVsCodeApi = () => ({ postMessage: (message: unknown) => posted.push(message), getState: () => undefined, setState: () => {} });
    try {
      const transport = new VsCodeTransport();
      for (const method of ADMIN_METHODS) {
        const [sample] = samplesOf(method);
        posted.length = 0;
        const answer = transport.call(method, sample as never);
        const message = posted[0] as { kind: string; id: number; method: string; params: unknown };
        assert.deepEqual({ kind: message.kind, method: message.method, params: message.params }, { kind: 'admin-call', method, params: sample });
        deliver!({ data: { kind: 'admin-result', id: message.id, ok: true, result: { answered: method } } });
        assert.deepEqual(await answer, { answered: method });
      }
    } finally {
      delete globals.window;
      delete globals.acquireVsCodeApi;
    }
  });

  it('refuses a parameter of the wrong type, a missing one and an unknown one with a 400 naming it', () => {
    for (const method of ADMIN_METHODS) {
      const spec = ADMIN_CALLS[method];
      const properties = (spec.params.properties ?? {}) as Record<string, TSchema>;
      const [sample] = samplesOf(method);
      for (const [name, schema] of Object.entries(properties)) {
        if (schema.type === 'object' || (schema.type === undefined && !schema.enum && !schema.anyOf)) continue;
        const err = refusal(method, { ...sample, [name]: wrongFor(schema) });
        assert.equal(err.status, 400, `${method}.${name}`);
        assert.equal(err.param, name, `${method}.${name}: ${err.message}`);
        assert.ok(err.message.includes(`"${name}"`), err.message);
      }
      for (const name of spec.params.required ?? []) {
        const missing = { ...sample };
        delete missing[name];
        const err = refusal(method, missing);
        assert.equal(err.param, name, `${method} without ${name}`);
        assert.match(err.message, /is required/);
      }
      const unknown = refusal(method, { ...sample, surplus: 1 });
      assert.equal(unknown.param, 'surplus', method);
      assert.equal(refusal(method, 'text').status, 400);
    }
    assert.equal(refusal('nope' as AdminMethod, {}).status, 404);
  });

  it('answers a bad parameter over HTTP with a 400 naming it', async () => {
    const response = await fetch(`${base}/admin/api/requests?protocol=smtp`);
    assert.equal(response.status, 400);
    const body = (await response.json()) as { error: { message: string; param?: string } };
    assert.equal(body.error.param, 'protocol');
    assert.match(body.error.message, /"protocol" must be one of anthropic, /);
  });
});
