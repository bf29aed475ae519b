/**
 * The team's request stream against a real redis-server: each instance sees the others' finished requests
 * once, never its own; appends that fail while Redis is up (here: the stream key holds the wrong type) or
 * while it is away are kept and sent later, exactly once, and nothing appended meanwhile is missed.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import type { RequestRecord } from '../../../src/core/monitor/types';
import { silentLogger } from '../../../src/core/ports';
import { createTeamConnection, type TeamConnection } from '../../../src/core/team/connection';
import { startTeamRequestStream, type TeamRequestStream } from '../../../src/core/team/request-stream';
import { startRedisServer, type RedisServer } from '../../helpers/redis-server';
import { waitUntil } from '../../helpers/wait-until';

const record = (id: string): RequestRecord => ({
  id,
  startedAt: Date.now(),
  protocol: 'anthropic',
  path: '/v1/messages',
  stream: false,
  clientModel: 'claude-sonnet-4-6',
  attempts: [],
  status: 200,
  latencyMs: 5,
  capture: { request: 'a body', truncated: false },
});

describe('team: the request stream', function () {
  this.timeout(30_000);
  let redis: RedisServer;
  const connections: TeamConnection[] = [];
  const streams: TeamRequestStream[] = [];

  before(async () => {
    redis = await startRedisServer();
  });
  after(async () => {
    for (const stream of streams) await stream.close();
    for (const connection of connections) await connection.close();
    await redis?.stop();
  });

  async function instance(prefix: string, id: string, seen: Array<[string, RequestRecord]>) {
    const connection = createTeamConnection({ url: redis.url, keyPrefix: prefix, logger: silentLogger });
    connections.push(connection);
    assert.ok(await connection.ready(5_000));
    const stream = startTeamRequestStream(connection, { instanceId: id, logger: silentLogger, onPeer: (from, r) => seen.push([from, r]) });
    streams.push(stream);
    return { connection, stream };
  }

  it("delivers the others' records once, without bodies, and a failed append later, exactly once", async () => {
    const prefix = `agate-test-${crypto.randomBytes(3).toString('hex')}:`;
    const seenByA: Array<[string, RequestRecord]> = [];
    const seenByB: Array<[string, RequestRecord]> = [];
    const a = await instance(prefix, 'a', seenByA);
    await instance(prefix, 'b', seenByB);
    // Give both readers their first read, so they start before anything is appended.
    await new Promise((resolve) => setTimeout(resolve, 300));

    a.stream.publish(record('r1'));
    await waitUntil(() => seenByB.length === 1, 'b to see r1');
    assert.equal(seenByB[0][0], 'a');
    assert.equal(seenByB[0][1].id, 'r1');
    assert.equal(seenByB[0][1].capture, undefined, 'bodies stay on their instance');

    // The key holds a string: XADD fails while Redis is up. The records wait, then go once it is fixed.
    await a.connection.redis.del(a.connection.key('requests'));
    await a.connection.redis.set(a.connection.key('requests'), 'not a stream');
    a.stream.publish(record('r2'));
    a.stream.publish(record('r3'));
    await new Promise((resolve) => setTimeout(resolve, 200));
    await a.connection.redis.del(a.connection.key('requests'));
    await waitUntil(() => seenByB.length === 3, 'b to see r2 and r3');
    await new Promise((resolve) => setTimeout(resolve, 700));
    assert.deepEqual(
      seenByB.map(([, r]) => r.id),
      ['r1', 'r2', 'r3'],
    );
    assert.deepEqual(seenByA, [], 'an instance never counts its own requests twice');
  });

  it('records made while Redis is away reach the others when it is back', async () => {
    const prefix = `agate-test-${crypto.randomBytes(3).toString('hex')}:`;
    const seenByB: Array<[string, RequestRecord]> = [];
    const a = await instance(prefix, 'a', []);
    const b = await instance(prefix, 'b', seenByB);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await redis.restart();
    a.stream.publish(record('while-away'));
    await waitUntil(() => a.connection.healthy && b.connection.healthy, 'both to reconnect');
    await waitUntil(() => seenByB.length === 1, 'b to see the record made while Redis was away');
    assert.equal(seenByB[0][1].id, 'while-away');
  });
});
