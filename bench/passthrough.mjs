/**
 * The floor for any Node gateway: a bare `node:http` proxy that pipes each
 * request to the target and the answer back, bytes untouched, with a
 * keep-alive agent. Usage: node bench/passthrough.mjs --port P --target URL
 */
import http from 'node:http';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { port: { type: 'string' }, target: { type: 'string' } } });
const target = new URL(values.target);
const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity, maxFreeSockets: 4096 });

const server = http.createServer((request, response) => {
  const upstream = http.request(
    { agent, host: target.hostname, port: target.port, path: request.url, method: request.method, headers: { ...request.headers, host: target.host } },
    (answer) => {
      response.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(response);
    },
  );
  upstream.on('error', () => {
    if (!response.headersSent) response.writeHead(502);
    response.end();
  });
  request.pipe(upstream);
});
server.keepAliveTimeout = 60_000;
server.listen(Number(values.port ?? 0), '127.0.0.1', () => {
  process.stdout.write(`passthrough listening on http://127.0.0.1:${server.address().port} → ${target.origin}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
