/**
 * The team's concurrency slots (src/core/team/semaphore.ts) on a real redis-server: the limits hold across
 * two instances, a freed slot wakes the other instance, and the slots of an instance that crashed (stopped
 * renewing without releasing) come free when their leases expire, on the injected clock, not by waiting.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { silentLogger } from '../../../src/core/ports';
import { createTeam, type Team } from '../../../src/core/team';
import { createTeamSemaphore, type TeamSemaphore } from '../../../src/core/team/semaphore';
import { startRedisServer, type RedisServer } from '../../helpers/redis-server';
import { TestClock } from '../../helpers/test-clock';
import { waitUntil } from '../../helpers/wait-until';

const LEASE_MS = 30_000;

describe('team semaphore', function () {
  this.timeout(30_000);
  let redis: RedisServer;
  let clock: TestClock;
  let teams: Team[];
  let semaphores: TeamSemaphore[];

  before(async () => {
    redis = await startRedisServer();
  });
  after(async () => {
    await redis?.stop();
  });

  beforeEach(async () => {
    clock = new TestClock();
    const keyPrefix = `semaphore-${crypto.randomBytes(4).toString('hex')}:`;
    teams = [];
    for (let i = 0; i < 2; i++) {
      teams.push(await createTeam({ settings: { url: redis.url, keyPrefix, secretKey: 'secret' }, logger: silentLogger, clock, version: 'test' }));
    }
    semaphores = teams.map((team) => createTeamSemaphore(team, { logger: silentLogger, leaseMs: LEASE_MS }));
  });
  afterEach(async () => {
    for (const semaphore of semaphores) await semaphore.close();
    for (const team of teams) await team.close();
  });

  const perAccount = (n: number) => ({ perAccount: n, perAccountModel: 0 });

  it('holds the per-account limit across instances, and a release lets the other instance in', async () => {
    const [one, two] = semaphores;
    const first = await one.acquire('acct', 'm1', perAccount(2));
    const second = await two.acquire('acct', 'm2', perAccount(2));
    assert.ok(first && second);
    assert.equal(await one.acquire('acct', 'm3', perAccount(2)), false);
    assert.equal(await two.acquire('acct', 'm1', perAccount(2)), false);
    // Another account is not affected.
    assert.ok(await two.acquire('other', 'm1', perAccount(2)));
    first.release();
    await waitUntil(async () => {
      const lease = await two.acquire('acct', 'm1', perAccount(2));
      return lease !== false;
    }, 'the released slot is free for the other instance');
  });

  it('holds the per-model limit per account and model', async () => {
    const [one, two] = semaphores;
    const limits = { perAccount: 0, perAccountModel: 1 };
    assert.ok(await one.acquire('acct', 'm1', limits));
    assert.equal(await two.acquire('acct', 'm1', limits), false);
    assert.ok(await two.acquire('acct', 'm2', limits));
  });

  it('tells the other instance when a slot is freed', async () => {
    const [one, two] = semaphores;
    let woken = 0;
    two.onRelease(() => woken++);
    await waitUntil(async () => (await teams[1].connection.redis.pubsub('NUMSUB', teams[1].connection.key('ch', 'slots')))[1] === 1, 'subscribed');
    const lease = await one.acquire('acct', 'm1', perAccount(1));
    assert.ok(lease);
    lease.release();
    await waitUntil(() => woken === 1, 'the other instance hears of the release');
  });

  it('frees the slots of a crashed instance when their leases expire, not before', async () => {
    const [one, two] = semaphores;
    assert.ok(await one.acquire('acct', 'm1', perAccount(2)));
    assert.ok(await one.acquire('acct', 'm2', perAccount(2)));
    // The crash: no renewal, no release.
    await one.close({ release: false });
    assert.equal(await two.acquire('acct', 'm3', perAccount(2)), false);
    clock.advance(LEASE_MS - 1_000);
    assert.equal(await two.acquire('acct', 'm3', perAccount(2)), false, 'still leased');
    clock.advance(2_000);
    assert.ok(await two.acquire('acct', 'm3', perAccount(2)), 'expired leases no longer count');
    assert.ok(await two.acquire('acct', 'm4', perAccount(2)));
  });

  it('answers undefined (local limits alone) while Redis is away, and never throws', async () => {
    const port = redis.port;
    await redis.stop();
    await waitUntil(() => !teams[0].connection.healthy, 'Redis seen gone');
    assert.equal(await semaphores[0].acquire('acct', 'm1', perAccount(1)), undefined);
    redis = await startRedisServer({ port });
    await waitUntil(() => teams[0].connection.healthy, 'Redis back', 20_000);
    assert.ok(await semaphores[0].acquire('acct', 'm1', perAccount(1)));
  });
});
