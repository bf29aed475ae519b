/**
 * The team's leader lease (quota polling by one instance) and heartbeat registry (`agate team status`) on a
 * real redis-server. Handover waits on events (waitUntil), never on a fixed sleep.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { Redis } from 'ioredis';
import { silentLogger } from '../../../src/core/ports';
import { createTeam, type Team } from '../../../src/core/team';
import { startLeaderLease } from '../../../src/core/team/leader-lease';
import { startRedisServer, type RedisServer } from '../../helpers/redis-server';
import { TestClock } from '../../helpers/test-clock';
import { waitUntil } from '../../helpers/wait-until';

describe('team leader lease and instances', function () {
  this.timeout(30_000);
  let redis: RedisServer;
  let teams: Team[];
  let keyPrefix: string;

  before(async () => {
    redis = await startRedisServer();
  });
  after(async () => {
    await redis?.stop();
  });
  beforeEach(async () => {
    keyPrefix = `lease-${crypto.randomBytes(4).toString('hex')}:`;
    teams = [];
    for (let i = 0; i < 2; i++) {
      const settings = { url: redis.url, keyPrefix, secretKey: 'secret' };
      teams.push(await createTeam({ settings, logger: silentLogger, clock: new TestClock(), version: `1.0.${i}` }));
    }
  });
  afterEach(async () => {
    for (const team of teams) await team.close();
  });

  it('lets one instance lead, and hands over at once on a clean stop', async () => {
    const leases = teams.map((team) => startLeaderLease(team, { name: 'quota', ttlMs: 30_000, logger: silentLogger }));
    await waitUntil(() => leases.filter((lease) => lease.held()).length === 1, 'one leader');
    const leader = leases.findIndex((lease) => lease.held());
    await leases[leader].stop();
    await waitUntil(() => leases[1 - leader].held(), 'the other instance leads');
    await leases[1 - leader].stop();
  });

  it('hands over when the leader crashed (its lease expires)', async () => {
    const first = startLeaderLease(teams[0], { name: 'quota', ttlMs: 600, logger: silentLogger });
    await waitUntil(() => first.held(), 'the first leads');
    // The crash: the holder stops renewing; its key is left to expire.
    const crashed = new Redis(redis.url);
    try {
      const key = `${keyPrefix}leader:quota`;
      assert.equal((await crashed.get(key))?.split(' ')[0], teams[0].instanceId);
      await teams[0].close();
      const second = startLeaderLease(teams[1], { name: 'quota', ttlMs: 600, logger: silentLogger });
      await waitUntil(() => second.held(), 'the second leads once the lease lapsed');
      assert.equal((await crashed.get(key))?.split(' ')[0], teams[1].instanceId);
      await second.stop();
      await first.stop();
    } finally {
      crashed.disconnect();
    }
  });

  it('lists the instances alive with their versions, and drops one that stopped', async () => {
    await teams[0].heartbeat.update({ url: 'http://10.0.0.1:8045' });
    const seen = await teams[1].instances();
    assert.deepEqual(seen.map((instance) => instance.version).sort(), ['1.0.0', '1.0.1']);
    assert.equal(seen.find((instance) => instance.id === teams[0].instanceId)?.url, 'http://10.0.0.1:8045');
    await teams[0].close();
    assert.deepEqual(
      (await teams[1].instances()).map((instance) => instance.id),
      [teams[1].instanceId],
    );
  });
});
