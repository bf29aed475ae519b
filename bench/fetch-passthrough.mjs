/**
 * The floor for a Node gateway bound to the runtime's global `fetch` upstream
 * (as Agate was before its upstream transport moved to `node:http`/`https`):
 * a `node:http` server that forwards each request body with `fetch` and
 * streams the answer back untouched, with the fetch options Agate used.
 * Usage: node bench/fetch-passthrough.mjs --port P --target URL
 */
import http from 'node:http';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { port: { type: 'string' }, target: { type: 'string' } } });
const target = values.target.replace(/\/+$/, '');

const server = http.createServer(async (request, response) => {
  try {
    const chunks = [];
    for await (const chunk of request) chunks.push(chunk);
    const answer = await fetch(target + request.url, {
      method: request.method,
      headers: { 'content-type': request.headers['content-type'] ?? 'application/json', authorization: request.headers.authorization ?? '' },
      body: request.method === 'GET' || request.method === 'HEAD' ? null : Buffer.concat(chunks).toString('utf8'),
      redirect: 'error',
      window: null,
    });
    response.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/octet-stream' });
    const reader = answer.body.getReader();
    for (let step = await reader.read(); !step.done; step = await reader.read()) response.write(step.value);
    response.end();
  } catch {
    if (!response.headersSent) response.writeHead(502);
    response.end();
  }
});
server.keepAliveTimeout = 60_000;
server.listen(Number(values.port ?? 0), '127.0.0.1', () => {
  process.stdout.write(`fetch pass-through listening on http://127.0.0.1:${server.address().port} → ${target}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
