/**
 * What a request costs in Redis round trips in team mode. A counting wrapper on an instance's command
 * connection records every command the request path sends and the event-loop turn it went out in. Lookups
 * sent in one turn travel together and are waited for at once (one round trip); a lookup the request waits
 * for pushes the next one into a later turn, so the number of turns with lookups is the number of round
 * trips the request waited for in sequence. Writes (SET PX, XADD, HINCRBY, ZREM, PUBLISH…) are not waited for.
 * The client keys document is reread at most every 2 s (a GET a keyed request waits for then, so that a key
 * revoked on another instance stops at once): that reread is counted apart.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import type { Redis } from 'ioredis';
import { startTeamStack, type TeamMember, type TeamStack } from './team-stack';

const MODEL = 'gemini-3-flash';
/** Commands whose reply nothing on the request path waits for. */
const WRITES = new Set(['set', 'xadd', 'hincrby', 'pexpire', 'zrem', 'zadd', 'multi', 'exec', 'publish', 'hset', 'hdel', 'del']);

interface Sent {
  name: string;
  key: string;
  turn: number;
}

/** Records the commands `redis` sends while `recording` is on, each with the event-loop turn it went in. */
function countCommands(redis: Redis) {
  const sent: Sent[] = [];
  let turn = 0;
  let turnEnding = false;
  let recording = false;
  const original = redis.sendCommand.bind(redis);
  redis.sendCommand = ((command: { name: string; args: unknown[] }, ...rest: unknown[]) => {
    if (recording) {
      if (!turnEnding) {
        turnEnding = true;
        setImmediate(() => {
          turnEnding = false;
          turn++;
        });
      }
      sent.push({ name: command.name.toLowerCase(), key: String(command.args[0] ?? ''), turn });
    }
    return (original as (...args: unknown[]) => unknown)(command, ...rest);
  }) as Redis['sendCommand'];
  return {
    async during(work: () => Promise<unknown>): Promise<{ lookups: Sent[]; lookupTrips: number; writes: Sent[]; keysRereads: number }> {
      sent.length = 0;
      recording = true;
      try {
        await work();
      } finally {
        recording = false;
      }
      const keysReread = (s: Sent) => s.name === 'get' && s.key.endsWith(':doc:client-keys');
      const lookups = sent.filter((s) => !WRITES.has(s.name) && !keysReread(s));
      return {
        lookups,
        lookupTrips: new Set(lookups.map((s) => s.turn)).size,
        writes: sent.filter((s) => WRITES.has(s.name)),
        keysRereads: sent.filter(keysReread).length,
      };
    },
  };
}

/**
 * One chat request written in a single write (head and body together), so the gateway has the whole request
 * at once and its own awaits are the only thing that spreads its commands over turns.
 */
async function chat(member: TeamMember, apiKey?: string, text = 'hello'): Promise<number> {
  const body = JSON.stringify({ model: MODEL, messages: [{ role: 'user', content: text }] });
  const { hostname, port } = new URL(member.url);
  const head = [
    'POST /v1/chat/completions HTTP/1.1',
    `host: ${hostname}:${port}`,
    'content-type: application/json',
    `content-length: ${Buffer.byteLength(body)}`,
    'connection: close',
    ...(apiKey ? [`authorization: Bearer ${apiKey}`] : []),
  ].join('\r\n');
  const socket = net.connect(Number(port), hostname);
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => socket.write(`${head}\r\n\r\n${body}`));
    socket.once('end', () => resolve());
    socket.once('error', reject);
  });
  socket.destroy();
  return Number(/^HTTP\/1\.1 (\d{3})/.exec(Buffer.concat(chunks).toString('latin1'))?.[1]);
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
    assert.ok(limited.keysRereads <= 1);
    assert.equal(await chat(member, unlimited.key, 'warm up'), 200);
    const free = await counter.during(() => chat(member, unlimited.key));
    // A key without limits cannot be refused: it is counted without waiting, like a plain request.
    assert.ok(free.lookupTrips <= 1, `awaited ${free.lookupTrips} round trips: ${free.lookups.map((s) => s.name).join(', ')}`);
    assert.ok(free.keysRereads <= 1);
  });
});
