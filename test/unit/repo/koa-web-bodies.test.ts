/**
 * The bundles' koa tests a body for a web `ReadableStream` or a fetch `Response` only when it can be one
 * (scripts/lean-bundle-plugins.mjs: koaWebBodiesOnDemand): a JSON answer does not load Node's fetch implementation
 * (≈ 6 MB of RSS for good), and web bodies are still sent as koa sends them.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import * as esbuild from 'esbuild';

const ROOT = path.resolve(__dirname, '../../..');
const OUT = path.join(ROOT, '.test-artifacts/koa-web-bodies/app.js');

/** A koa app answering a JSON object, a Response and a ReadableStream, and whether Node's undici is loaded. */
const APP = `
const Koa = require('koa');
const app = new Koa();
app.use((ctx) => {
  if (ctx.path === '/json') ctx.body = { answer: 42 };
  else if (ctx.path === '/response') ctx.body = new Response('from a Response', { status: 201, headers: { 'x-from': 'response' } });
  else if (ctx.path === '/readable') ctx.body = new ReadableStream({ start(controller) { controller.enqueue(new TextEncoder().encode('from a stream')); controller.close(); } });
  else if (ctx.path === '/fetch-loaded') ctx.body = String(process.moduleLoadList.some((name) => name.includes('deps/undici')));
});
const server = app.listen(0, '127.0.0.1', () => process.stdout.write(server.address().port + '\\n'));
`;

async function startApp(): Promise<{ url: string; stop: () => void }> {
  const { koaWebBodiesOnDemand } = await import('../../../scripts/lean-bundle-plugins.mjs');
  await esbuild.build({
    stdin: { contents: APP, resolveDir: ROOT, loader: 'js' },
    bundle: true,
    platform: 'node',
    format: 'cjs',
    outfile: OUT,
    logLevel: 'error',
    plugins: [koaWebBodiesOnDemand],
  });
  const child = spawn(process.execPath, [OUT], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<string>((resolve, reject) => {
    child.stdout.once('data', (chunk: Buffer) => resolve(chunk.toString().trim()));
    child.once('exit', (code) => reject(new Error(`the app exited (${code})`)));
  });
  return { url: `http://127.0.0.1:${port}`, stop: () => child.kill() };
}

describe('bundles: koa answers web bodies without loading fetch for the others', () => {
  let app: Awaited<ReturnType<typeof startApp>>;
  before(async function () {
    this.timeout(60_000);
    app = await startApp();
  });
  after(() => {
    app?.stop();
    fs.rmSync(path.dirname(OUT), { recursive: true, force: true });
  });

  it('a JSON body leaves Node’s fetch implementation unloaded', async () => {
    const answer = await fetch(`${app.url}/json`);
    assert.equal(answer.headers.get('content-type'), 'application/json; charset=utf-8');
    assert.deepEqual(await answer.json(), { answer: 42 });
    assert.equal(await (await fetch(`${app.url}/fetch-loaded`)).text(), 'false');
  });

  it('a Response and a ReadableStream are still sent as bodies', async () => {
    const response = await fetch(`${app.url}/response`);
    assert.equal(response.status, 201);
    assert.equal(response.headers.get('x-from'), 'response');
    assert.equal(await response.text(), 'from a Response');
    assert.equal(await (await fetch(`${app.url}/readable`)).text(), 'from a stream');
  });
});
