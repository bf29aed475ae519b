/**
 * Team mode figures (issue 21): the throughput of two `agate demo --redis` instances against one, and the
 * latency the Redis round trips add to a request.
 *
 *   node bench/team.mjs [--seconds 8] [--connections 32] [--sequential 1500]
 *
 * Runs the built CLI (`npm run build` first): one simulator with no delay (so the gateways' own cost shows),
 * a redis-server on a free port, and gateways as child processes. Throughput is autocannon at saturation
 * (Anthropic Messages, not streamed): one instance alone, then two instances of one team loaded at once
 * (half the connections each, totals summed); three alternating repetitions, medians. Added latency is the p50 of one client sending requests one
 * after another to an instance with and without Redis (a conversation's request awaits the binding lookup;
 * the signature lookup and a client key's admit add one round trip each when they apply), and the p50 of
 * one bare ioredis MGET round trip. The machine's load shows in every figure: report it with them.
 */
import { spawn } from 'node:child_process';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import { Redis } from 'ioredis';
import { freePort, stopProcess, waitForHttp } from './lib/procs.mjs';
import { percentile } from './lib/stats.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CLI = path.join(ROOT, 'dist/cli.js');
const arg = (name, fallback) => {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? Number(process.argv[at + 1]) : fallback;
};
const SECONDS = arg('seconds', 8);
const CONNECTIONS = arg('connections', 32);
const SEQUENTIAL = arg('sequential', 1500);
const BODY = JSON.stringify({ model: 'claude-sonnet-4-6', max_tokens: 64, messages: [{ role: 'user', content: 'bench the team' }] });
const HEADERS = { 'content-type': 'application/json', 'anthropic-version': '2023-06-01', 'x-api-key': 'unused' };

const children = [];
function start(command, args, env = {}) {
  const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, ...env } });
  children.push(child);
  return child;
}

async function startGateway(simulatorUrl, redisUrl) {
  const port = await freePort();
  const args = [CLI, 'demo', '--simulator', simulatorUrl, '--port', String(port), '--quiet'];
  if (redisUrl) args.push('--redis', redisUrl);
  const child = start(process.execPath, args, { AGATE_REDIS_SECRET_KEY: 'bench-team-secret' });
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(`${url}/healthz`, child, 30_000);
  return { url, child };
}

async function saturate(urls) {
  const results = await Promise.all(
    urls.map((url) =>
      autocannon({
        url: `${url}/v1/messages`,
        method: 'POST',
        headers: HEADERS,
        body: BODY,
        connections: Math.max(1, Math.round(CONNECTIONS / urls.length)),
        duration: SECONDS,
      }),
    ),
  );
  const non2xx = results.reduce((sum, r) => sum + r.non2xx + r.errors, 0);
  return { rps: results.reduce((sum, r) => sum + r.requests.average, 0), non2xx };
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
function once(url) {
  return new Promise((resolve, reject) => {
    const request = http.request(
      `${url}/v1/messages`,
      { method: 'POST', agent, headers: { ...HEADERS, 'content-length': Buffer.byteLength(BODY) } },
      (response) => {
        response.resume();
        response.on('end', () => (response.statusCode === 200 ? resolve() : reject(new Error(`status ${response.statusCode}`))));
      },
    );
    request.on('error', reject);
    request.end(BODY);
  });
}

/**
 * p50 of requests sent one after another to each of `urls`, in alternating batches, so that the machine's
 * changing load falls on every target alike rather than on whichever ran last.
 */
async function sequentialP50s(urls) {
  for (const url of urls) for (let i = 0; i < 100; i++) await once(url); // warm-up
  const samples = urls.map(() => []);
  const batch = 50;
  for (let done = 0; done < SEQUENTIAL; done += batch) {
    for (const [index, url] of urls.entries()) {
      for (let i = 0; i < batch; i++) {
        const started = performance.now();
        await once(url);
        samples[index].push(performance.now() - started);
      }
    }
  }
  return samples.map((list) =>
    percentile(
      list.sort((a, b) => a - b),
      50,
    ),
  );
}

async function redisRoundTripP50(url) {
  const redis = new Redis(url);
  const samples = [];
  for (let i = 0; i < 5_000; i++) {
    const started = performance.now();
    await redis.mget('agate:shared:bind:bench');
    if (i >= 500) samples.push(performance.now() - started);
  }
  redis.disconnect();
  return percentile(
    samples.sort((a, b) => a - b),
    50,
  );
}

async function main() {
  const redisPort = await freePort();
  start('redis-server', ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no']);
  const redisUrl = `redis://127.0.0.1:${redisPort}`;
  const simPort = await freePort();
  const sim = start(process.execPath, [CLI, 'simulate', '--port', String(simPort), '--latency-ms', '0', '--frame-interval-ms', '0', '--quota-cost', '0']);
  const simulatorUrl = `http://127.0.0.1:${simPort}`;
  await waitForHttp(`${simulatorUrl}/__sim/faults`, sim, 30_000);

  const solo = await startGateway(simulatorUrl);
  // The control: a second gateway without Redis, so "two instances" is also measured without the team's work.
  const soloTwin = await startGateway(simulatorUrl);
  const first = await startGateway(simulatorUrl, redisUrl);
  const second = await startGateway(simulatorUrl, redisUrl);
  const [soloSequential, teamSequential] = await sequentialP50s([solo.url, first.url]);
  // Saturation runs alternate too: one instance alone, one of the team, both of the team; the median of three.
  const runs = { solo: [], soloTwo: [], one: [], two: [] };
  for (let rep = 0; rep < 3; rep++) {
    runs.solo.push(await saturate([solo.url]));
    runs.soloTwo.push(await saturate([solo.url, soloTwin.url]));
    runs.one.push(await saturate([first.url]));
    runs.two.push(await saturate([first.url, second.url]));
  }
  const middle = (list) => [...list].sort((a, b) => a.rps - b.rps)[1];
  const [soloSaturated, soloTwo, teamOne, teamTwo] = [middle(runs.solo), middle(runs.soloTwo), middle(runs.one), middle(runs.two)];
  const roundTrip = await redisRoundTripP50(redisUrl);

  const [load1] = os.loadavg();
  const lines = [
    `team bench (${os.cpus().length} CPUs, load average ${load1.toFixed(2)} at the end; the machine is shared)`,
    `throughput, 1 instance without Redis:   ${soloSaturated.rps.toFixed(0)} req/s (${soloSaturated.non2xx} non-2xx)`,
    `throughput, 2 instances without Redis:  ${soloTwo.rps.toFixed(0)} req/s (${soloTwo.non2xx} non-2xx), ×${(soloTwo.rps / soloSaturated.rps).toFixed(2)} of one`,
    `throughput, 1 instance of a team:       ${teamOne.rps.toFixed(0)} req/s (${teamOne.non2xx} non-2xx)`,
    `throughput, 2 instances of a team:      ${teamTwo.rps.toFixed(0)} req/s (${teamTwo.non2xx} non-2xx), ×${(teamTwo.rps / teamOne.rps).toFixed(2)} of one`,
    `p50 one request at a time, no Redis:    ${soloSequential.toFixed(3)} ms`,
    `p50 one request at a time, team:        ${teamSequential.toFixed(3)} ms (added ${(teamSequential - soloSequential).toFixed(3)} ms)`,
    `p50 of one bare Redis round trip (MGET): ${roundTrip.toFixed(3)} ms`,
  ];
  console.log(lines.join('\n'));
}

try {
  await main();
} finally {
  agent.destroy();
  for (const child of children.reverse()) await stopProcess(child);
}
