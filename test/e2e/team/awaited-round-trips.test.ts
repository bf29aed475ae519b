/**
 * What a request costs in Redis round trips in team mode. A counting wrapper on an instance's command
 * connection records every command the request path sends and the event-loop turn it went out in. Lookups
 * sent in one turn travel together and are waited for at once (one round trip); a lookup the request waits
 * for pushes the next one into a later turn, so the number of turns with lookups is the number of round
 * trips the request waited for in sequence. Writes (SET PX, XADD, HINCRBY, ZREM, PUBLISH…) are not waited for.
 */
import assert from 'node:assert/strict';
import type { Redis } from 'ioredis';
import { startTeamStack, type TeamMember, type TeamStack } from './team-stack';

const MODEL = 'gemini-3-flash';
/** Commands whose reply nothing on the request path waits for. */
const WRITES = new Set(['set', 'xadd', 'hincrby', 'pexpire', 'zrem', 'zadd', 'multi', 'exec', 'publish', 'hset', 'hdel', 'del']);

interface Sent {
  name: string;
  turn: number;
}

/** Records the commands `redis` sends while `recording` is on, each with the event-loop turn it went in. */
function countCommands(redis: Redis) {
  const sent: Sent[] = [];
  let turn = 0;
  let turnEnding = false;
  let recording = false;
  const original = redis.sendCommand.bind(redis);
  redis.sendCommand = ((command: { name: string }, ...rest: unknown[]) => {
    if (recording) {
      if (!turnEnding) {
        turnEnding = true;
        setImmediate(() => {
          turnEnding = false;
          turn++;
        });
      }
      sent.push({ name: command.name.toLowerCase(), turn });
    }
    return (original as (...args: unknown[]) => unknown)(command, ...rest);
  }) as Redis['sendCommand'];
  return {
    async during(work: () => Promise<unknown>): Promise<{ lookups: Sent[]; lookupTrips: number; writes: Sent[] }> {
      sent.length = 0;
      recording = true;
      try {
        await work();
      } finally {
        recording = false;
      }
      const lookups = sent.filter((s) => !WRITES.has(s.name));
      return { lookups, lookupTrips: new Set(lookups.map((s) => s.turn)).size, writes: sent.filter((s) => WRITES.has(s.name)) };
    },
  };
}

async function chat(member: TeamMember, apiKey?: string, text = 'hello'): Promise<number> {
  const response = await fetch(`${member.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(apiKey && { authorization: `Bearer ${apiKey}` }) },
    body: JSON.stringify({ model: MODEL, messages: [{ role: 'user', content: text }] }),
  });
  await response.arrayBuffer();
  return response.status;
}

describe('team: Redis round trips a request waits for', function () {
  this.timeout(60_000);
  let team: TeamStack;

  before(async () => {
    team = await startTeamStack({ instances: 2 });
  });
  after(async () => {
    await team?.close();
  });

  it('a plain request, no client key and no limits', async () => {
    const member = team.members[0];
    const counter = countCommands(member.agate.team!.connection.redis);
    assert.equal(await chat(member, undefined, 'warm up'), 200);
    const { lookups, lookupTrips, writes } = await counter.during(() => chat(member));
    // The conversation's binding (one MGET); account state, tokens and slots come from the local copy.
    assert.ok(lookupTrips <= 1, `awaited ${lookupTrips} round trips: ${lookups.map((s) => s.name).join(', ')}`);
    assert.deepEqual([...new Set(lookups.map((s) => s.name))], ['mget']);
    // The stats stream entry still leaves, without being waited for.
    assert.ok(writes.some((s) => s.name === 'xadd'));
  });

  it('a request with a limited client key', async () => {
    const member = team.members[1];
    const issued = await team.members[0].agate.security.keys.create({ name: 'limited', limits: { requestsPerMinute: 100 } });
    const unlimited = await team.members[0].agate.security.keys.create({ name: 'unlimited' });
    const counter = countCommands(member.agate.team!.connection.redis);
    assert.equal(await chat(member, issued.key, 'warm up'), 200);
    const limited = await counter.during(() => chat(member, issued.key));
    // The key's admit (one script call) and the binding: two round trips, nothing else.
    assert.ok(limited.lookupTrips <= 2, `awaited ${limited.lookupTrips} round trips: ${limited.lookups.map((s) => s.name).join(', ')}`);
    assert.equal(limited.lookups.filter((s) => s.name === 'evalsha').length, 1);
    assert.equal(await chat(member, unlimited.key, 'warm up'), 200);
    const free = await counter.during(() => chat(member, unlimited.key));
    // A key without limits cannot be refused: it is counted without waiting, like a plain request.
    assert.ok(free.lookupTrips <= 1, `awaited ${free.lookupTrips} round trips: ${free.lookups.map((s) => s.name).join(', ')}`);
  });
});
