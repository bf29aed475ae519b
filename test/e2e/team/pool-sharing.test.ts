/**
 * The pool side of team mode with two whole gateways on one real redis-server: accounts added on one appear
 * on the other, a 429 one instance sees keeps the other off that account, an expired token is refreshed
 * once across the team, and after Redis is gone and back (empty) the instances share again.
 */
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { startRedisServer, type RedisServer } from '../../helpers/redis-server';
import { waitUntil } from '../../helpers/wait-until';
import { startTeamStack, type TeamMember, type TeamStack } from './team-stack';

const ADA = { email: 'ada@example.com', refreshToken: '1//team-refresh-ada', tier: 'g1-pro-tier' };
const BOB = { email: 'bob@example.com', refreshToken: '1//team-refresh-bob', tier: 'g1-pro-tier' };
const MODEL = 'gemini-3-flash';

async function chat(member: TeamMember, text = 'hello'): Promise<number> {
  const response = await fetch(`${member.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: MODEL, messages: [{ role: 'user', content: text }] }),
  });
  await response.arrayBuffer();
  return response.status;
}

const accountId = (member: TeamMember, email: string) => member.agate.pool.list().find((a) => a.email === email)!.id;
const limitOn = (member: TeamMember, email: string) => member.agate.pool.get(accountId(member, email))?.models.find((m) => m.id === MODEL)?.limit;

describe('team: the shared pool', function () {
  this.timeout(60_000);
  let team: TeamStack;
  let a: TeamMember;
  let b: TeamMember;
  /** A Redis a test started in place of the stack's (the stack stops only its own). */
  let replacement: RedisServer | undefined;

  beforeEach(async () => {
    team = await startTeamStack({ accounts: [ADA, BOB], flags: { 'scheduling.mode': 'performance-first' } });
    [a, b] = team.members;
  });
  afterEach(async () => {
    await team?.close();
    await replacement?.stop();
    replacement = undefined;
  });

  it('shows the accounts added on one instance on the other, and no refresh token in the clear in Redis', async () => {
    await waitUntil(() => b.agate.pool.list().length === 2, 'B sees both accounts');
    // B took them from the team: it never called the token endpoint for a setup of its own (no userinfo call).
    assert.equal(team.sim.log.filter((entry) => entry.method === 'userinfo').length, 2);
    const redis = new Redis(team.redis.url);
    try {
      const keys = await redis.keys(`${a.config.store.redis.keyPrefix}*`);
      for (const key of keys) {
        const type = await redis.type(key);
        const dump = type === 'hash' ? JSON.stringify(await redis.hgetall(key)) : type === 'string' ? await redis.get(key) : '';
        assert.ok(!dump?.includes(ADA.refreshToken) && !dump?.includes(BOB.refreshToken), `${key} holds a refresh token in the clear`);
      }
      assert.equal(Object.keys(await redis.hgetall(`${a.config.store.redis.keyPrefix}refresh`)).length, 2);
    } finally {
      redis.disconnect();
    }
  });

  it('moves B off an account A saw a long 429 on, before B sends its next request', async () => {
    await waitUntil(() => b.agate.pool.list().length === 2, 'B sees both accounts');
    team.sim.injectFault({ kind: 'rate_limited', account: ADA.email, model: MODEL, retryDelayMs: 10 * 60_000, times: Infinity });
    // performance-first alternates the accounts: within a few requests A lands on Ada and gets the 429.
    for (let i = 0; i < 6 && !limitOn(a, ADA.email); i++) assert.equal(await chat(a), 200);
    assert.equal(limitOn(a, ADA.email)?.kind, 'cooldown');
    await waitUntil(() => limitOn(b, ADA.email)?.kind === 'cooldown', 'the cooldown reaches B');

    const adaCallsBefore = team.sim.log.filter((entry) => entry.account === ADA.email && entry.model === MODEL).length;
    for (let i = 0; i < 4; i++) assert.equal(await chat(b), 200);
    const adaCallsAfter = team.sim.log.filter((entry) => entry.account === ADA.email && entry.model === MODEL).length;
    assert.equal(adaCallsAfter, adaCallsBefore, 'B never tried the account in cooldown');
  });

  it('refreshes an expired token once across both instances, however many requests ask at once', async () => {
    await waitUntil(() => b.agate.pool.list().length === 2, 'B sees both accounts');
    assert.equal(await chat(a), 200);
    assert.equal(await chat(b), 200);
    // Every access token is now past its life (the simulator's too): the next requests all need a refresh.
    team.clock.advance(2 * 60 * 60_000);
    const tokenCallsBefore = team.sim.log.filter((entry) => entry.method === 'token').length;
    const statuses = await Promise.all(Array.from({ length: 16 }, (_, i) => chat(i % 2 ? a : b, `burst ${i}`)));
    assert.deepEqual(new Set(statuses), new Set([200]));
    const refreshes = team.sim.log.filter((entry) => entry.method === 'token').slice(tokenCallsBefore);
    const perAccount = new Map<string, number>();
    for (const entry of refreshes) perAccount.set(entry.account ?? '?', (perAccount.get(entry.account ?? '?') ?? 0) + 1);
    assert.ok(refreshes.length >= 1, 'the tokens were refreshed');
    for (const [email, count] of perAccount) assert.equal(count, 1, `${email} refreshed ${count} times`);
  });

  it('keeps serving while Redis is gone, warns in /healthz, and shares again once an empty Redis is back', async () => {
    await waitUntil(() => b.agate.pool.list().length === 2, 'B sees both accounts');
    const port = team.redis.port;
    await team.redis.stop();
    await waitUntil(() => team.members.every((member) => member.agate.team?.health().connected === false), 'both see Redis gone');
    const health = (await (await fetch(`${a.url}/healthz`)).json()) as { status: string; team?: { warning?: string } };
    assert.equal(health.status, 'degraded');
    assert.match(health.team?.warning ?? '', /Redis/);
    for (let i = 0; i < 4; i++) assert.equal(await chat(i % 2 ? a : b), 200);

    replacement = await startRedisServer({ port });
    await waitUntil(() => team.members.every((member) => member.agate.team?.health().connected === true), 'both reconnected', 20_000);
    const redis = new Redis(replacement.url);
    try {
      // The empty Redis gets the accounts again from the instances' local state.
      await waitUntil(async () => (await redis.hlen(`${a.config.store.redis.keyPrefix}accounts`)) === 2, 'the accounts are back in Redis');
    } finally {
      redis.disconnect();
    }
    // And a cooldown propagates again.
    team.sim.injectFault({ kind: 'rate_limited', account: BOB.email, model: MODEL, retryDelayMs: 10 * 60_000, times: Infinity });
    for (let i = 0; i < 6 && !limitOn(a, BOB.email); i++) assert.equal(await chat(a), 200);
    await waitUntil(() => limitOn(b, BOB.email)?.kind === 'cooldown', 'the cooldown reaches B after the outage');
  });
});
