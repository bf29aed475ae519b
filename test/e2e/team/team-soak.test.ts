/**
 * Team soak: four accounts, two gateways sharing one real redis-server, AGATE_TEAM_SOAK_REQUESTS (default
 * 2000) mixed Anthropic / OpenAI, streaming / non-streaming requests at concurrency 20 through a round-robin
 * front (so every other request lands on the other instance), with one upstream fault per ten requests of
 * every kind a retry can hide. No client may see a failure; afterwards each instance's token stats hold the
 * team's total (its own requests and, through the team's request stream, the other's) and no slot is taken.
 */
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import type { FaultSpec } from '../../../src/simulator';
import { waitUntil } from '../../helpers/wait-until';
import { ADA, BOB, CY, DEE, echoOf, generations } from '../pool/clients';
import { startRoundRobinFront, type RoundRobinFront } from './round-robin';
import { startTeamStack, type TeamStack } from './team-stack';

const REQUESTS = Number(process.env.AGATE_TEAM_SOAK_REQUESTS ?? 2000);
const CONCURRENCY = 20;
const FAULT_EVERY = 10;
const HOUR_MS = 3_600_000;

/** As in the single-instance soak (test/e2e/pool/soak.test.ts): each hits the next matching upstream call once. */
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

describe('team: soak across two instances', function () {
  this.timeout(180_000);
  let team: TeamStack;
  let front: RoundRobinFront;
  after(async () => {
    await front?.close();
    await team?.close();
  });

  it(`${REQUESTS} mixed requests alternating between 2 instances with ${100 / FAULT_EVERY} % faults: no client-visible failure, stats totals = requests sent`, async () => {
    team = await startTeamStack({
      accounts: [ADA, BOB, CY, DEE],
      simulator: { framesPerAnswer: 3, quotaCostPerRequest: 0 },
      flags: { 'upstream.firstByteTimeoutMs': '3000', 'upstream.answerTimeoutMs': '3000' },
      keepLogs: false,
    });
    front = await startRoundRobinFront(team.urls);
    const anthropic = new Anthropic({ baseURL: front.url, apiKey: 'unused', maxRetries: 0 });
    const openai = new OpenAI({ baseURL: `${front.url}/v1`, apiKey: 'unused', maxRetries: 0 });
    team.sim.injectFault({ kind: 'validation_required', account: DEE.email });

    async function one(i: number): Promise<string | undefined> {
      if (i % FAULT_EVERY === 0) team.sim.injectFault(FAULTS[(i / FAULT_EVERY) % FAULTS.length]);
      const text = `team soak request ${i}`;
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
            got = (await anthropic.messages.create(params)).content.map((b) => (b.type === 'text' ? b.text : '')).join('');
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
        return `#${i} ${(err as Error).message}`;
      }
      return got === echoOf(model, text) ? undefined : `#${i} answered ${JSON.stringify(got)}`;
    }

    const failures: string[] = [];
    let next = 0;
    const started = Date.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < REQUESTS) {
          const failure = await one(next++);
          if (failure) failures.push(failure);
        }
      }),
    );
    const seconds = (Date.now() - started) / 1000;
    const upstream = generations(team.sim);
    const perInstance = [0, 1].map((index) => front.forwarded.filter((f) => f.method === 'POST' && f.instance === index).length);
    console.log(
      `      team soak: ${REQUESTS} requests in ${seconds.toFixed(1)} s (${Math.round(REQUESTS / seconds)}/s), ` +
        `per instance ${JSON.stringify(perInstance)}, ${upstream.length} upstream calls (${upstream.filter((e) => e.fault).length} faulted)`,
    );

    assert.deepEqual(failures.slice(0, 10), []);
    assert.deepEqual(perInstance, [REQUESTS / 2, REQUESTS / 2]);
    // Each instance's stats: its own requests plus the other's from the team stream, so both show the team's total.
    const totalOf = (index: number) => {
      const now = team.clock.now();
      const result = team.members[index].agate.observability!.stats.query({ from: now - 2 * HOUR_MS, to: now + HOUR_MS, granularity: 'hour', groupBy: 'none' });
      return result.series.reduce((sum, series) => sum + series.total.requests, 0);
    };
    await waitUntil(() => totalOf(0) === REQUESTS && totalOf(1) === REQUESTS, `both instances' stats to count ${REQUESTS}`).catch((err: Error) => {
      throw new Error(`${err.message}: they count ${totalOf(0)} and ${totalOf(1)}`);
    });
    for (const member of team.members) assert.equal(member.agate.dispatcher.inFlight(), 0);
    assert.ok(
      upstream.every((e) => e.durationMs !== undefined),
      'an upstream exchange was left open',
    );
  });
});
