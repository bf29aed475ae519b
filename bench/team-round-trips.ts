/**
 * The Redis round trips a request awaits in team mode, timed through the gateway's own code against a
 * redis-server started here (issue 21's target: at most 0.3 ms p50 added with a local Redis):
 *   - the conversation's binding (every request with a conversation, unless performance-first);
 *   - the signatures its history needs (a request replaying assistant turns the instance has not seen);
 *   - a client key's admit (requests with a client key).
 * Writes (bindings, signatures, the request stream) are not awaited and are not counted.
 *
 *   npx tsx bench/team-round-trips.ts [--iterations 5000]
 */
import { spawn } from 'node:child_process';
import net from 'node:net';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { silentLogger, systemClock } from '../src/core/ports';
import { KeyUsage } from '../src/core/security/key-usage';
import { createTeamConnection } from '../src/core/team/connection';
import { createRedisSharedCache } from '../src/core/team/shared-cache';
import { createRedisKeyCounters } from '../src/core/team/shared-key-usage';
import { createAccountSelector } from '../src/core/scheduler/selector';
import { SignatureCache } from '../src/core/upstream/cloudcode/signatures';
import type { ChatRequest } from '../src/core/ir';

const at = process.argv.indexOf('--iterations');
const ITERATIONS = at > 0 ? Number(process.argv[at + 1]) : 5_000;

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

const p50 = (samples: number[]) => [...samples].sort((a, b) => a - b)[Math.floor(samples.length / 2)];

async function time(what: string, run: (i: number) => Promise<unknown>): Promise<number> {
  for (let i = 0; i < 500; i++) await run(i); // warm-up
  const samples: number[] = [];
  for (let i = 0; i < ITERATIONS; i++) {
    const started = performance.now();
    await run(i);
    samples.push(performance.now() - started);
  }
  const median = p50(samples);
  console.log(`${what.padEnd(44)} p50 ${median.toFixed(3)} ms`);
  return median;
}

async function main(): Promise<void> {
  const port = await freePort();
  const redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  try {
    const connection = createTeamConnection({ url: `redis://127.0.0.1:${port}`, keyPrefix: 'bench:', logger: silentLogger });
    if (!(await connection.ready(5_000))) throw new Error('redis-server did not start');
    const cache = createRedisSharedCache(connection, { logger: silentLogger });

    const selector = createAccountSelector({ inFlight: () => 0, shared: cache });
    selector.bind('session:bench', { id: 'acct_1', email: 'ann@example.com' });
    const binding = await time('binding lookup (every conversation)', () => selector.refresh('session:bench'));

    const issuing = new SignatureCache({ shared: cache });
    issuing.rememberToolCall('gemini', 'call_1', 'S'.repeat(600));
    const request = {
      protocol: 'openai-chat',
      model: 'gemini-3-flash',
      messages: [
        { role: 'user', parts: [{ type: 'text', text: 'hi' }] },
        { role: 'assistant', parts: [{ type: 'tool_call', id: 'call_1', name: 'f', args: {} }] },
      ],
    } as ChatRequest;
    // A fresh cache each time: the worst case, an instance that has seen none of the conversation.
    const signatures = await time('signature prefetch (history new here)', () => new SignatureCache({ shared: cache }).prefetch(request, 'gemini-3-flash'));

    const usage = await KeyUsage.open({
      documents: { read: async () => undefined, write: async () => undefined },
      clock: systemClock,
      logger: silentLogger,
      shared: createRedisKeyCounters(connection, { logger: silentLogger }),
    });
    const key = { id: 'bench', name: 'bench', limits: { requestsPerMinute: 1e9, maxConcurrent: 1e6 } };
    const admit = await time('client key admit (requests with a key)', async () => (await usage.admitAcrossTeam(key))());

    console.log(
      `awaited per request: ${binding.toFixed(3)} ms (conversation), up to ${(binding + signatures + admit).toFixed(3)} ms ` +
        `(all three); ${os.cpus().length} CPUs, load average ${os.loadavg()[0].toFixed(2)} (shared machine)`,
    );
    await usage.close();
    await connection.close();
  } finally {
    redis.kill('SIGKILL');
  }
}

void main();
