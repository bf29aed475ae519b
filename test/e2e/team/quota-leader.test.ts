/**
 * Quota polling in a team: only the instance holding the leader lease fetches quota, and when it dies
 * (without handing the lease over) another takes over once the lease has lapsed. Each gateway reaches the
 * simulator under its own host label, so the simulator's log tells whose fetch it was. The lease's expiry is
 * in the instances' clock: the test moves the shared TestClock past it instead of waiting 30 s.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { Redis } from 'ioredis';
import { waitUntil } from '../../helpers/wait-until';
import { startTeamStack, type TeamStack } from './team-stack';

const QUOTA_LEASE_MS = 30_000;
const labelOf = (index: number) => `member${index}`;

describe('team: one instance polls quota', function () {
  this.timeout(120_000);
  let team: TeamStack;
  let admin: Redis;

  before(async () => {
    team = await startTeamStack({
      instances: 2,
      // The shortest interval allowed: the pollers run on real time, each round well inside the test's budget.
      flags: { 'quota.refreshIntervalMs': '10000' },
      memberFlags: (index, simulatorUrl) => ({ 'upstream.hosts': `${simulatorUrl}/${labelOf(index)}` }),
    });
    admin = new Redis(team.redis.url);
  });
  after(async () => {
    admin?.disconnect();
    await team?.close();
  });

  const quotaFetches = (index: number, since: number) =>
    team.sim.log.filter((entry) => entry.id > since && entry.method === 'fetchAvailableModels' && entry.label === labelOf(index)).length;
  const lastLogId = () => team.sim.log.at(-1)?.id ?? 0;

  it('only the leader fetches quota; a follower takes over when the leader dies, once its lease lapsed', async () => {
    const leaseKey = team.members[0].agate.team!.connection.key('leader', 'quota');
    const leaseHolder = () => admin.get(leaseKey).then((value) => value?.split(' ')[0]);
    await waitUntil(async () => (await leaseHolder()) !== undefined, 'a leader');
    const holder = await leaseHolder();
    const leaderIndex = team.members.findIndex((member) => member.agate.team!.instanceId === holder);
    assert.ok(leaderIndex >= 0, `the lease names a member: ${holder}`);
    const followerIndex = 1 - leaderIndex;
    const [leader, follower] = [team.members[leaderIndex], team.members[followerIndex]];

    // Two polling rounds of the leader: the follower's poller ran in between and fetched nothing.
    const since = lastLogId();
    await waitUntil(() => quotaFetches(leaderIndex, since) >= 2, 'two quota rounds by the leader', 60_000);
    assert.equal(quotaFetches(followerIndex, since), 0, 'the follower fetched quota');

    // The leader dies: its connection drops first, so its stop cannot hand the lease over.
    leader.agate.team!.connection.redis.disconnect();
    await leader.agate.close();
    team.members.splice(leaderIndex, 1);
    fs.rmSync(leader.dataDir, { recursive: true, force: true });
    assert.equal(await leaseHolder(), leader.agate.team!.instanceId, 'the dead leader still holds its lease');
    // Redis would sweep the key only much later: the handover below is the clock's doing, not Redis' expiry.
    assert.ok((await admin.pttl(leaseKey)) > QUOTA_LEASE_MS * 2, 'the Redis expiry is a sweep, well past the lease');

    // Its lease lapses in the instances' clock: the follower claims it at its next try, then polls.
    const afterDeath = lastLogId();
    team.clock.advance(QUOTA_LEASE_MS + 1_000);
    await waitUntil(async () => (await leaseHolder()) === follower.agate.team!.instanceId, 'the follower leads', 30_000);
    await waitUntil(() => quotaFetches(followerIndex, afterDeath) >= 1, 'a quota fetch by the new leader', 30_000);
    assert.equal(quotaFetches(leaderIndex, afterDeath), 0);
  });
});
