/**
 * Soak: four accounts, AGATE_SOAK_REQUESTS (default 2000) mixed Anthropic /
 * OpenAI, streaming / non-streaming requests at concurrency 20, with one
 * upstream fault injected per ten requests, of every kind a retry can hide
 * (breaks after bytes reached a streaming client cannot be hidden, and have
 * their own test in the failure matrix). While accounts stay healthy, no
 * client may see a failure; afterwards no slot may be left taken.
 */
import assert from 'node:assert/strict';
import v8 from 'node:v8';
import vm from 'node:vm';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import type { FaultSpec } from '../../../src/simulator';
import { startStack, type Stack } from '../../helpers/stack';
import { ADA, BOB, CY, DEE, echoOf, generations } from './clients';

const REQUESTS = Number(process.env.AGATE_SOAK_REQUESTS ?? 2000);
const CONCURRENCY = 20;
const FAULT_EVERY = 10;

/**
 * Cycled through, one per FAULT_EVERY requests; each hits the next matching
 * upstream call once. A request that meets transient failures on every
 * healthy account starts a new round over them after a backoff.
 */
const FAULTS: FaultSpec[] = [
  { kind: 'rate_limited', retryDelayMs: 50 },
  { kind: 'rate_limited', retryDelayMs: 1_500 },
  { kind: 'quota_exhausted', resetInMs: 2_000 },
  { kind: 'capacity' },
  { kind: 'server_error', status: 500 },
  { kind: 'server_error', status: 502 },
  { kind: 'server_error', status: 503 },
  { kind: 'unauthorized' },
  { kind: 'reset_after', frames: 0 },
  { kind: 'hang' },
  { kind: 'bad_request', message: 'Invalid `signature` in `thinking` block.' },
];

/** Heap in use after a full collection, so that garbage not yet collected does not pass for growth. */
function heapAfterGc(): number {
  v8.setFlagsFromString('--expose-gc');
  (vm.runInNewContext('gc') as () => void)();
  return process.memoryUsage().heapUsed;
}

interface Outcome {
  ok: boolean;
  detail?: string;
}

describe('pool: soak', function () {
  this.timeout(120_000);
  let stack: Stack;
  after(() => stack?.close());

  it(`${REQUESTS} mixed requests with ${100 / FAULT_EVERY} % injected faults: no client-visible failure, no leaked slot`, async () => {
    stack = await startStack({
      accounts: [ADA, BOB, CY, DEE],
      simulator: { framesPerAnswer: 3, quotaCostPerRequest: 0 },
      flags: { 'upstream.firstByteTimeoutMs': '3000', 'upstream.answerTimeoutMs': '3000' },
    });
    // Keeps the gateway's debug log of 2000 requests out of memory and the capture file.
    stack.logs.length = 0;
    const anthropic = new Anthropic({ baseURL: stack.url, apiKey: 'unused', maxRetries: 0 });
    const openai = new OpenAI({ baseURL: `${stack.url}/v1`, apiKey: 'unused', maxRetries: 0 });

    // Once, early: dee must be verified again and drops out for the rest of the run.
    stack.sim.injectFault({ kind: 'validation_required', account: DEE.email });

    async function one(i: number): Promise<Outcome> {
      if (i % FAULT_EVERY === 0) stack.sim.injectFault(FAULTS[(i / FAULT_EVERY) % FAULTS.length]);
      const text = `soak request ${i}`;
      const stream = i % 2 === 1;
      const viaAnthropic = i % 4 < 2;
      const model = viaAnthropic ? 'claude-sonnet-4-6' : 'gemini-3-flash';
      let got = '';
      try {
        if (viaAnthropic) {
          const params = { model, max_tokens: 64, messages: [{ role: 'user' as const, content: text }] };
          if (stream) {
            for await (const event of await anthropic.messages.create({ ...params, stream: true })) {
              if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') got += event.delta.text;
            }
          } else {
            const message = await anthropic.messages.create(params);
            got = message.content.map((b) => (b.type === 'text' ? b.text : '')).join('');
          }
        } else {
          const params = { model, messages: [{ role: 'user' as const, content: text }], reasoning_effort: 'none' as const };
          if (stream) {
            for await (const chunk of await openai.chat.completions.create({ ...params, stream: true })) got += chunk.choices[0]?.delta?.content ?? '';
          } else {
            got = (await openai.chat.completions.create(params)).choices[0].message.content ?? '';
          }
        }
      } catch (err) {
        return { ok: false, detail: `#${i} ${(err as Error).message}` };
      }
      const expected = echoOf(model, text);
      return got === expected ? { ok: true } : { ok: false, detail: `#${i} answered ${JSON.stringify(got)}` };
    }

    const outcomes: Outcome[] = [];
    let next = 0;
    let heapAfterWarmup = 0;
    const started = Date.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < REQUESTS) {
          const i = next++;
          outcomes[i] = await one(i);
          if (i === Math.floor(REQUESTS / 10)) heapAfterWarmup = heapAfterGc();
        }
      }),
    );
    const seconds = (Date.now() - started) / 1000;
    const heapGrowthMb = (heapAfterGc() - heapAfterWarmup) / 2 ** 20;

    const failures = outcomes.filter((o) => !o.ok);
    const upstream = generations(stack.sim);
    const faulted = upstream.filter((e) => e.fault).length;
    const perAccount = Object.fromEntries(
      [ADA, BOB, CY, DEE].map((a) => [a.email.split('@')[0], upstream.filter((e) => e.account === a.email && e.status === 200).length]),
    );
    console.log(
      `      soak: ${REQUESTS} requests in ${seconds.toFixed(1)} s (${Math.round(REQUESTS / seconds)}/s), ` +
        `${REQUESTS - failures.length} ok (${((100 * (REQUESTS - failures.length)) / REQUESTS).toFixed(2)} %), ` +
        `${upstream.length} upstream calls (${faulted} faulted, ${upstream.length - REQUESTS} retries), ` +
        `served per account ${JSON.stringify(perAccount)}, heap growth after warm-up ${heapGrowthMb.toFixed(1)} MB`,
    );

    assert.deepEqual(failures.map((f) => f.detail).slice(0, 10), []);
    assert.ok(faulted >= REQUESTS / FAULT_EVERY - FAULTS.length, `only ${faulted} faults were hit`);
    assert.equal(stack.agate.pool.list().find((a) => a.email === DEE.email)?.state, 'forbidden');
    // Every slot came back: nothing in flight, upstream exchanges all ended.
    assert.equal(stack.agate.dispatcher.inFlight(), 0);
    assert.ok(
      upstream.every((e) => e.durationMs !== undefined),
      'an upstream exchange was left open',
    );
    // The simulator's request log (bodies included) is the one thing meant to grow.
    assert.ok(heapGrowthMb < 48, `heap grew by ${heapGrowthMb.toFixed(1)} MB`);
  });
});
